# variant: 23.4 correct "heads created before the trunk (a different init from the same seed), ReLU trunk as a Sequential"
class MultiTaskNet(nn.Module):
    def __init__(self, in_features: int, num_classes: int, hidden: int = 64):
        super().__init__()
        self.cls_head = nn.Linear(hidden, num_classes)
        self.reg_head = nn.Linear(hidden, 1)
        self.trunk = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())

    def forward(self, x):
        h = self.trunk(x)
        return {"cls": self.cls_head(h), "reg": self.reg_head(h).squeeze(-1)}
