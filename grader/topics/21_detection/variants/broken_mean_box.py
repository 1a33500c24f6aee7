# variant: 21.5 broken "mean box: the box is a learned constant, the classifier is the reference's"
class TinyDetector(TinyDetector):
    def __init__(self, num_classes):
        super().__init__(num_classes)
        self.box_logit = nn.Parameter(torch.zeros(4))

    def forward(self, images):
        features = self.features(images)
        logits = self.classifier(features.mean(dim=(2, 3)))
        return logits, torch.sigmoid(self.box_logit).expand(images.shape[0], 4)
