# variant: 32.6 broken "EOS does not stop a sequence: every row is decoded on to max_len"
@torch.no_grad()
def greedy_decode(model, src, lengths, max_len):
    _, state = model.encoder(src, lengths)
    token = torch.full((src.shape[0],), BOS, dtype=torch.long, device=src.device)
    out = []
    for _ in range(max_len):
        logits, state = model.decoder(token, state)
        token = logits.argmax(dim=-1)
        out.append(token)
    return torch.stack(out, dim=1)
