"""Topic 27: 循环神经网络 RNN. The folder's files are listed in grader/topics/__init__.py."""
