# variant: 25.5 correct "class weights from one-hot column sums, returned in float64; sampler weights via one-hot"
def class_weights(targets, num_classes, scheme="balanced", beta=0.999):
    counts = torch.nn.functional.one_hot(targets, num_classes).sum(0).double()
    w = len(targets) / (num_classes * counts)
    return torch.where(counts > 0, w, torch.zeros_like(w))


def balanced_sampler(targets, num_samples=None, generator=None):
    onehot = torch.nn.functional.one_hot(targets).double()
    w = (onehot / onehot.sum(0)).sum(1)
    return WeightedRandomSampler(w, num_samples or len(targets), replacement=True, generator=generator)
