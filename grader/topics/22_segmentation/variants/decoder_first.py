# variant: 22.3 correct "submodules created decoder-first (head, decoders, upsamples, bottleneck, encoders): same function, different init draws"
class UNet(nn.Module):
    def __init__(self, in_channels: int, num_classes: int, base_channels: int = 16, depth: int = 3):
        super().__init__()
        channels = [base_channels * 2**i for i in range(depth + 1)]
        self.head = nn.Conv2d(channels[0], num_classes, kernel_size=1)
        self.decoders = nn.ModuleList(_double_conv(2 * channels[i], channels[i]) for i in reversed(range(depth)))
        self.upsamples = nn.ModuleList(
            nn.ConvTranspose2d(channels[i + 1], channels[i], kernel_size=2, stride=2) for i in reversed(range(depth))
        )
        self.bottleneck = _double_conv(channels[depth - 1], channels[depth])
        self.encoders = nn.ModuleList(
            _double_conv(in_channels if i == 0 else channels[i - 1], channels[i]) for i in range(depth)
        )

    def forward(self, x):
        skips = []
        for encoder in self.encoders:
            x = encoder(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.bottleneck(x)
        for upsample, decoder, skip in zip(self.upsamples, self.decoders, reversed(skips)):
            x = decoder(torch.cat([skip, upsample(x)], dim=1))
        return self.head(x)
