# variant: 22.3 broken "constant mask: the head sees zeros, the same logits at every pixel (as buggy/constant_mask.py)"
class UNet(UNet):
    def forward(self, x):
        skips = []
        for encoder in self.encoders:
            x = encoder(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.bottleneck(x)
        for upsample, decoder, skip in zip(self.upsamples, self.decoders, reversed(skips)):
            x = decoder(torch.cat([skip, upsample(x)], dim=1))
        return self.head(x * 0)
