class Linear(Module):
  __parameters__ = ["weight", "bias", ]
  __buffers__ = []
  weight : Tensor
  bias : Tensor
  training : bool
  _is_full_backward_hook : NoneType
  out_features : Final[int] = 4
  in_features : Final[int] = 8
  def forward(self: __torch__.torch.nn.modules.linear.Linear,
    input: Tensor) -> Tensor:
    weight = self.weight
    bias = self.bias
    return torch.linear(input, weight, bias)
  def ej1_t_forward(self: __torch__.torch.nn.modules.linear.Linear,
    ej1_taps: List[Tensor],
    ej1_sel: int,
    ej1_id: int,
    ej1_mode: int,
    ej1_attn: int,
    input: Tensor) -> Tensor:
    weight = self.weight
    bias = self.bias
    ej1_out = torch.linear(input, weight, bias)
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
