# variant: 32.6 correct "encoder steps one token at a time and freezes the state at padding (masking instead of packing)"
class Encoder(Encoder):
    def forward(self, src, lengths):
        emb = self.embedding(src)
        mask = torch.arange(src.shape[1], device=src.device)[None, :] < lengths.to(src.device)[:, None]
        state, outputs = None, []
        for t in range(src.shape[1]):
            out, new = self.rnn(emb[:, t : t + 1], state)
            keep = mask[:, t].view(1, -1, 1)
            if state is None:
                zeros = torch.zeros_like(new[0] if isinstance(new, tuple) else new)
                state = (zeros, zeros) if isinstance(new, tuple) else zeros
            if isinstance(new, tuple):
                state = tuple(torch.where(keep, n, s) for n, s in zip(new, state))
            else:
                state = torch.where(keep, new, state)
            outputs.append(out[:, 0] * keep[0])
        return torch.stack(outputs, dim=1), state
