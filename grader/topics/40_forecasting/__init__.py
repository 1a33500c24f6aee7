"""Topic 40: 时间序列预测 Time-series forecasting. The folder's files are listed in grader/topics/__init__.py."""
