# expect: 40.2 fail "the future leaks into the normalisation"
"""Override: appended to the reference solution, replacing the definitions below."""


# ----------------------------------------------------------------------------------------------------------- 40.2
def chronological_split(series, input_length, horizon, train_end, val_end, stride=1):
    """Normalise, then split at train_end and val_end and window each part."""
    mean, std = series.mean(dim=0), series.std(dim=0)  # BUG: statistics of the whole series, future included
    z = (series - mean) / std
    return {
        "train": sliding_windows(z[:train_end], input_length, horizon, stride),
        "val": sliding_windows(z[train_end:val_end], input_length, horizon, stride),
        "test": sliding_windows(z[val_end:], input_length, horizon, stride),
        "mean": mean,
        "std": std,
    }
