"""Topic 46: BERT (MLM 掩码、注意力掩码、嵌入与 [CLS] 分类头). The folder's files are listed in grader/topics/__init__.py."""
