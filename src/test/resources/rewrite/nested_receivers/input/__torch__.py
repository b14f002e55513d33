class NestedReceivers(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  stem : __torch__.torch.nn.modules.conv.Conv2d
  encoder : __torch__.Encoder
  stages : __torch__.torch.nn.modules.container.ModuleList
  head : __torch__.Head
  def forward(self: __torch__.NestedReceivers,
    x: Tensor) -> Tensor:
    encoder = self.encoder
    block = encoder.block
    conv = block.conv
    stem = self.stem
    y = (conv).forward((stem).forward(x, ), )
    encoder0 = self.encoder
    block0 = encoder0.block
    bn = block0.bn
    y0 = torch.relu((bn).forward(y, ))
    stages = self.stages
    _0 = getattr(stages, "0")
    _1 = getattr(_0, "1")
    y1 = (_1).forward(y0, )
    stages0 = self.stages
    _10 = getattr(stages0, "1")
    _00 = getattr(_10, "0")
    y2 = torch.relu((_00).pre(y1, ))
    stages1 = self.stages
    _11 = getattr(stages1, "1")
    _12 = getattr(_11, "1")
    y3 = (_12).forward(y2, )
    y4 = (self).tail(y3, )
    head = self.head
    return (head).forward(y4, )
  def tail(self: __torch__.NestedReceivers,
    y: Tensor) -> Tensor:
    stages = self.stages
    _0 = getattr(stages, "0")
    _01 = getattr(_0, "0")
    relu = _01.relu
    stages2 = self.stages
    _02 = getattr(stages2, "0")
    _03 = getattr(_02, "0")
    bn = _03.bn
    return (relu).forward((bn).forward(y, ), )
class Encoder(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  block : __torch__.ConvBnRelu
class ConvBnRelu(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  conv : __torch__.torch.nn.modules.conv.___torch_mangle_0.Conv2d
  bn : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  relu : __torch__.torch.nn.modules.activation.ReLU
  def forward(self: __torch__.ConvBnRelu,
    x: Tensor) -> Tensor:
    relu = self.relu
    bn = self.bn
    conv = self.conv
    _0 = (relu).forward((bn).forward((conv).forward(x, ), ), )
    return _0
  def pre(self: __torch__.ConvBnRelu,
    x: Tensor) -> Tensor:
    bn = self.bn
    conv = self.conv
    return (bn).forward((conv).forward(x, ), )
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
    _1 = torch.flatten((pool).forward(x, ), 1)
    return (fc).forward(_1, )
