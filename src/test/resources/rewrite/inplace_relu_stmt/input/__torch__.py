class InplaceReluStatement(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  conv1 : __torch__.torch.nn.modules.conv.Conv2d
  bn1 : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  conv2 : __torch__.torch.nn.modules.conv.___torch_mangle_0.Conv2d
  bn2 : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  head : __torch__.Head
  def forward(self: __torch__.InplaceReluStatement,
    x: Tensor) -> Tensor:
    bn1 = self.bn1
    conv1 = self.conv1
    y = (bn1).forward((conv1).forward(x, ), )
    _0 = torch.relu_(y)
    bn2 = self.bn2
    conv2 = self.conv2
    y0 = (bn2).forward((conv2).forward(y, ), )
    _1 = torch.relu_(y0)
    head = self.head
    return (head).forward(y0, )
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
    _2 = torch.flatten((pool).forward(x, ), 1)
    return (fc).forward(_2, )
