"""Topic 21: 目标检测 Object detection. The folder's files are listed in grader/topics/__init__.py."""
