# variant: 23.4 correct "named layers fc1/fc2 (no Sequential), GELU activations"
import torch.nn.functional as F


class MultiTaskNet(nn.Module):
    def __init__(self, in_features: int, num_classes: int, hidden: int = 64):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.classifier = nn.Linear(hidden, num_classes)
        self.regressor = nn.Linear(hidden, 1)

    def forward(self, x):
        h = F.gelu(self.fc2(F.gelu(self.fc1(x))))
        return {"cls": self.classifier(h), "reg": self.regressor(h)[:, 0]}
