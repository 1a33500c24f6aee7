# variant: 21.5 correct "submodules created heads first (box head, classifier, then features): same function, different init draws"
class TinyDetector(nn.Module):
    def __init__(self, num_classes: int):
        super().__init__()
        self.box_head = nn.Sequential(nn.Flatten(), nn.Linear(64 * 4 * 4, 64), nn.ReLU(inplace=True), nn.Linear(64, 4))
        self.classifier = nn.Linear(64, num_classes)
        self.features = nn.Sequential(_down(3, 8), _down(8, 16), _down(16, 32), _down(32, 64))

    def forward(self, images):
        f = self.features(images)
        return self.classifier(f.mean(dim=(2, 3))), torch.sigmoid(self.box_head(f))
