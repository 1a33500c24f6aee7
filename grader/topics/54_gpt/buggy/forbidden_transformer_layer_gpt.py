# expect: 54.2 forbidden "TransformerEncoderLayer"
# expect: 54.5 forbidden "TransformerEncoderLayer"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch import nn


# ----------------------------------------------------------------------------------------------------------- 54.2
class GPT(nn.Module):
    """A GPT built on torch's encoder layers with a causal mask (and no cache of its own)."""

    def __init__(self, vocab_size, block_size, n_layer=2, n_head=2, n_embd=32):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(block_size, n_embd)
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(n_embd, n_head, 4 * n_embd, dropout=0.0, batch_first=True, norm_first=True)
            for _ in range(n_layer))
        self.head = nn.Linear(n_embd, vocab_size)

    def forward(self, idx, past_kvs=None):
        steps = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(steps, device=idx.device))
        mask = nn.Transformer.generate_square_subsequent_mask(steps, device=idx.device)
        for layer in self.layers:
            x = layer(x, src_mask=mask, is_causal=True)
        return self.head(x), []
