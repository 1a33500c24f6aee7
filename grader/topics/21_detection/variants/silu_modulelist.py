# variant: 21.5 correct "SiLU, a ModuleList of blocks iterated in forward, one shared MLP head on the flattened map giving classes and box"
class TinyDetector(nn.Module):
    def __init__(self, num_classes: int):
        super().__init__()
        self.num_classes = num_classes
        chans = [3, 8, 16, 32, 64]
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.Conv2d(a, b, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(b), nn.SiLU())
            for a, b in zip(chans[:-1], chans[1:])
        )
        self.head = nn.Sequential(nn.Linear(64 * 16, 64), nn.SiLU(), nn.Linear(64, num_classes + 4))

    def forward(self, images):
        x = images
        for block in self.blocks:
            x = block(x)
        out = self.head(x.flatten(1))
        return out[:, : self.num_classes], torch.sigmoid(out[:, self.num_classes :])
