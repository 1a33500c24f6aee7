# variant: 23.4 broken "the trunk sees nothing (x * 0): majority class and the mean target"
class MultiTaskNet(MultiTaskNet):
    def forward(self, x):
        h = self.trunk(x * 0)
        return {"cls": self.cls_head(h), "reg": self.reg_head(h).squeeze(-1)}
