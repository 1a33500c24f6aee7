# variant: 24.7 broken "a fresh generator seeded 0 inside: every member gets the same bootstrap sample"
def bootstrap_indices(n, generator=None):
    return torch.randint(0, n, (n,), generator=torch.Generator().manual_seed(0))
