# expect: 39.2 fail "offsets are the cumulative sum of the lengths"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 39.2
def collate_batch(batch, pad_id=0):
    """Padded and flat layouts of a batch of (ids, label) pairs."""
    seqs = [ids for ids, _ in batch]
    device = seqs[0].device
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64, device=device)
    padded = torch.nn.utils.rnn.pad_sequence(seqs, batch_first=True, padding_value=pad_id)
    return {
        "padded": padded,
        "lengths": lengths,
        "flat": torch.cat(seqs),
        "offsets": torch.cumsum(lengths, 0),  # BUG: these are the ends; the starts are cumsum - lengths
        "labels": torch.tensor([y for _, y in batch], dtype=torch.int64, device=device),
    }
