# variant: 54.5 correct "submodules created head-first (lm_head, ln_f, blocks, then embeddings), xavier init, LayerNorm eps 1e-6, the reference attention"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch import nn


class GPT(nn.Module):
    def __init__(self, vocab_size, block_size, n_layer=2, n_head=2, n_embd=32):
        super().__init__()
        self.lm_head = nn.Linear(n_embd, vocab_size)
        self.ln_f = nn.LayerNorm(n_embd, eps=1e-6)
        self.blocks = nn.ModuleList()
        for _ in range(n_layer):
            block = Block(n_embd, n_head)
            block.ln_1.eps = block.ln_2.eps = 1e-6
            self.blocks.append(block)
        self.position_embedding = nn.Embedding(block_size, n_embd)
        self.token_embedding = nn.Embedding(vocab_size, n_embd)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                nn.init.xavier_uniform_(p)
            elif name.endswith("bias"):
                nn.init.zeros_(p)

    def forward(self, idx, past_kvs=None):
        batch, steps = idx.shape
        offset = past_kvs[0][0].shape[2] if past_kvs is not None else 0
        positions = torch.arange(offset, offset + steps, device=idx.device).expand(batch, steps)
        x = self.token_embedding(idx) + self.position_embedding(positions)
        new_cache = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, past_kvs[i] if past_kvs else None)
            new_cache.append(kv)
        return self.lm_head(self.ln_f(x)), new_cache
