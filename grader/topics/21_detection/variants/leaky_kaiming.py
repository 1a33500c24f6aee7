# variant: 21.5 correct "LeakyReLU(0.1) everywhere and Kaiming-normal init of convs and linears"
def _down_leaky(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(cout),
                         nn.LeakyReLU(0.1, inplace=True))


class TinyDetector(nn.Module):
    def __init__(self, num_classes: int):
        super().__init__()
        self.features = nn.Sequential(_down_leaky(3, 8), _down_leaky(8, 16), _down_leaky(16, 32), _down_leaky(32, 64))
        self.classifier = nn.Linear(64, num_classes)
        self.box_head = nn.Sequential(nn.Flatten(), nn.Linear(64 * 4 * 4, 64), nn.LeakyReLU(0.1, inplace=True),
                                      nn.Linear(64, 4))
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight, a=0.1, nonlinearity="leaky_relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, images):
        f = self.features(images)
        return self.classifier(f.mean(dim=(2, 3))), torch.sigmoid(self.box_head(f))
