# variant: 33.4 correct "explicit init: orthogonal recurrent weights, Xavier input weights, zero biases but a forget-gate bias of 1"
class LSTM(LSTM):
    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, bidirectional=False):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, bidirectional)
        for name, p in self.named_parameters():
            if name.startswith("weight_hh"):
                for gate in p.data.chunk(4, dim=0):
                    nn.init.orthogonal_(gate)
            elif name.startswith("weight_ih"):
                nn.init.xavier_uniform_(p)
            else:
                nn.init.zeros_(p)
                if name.startswith("bias_ih"):
                    with torch.no_grad():
                        p[hidden_size : 2 * hidden_size] = 1.0
