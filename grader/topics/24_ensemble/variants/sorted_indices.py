# variant: 24.7 correct "bootstrap indices sorted (same multiset, another order)"
def bootstrap_indices(n, generator=None):
    return torch.randint(0, n, (n,), generator=generator).sort().values
