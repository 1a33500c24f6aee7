# variant: 22.3 correct "LeakyReLU(0.1) instead of ReLU in every block (the stub allows ReLU or a similar activation)"
def _double_conv_leaky(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.LeakyReLU(0.1, inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.LeakyReLU(0.1, inplace=True),
    )


_double_conv = _double_conv_leaky  # the reference UNet looks _double_conv up at construction time
