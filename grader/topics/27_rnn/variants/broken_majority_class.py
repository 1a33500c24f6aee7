# variant: 27.4 broken "the cell reads x * 0: one class for every sequence"
class SequenceClassifier(SequenceClassifier):
    def forward(self, x):
        return super().forward(x * 0)
