# variant: 21.5 broken "constant class: the classifier sees zeros (one class for every image), the box head is the reference's"
class TinyDetector(TinyDetector):
    def forward(self, images):
        features = self.features(images)
        logits = self.classifier(features.mean(dim=(2, 3)) * 0)
        return logits, torch.sigmoid(self.box_head(features))
