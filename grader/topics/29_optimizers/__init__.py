"""Topic 29: 优化器 Optimizers. The folder's files are listed in grader/topics/__init__.py."""
