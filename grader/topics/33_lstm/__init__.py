"""Topic 33: 长短期记忆网络 LSTM. The folder's files are listed in grader/topics/__init__.py."""
