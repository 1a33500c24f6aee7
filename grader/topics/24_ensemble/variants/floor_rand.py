# variant: 24.7 correct "bootstrap as floor(rand(n) * n)"
def bootstrap_indices(n, generator=None):
    return (torch.rand(n, generator=generator) * n).long()
