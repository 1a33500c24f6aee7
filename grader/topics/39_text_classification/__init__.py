"""Topic 39: 文本分类 Text classification. The folder's files are listed in grader/topics/__init__.py."""
