# expect: 54.3 fail "top-p drops the token that crosses the threshold"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 54.3
def next_token_probs(logits, temperature=1.0, top_k=None, top_p=None):
    if temperature == 0:
        return torch.nn.functional.one_hot(logits.argmax(dim=-1), logits.shape[-1]).to(logits.dtype)
    z = logits / temperature
    if top_k is not None and top_k < z.shape[-1]:
        kth = torch.topk(z, top_k, dim=-1).values[..., -1:]
        z = z.masked_fill(z < kth, float("-inf"))
    probs = z.softmax(dim=-1)
    if top_p is not None and top_p < 1.0:
        sorted_probs, order = torch.sort(probs, dim=-1, descending=True, stable=True)
        keep_sorted = sorted_probs.cumsum(dim=-1) < top_p  # bug: the token that reaches top_p is dropped
        keep_sorted[..., 0] = True
        probs = probs * torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
        probs = probs / probs.sum(dim=-1, keepdim=True)
    return probs
