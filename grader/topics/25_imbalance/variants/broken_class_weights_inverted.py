# variant: 25.5 broken "class weights n_c / N (proportional to the count, inverted)"
def class_weights(targets, num_classes, scheme="balanced", beta=0.999):
    counts = torch.bincount(targets, minlength=num_classes).float()
    return counts / counts.sum()
