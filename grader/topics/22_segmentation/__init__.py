"""Topic 22: 图像分割 Segmentation. The folder's files are listed in grader/topics/__init__.py."""
