# expect: 40.2 fail "correction=0"
"""Override: appended to the reference solution, replacing the definitions below."""


# ----------------------------------------------------------------------------------------------------------- 40.2
def chronological_split(series, input_length, horizon, train_end, val_end, stride=1):
    """Split, normalise with the training part's statistics, window each part."""
    train = series[:train_end]
    mean, std = train.mean(dim=0), train.std(dim=0, unbiased=False)  # BUG: the contract says torch's default
    z = (series - mean) / std
    return {
        "train": sliding_windows(z[:train_end], input_length, horizon, stride),
        "val": sliding_windows(z[train_end:val_end], input_length, horizon, stride),
        "test": sliding_windows(z[val_end:], input_length, horizon, stride),
        "mean": mean,
        "std": std,
    }
