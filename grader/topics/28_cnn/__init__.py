"""Topic 28: 卷积神经网络 CNN. The folder's files are listed in grader/topics/__init__.py."""
