# variant: 54.5 correct "one module per head (a ModuleList of single-head attentions, concatenated), tanh-approximate GELU, no biases"
"""Override: appended to the reference solution, replacing the definitions below."""

import math

import torch
import torch.nn.functional as F
from torch import nn


class Head(nn.Module):
    def __init__(self, n_embd, head_dim):
        super().__init__()
        self.q = nn.Linear(n_embd, head_dim, bias=False)
        self.k = nn.Linear(n_embd, head_dim, bias=False)
        self.v = nn.Linear(n_embd, head_dim, bias=False)

    def forward(self, x, past=None):
        q, k, v = self.q(x), self.k(x), self.v(x)  # (B, T, D)
        if past is not None:
            k, v = torch.cat([past[0], k], 1), torch.cat([past[1], v], 1)
        t, s = q.shape[1], k.shape[1]
        w = q @ k.transpose(1, 2) * k.shape[-1] ** -0.5
        allowed = torch.tril(torch.ones(s, s, dtype=torch.bool, device=x.device))[s - t:]
        w = F.softmax(w.masked_fill(~allowed, float("-inf")), dim=-1)
        return w @ v, (k, v)


class MultiHead(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.heads = nn.ModuleList(Head(n_embd, n_embd // n_head) for _ in range(n_head))
        self.proj = nn.Linear(n_embd, n_embd, bias=False)

    def forward(self, x, past_kv=None):
        outs, ks, vs = [], [], []
        for i, head in enumerate(self.heads):
            past = None if past_kv is None else (past_kv[0][:, i], past_kv[1][:, i])
            o, (k, v) = head(x, past)
            outs.append(o), ks.append(k), vs.append(v)
        return self.proj(torch.cat(outs, -1)), (torch.stack(ks, 1), torch.stack(vs, 1))


class Layer(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.norm_a = nn.LayerNorm(n_embd, bias=False)
        self.mh = MultiHead(n_embd, n_head)
        self.norm_m = nn.LayerNorm(n_embd, bias=False)
        self.up = nn.Linear(n_embd, 4 * n_embd, bias=False)
        self.down = nn.Linear(4 * n_embd, n_embd, bias=False)

    def forward(self, x, past_kv):
        a, kv = self.mh(self.norm_a(x), past_kv)
        x = x + a
        return x + self.down(F.gelu(self.up(self.norm_m(x)), approximate="tanh")), kv


class GPT(nn.Module):
    def __init__(self, vocab_size, block_size, n_layer=2, n_head=2, n_embd=32):
        super().__init__()
        self.block_size = block_size
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(block_size, n_embd)
        self.layers = nn.ModuleList(Layer(n_embd, n_head) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(n_embd, bias=False)
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight

    def forward(self, idx, past_kvs=None):
        past = 0 if past_kvs is None else past_kvs[0][0].shape[2]
        pos = torch.arange(past, past + idx.shape[1], device=idx.device)
        x = self.wte(idx) + self.wpe(pos)
        presents = []
        for layer, past_kv in zip(self.layers, past_kvs if past_kvs is not None else [None] * len(self.layers)):
            x, kv = layer(x, past_kv)
            presents.append(kv)
        return self.lm_head(self.ln_f(x)), presents
