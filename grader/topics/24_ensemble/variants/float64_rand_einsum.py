# variant: 24.7 correct "bootstrap from float64 uniforms; soft_vote with einsum"
def bootstrap_indices(n, generator=None):
    return torch.floor(torch.rand(n, generator=generator, dtype=torch.float64) * n).to(torch.int64)


def soft_vote(probs, weights=None):
    if weights is None:
        return probs.mean(0)
    w = torch.as_tensor(weights, dtype=probs.dtype, device=probs.device)
    return torch.einsum("m,mnc->nc", w / w.sum(), probs)
