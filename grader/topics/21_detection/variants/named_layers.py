# variant: 21.5 correct "named conv1..conv4 / bn1..bn4 attributes with functional F.relu, adaptive avg pool, box head fc1/fc2"
class TinyDetector(nn.Module):
    def __init__(self, num_classes: int):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(3, 8, 3, 2, 1, bias=False), nn.BatchNorm2d(8)
        self.conv2, self.bn2 = nn.Conv2d(8, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16)
        self.conv3, self.bn3 = nn.Conv2d(16, 32, 3, 2, 1, bias=False), nn.BatchNorm2d(32)
        self.conv4, self.bn4 = nn.Conv2d(32, 64, 3, 2, 1, bias=False), nn.BatchNorm2d(64)
        self.cls = nn.Linear(64, num_classes)
        self.fc1 = nn.Linear(1024, 64)
        self.fc2 = nn.Linear(64, 4)

    def forward(self, images):
        x = F.relu(self.bn1(self.conv1(images)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = F.relu(self.bn3(self.conv3(x)))
        x = F.relu(self.bn4(self.conv4(x)))
        logits = self.cls(F.adaptive_avg_pool2d(x, 1).flatten(1))
        boxes = torch.sigmoid(self.fc2(F.relu(self.fc1(torch.flatten(x, 1)))))
        return logits, boxes
