"""Topic 54: GPT (因果自注意力、KV cache、采样与生成). The folder's files are listed in grader/topics/__init__.py."""
