class FunctionalReluRuntimeInplace(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  rectify_in_place : bool
  keep_input : bool
  conv1 : __torch__.torch.nn.modules.conv.Conv2d
  bn1 : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  conv2 : __torch__.torch.nn.modules.conv.___torch_mangle_0.Conv2d
  bn2 : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  head : __torch__.Head
  def forward(self: __torch__.FunctionalReluRuntimeInplace,
    x: Tensor) -> Tensor:
    bn1 = self.bn1
    conv1 = self.conv1
    y = (bn1).forward((conv1).forward(x, ), )
    rectify_in_place = self.rectify_in_place
    _0 = __torch__.torch.nn.functional.relu(y, rectify_in_place, )
    bn2 = self.bn2
    conv2 = self.conv2
    z = (bn2).forward((conv2).forward(y, ), )
    keep_input = self.keep_input
    r = __torch__.torch.nn.functional.relu(z, keep_input, )
    head = self.head
    _1 = (head).forward(torch.add(r, torch.mul(z, 0.5)), )
    return _1
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
