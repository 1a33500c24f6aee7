# variant: 24.7 correct "bootstrap drawn one index at a time in a Python loop"
def bootstrap_indices(n, generator=None):
    return torch.tensor([int(torch.randint(n, (1,), generator=generator)) for _ in range(n)], dtype=torch.int64)
