"""Topic 24: 模型融合与集成 Ensembles. The folder's files are listed in grader/topics/__init__.py."""
