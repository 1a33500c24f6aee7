# variant: 24.7 broken "bootstrap without replacement (randperm): every member trains on all the rows"
def bootstrap_indices(n, generator=None):
    return torch.randperm(n, generator=generator)
