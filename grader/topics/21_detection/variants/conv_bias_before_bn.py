# variant: 21.5 correct "each strided conv keeps its (redundant) bias before BatchNorm2d"
def _down(in_channels, out_channels):
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, stride=2, padding=1), nn.BatchNorm2d(out_channels),
                         nn.ReLU(inplace=True))
