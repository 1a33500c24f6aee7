# variant: 27.4 correct "LSTMCell re-initialised Kaiming-uniform, head reads [h, c] concatenated"
class SequenceClassifier(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.cell = LSTMCell(input_size, hidden_size)
        for w in (self.cell.weight_ih, self.cell.weight_hh):
            nn.init.kaiming_uniform_(w, a=5 ** 0.5)
        self.head = nn.Linear(2 * hidden_size, num_classes)

    def forward(self, x):
        state = None
        for t in range(x.shape[1]):
            state = self.cell(x[:, t], state)
        return self.head(torch.cat(state, -1))
