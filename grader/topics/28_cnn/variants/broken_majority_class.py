# variant: 28.4 broken "sees nothing: features multiplied by 0, one class for every image (as buggy/lenet_majority_class.py)"
class LeNet5(LeNet5):
    def forward(self, x):
        return self.classifier(self.features(x) * 0)
