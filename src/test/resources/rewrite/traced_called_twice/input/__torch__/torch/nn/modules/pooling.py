class AvgPool2d(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.torch.nn.modules.pooling.AvgPool2d,
    x: Tensor) -> Tensor:
    input = torch.avg_pool2d(x, [2, 2], [2, 2], [0, 0])
    return input
  def forward1(self: __torch__.torch.nn.modules.pooling.AvgPool2d,
    input: Tensor) -> Tensor:
    _0 = torch.avg_pool2d(input, [2, 2], [2, 2], [0, 0])
    return _0
class AdaptiveAvgPool2d(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.torch.nn.modules.pooling.AdaptiveAvgPool2d,
    input: Tensor) -> Tensor:
    _1 = torch.adaptive_avg_pool2d(input, [1, 1])
    return _1
