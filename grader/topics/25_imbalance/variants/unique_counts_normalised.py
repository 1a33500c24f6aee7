# variant: 25.5 correct "sampler weights from torch.unique counts, normalised to sum 1"
def balanced_sampler(targets, num_samples=None, generator=None):
    classes, inverse, counts = torch.unique(targets, return_inverse=True, return_counts=True)
    w = 1.0 / counts[inverse].double()
    return WeightedRandomSampler(w / w.sum(), len(targets) if num_samples is None else num_samples, True,
                                 generator=generator)
