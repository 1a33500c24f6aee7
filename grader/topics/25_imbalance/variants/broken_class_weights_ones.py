# variant: 25.5 broken "class_weights returns ones (no reweighting)"
def class_weights(targets, num_classes, scheme="balanced", beta=0.999):
    return torch.ones(num_classes)
