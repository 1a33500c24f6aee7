# variant: 30.1 correct "LeakyReLU(0.2), Kaiming-normal weights, zero biases"
def _mlp(sizes):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        lin = nn.Linear(a, b)
        nn.init.kaiming_normal_(lin.weight, a=0.2, nonlinearity="leaky_relu")
        nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(nn.LeakyReLU(0.2))
    return nn.Sequential(*layers)
