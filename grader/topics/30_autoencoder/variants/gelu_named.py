# variant: 30.1 correct "named layers for one hidden layer each side, GELU, decoder created first"
import torch.nn.functional as F


class Autoencoder(nn.Module):
    def __init__(self, input_dim, latent_dim, hidden_dims=(128,)):
        super().__init__()
        h = hidden_dims[0]
        self.dec1, self.dec2 = nn.Linear(latent_dim, h), nn.Linear(h, input_dim)
        self.enc1, self.enc2 = nn.Linear(input_dim, h), nn.Linear(h, latent_dim)

    def encode(self, x):
        return self.enc2(F.gelu(self.enc1(x)))

    def decode(self, z):
        return self.dec2(F.gelu(self.dec1(z)))

    def forward(self, x):
        return self.decode(self.encode(x))
