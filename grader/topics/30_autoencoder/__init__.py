"""Topic 30: 自编码器 Autoencoder. The folder's files are listed in grader/topics/__init__.py."""
