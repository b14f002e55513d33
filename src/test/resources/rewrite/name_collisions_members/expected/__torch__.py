class NameCollisionsMembers(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  ej_forward : __torch__.torch.nn.modules.conv.Conv2d
  bn : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  conv2 : __torch__.torch.nn.modules.conv.___torch_mangle_0.Conv2d
  block : __torch__.CollidingBlock
  head : __torch__.Head
  def forward(self: __torch__.NameCollisionsMembers,
    x: Tensor) -> Tensor:
    ej_forward = self.ej_forward
    y = (ej_forward).forward(x, )
    y0 = (self).ejh_forward(y, )
    y1 = (self).ej_relu_site(y0, )
    y2 = (self).helper(y1, )
    y3 = (self).ejh_helper(y2, )
    block = self.block
    y4 = (block).forward(y3, )
    head = self.head
    return (head).forward(y4, )
  def ej_explain(self: __torch__.NameCollisionsMembers,
    x: Tensor) -> Tensor:
    return torch.mul((self).forward(x, ), 2.)
  def ejh_forward(self: __torch__.NameCollisionsMembers,
    x: Tensor) -> Tensor:
    bn = self.bn
    return torch.relu((bn).forward(x, ))
  def ej_relu_site(self: __torch__.NameCollisionsMembers,
    x: Tensor) -> Tensor:
    _0 = torch.add(torch.mul(x, 0.75), 0.10000000000000001)
    return _0
  def helper(self: __torch__.NameCollisionsMembers,
    x: Tensor) -> Tensor:
    conv2 = self.conv2
    return torch.relu((conv2).forward(x, ))
  def ejh_helper(self: __torch__.NameCollisionsMembers,
    x: Tensor) -> Tensor:
    return torch.sub(x, 0.050000000000000003)
  def ej1_explain(self: __torch__.NameCollisionsMembers,
    x: Tensor,
    ej1_ctl: Tensor) -> List[Tensor]:
    ej1_taps = annotate(List[Tensor], [])
    ej1_sel = int(ej1_ctl[0])
    ej1_mode = int(ej1_ctl[1])
    ej1_attn = int(ej1_ctl[2])
    ej1_y = (self).ej1_t_forward(ej1_taps, ej1_sel, 0, ej1_mode, ej1_attn, x)
    ej1_outs = annotate(List[Tensor], [])
    ej1_outs.append(ej1_y)
    ej1_result = [torch.tensor([len(ej1_outs)])]
    ej1_result = ej1_result + ej1_outs + ej1_taps
    return ej1_result
  def ej1_t_forward(self: __torch__.NameCollisionsMembers,
    ej1_taps: List[Tensor],
    ej1_sel: int,
    ej1_id: int,
    ej1_mode: int,
    ej1_attn: int,
    x: Tensor) -> Tensor:
    ej_forward = self.ej_forward
    y = (ej_forward).ej1_t_forward(ej1_taps, ej1_sel, ej1_id + 1, ej1_mode, ej1_attn, x)
    y0 = (self).ej1_h_ejh_forward(ej1_taps, ej1_sel, ej1_id, ej1_mode, ej1_attn, y)
    y1 = (self).ej_relu_site(y0, )
    y2 = (self).ej1_h_helper(ej1_taps, ej1_sel, ej1_id, ej1_mode, ej1_attn, y1)
    y3 = (self).ejh_helper(y2, )
    block = self.block
    y4 = (block).ej1_t_forward(ej1_taps, ej1_sel, ej1_id + 4, ej1_mode, ej1_attn, y3)
    head = self.head
    ej1_out = (head).ej1_t_forward(ej1_taps, ej1_sel, ej1_id + 7, ej1_mode, ej1_attn, y4)
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
  def ej1_h_helper(self: __torch__.NameCollisionsMembers,
    ej1_taps: List[Tensor],
    ej1_sel: int,
    ej1_id: int,
    ej1_mode: int,
    ej1_attn: int,
    x: Tensor) -> Tensor:
    conv2 = self.conv2
    return __torch__.ej1_relu(ej1_taps, ej1_mode, (conv2).ej1_t_forward(ej1_taps, ej1_sel, ej1_id + 3, ej1_mode, ej1_attn, x))
  def ej1_h_ejh_forward(self: __torch__.NameCollisionsMembers,
    ej1_taps: List[Tensor],
    ej1_sel: int,
    ej1_id: int,
    ej1_mode: int,
    ej1_attn: int,
    x: Tensor) -> Tensor:
    bn = self.bn
    return __torch__.ej1_relu(ej1_taps, ej1_mode, (bn).ej1_t_forward(ej1_taps, ej1_sel, ej1_id + 2, ej1_mode, ej1_attn, x))
class CollidingBlock(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  conv : __torch__.torch.nn.modules.conv.___torch_mangle_0.Conv2d
  bn : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  def forward(self: __torch__.CollidingBlock,
    x: Tensor) -> Tensor:
    _1 = torch.add((self).ej_forward(x, ), x)
    return torch.relu(_1)
  def ej_forward(self: __torch__.CollidingBlock,
    x: Tensor) -> Tensor:
    bn = self.bn
    conv = self.conv
    _2 = torch.mul((bn).forward((conv).forward(x, ), ), 0.5)
    return _2
  def ej1_t_forward(self: __torch__.CollidingBlock,
    ej1_taps: List[Tensor],
    ej1_sel: int,
    ej1_id: int,
    ej1_mode: int,
    ej1_attn: int,
    x: Tensor) -> Tensor:
    _1 = torch.add((self).ej1_h_ej_forward(ej1_taps, ej1_sel, ej1_id, ej1_mode, ej1_attn, x), x)
    ej1_out = __torch__.ej1_relu(ej1_taps, ej1_mode, _1)
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
  def ej1_h_ej_forward(self: __torch__.CollidingBlock,
    ej1_taps: List[Tensor],
    ej1_sel: int,
    ej1_id: int,
    ej1_mode: int,
    ej1_attn: int,
    x: Tensor) -> Tensor:
    bn = self.bn
    conv = self.conv
    _2 = torch.mul((bn).ej1_t_forward(ej1_taps, ej1_sel, ej1_id + 2, ej1_mode, ej1_attn, (conv).ej1_t_forward(ej1_taps, ej1_sel, ej1_id + 1, ej1_mode, ej1_attn, x)), 0.5)
    return _2
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
    _3 = torch.flatten((pool).forward(x, ), 1)
    return (fc).forward(_3, )
  def ej1_t_forward(self: __torch__.Head,
    ej1_taps: List[Tensor],
    ej1_sel: int,
    ej1_id: int,
    ej1_mode: int,
    ej1_attn: int,
    x: Tensor) -> Tensor:
    fc = self.fc
    pool = self.pool
    _3 = torch.flatten((pool).ej1_t_forward(ej1_taps, ej1_sel, ej1_id + 1, ej1_mode, ej1_attn, x), 1)
    ej1_out = (fc).ej1_t_forward(ej1_taps, ej1_sel, ej1_id + 2, ej1_mode, ej1_attn, _3)
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
def ej1_relu(ej1_taps: List[Tensor],
    ej1_mode: int,
    ej1_z: Tensor) -> Tensor:
  if ej1_mode == 1:
    ej1_taps.append(torch.tensor([1, 0]))
    ej1_taps.append(ej1_z)
    ej1_t = torch.relu(ej1_z).detach().requires_grad_()
    ej1_taps.append(ej1_t)
    ej1_r = torch.clone(ej1_t)
  else:
    ej1_r = torch.relu(ej1_z)
  return ej1_r
