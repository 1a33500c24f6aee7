# variant: 25.5 correct "sampler weights looked up from a float32 per-class table 1 / n_c"
def balanced_sampler(targets, num_samples=None, generator=None):
    per_class = 1.0 / torch.bincount(targets).float()
    return WeightedRandomSampler(per_class[targets], num_samples or len(targets), replacement=True,
                                 generator=generator)
