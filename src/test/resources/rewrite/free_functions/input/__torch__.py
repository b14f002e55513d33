class FreeFunctions(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  conv1 : __torch__.torch.nn.modules.conv.Conv2d
  bn1 : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  conv2 : __torch__.torch.nn.modules.conv.___torch_mangle_0.Conv2d
  bn2 : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  conv3 : __torch__.torch.nn.modules.conv.___torch_mangle_0.Conv2d
  bn3 : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  head : __torch__.Head
  def forward(self: __torch__.FreeFunctions,
    x: Tensor) -> Tensor:
    _0 = __torch__.rectify_in_place_and_discard
    bn1 = self.bn1
    conv1 = self.conv1
    _1 = (bn1).forward((conv1).forward(x, ), )
    y = __torch__.relu_ts(_1, )
    bn2 = self.bn2
    conv2 = self.conv2
    _2 = (bn2).forward((conv2).forward(y, ), )
    y0 = __torch__.outer_shift_relu(_2, )
    bn3 = self.bn3
    conv3 = self.conv3
    z = (bn3).forward((conv3).forward(y0, ), )
    _3 = _0(z, )
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
    _4 = torch.flatten((pool).forward(x, ), 1)
    return (fc).forward(_4, )
def relu_ts(x: Tensor) -> Tensor:
  return torch.relu(x)
def outer_shift_relu(x: Tensor) -> Tensor:
  _5 = __torch__.inner_relu(torch.sub(x, 0.10000000000000001), )
  return _5
def rectify_in_place_and_discard(x: Tensor) -> NoneType:
  _6 = torch.relu_(x)
  return None
def inner_relu(x: Tensor) -> Tensor:
  _7 = __torch__.torch.nn.functional.relu(x, False, )
  return torch.mul(_7, 1.5)
