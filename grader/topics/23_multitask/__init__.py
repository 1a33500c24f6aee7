"""Topic 23: 多任务学习 Multi-task learning. The folder's files are listed in grader/topics/__init__.py."""
