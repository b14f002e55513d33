class BatchNorm2d(Module):
  __parameters__ = ["weight", "bias", ]
  __buffers__ = ["running_mean", "running_var", "num_batches_tracked", ]
  weight : Tensor
  bias : Tensor
  running_mean : Tensor
  running_var : Tensor
  num_batches_tracked : Tensor
  training : bool
  _is_full_backward_hook : NoneType
  num_features : Final[int] = 8
  eps : Final[float] = 1.0000000000000001e-05
  momentum : Final[float] = 0.10000000000000001
  affine : Final[bool] = True
  track_running_stats : Final[bool] = True
  def forward(self: __torch__.torch.nn.modules.batchnorm.BatchNorm2d,
    input: Tensor) -> Tensor:
    _0 = __torch__.torch.nn.functional.batch_norm
    _1 = (self)._check_input_dim(input, )
    training = self.training
    if training:
      num_batches_tracked = self.num_batches_tracked
      _2 = torch.add_(num_batches_tracked, 1)
    else:
      pass
    training0 = self.training
    if training0:
      bn_training = True
    else:
      bn_training = False
    running_mean = self.running_mean
    running_var = self.running_var
    weight = self.weight
    bias = self.bias
    _3 = _0(input, running_mean, running_var, weight, bias, bn_training, 0.10000000000000001, 1.0000000000000001e-05, )
    return _3
  def _check_input_dim(self: __torch__.torch.nn.modules.batchnorm.BatchNorm2d,
    input: Tensor) -> NoneType:
    if torch.ne(torch.dim(input), 4):
      _4 = torch.format("expected 4D input (got {}D input)", torch.dim(input))
      ops.prim.RaiseException(_4, "builtins.ValueError")
    else:
      pass
    return None
  def ej1_t_forward(self: __torch__.torch.nn.modules.batchnorm.BatchNorm2d,
    ej1_taps: List[Tensor],
    ej1_sel: int,
    ej1_id: int,
    ej1_mode: int,
    ej1_attn: int,
    input: Tensor) -> Tensor:
    _0 = __torch__.torch.nn.functional.batch_norm
    _1 = (self)._check_input_dim(input, )
    training = self.training
    if training:
      num_batches_tracked = self.num_batches_tracked
      _2 = torch.add_(num_batches_tracked, 1)
    else:
      pass
    training0 = self.training
    if training0:
      bn_training = True
    else:
      bn_training = False
    running_mean = self.running_mean
    running_var = self.running_var
    weight = self.weight
    bias = self.bias
    _3 = _0(input, running_mean, running_var, weight, bias, bn_training, 0.10000000000000001, 1.0000000000000001e-05, )
    ej1_out = _3
    if ej1_sel == ej1_id or ej1_sel == -3:
      ej1_alias = ej1_out is input
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
