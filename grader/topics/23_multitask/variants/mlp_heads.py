# variant: 23.4 correct "one-layer trunk, each head a small MLP (Linear-ReLU-Linear)"
class MultiTaskNet(nn.Module):
    def __init__(self, in_features: int, num_classes: int, hidden: int = 64):
        super().__init__()
        self.shared = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU())
        self.cls_head = nn.Sequential(nn.Linear(hidden, hidden // 2), nn.ReLU(), nn.Linear(hidden // 2, num_classes))
        self.reg_head = nn.Sequential(nn.Linear(hidden, hidden // 2), nn.ReLU(), nn.Linear(hidden // 2, 1))

    def forward(self, x):
        h = self.shared(x)
        return {"cls": self.cls_head(h), "reg": self.reg_head(h).squeeze(-1)}
