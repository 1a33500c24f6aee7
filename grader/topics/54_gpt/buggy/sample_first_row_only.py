# expect: 54.3 fail "row pattern 1"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 54.3
def sample_next(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = next_token_probs(logits, temperature, top_k, top_p)
    # bug: every row drawn from the first row's distribution
    return torch.multinomial(probs[0], logits.shape[0], replacement=True, generator=generator)
