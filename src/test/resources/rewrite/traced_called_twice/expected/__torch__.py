class CalledTwiceShapes(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  conv : __torch__.torch.nn.modules.conv.Conv2d
  bn_full : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  bn_half : __torch__.torch.nn.modules.batchnorm.___torch_mangle_0.BatchNorm2d
  down : __torch__.torch.nn.modules.pooling.AvgPool2d
  conv2 : __torch__.torch.nn.modules.conv.___torch_mangle_1.Conv2d
  bn2 : __torch__.torch.nn.modules.batchnorm.___torch_mangle_2.BatchNorm2d
  head : __torch__.Head
  def forward(self: __torch__.CalledTwiceShapes,
    x: Tensor) -> Tensor:
    head = self.head
    bn2 = self.bn2
    conv2 = self.conv2
    bn_half = self.bn_half
    down = self.down
    bn_full = self.bn_full
    conv = self.conv
    _0 = (bn_full).forward((conv).forward(x, ), )
    input = torch.relu(_0)
    _1 = (conv).forward1((down).forward(x, ), )
    b = torch.relu((bn_half).forward(_1, ))
    input0 = torch.cat([(down).forward1(input, ), b], 1)
    _2 = (bn2).forward((conv2).forward(input0, ), )
    input1 = torch.relu(_2)
    return (head).forward(input1, )
  def ej_explain(self: __torch__.CalledTwiceShapes,
    x: Tensor,
    ej_ctl: Tensor) -> List[Tensor]:
    ej_taps = annotate(List[Tensor], [])
    ej_sel = int(ej_ctl[0])
    ej_mode = int(ej_ctl[1])
    ej_attn = int(ej_ctl[2])
    ej_y = (self).ej_t_forward(ej_taps, ej_sel, 0, ej_mode, ej_attn, x)
    ej_outs = annotate(List[Tensor], [])
    ej_outs.append(ej_y)
    ej_result = [torch.tensor([len(ej_outs)])]
    ej_result = ej_result + ej_outs + ej_taps
    return ej_result
  def ej_t_forward(self: __torch__.CalledTwiceShapes,
    ej_taps: List[Tensor],
    ej_sel: int,
    ej_id: int,
    ej_mode: int,
    ej_attn: int,
    x: Tensor) -> Tensor:
    head = self.head
    bn2 = self.bn2
    conv2 = self.conv2
    bn_half = self.bn_half
    down = self.down
    bn_full = self.bn_full
    conv = self.conv
    _0 = (bn_full).ej_t_forward(ej_taps, ej_sel, ej_id + 2, ej_mode, ej_attn, (conv).ej_t_forward(ej_taps, ej_sel, ej_id + 1, ej_mode, ej_attn, x))
    input = __torch__.ej_relu(ej_taps, ej_mode, _0)
    _1 = (conv).ej_t_forward1(ej_taps, ej_sel, ej_id + 1, ej_mode, ej_attn, (down).ej_t_forward(ej_taps, ej_sel, ej_id + 4, ej_mode, ej_attn, x))
    b = __torch__.ej_relu(ej_taps, ej_mode, (bn_half).ej_t_forward(ej_taps, ej_sel, ej_id + 3, ej_mode, ej_attn, _1))
    input0 = torch.cat([(down).ej_t_forward1(ej_taps, ej_sel, ej_id + 4, ej_mode, ej_attn, input), b], 1)
    _2 = (bn2).ej_t_forward(ej_taps, ej_sel, ej_id + 6, ej_mode, ej_attn, (conv2).ej_t_forward(ej_taps, ej_sel, ej_id + 5, ej_mode, ej_attn, input0))
    input1 = __torch__.ej_relu(ej_taps, ej_mode, _2)
    ej_out = (head).ej_t_forward(ej_taps, ej_sel, ej_id + 7, ej_mode, ej_attn, input1)
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
class Head(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  pool : __torch__.torch.nn.modules.pooling.AdaptiveAvgPool2d
  fc : __torch__.torch.nn.modules.linear.Linear
  def forward(self: __torch__.Head,
    input: Tensor) -> Tensor:
    fc = self.fc
    pool = self.pool
    input2 = torch.flatten((pool).forward(input, ), 1)
    return (fc).forward(input2, )
  def ej_t_forward(self: __torch__.Head,
    ej_taps: List[Tensor],
    ej_sel: int,
    ej_id: int,
    ej_mode: int,
    ej_attn: int,
    input: Tensor) -> Tensor:
    fc = self.fc
    pool = self.pool
    input2 = torch.flatten((pool).ej_t_forward(ej_taps, ej_sel, ej_id + 1, ej_mode, ej_attn, input), 1)
    ej_out = (fc).ej_t_forward(ej_taps, ej_sel, ej_id + 2, ej_mode, ej_attn, input2)
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
def ej_relu(ej_taps: List[Tensor],
    ej_mode: int,
    ej_z: Tensor) -> Tensor:
  if ej_mode == 1:
    ej_taps.append(torch.tensor([1, 0]))
    ej_taps.append(ej_z)
    ej_t = torch.relu(ej_z).detach().requires_grad_()
    ej_taps.append(ej_t)
    ej_r = torch.clone(ej_t)
  else:
    ej_r = torch.relu(ej_z)
  return ej_r
