# variant: 27.4 correct "head created before the LSTMCell (another init from the same seed), forget bias 1"
class SequenceClassifier(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.fc = nn.Linear(hidden_size, num_classes)
        self.lstm = LSTMCell(input_size, hidden_size)
        with torch.no_grad():
            self.lstm.bias_ih[hidden_size:2 * hidden_size] = 1.0
            self.lstm.bias_hh[hidden_size:2 * hidden_size] = 0.0

    def forward(self, x):
        state = None
        for t in range(x.shape[1]):
            state = self.lstm(x[:, t], state)
        return self.fc(state[0])
