# variant: 28.4 broken "no nonlinearity at all (the contract asks for one after each layer but the last): a purely linear model, conv and average pooling"
class LeNet5(nn.Module):
    def __init__(self, num_classes: int = 10, in_channels: int = 1):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, 5), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5), nn.AvgPool2d(2), nn.Conv2d(16, 120, 5),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(120, 84), nn.Linear(84, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))
