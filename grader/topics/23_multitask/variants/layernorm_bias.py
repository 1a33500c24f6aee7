# variant: 23.4 correct "Linear (bias kept) -> LayerNorm -> ReLU trunk, three layers deep"
class MultiTaskNet(nn.Module):
    def __init__(self, in_features: int, num_classes: int, hidden: int = 64):
        super().__init__()
        blocks = []
        for i in range(3):
            blocks += [nn.Linear(in_features if i == 0 else hidden, hidden), nn.LayerNorm(hidden), nn.ReLU()]
        self.trunk = nn.Sequential(*blocks)
        self.cls_head = nn.Linear(hidden, num_classes)
        self.reg_head = nn.Linear(hidden, 1)

    def forward(self, x):
        h = self.trunk(x)
        return {"cls": self.cls_head(h), "reg": self.reg_head(h).squeeze(-1)}
