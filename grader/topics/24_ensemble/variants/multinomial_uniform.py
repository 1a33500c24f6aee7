# variant: 24.7 correct "bootstrap with torch.multinomial over uniform weights, replacement=True"
def bootstrap_indices(n, generator=None):
    return torch.multinomial(torch.ones(n), n, replacement=True, generator=generator)
