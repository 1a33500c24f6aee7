# variant: 23.4 broken "'reg' left (B, 1): MSE against (B,) targets broadcasts to (B, B) and learns the mean"
class MultiTaskNet(MultiTaskNet):
    def forward(self, x):
        h = self.trunk(x)
        return {"cls": self.cls_head(h), "reg": self.reg_head(h)}
