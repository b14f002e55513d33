class ModuleList(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : NoneType
  __annotations__["0"] = __torch__.torch.nn.modules.container.Sequential
  __annotations__["1"] = __torch__.torch.nn.modules.container.Sequential
  __annotations__["2"] = __torch__.torch.nn.modules.container.Sequential
  def __len__(self: __torch__.torch.nn.modules.container.ModuleList) -> int:
    return 3
class Sequential(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : NoneType
  __annotations__["0"] = __torch__.torch.nn.modules.conv.___torch_mangle_0.Conv2d
  __annotations__["1"] = __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  def forward(self: __torch__.torch.nn.modules.container.Sequential,
    input: Tensor) -> Tensor:
    _0 = getattr(self, "0")
    _1 = getattr(self, "1")
    input0 = (_0).forward(input, )
    return (_1).forward(input0, )
  def __len__(self: __torch__.torch.nn.modules.container.Sequential) -> int:
    return 2
  def ej_t_forward(self: __torch__.torch.nn.modules.container.Sequential,
    ej_taps: List[Tensor],
    ej_sel: int,
    ej_id: int,
    ej_mode: int,
    ej_attn: int,
    input: Tensor) -> Tensor:
    _0 = getattr(self, "0")
    _1 = getattr(self, "1")
    input0 = (_0).ej_t_forward(ej_taps, ej_sel, ej_id + 1, ej_mode, ej_attn, input)
    ej_out = (_1).ej_t_forward(ej_taps, ej_sel, ej_id + 2, ej_mode, ej_attn, input0)
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
