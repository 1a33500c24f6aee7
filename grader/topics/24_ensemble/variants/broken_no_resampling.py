# variant: 24.7 broken "no resampling: returns arange(n)"
def bootstrap_indices(n, generator=None):
    return torch.arange(n)
