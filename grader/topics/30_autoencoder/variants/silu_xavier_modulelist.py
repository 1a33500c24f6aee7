# variant: 30.1 correct "ModuleLists through hidden_dims, SiLU, Xavier-normal weights"
class Autoencoder(nn.Module):
    def __init__(self, input_dim, latent_dim, hidden_dims=(128,)):
        super().__init__()
        enc = [input_dim, *hidden_dims, latent_dim]
        dec = enc[::-1]
        self.enc = nn.ModuleList(nn.Linear(a, b) for a, b in zip(enc[:-1], enc[1:]))
        self.dec = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dec[:-1], dec[1:]))
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_normal_(m.weight)
                nn.init.zeros_(m.bias)

    @staticmethod
    def _run(layers, x):
        for i, layer in enumerate(layers):
            x = layer(x)
            if i < len(layers) - 1:
                x = torch.nn.functional.silu(x)
        return x

    def encode(self, x):
        return self._run(self.enc, x)

    def decode(self, z):
        return self._run(self.dec, z)

    def forward(self, x):
        return self.decode(self.encode(x))
