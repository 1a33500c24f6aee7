# variant: 32.6 broken "outputs the input unchanged: the source, then EOS"
@torch.no_grad()
def greedy_decode(model, src, lengths, max_len):
    out = torch.full((src.shape[0], max_len), PAD, dtype=torch.long, device=src.device)
    width = min(src.shape[1], max_len)
    out[:, :width] = src[:, :width]
    rows = torch.arange(src.shape[0], device=src.device)
    ends = lengths.to(src.device).clamp(max=max_len - 1)
    out[rows, ends] = EOS
    return out
