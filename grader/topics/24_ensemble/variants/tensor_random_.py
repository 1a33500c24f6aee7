# variant: 24.7 correct "bootstrap with Tensor.random_(0, n, generator=...); soft_vote as a tensordot"
def bootstrap_indices(n, generator=None):
    return torch.empty(n, dtype=torch.int64).random_(0, n, generator=generator)


def soft_vote(probs, weights=None):
    w = torch.ones(probs.shape[0], dtype=probs.dtype) if weights is None else torch.as_tensor(weights, dtype=probs.dtype)
    w = w.to(probs.device)
    return torch.tensordot(w / w.sum(), probs, dims=1)
