class BatchNorm2d(Module):
  __parameters__ = ["weight", "bias", ]
  __buffers__ = ["running_mean", "running_var", "num_batches_tracked", ]
  weight : Tensor
  bias : Tensor
  running_mean : Tensor
  running_var : Tensor
  num_batches_tracked : Tensor
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.torch.nn.modules.batchnorm.BatchNorm2d,
    argument_1: Tensor) -> Tensor:
    running_var = self.running_var
    running_mean = self.running_mean
    bias = self.bias
    weight = self.weight
    _0 = torch.batch_norm(argument_1, weight, bias, running_mean, running_var, False, 0.10000000000000001, 1.0000000000000001e-05, True)
    return _0
  def ej_t_forward(self: __torch__.torch.nn.modules.batchnorm.BatchNorm2d,
    ej_taps: List[Tensor],
    ej_sel: int,
    ej_id: int,
    ej_mode: int,
    ej_attn: int,
    argument_1: Tensor) -> Tensor:
    running_var = self.running_var
    running_mean = self.running_mean
    bias = self.bias
    weight = self.weight
    _0 = torch.batch_norm(argument_1, weight, bias, running_mean, running_var, False, 0.10000000000000001, 1.0000000000000001e-05, True)
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
