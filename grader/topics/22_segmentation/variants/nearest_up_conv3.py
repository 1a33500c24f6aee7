# variant: 22.3 correct "nearest-neighbour upsampling + 3x3 conv instead of ConvTranspose2d, functional interpolate"
class UNet(nn.Module):
    def __init__(self, in_channels: int, num_classes: int, base_channels: int = 16, depth: int = 3):
        super().__init__()
        channels = [base_channels * 2**i for i in range(depth + 1)]
        self.encoders = nn.ModuleList(
            _double_conv(in_channels if i == 0 else channels[i - 1], channels[i]) for i in range(depth)
        )
        self.bottleneck = _double_conv(channels[depth - 1], channels[depth])
        self.up_convs = nn.ModuleList(
            nn.Conv2d(channels[i + 1], channels[i], kernel_size=3, padding=1) for i in reversed(range(depth))
        )
        self.decoders = nn.ModuleList(_double_conv(2 * channels[i], channels[i]) for i in reversed(range(depth)))
        self.head = nn.Conv2d(channels[0], num_classes, kernel_size=1)

    def forward(self, x):
        skips = []
        for encoder in self.encoders:
            x = encoder(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.bottleneck(x)
        for up_conv, decoder, skip in zip(self.up_convs, self.decoders, reversed(skips)):
            x = up_conv(F.interpolate(x, scale_factor=2, mode="nearest"))
            x = decoder(torch.cat([skip, x], dim=1))
        return self.head(x)
