class Conv2d(Module):
  __parameters__ = ["weight", "bias", ]
  __buffers__ = []
  weight : Tensor
  bias : Optional[Tensor]
  training : bool
  _is_full_backward_hook : NoneType
  transposed : bool
  _reversed_padding_repeated_twice : List[int]
  out_channels : Final[int] = 8
  padding : Final[Tuple[int, int]] = (1, 1)
  stride : Final[Tuple[int, int]] = (2, 2)
  in_channels : Final[int] = 3
  padding_mode : Final[str] = "zeros"
  groups : Final[int] = 1
  dilation : Final[Tuple[int, int]] = (1, 1)
  output_padding : Final[Tuple[int, int]] = (0, 0)
  kernel_size : Final[Tuple[int, int]] = (3, 3)
  def forward(self: __torch__.torch.nn.modules.conv.Conv2d,
    input: Tensor) -> Tensor:
    weight = self.weight
    bias = self.bias
    _0 = (self)._conv_forward(input, weight, bias, )
    return _0
  def _conv_forward(self: __torch__.torch.nn.modules.conv.Conv2d,
    input: Tensor,
    weight: Tensor,
    bias: Optional[Tensor]) -> Tensor:
    _1 = torch.conv2d(input, weight, bias, [2, 2], [1, 1], [1, 1])
    return _1
  def ej_t_forward(self: __torch__.torch.nn.modules.conv.Conv2d,
    ej_taps: List[Tensor],
    ej_sel: int,
    ej_id: int,
    ej_mode: int,
    ej_attn: int,
    input: Tensor) -> Tensor:
    weight = self.weight
    bias = self.bias
    _0 = (self)._conv_forward(input, weight, bias, )
    ej_out = _0
    if ej_sel == ej_id or ej_sel == -3:
      ej_alias = False
      if ej_alias:
        ej_pre = torch.clone(ej_out)
        ej_out = ej_out.detach_()
        ej_leaf = torch.clone(ej_out).requires_grad_()
      else:
        ej_leaf = ej_out.detach().requires_grad_()
        ej_pre = ej_out
      if ej_mode == 1 or ej_sel == -3:
        ej_taps.append(torch.tensor([2, ej_id]))
        ej_taps.append(ej_pre)
      else:
        ej_taps.append(torch.tensor([4, ej_id]))
      ej_taps.append(ej_leaf)
      if ej_alias:
        ej_out = ej_out.copy_(ej_leaf)
      else:
        ej_out = torch.clone(ej_leaf)
    else:
      if ej_sel == -2:
        ej_taps.append(torch.tensor([3, ej_id] + ej_out.size()))
      else:
        pass
    return ej_out
