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
  stride : Final[Tuple[int, int]] = (1, 1)
  in_channels : Final[int] = 8
  padding_mode : Final[str] = "zeros"
  groups : Final[int] = 1
  dilation : Final[Tuple[int, int]] = (1, 1)
  output_padding : Final[Tuple[int, int]] = (0, 0)
  kernel_size : Final[Tuple[int, int]] = (3, 3)
  def forward(self: __torch__.torch.nn.modules.conv.___torch_mangle_0.Conv2d,
    input: Tensor) -> Tensor:
    weight = self.weight
    bias = self.bias
    _0 = (self)._conv_forward(input, weight, bias, )
    return _0
  def _conv_forward(self: __torch__.torch.nn.modules.conv.___torch_mangle_0.Conv2d,
    input: Tensor,
    weight: Tensor,
    bias: Optional[Tensor]) -> Tensor:
    _1 = torch.conv2d(input, weight, bias, [1, 1], [1, 1], [1, 1])
    return _1
  def ej1_t_forward(self: __torch__.torch.nn.modules.conv.___torch_mangle_0.Conv2d,
    ej1_taps: List[Tensor],
    ej1_sel: int,
    ej1_id: int,
    ej1_mode: int,
    ej1_attn: int,
    input: Tensor) -> Tensor:
    weight = self.weight
    bias = self.bias
    _0 = (self)._conv_forward(input, weight, bias, )
    ej1_out = _0
    if ej1_sel == ej1_id or ej1_sel == -3:
      ej1_alias = False
      if ej1_alias:
        ej1_pre = torch.clone(ej1_out)
        ej1_out = ej1_out.detach_()
        ej1_leaf = torch.clone(ej1_out).requires_grad_()
      else:
        ej1_leaf = ej1_out.detach().requires_grad_()
        ej1_pre = ej1_out
      if ej1_mode == 1 or ej1_sel == -3:
        ej1_taps.append(torch.tensor([2, ej1_id]))
        ej1_taps.append(ej1_pre)
      else:
        ej1_taps.append(torch.tensor([4, ej1_id]))
      ej1_taps.append(ej1_leaf)
      if ej1_alias:
        ej1_out = ej1_out.copy_(ej1_leaf)
      else:
        ej1_out = torch.clone(ej1_leaf)
    else:
      if ej1_sel == -2:
        ej1_taps.append(torch.tensor([3, ej1_id] + ej1_out.size()))
      else:
        pass
    return ej1_out
