"""Topic 34: attention from scratch (scaled dot-product, multi-head, masked softmax, additive attention)."""
