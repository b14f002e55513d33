class ReluModuleResultIgnored(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  conv1 : __torch__.torch.nn.modules.conv.Conv2d
  bn1 : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  act1 : __torch__.torch.nn.modules.activation.ReLU
  conv2 : __torch__.torch.nn.modules.conv.___torch_mangle_0.Conv2d
  bn2 : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  act2 : __torch__.torch.nn.modules.activation.ReLU
  head : __torch__.Head
  def forward(self: __torch__.ReluModuleResultIgnored,
    x: Tensor) -> Tensor:
    bn1 = self.bn1
    conv1 = self.conv1
    y = (bn1).forward((conv1).forward(x, ), )
    act1 = self.act1
    _0 = (act1).forward(y, )
    bn2 = self.bn2
    conv2 = self.conv2
    z = (bn2).forward((conv2).forward(y, ), )
    act2 = self.act2
    _1 = (act2).forward(z, )
    head = self.head
    return (head).forward(z, )
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
