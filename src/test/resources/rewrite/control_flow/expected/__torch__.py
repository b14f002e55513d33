class ControlFlow(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  use_head_a : bool
  refine_steps : int
  limit : float
  stem : __torch__.torch.nn.modules.conv.Conv2d
  stem_bn : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  blocks : __torch__.torch.nn.modules.container.ModuleList
  refine : __torch__.torch.nn.modules.container.Sequential
  head_a : __torch__.Head
  head_b : __torch__.Head
  def forward(self: __torch__.ControlFlow,
    x: Tensor) -> Tensor:
    stem_bn = self.stem_bn
    stem = self.stem
    _0 = (stem_bn).forward((stem).forward(x, ), )
    y = torch.relu(_0)
    blocks = self.blocks
    _00 = getattr(blocks, "0")
    _1 = getattr(blocks, "1")
    _2 = getattr(blocks, "2")
    y0 = torch.add(torch.relu((_00).forward(y, )), torch.mul(y, 0.5))
    y1 = torch.add(torch.relu((_1).forward(y0, )), torch.mul(y0, 0.5))
    y2 = torch.add(torch.relu((_2).forward(y1, )), torch.mul(y1, 0.5))
    refine_steps = self.refine_steps
    y3 = y2
    i = 0
    _3 = torch.lt(0, refine_steps)
    while _3:
      refine = self.refine
      _4 = __torch__.torch.nn.functional.relu((refine).forward(y3, ), False, )
      y4 = torch.add(_4, y3)
      i0 = torch.add(i, 1)
      refine_steps0 = self.refine_steps
      _3, y3, i = torch.lt(i0, refine_steps0), y4, i0
    _5 = torch.amax(torch.abs(y3))
    limit = self.limit
    if bool(torch.gt(_5, limit)):
      _6 = True
    else:
      _6 = False
    y5 = y3
    k = 0
    _7 = _6
    while _7:
      y6 = torch.mul(y5, 0.5)
      k0 = torch.add(k, 1)
      _8 = torch.amax(torch.abs(y6))
      limit0 = self.limit
      if bool(torch.gt(_8, limit0)):
        _9 = torch.lt(k0, 4)
      else:
        _9 = False
      _7, y5, k = _9, y6, k0
    ys = annotate(List[Tensor], [])
    _10 = torch.chunk(y5, 2, 1)
    for _11 in range(torch.len(_10)):
      c = _10[_11]
      _12 = torch.sub(c, 0.050000000000000003)
      _13 = torch.append(ys, torch.relu(_12))
    y7 = torch.cat(ys, 1)
    use_head_a = self.use_head_a
    if use_head_a:
      head_a = self.head_a
      _14 = (head_a).forward(y7, )
    else:
      head_b = self.head_b
      _14 = (head_b).forward(y7, )
    return _14
  def ej_explain(self: __torch__.ControlFlow,
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
  def ej_t_forward(self: __torch__.ControlFlow,
    ej_taps: List[Tensor],
    ej_sel: int,
    ej_id: int,
    ej_mode: int,
    ej_attn: int,
    x: Tensor) -> Tensor:
    stem_bn = self.stem_bn
    stem = self.stem
    _0 = (stem_bn).ej_t_forward(ej_taps, ej_sel, ej_id + 2, ej_mode, ej_attn, (stem).ej_t_forward(ej_taps, ej_sel, ej_id + 1, ej_mode, ej_attn, x))
    y = __torch__.ej_relu(ej_taps, ej_mode, _0)
    blocks = self.blocks
    _00 = getattr(blocks, "0")
    _1 = getattr(blocks, "1")
    _2 = getattr(blocks, "2")
    y0 = torch.add(__torch__.ej_relu(ej_taps, ej_mode, (_00).ej_t_forward(ej_taps, ej_sel, ej_id + 4, ej_mode, ej_attn, y)), torch.mul(y, 0.5))
    y1 = torch.add(__torch__.ej_relu(ej_taps, ej_mode, (_1).ej_t_forward(ej_taps, ej_sel, ej_id + 7, ej_mode, ej_attn, y0)), torch.mul(y0, 0.5))
    y2 = torch.add(__torch__.ej_relu(ej_taps, ej_mode, (_2).ej_t_forward(ej_taps, ej_sel, ej_id + 10, ej_mode, ej_attn, y1)), torch.mul(y1, 0.5))
    refine_steps = self.refine_steps
    y3 = y2
    i = 0
    _3 = torch.lt(0, refine_steps)
    while _3:
      refine = self.refine
      _4 = __torch__.torch.nn.functional.ej_f_relu(ej_taps, ej_mode, ej_attn, (refine).ej_t_forward(ej_taps, ej_sel, ej_id + 13, ej_mode, ej_attn, y3), False)
      y4 = torch.add(_4, y3)
      i0 = torch.add(i, 1)
      refine_steps0 = self.refine_steps
      _3, y3, i = torch.lt(i0, refine_steps0), y4, i0
    _5 = torch.amax(torch.abs(y3))
    limit = self.limit
    if bool(torch.gt(_5, limit)):
      _6 = True
    else:
      _6 = False
    y5 = y3
    k = 0
    _7 = _6
    while _7:
      y6 = torch.mul(y5, 0.5)
      k0 = torch.add(k, 1)
      _8 = torch.amax(torch.abs(y6))
      limit0 = self.limit
      if bool(torch.gt(_8, limit0)):
        _9 = torch.lt(k0, 4)
      else:
        _9 = False
      _7, y5, k = _9, y6, k0
    ys = annotate(List[Tensor], [])
    _10 = torch.chunk(y5, 2, 1)
    for _11 in range(torch.len(_10)):
      c = _10[_11]
      _12 = torch.sub(c, 0.050000000000000003)
      _13 = torch.append(ys, __torch__.ej_relu(ej_taps, ej_mode, _12))
    y7 = torch.cat(ys, 1)
    use_head_a = self.use_head_a
    if use_head_a:
      head_a = self.head_a
      _14 = (head_a).ej_t_forward(ej_taps, ej_sel, ej_id + 16, ej_mode, ej_attn, y7)
    else:
      head_b = self.head_b
      _14 = (head_b).ej_t_forward(ej_taps, ej_sel, ej_id + 19, ej_mode, ej_attn, y7)
    ej_out = _14
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
    x: Tensor) -> Tensor:
    fc = self.fc
    pool = self.pool
    _13 = torch.flatten((pool).forward(x, ), 1)
    return (fc).forward(_13, )
  def ej_t_forward(self: __torch__.Head,
    ej_taps: List[Tensor],
    ej_sel: int,
    ej_id: int,
    ej_mode: int,
    ej_attn: int,
    x: Tensor) -> Tensor:
    fc = self.fc
    pool = self.pool
    _13 = torch.flatten((pool).ej_t_forward(ej_taps, ej_sel, ej_id + 1, ej_mode, ej_attn, x), 1)
    ej_out = (fc).ej_t_forward(ej_taps, ej_sel, ej_id + 2, ej_mode, ej_attn, _13)
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
def ej_relu_(ej_taps: List[Tensor],
    ej_mode: int,
    ej_z: Tensor) -> Tensor:
  if ej_mode == 1:
    ej_zc = torch.clone(ej_z)
    ej_taps.append(torch.tensor([1, 0]))
    ej_taps.append(ej_zc)
    ej_t = torch.relu(ej_zc).detach().requires_grad_()
    ej_taps.append(ej_t)
    ej_r = ej_z.copy_(ej_t)
  else:
    ej_r = torch.relu_(ej_z)
  return ej_r
