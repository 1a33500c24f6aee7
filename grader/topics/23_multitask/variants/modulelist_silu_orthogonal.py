# variant: 23.4 correct "trunk as a ModuleList looped in forward, SiLU, orthogonal init"
class MultiTaskNet(nn.Module):
    def __init__(self, in_features: int, num_classes: int, hidden: int = 64):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(in_features, hidden), nn.Linear(hidden, hidden)])
        self.heads = nn.ModuleDict({"cls": nn.Linear(hidden, num_classes), "reg": nn.Linear(hidden, 1)})
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.orthogonal_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        for layer in self.layers:
            x = torch.nn.functional.silu(layer(x))
        return {"cls": self.heads["cls"](x), "reg": self.heads["reg"](x).squeeze(-1)}
