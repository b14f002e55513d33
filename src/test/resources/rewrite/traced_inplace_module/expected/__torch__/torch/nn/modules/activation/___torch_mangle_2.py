class ReLU(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.torch.nn.modules.activation.___torch_mangle_2.ReLU,
    argument_1: Tensor) -> Tensor:
    return torch.relu_(argument_1)
  def ej_t_forward(self: __torch__.torch.nn.modules.activation.___torch_mangle_2.ReLU,
    ej_taps: List[Tensor],
    ej_sel: int,
    ej_id: int,
    ej_mode: int,
    ej_attn: int,
    argument_1: Tensor) -> Tensor:
    ej_out = __torch__.ej_relu_(ej_taps, ej_mode, argument_1)
    if ej_sel == ej_id or ej_sel == -3:
      ej_alias = ej_out is argument_1
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
