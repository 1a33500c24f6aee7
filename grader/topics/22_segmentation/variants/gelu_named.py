# variant: 22.3 correct "GELU activations, named per-level attributes (enc1, enc2, up1, dec1, ...) instead of ModuleLists, built with setattr"
class _Block(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)

    def forward(self, x):
        x = F.gelu(self.bn1(self.conv1(x)))
        return F.gelu(self.bn2(self.conv2(x)))


class UNet(nn.Module):
    def __init__(self, in_channels: int, num_classes: int, base_channels: int = 16, depth: int = 3):
        super().__init__()
        self.depth = depth
        c = [base_channels * 2**i for i in range(depth + 1)]
        for i in range(depth):
            setattr(self, f"enc{i + 1}", _Block(in_channels if i == 0 else c[i - 1], c[i]))
        self.mid = _Block(c[depth - 1], c[depth])
        for i in reversed(range(depth)):
            setattr(self, f"up{i + 1}", nn.ConvTranspose2d(c[i + 1], c[i], 2, stride=2))
            setattr(self, f"dec{i + 1}", _Block(2 * c[i], c[i]))
        self.out = nn.Conv2d(c[0], num_classes, 1)

    def forward(self, x):
        skips = []
        for i in range(self.depth):
            x = getattr(self, f"enc{i + 1}")(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.mid(x)
        for i in reversed(range(self.depth)):
            x = getattr(self, f"dec{i + 1}")(torch.cat([skips[i], getattr(self, f"up{i + 1}")(x)], dim=1))
        return self.out(x)
