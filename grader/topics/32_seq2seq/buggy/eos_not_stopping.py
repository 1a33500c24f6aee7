# expect: 32.5 fail "EOS does not stop a sequence"
# expect: 32.6 fail "after their first EOS"
"""Override: appended to the reference solution. Greedy decoding runs every sequence to max_len."""


@torch.no_grad()
def greedy_decode(model, src, lengths, max_len):
    _, state = model.encoder(src, lengths)
    token = torch.full((src.shape[0],), BOS, dtype=torch.long, device=src.device)
    out = []
    for _ in range(max_len):
        logits, state = model.decoder(token, state)
        token = logits.argmax(dim=-1)
        out.append(token)  # BUG: a sequence that output EOS must get PAD afterwards
    return torch.stack(out, dim=1)
