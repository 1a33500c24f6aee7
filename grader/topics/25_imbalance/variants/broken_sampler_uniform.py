# variant: 25.5 broken "sampler with equal weights: the 19:1 stream unchanged"
def balanced_sampler(targets, num_samples=None, generator=None):
    return WeightedRandomSampler(torch.ones(len(targets)), num_samples or len(targets), replacement=True,
                                 generator=generator)
