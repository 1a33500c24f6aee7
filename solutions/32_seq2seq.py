"""Reference solution of topic 32: a GRU/LSTM encoder-decoder (Seq2Seq) with teacher forcing and greedy decoding."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

PAD, BOS, EOS = 0, 1, 2  # special token ids; ordinary tokens are 3 .. vocab_size - 1

RNNS = {"gru": nn.GRU, "lstm": nn.LSTM}


def _rnn(cell: str, embed_size: int, hidden_size: int) -> nn.Module:
    if cell not in RNNS:
        raise ValueError(f"cell must be 'gru' or 'lstm', got {cell!r}")
    return RNNS[cell](embed_size, hidden_size, batch_first=True)


# ----------------------------------------------------------------------------------------------------------- 32.1
class Encoder(nn.Module):
    """Embeds the source tokens and reads them with a one-layer GRU/LSTM, each sequence up to its own length."""

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, cell: str = "gru") -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size, padding_idx=PAD)
        self.rnn = _rnn(cell, embed_size, hidden_size)

    def forward(self, src: torch.Tensor, lengths: torch.Tensor):
        """src (B, S) int64 padded with PAD, lengths (B,) int64 on the CPU -> (outputs (B, S, H), state)."""
        packed = pack_padded_sequence(self.embedding(src), lengths.cpu(), batch_first=True, enforce_sorted=False)
        outputs, state = self.rnn(packed)  # state: each sequence's state after its last real token
        outputs, _ = pad_packed_sequence(outputs, batch_first=True, total_length=src.shape[1])  # zeros at padding
        return outputs, state


# ----------------------------------------------------------------------------------------------------------- 32.2
class Decoder(nn.Module):
    """One decoding step: embed the previous token, advance the GRU/LSTM state, project to vocabulary logits."""

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, cell: str = "gru") -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size, padding_idx=PAD)
        self.rnn = _rnn(cell, embed_size, hidden_size)
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(self, tokens: torch.Tensor, state):
        """tokens (B,) int64, state as the encoder returns it -> (logits (B, V), new state)."""
        output, state = self.rnn(self.embedding(tokens).unsqueeze(1), state)
        return self.out(output.squeeze(1)), state


# ----------------------------------------------------------------------------------------------------------- 32.3
class Seq2Seq(nn.Module):
    """Encoder-decoder without attention: the encoder's final state is the decoder's initial state."""

    def __init__(self, vocab_size: int, embed_size: int = 32, hidden_size: int = 64, cell: str = "gru") -> None:
        super().__init__()
        self.encoder = Encoder(vocab_size, embed_size, hidden_size, cell)
        self.decoder = Decoder(vocab_size, embed_size, hidden_size, cell)

    def forward(self, src: torch.Tensor, lengths: torch.Tensor, tgt: torch.Tensor,
                teacher_forcing_ratio: float = 1.0, generator: torch.Generator | None = None) -> torch.Tensor:
        """Logits (B, T - 1, V) predicting tgt[:, 1:], decoding step by step from tgt[:, 0] (BOS)."""
        steps = tgt.shape[1] - 1
        # One coin per step that may take the model's own prediction (steps 1 .. T-2), drawn once, whatever the ratio.
        coins = torch.rand(max(steps - 1, 0), generator=generator)
        _, state = self.encoder(src, lengths)
        token, logits = tgt[:, 0], []
        for t in range(steps):
            step_logits, state = self.decoder(token, state)
            logits.append(step_logits)
            if t + 1 < steps:
                teacher = bool(coins[t] < teacher_forcing_ratio)
                token = tgt[:, t + 1] if teacher else step_logits.argmax(dim=-1)
        return torch.stack(logits, dim=1)


# ----------------------------------------------------------------------------------------------------------- 32.4
def train_step(model: nn.Module, optimizer, src: torch.Tensor, lengths: torch.Tensor, tgt: torch.Tensor,
               teacher_forcing_ratio: float = 1.0, generator: torch.Generator | None = None) -> float:
    """One optimisation step on the mean cross entropy of the non-PAD target tokens; returns that loss."""
    logits = model(src, lengths, tgt, teacher_forcing_ratio, generator)
    # logits[:, t] predicts tgt[:, t + 1]: the target is shifted one step left of the decoder's input.
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt[:, 1:].reshape(-1), ignore_index=PAD)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return float(loss.detach())


# ----------------------------------------------------------------------------------------------------------- 32.5
@torch.no_grad()
def greedy_decode(model: nn.Module, src: torch.Tensor, lengths: torch.Tensor, max_len: int) -> torch.Tensor:
    """(B, max_len) int64 tokens: argmax decoding from BOS; a sequence stops at its EOS, PAD after it."""
    _, state = model.encoder(src, lengths)
    batch = src.shape[0]
    token = torch.full((batch,), BOS, dtype=torch.long, device=src.device)
    out = torch.full((batch, max_len), PAD, dtype=torch.long, device=src.device)
    done = torch.zeros(batch, dtype=torch.bool, device=src.device)
    for t in range(max_len):
        logits, state = model.decoder(token, state)
        token = logits.argmax(dim=-1)
        out[:, t] = torch.where(done, torch.full_like(token, PAD), token)
        done |= token == EOS
        if bool(done.all()):
            break
    return out
