# variant: 30.1 correct "ReLU after every encoder layer, the code included (the stub does not forbid it)"
class Autoencoder(Autoencoder):
    def encode(self, x):
        return torch.relu(self.encoder(x))
