# variant: 22.3 correct "submodules created level by level, interleaved (up, decoder, encoder of each level, then bottleneck, head) into ModuleDicts"
class UNet(nn.Module):
    def __init__(self, in_channels: int, num_classes: int, base_channels: int = 16, depth: int = 3):
        super().__init__()
        self.depth = depth
        c = [base_channels * 2**i for i in range(depth + 1)]
        self.ups, self.decs, self.encs = nn.ModuleDict(), nn.ModuleDict(), nn.ModuleDict()
        for i in range(depth):
            self.ups[str(i)] = nn.ConvTranspose2d(c[i + 1], c[i], kernel_size=2, stride=2)
            self.decs[str(i)] = _double_conv(2 * c[i], c[i])
            self.encs[str(i)] = _double_conv(in_channels if i == 0 else c[i - 1], c[i])
        self.bottleneck = _double_conv(c[depth - 1], c[depth])
        self.head = nn.Conv2d(c[0], num_classes, kernel_size=1)

    def forward(self, x):
        skips = []
        for i in range(self.depth):
            x = self.encs[str(i)](x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.bottleneck(x)
        for i in reversed(range(self.depth)):
            x = self.decs[str(i)](torch.cat([skips[i], self.ups[str(i)](x)], dim=1))
        return self.head(x)
