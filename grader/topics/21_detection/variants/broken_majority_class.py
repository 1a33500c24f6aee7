# variant: 21.5 broken "sees nothing: features multiplied by 0, so majority class and mean box (as buggy/majority_class.py)"
class TinyDetector(TinyDetector):
    def forward(self, images):
        features = self.features(images) * 0
        return self.classifier(features.mean(dim=(2, 3))), torch.sigmoid(self.box_head(features))
