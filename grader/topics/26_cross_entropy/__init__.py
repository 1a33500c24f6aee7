"""Topic 26: 交叉熵 Cross entropy. The folder's files are listed in grader/topics/__init__.py."""
