# variant: 21.5 broken "no BatchNorm2d: strided conv with bias + ReLU, otherwise the reference (the contract asks for BatchNorm2d after each conv)"
def _down(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=2, padding=1), nn.ReLU(inplace=True))
