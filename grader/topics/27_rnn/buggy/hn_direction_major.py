# expect: 27.2 fail "h_n ordered direction by direction"
"""Override: appended to the reference solution, replacing the definitions below."""

import math
import torch
import torch.nn.functional as F
from torch import nn


# ----------------------------------------------------------------------------------------------------------- 27.2
class RNN(RNN):
    """The reference RNN with the bug below."""

    def forward(self, input: torch.Tensor, hx: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """input (T, B, I), (B, T, I) when batch_first, or unbatched (T, I); hx (L*D, B, H) or (L*D, H).

        Returns (output, h_n): output (T, B, D*H) (batch first when batch_first, (T, D*H) unbatched) holds the last
        layer's hidden state at every step, forward and reverse concatenated; h_n (L*D, B, H) holds every layer's final
        state, ordered layer by layer and forward before reverse. h_n is never batch first.
        """
        batched = input.dim() == 3
        if not batched:
            input = input.unsqueeze(1)
            hx = None if hx is None else hx.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        steps, batch = input.shape[0], input.shape[1]
        if hx is None:
            hx = input.new_zeros(self.num_layers * self.num_directions, batch, self.hidden_size)

        layer_input, finals = input, []
        for layer in range(self.num_layers):
            outputs = []
            for direction, suffix in enumerate(self._suffixes(layer)):
                w_ih, w_hh, b_ih, b_hh = self._weights(suffix)
                # The input projection does not depend on h: do it for all time steps in one matmul.
                projected = F.linear(layer_input, w_ih, b_ih)
                h = hx[layer * self.num_directions + direction]
                out = [None] * steps
                # The reverse direction reads the sequence from the end, but its output at step t is stored at t.
                for t in (range(steps) if direction == 0 else range(steps - 1, -1, -1)):
                    h = self._act(projected[t] + F.linear(h, w_hh, b_hh))
                    out[t] = h
                outputs.append(torch.stack(out) if steps else projected.new_zeros(0, batch, self.hidden_size))
                finals.append(h)  # forward: state after the last step; reverse: after the FIRST step (t = 0)
            layer_input = torch.cat(outputs, dim=-1)

        d = self.num_directions  # BUG: h_n regrouped direction by direction
        output, h_n = layer_input, torch.stack([finals[l * d + k] for k in range(d) for l in range(self.num_layers)])
        if not batched:
            return output.squeeze(1), h_n.squeeze(1)
        if self.batch_first:
            output = output.transpose(0, 1)
        return output, h_n
