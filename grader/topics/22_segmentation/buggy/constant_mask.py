# expect: 22.3 fail "constant mask"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class UNet(UNet):
    """The reference UNet with the bug below."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (N, in_channels, H, W), H and W divisible by 2**depth -> logits (N, num_classes, H, W)."""
        skips = []
        for encoder in self.encoders:
            x = encoder(x)
            skips.append(x)  # full-resolution detail the decoder needs for sharp boundaries
            x = F.max_pool2d(x, 2)
        x = self.bottleneck(x)
        for upsample, decoder, skip in zip(self.upsamples, self.decoders, reversed(skips)):
            x = decoder(torch.cat([skip, upsample(x)], dim=1))
        return self.head(x * 0)  # sees nothing: the same logits at every pixel
