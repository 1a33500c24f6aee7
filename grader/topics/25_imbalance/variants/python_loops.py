# variant: 25.5 correct "sampler weights and class weights computed with Python loops over the classes"
def balanced_sampler(targets, num_samples=None, generator=None):
    w = torch.zeros(len(targets), dtype=torch.float64)
    for c in targets.unique().tolist():
        mask = targets == c
        w[mask] = 1.0 / mask.sum().item()
    return WeightedRandomSampler(w, num_samples if num_samples is not None else len(targets), replacement=True,
                                 generator=generator)


def class_weights(targets, num_classes, scheme="balanced", beta=0.999):
    if scheme != "balanced":
        raise ValueError(scheme)
    n = len(targets)
    out = []
    for c in range(num_classes):
        n_c = int((targets == c).sum())
        out.append(n / (num_classes * n_c) if n_c else 0.0)
    return torch.tensor(out)
