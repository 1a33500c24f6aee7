# variant: 30.1 broken "no nonlinearity: a linear autoencoder (PCA at best)"
def _mlp(sizes):
    return nn.Sequential(*[nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
