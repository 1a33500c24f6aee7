# expect: 54.4 fail "first position's logits"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 54.4
@torch.no_grad()
def generate(model, idx, max_new_tokens, temperature=1.0, top_k=None, top_p=None, generator=None):
    logits, cache = model(idx)
    out = [idx]
    for step in range(max_new_tokens):
        token = sample_next(logits[:, 0], temperature, top_k, top_p, generator)[:, None]  # bug: position 0
        out.append(token)
        if step + 1 < max_new_tokens:
            logits, cache = model(token, past_kvs=cache)
    return torch.cat(out, dim=1)
