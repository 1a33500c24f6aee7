# expect: 46.1 fail "every eligible token has a label"
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
    labels = torch.where(eligible, input_ids, torch.full_like(input_ids, -100))  # bug: not only the chosen ones
    u = torch.rand(input_ids.shape, generator=generator, device=device)
    masked = torch.where(chosen & (u < 0.8), torch.full_like(input_ids, mask_token_id), input_ids)
    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator, device=device)
    masked = torch.where(chosen & (u >= 0.8) & (u < 0.9), random_ids, masked)
    return masked, labels
