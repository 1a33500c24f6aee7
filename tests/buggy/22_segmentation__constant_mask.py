# expect: 22.3 fail "constant mask"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class UNet(nn.Module):
    """Encoder-decoder with skip connections: `depth` down steps (channels doubling from base_channels), a bottleneck,
    and `depth` up steps that concatenate the encoder's feature map of the same resolution."""

    def __init__(self, in_channels: int, num_classes: int, base_channels: int = 16, depth: int = 3):
        super().__init__()
        channels = [base_channels * 2**i for i in range(depth + 1)]
        self.encoders = nn.ModuleList(
            _double_conv(in_channels if i == 0 else channels[i - 1], channels[i]) for i in range(depth)
        )
        self.bottleneck = _double_conv(channels[depth - 1], channels[depth])
        self.upsamples = nn.ModuleList(
            nn.ConvTranspose2d(channels[i + 1], channels[i], kernel_size=2, stride=2) for i in reversed(range(depth))
        )
        # Each decoder sees the upsampled coarse features and the skip (same channel count): 2 * channels in.
        self.decoders = nn.ModuleList(_double_conv(2 * channels[i], channels[i]) for i in reversed(range(depth)))
        self.head = nn.Conv2d(channels[0], num_classes, kernel_size=1)

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
