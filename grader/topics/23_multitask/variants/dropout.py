# variant: 23.4 correct "ReLU trunk with Dropout(0.2) after each layer (eval mode at test)"
class MultiTaskNet(nn.Module):
    def __init__(self, in_features: int, num_classes: int, hidden: int = 64):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Dropout(0.2),
                                   nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(0.2))
        self.cls_head = nn.Linear(hidden, num_classes)
        self.reg_head = nn.Linear(hidden, 1)

    def forward(self, x):
        h = self.trunk(x)
        return {"cls": self.cls_head(h), "reg": self.reg_head(h).squeeze(-1)}
