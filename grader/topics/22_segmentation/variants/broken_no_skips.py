# variant: 22.3 broken "no skip connections: the decoders see only the upsampled path (zeros where the skip should be), which the contract requires"
class UNet(UNet):
    def forward(self, x):
        for encoder in self.encoders:
            x = F.max_pool2d(encoder(x), 2)
        x = self.bottleneck(x)
        for upsample, decoder in zip(self.upsamples, self.decoders):
            up = upsample(x)
            x = decoder(torch.cat([torch.zeros_like(up), up], dim=1))
        return self.head(x)
