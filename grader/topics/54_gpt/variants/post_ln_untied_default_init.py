# variant: 54.5 correct "post-LayerNorm blocks, an untied lm_head with a bias, PyTorch's default init"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch import nn


class PostLNBlock(nn.Module):
    """x = ln_1(x + attn(x)); x = ln_2(x + mlp(x)) (the original Transformer's order)."""

    def __init__(self, n_embd, n_head):
        super().__init__()
        self.attn = CausalSelfAttention(n_embd, n_head)
        self.ln_1 = nn.LayerNorm(n_embd)
        self.fc = nn.Linear(n_embd, 4 * n_embd)
        self.proj = nn.Linear(4 * n_embd, n_embd)
        self.ln_2 = nn.LayerNorm(n_embd)

    def forward(self, x, past_kv=None):
        attended, present = self.attn(x, past_kv)
        x = self.ln_1(x + attended)
        return self.ln_2(x + self.proj(torch.nn.functional.gelu(self.fc(x)))), present


class GPT(nn.Module):
    def __init__(self, vocab_size, block_size, n_layer=2, n_head=2, n_embd=32):
        super().__init__()
        self.block_size = block_size
        self.tok = nn.Embedding(vocab_size, n_embd)
        self.pos = nn.Embedding(block_size, n_embd)
        self.blocks = nn.ModuleList(PostLNBlock(n_embd, n_head) for _ in range(n_layer))
        self.head = nn.Linear(n_embd, vocab_size)

    def forward(self, idx, past_kvs=None):
        past = 0 if past_kvs is None else past_kvs[0][0].size(2)
        x = self.tok(idx) + self.pos(torch.arange(past, past + idx.size(1), device=idx.device))[None]
        presents = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, past_kvs[i] if past_kvs is not None else None)
            presents.append(kv)
        return self.head(x), presents
