# expect: 46.1 fail "changed input_ids in place"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 46.1
def mlm_mask(input_ids, mask_token_id, vocab_size, special_ids=(), attention_mask=None, mlm_probability=0.15,
             generator=None):
    device = input_ids.device
    eligible = ~torch.isin(input_ids, torch.tensor(list(special_ids), device=device))
    if attention_mask is not None:
        eligible &= attention_mask.bool()
    chosen = eligible & (torch.rand(input_ids.shape, generator=generator, device=device) < mlm_probability)
    labels = torch.where(chosen, input_ids, torch.full_like(input_ids, -100))
    u = torch.rand(input_ids.shape, generator=generator, device=device)
    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator, device=device)
    input_ids[chosen & (u < 0.8)] = mask_token_id  # bug: corrupts the caller's tensor
    to_random = chosen & (u >= 0.8) & (u < 0.9)
    input_ids[to_random] = random_ids[to_random]
    return input_ids, labels
