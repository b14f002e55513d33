class ReluModuleResultIgnored(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  conv1 : __torch__.torch.nn.modules.conv.Conv2d
  bn1 : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  act1 : __torch__.torch.nn.modules.activation.ReLU
  conv2 : __torch__.torch.nn.modules.conv.___torch_mangle_0.Conv2d
  bn2 : __torch__.torch.nn.modules.batchnorm.___torch_mangle_1.BatchNorm2d
  act2 : __torch__.torch.nn.modules.activation.___torch_mangle_2.ReLU
  head : __torch__.Head
  def forward(self: __torch__.ReluModuleResultIgnored,
    x: Tensor) -> Tensor:
    head = self.head
    act2 = self.act2
    bn2 = self.bn2
    conv2 = self.conv2
    act1 = self.act1
    bn1 = self.bn1
    conv1 = self.conv1
    _0 = (bn1).forward((conv1).forward(x, ), )
    _1 = (conv2).forward((act1).forward(_0, ), )
    _2 = (act2).forward((bn2).forward(_1, ), )
    return (head).forward(_2, )
class Head(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  pool : __torch__.torch.nn.modules.pooling.AdaptiveAvgPool2d
  fc : __torch__.torch.nn.modules.linear.Linear
  def forward(self: __torch__.Head,
    argument_1: Tensor) -> Tensor:
    fc = self.fc
    pool = self.pool
    input = torch.flatten((pool).forward(argument_1, ), 1)
    return (fc).forward(input, )
