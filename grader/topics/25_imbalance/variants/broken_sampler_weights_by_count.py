# variant: 25.5 broken "sampler weights proportional to n_y instead of 1 / n_y (the buggy file's mistake)"
def balanced_sampler(targets, num_samples=None, generator=None):
    counts = torch.bincount(targets)
    return WeightedRandomSampler(counts[targets].double(), num_samples or len(targets), replacement=True,
                                 generator=generator)
