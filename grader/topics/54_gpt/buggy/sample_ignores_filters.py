# expect: 54.3 fail "probability 0"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 54.3
def sample_next(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits / temperature, dim=-1)  # bug: top_k and top_p never applied to the draw
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)
