class DictOutput(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  conv1 : __torch__.torch.nn.modules.conv.Conv2d
  bn1 : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  block : __torch__.FeatureBlock
  aux_conv : __torch__.torch.nn.modules.conv.___torch_mangle_1.Conv2d
  head : __torch__.Head
  def forward(self: __torch__.DictOutput,
    x: Tensor) -> Dict[str, Tensor]:
    bn1 = self.bn1
    conv1 = self.conv1
    _0 = (bn1).forward((conv1).forward(x, ), )
    y = __torch__.torch.nn.functional.relu(_0, False, )
    block = self.block
    f = (block).forward(y, )
    aux_conv = self.aux_conv
    aux = torch.relu((aux_conv).forward(y, ))
    head = self.head
    _1 = (head).forward(f, )
    _2 = torch.flatten(torch.mean(aux, [2, 3]), 1)
    return {"logits": _1, "aux": _2}
class FeatureBlock(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  conv : __torch__.torch.nn.modules.conv.___torch_mangle_0.Conv2d
  bn : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  relu : __torch__.torch.nn.modules.activation.ReLU
  def forward(self: __torch__.FeatureBlock,
    x: Tensor) -> Tensor:
    relu = self.relu
    bn = self.bn
    conv = self.conv
    _3 = (relu).forward((bn).forward((conv).forward(x, ), ), )
    return _3
class Head(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  pool : __torch__.torch.nn.modules.pooling.AdaptiveAvgPool2d
  fc : __torch__.torch.nn.modules.linear.Linear
  def forward(self: __torch__.Head,
    x: Tensor) -> Tensor:
    fc = self.fc
    pool = self.pool
    _4 = torch.flatten((pool).forward(x, ), 1)
    return (fc).forward(_4, )
