# expect: 40.2 fail "reach back input_length steps into the previous part"
"""Override: appended to the reference solution, replacing the definitions below."""


# ----------------------------------------------------------------------------------------------------------- 40.2
def chronological_split(series, input_length, horizon, train_end, val_end, stride=1):
    """Training statistics; validation and test windows may read history from before their part."""
    train = series[:train_end]
    mean, std = train.mean(dim=0), train.std(dim=0)
    z = (series - mean) / std
    return {
        "train": sliding_windows(z[:train_end], input_length, horizon, stride),
        # BUG: the contract windows each part on its own; these inputs start in the previous part
        "val": sliding_windows(z[max(0, train_end - input_length):val_end], input_length, horizon, stride),
        "test": sliding_windows(z[max(0, val_end - input_length):], input_length, horizon, stride),
        "mean": mean,
        "std": std,
    }
