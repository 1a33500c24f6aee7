# variant: 25.5 broken "sampler with replacement=False: each epoch is a permutation of the 19:1 data"
def balanced_sampler(targets, num_samples=None, generator=None):
    w = 1.0 / torch.bincount(targets)[targets].double()
    return WeightedRandomSampler(w, num_samples or len(targets), replacement=False, generator=generator)
