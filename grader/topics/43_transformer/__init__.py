"""Topic 43: the Transformer (positional encoding, layer norm, RMS norm, an encoder layer, a digit sorter)."""
