"""Topic 25: 不平衡数据 Imbalanced data. The folder's files are listed in grader/topics/__init__.py."""
