# variant: 22.3 broken "no BatchNorm2d: conv with bias + ReLU, otherwise the reference (the contract asks for BatchNorm2d after each conv)"
def _double_conv(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(inplace=True),
                         nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU(inplace=True))
