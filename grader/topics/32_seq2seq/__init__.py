"""Topic 32: 序列到序列 Seq2Seq. The folder's files are listed in grader/topics/__init__.py."""
