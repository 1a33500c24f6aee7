# variant: 28.4 correct "LeakyReLU(0.01) and orthogonal init, ModuleList of conv layers"
class LeNet5(nn.Module):
    def __init__(self, num_classes: int = 10, in_channels: int = 1):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(in_channels, 6, 5), nn.Conv2d(6, 16, 5), nn.Conv2d(16, 120, 5)])
        self.fcs = nn.ModuleList([nn.Linear(120, 84), nn.Linear(84, num_classes)])
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.orthogonal_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        for i, conv in enumerate(self.convs):
            x = F.leaky_relu(conv(x))
            if i < 2:
                x = F.max_pool2d(x, 2)
        return self.fcs[1](F.leaky_relu(self.fcs[0](x.flatten(1))))
