# variant: 30.1 broken "decode ignores the code (z * 0): reconstructs the mean"
class Autoencoder(Autoencoder):
    def decode(self, z):
        return self.decoder(z * 0)
