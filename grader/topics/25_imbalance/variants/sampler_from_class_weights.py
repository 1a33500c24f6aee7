# variant: 25.5 correct "sampler weight of each row = its class_weights(...) weight (N / (C n_c)), as a list"
def balanced_sampler(targets, num_samples=None, generator=None):
    w = class_weights(targets, int(targets.max()) + 1)
    return WeightedRandomSampler(w[targets].tolist(), num_samples=len(targets) if num_samples is None else num_samples,
                                 replacement=True, generator=generator)
