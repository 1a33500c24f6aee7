# variant: 23.4 correct "LeakyReLU trunk, Kaiming-normal weights and zero biases"
class MultiTaskNet(nn.Module):
    def __init__(self, in_features: int, num_classes: int, hidden: int = 64):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(in_features, hidden), nn.LeakyReLU(0.01),
                                   nn.Linear(hidden, hidden), nn.LeakyReLU(0.01))
        self.cls_head = nn.Linear(hidden, num_classes)
        self.reg_head = nn.Linear(hidden, 1)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, a=0.01, nonlinearity="leaky_relu")
                nn.init.zeros_(m.bias)

    def forward(self, x):
        h = self.trunk(x)
        return {"cls": self.cls_head(h), "reg": self.reg_head(h).squeeze(-1)}
