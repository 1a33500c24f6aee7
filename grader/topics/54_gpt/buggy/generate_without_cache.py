# expect: 54.4 fail "the cache is never used"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 54.4
@torch.no_grad()
def generate(model, idx, max_new_tokens, temperature=1.0, top_k=None, top_p=None, generator=None):
    for _ in range(max_new_tokens):
        logits, _ = model(idx)  # bug: the whole sequence again at every step
        token = sample_next(logits[:, -1], temperature, top_k, top_p, generator)
        idx = torch.cat([idx, token[:, None]], dim=1)
    return idx
