# expect: 46.1 fail "second 10% draw"
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
    to_mask = chosen & (torch.rand(input_ids.shape, generator=generator, device=device) < 0.8)
    # bug: "10% random" drawn again among the rest: 0.2 * 0.1 = 2% of the chosen, not 10%
    to_random = chosen & ~to_mask & (torch.rand(input_ids.shape, generator=generator, device=device) < 0.1)
    masked = torch.where(to_mask, torch.full_like(input_ids, mask_token_id), input_ids)
    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator, device=device)
    return torch.where(to_random, random_ids, masked), labels
