class NameCollisionsMembers(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  ej_forward : __torch__.torch.nn.modules.conv.Conv2d
  bn : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  conv2 : __torch__.torch.nn.modules.conv.___torch_mangle_0.Conv2d
  block : __torch__.CollidingBlock
  head : __torch__.Head
  def forward(self: __torch__.NameCollisionsMembers,
    x: Tensor) -> Tensor:
    ej_forward = self.ej_forward
    y = (ej_forward).forward(x, )
    y0 = (self).ejh_forward(y, )
    y1 = (self).ej_relu_site(y0, )
    y2 = (self).helper(y1, )
    y3 = (self).ejh_helper(y2, )
    block = self.block
    y4 = (block).forward(y3, )
    head = self.head
    return (head).forward(y4, )
  def ej_explain(self: __torch__.NameCollisionsMembers,
    x: Tensor) -> Tensor:
    return torch.mul((self).forward(x, ), 2.)
  def ejh_forward(self: __torch__.NameCollisionsMembers,
    x: Tensor) -> Tensor:
    bn = self.bn
    return torch.relu((bn).forward(x, ))
  def ej_relu_site(self: __torch__.NameCollisionsMembers,
    x: Tensor) -> Tensor:
    _0 = torch.add(torch.mul(x, 0.75), 0.10000000000000001)
    return _0
  def helper(self: __torch__.NameCollisionsMembers,
    x: Tensor) -> Tensor:
    conv2 = self.conv2
    return torch.relu((conv2).forward(x, ))
  def ejh_helper(self: __torch__.NameCollisionsMembers,
    x: Tensor) -> Tensor:
    return torch.sub(x, 0.050000000000000003)
class CollidingBlock(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  conv : __torch__.torch.nn.modules.conv.___torch_mangle_0.Conv2d
  bn : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  def forward(self: __torch__.CollidingBlock,
    x: Tensor) -> Tensor:
    _1 = torch.add((self).ej_forward(x, ), x)
    return torch.relu(_1)
  def ej_forward(self: __torch__.CollidingBlock,
    x: Tensor) -> Tensor:
    bn = self.bn
    conv = self.conv
    _2 = torch.mul((bn).forward((conv).forward(x, ), ), 0.5)
    return _2
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
    _3 = torch.flatten((pool).forward(x, ), 1)
    return (fc).forward(_3, )
