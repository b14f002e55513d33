class NestedReceivers(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  stem : __torch__.torch.nn.modules.conv.Conv2d
  encoder : __torch__.Encoder
  stages : __torch__.torch.nn.modules.container.ModuleList
  head : __torch__.Head
  def forward(self: __torch__.NestedReceivers,
    x: Tensor) -> Tensor:
    encoder = self.encoder
    block = encoder.block
    conv = block.conv
    stem = self.stem
    y = (conv).forward((stem).forward(x, ), )
    encoder0 = self.encoder
    block0 = encoder0.block
    bn = block0.bn
    y0 = torch.relu((bn).forward(y, ))
    stages = self.stages
    _0 = getattr(stages, "0")
    _1 = getattr(_0, "1")
    y1 = (_1).forward(y0, )
    stages0 = self.stages
    _10 = getattr(stages0, "1")
    _00 = getattr(_10, "0")
    y2 = torch.relu((_00).pre(y1, ))
    stages1 = self.stages
    _11 = getattr(stages1, "1")
    _12 = getattr(_11, "1")
    y3 = (_12).forward(y2, )
    y4 = (self).tail(y3, )
    head = self.head
    return (head).forward(y4, )
  def tail(self: __torch__.NestedReceivers,
    y: Tensor) -> Tensor:
    stages = self.stages
    _0 = getattr(stages, "0")
    _01 = getattr(_0, "0")
    relu = _01.relu
    stages2 = self.stages
    _02 = getattr(stages2, "0")
    _03 = getattr(_02, "0")
    bn = _03.bn
    return (relu).forward((bn).forward(y, ), )
  def ej_explain(self: __torch__.NestedReceivers,
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
  def ej_t_forward(self: __torch__.NestedReceivers,
    ej_taps: List[Tensor],
    ej_sel: int,
    ej_id: int,
    ej_mode: int,
    ej_attn: int,
    x: Tensor) -> Tensor:
    encoder = self.encoder
    block = encoder.block
    conv = block.conv
    stem = self.stem
    y = (conv).ej_t_forward(ej_taps, ej_sel, ej_id + 4, ej_mode, ej_attn, (stem).ej_t_forward(ej_taps, ej_sel, ej_id + 1, ej_mode, ej_attn, x))
    encoder0 = self.encoder
    block0 = encoder0.block
    bn = block0.bn
    y0 = __torch__.ej_relu(ej_taps, ej_mode, (bn).ej_t_forward(ej_taps, ej_sel, ej_id + 5, ej_mode, ej_attn, y))
    stages = self.stages
    _0 = getattr(stages, "0")
    _1 = getattr(_0, "1")
    y1 = (_1).ej_t_forward(ej_taps, ej_sel, ej_id + 13, ej_mode, ej_attn, y0)
    stages0 = self.stages
    _10 = getattr(stages0, "1")
    _00 = getattr(_10, "0")
    y2 = __torch__.ej_relu(ej_taps, ej_mode, (_00).ej_h_pre(ej_taps, ej_sel, ej_id + 18, ej_mode, ej_attn, y1))
    stages1 = self.stages
    _11 = getattr(stages1, "1")
    _12 = getattr(_11, "1")
    y3 = (_12).ej_t_forward(ej_taps, ej_sel, ej_id + 22, ej_mode, ej_attn, y2)
    y4 = (self).ej_h_tail(ej_taps, ej_sel, ej_id, ej_mode, ej_attn, y3)
    head = self.head
    ej_out = (head).ej_t_forward(ej_taps, ej_sel, ej_id + 23, ej_mode, ej_attn, y4)
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
  def ej_h_tail(self: __torch__.NestedReceivers,
    ej_taps: List[Tensor],
    ej_sel: int,
    ej_id: int,
    ej_mode: int,
    ej_attn: int,
    y: Tensor) -> Tensor:
    stages = self.stages
    _0 = getattr(stages, "0")
    _01 = getattr(_0, "0")
    relu = _01.relu
    stages2 = self.stages
    _02 = getattr(stages2, "0")
    _03 = getattr(_02, "0")
    bn = _03.bn
    return (relu).ej_t_forward(ej_taps, ej_sel, ej_id + 12, ej_mode, ej_attn, (bn).ej_t_forward(ej_taps, ej_sel, ej_id + 11, ej_mode, ej_attn, y))
class Encoder(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  block : __torch__.ConvBnRelu
class ConvBnRelu(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  conv : __torch__.torch.nn.modules.conv.___torch_mangle_0.Conv2d
  bn : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  relu : __torch__.torch.nn.modules.activation.ReLU
  def forward(self: __torch__.ConvBnRelu,
    x: Tensor) -> Tensor:
    relu = self.relu
    bn = self.bn
    conv = self.conv
    _0 = (relu).forward((bn).forward((conv).forward(x, ), ), )
    return _0
  def pre(self: __torch__.ConvBnRelu,
    x: Tensor) -> Tensor:
    bn = self.bn
    conv = self.conv
    return (bn).forward((conv).forward(x, ), )
  def ej_h_pre(self: __torch__.ConvBnRelu,
    ej_taps: List[Tensor],
    ej_sel: int,
    ej_id: int,
    ej_mode: int,
    ej_attn: int,
    x: Tensor) -> Tensor:
    bn = self.bn
    conv = self.conv
    return (bn).ej_t_forward(ej_taps, ej_sel, ej_id + 2, ej_mode, ej_attn, (conv).ej_t_forward(ej_taps, ej_sel, ej_id + 1, ej_mode, ej_attn, x))
  def ej_t_forward(self: __torch__.ConvBnRelu,
    ej_taps: List[Tensor],
    ej_sel: int,
    ej_id: int,
    ej_mode: int,
    ej_attn: int,
    x: Tensor) -> Tensor:
    relu = self.relu
    bn = self.bn
    conv = self.conv
    _0 = (relu).ej_t_forward(ej_taps, ej_sel, ej_id + 3, ej_mode, ej_attn, (bn).ej_t_forward(ej_taps, ej_sel, ej_id + 2, ej_mode, ej_attn, (conv).ej_t_forward(ej_taps, ej_sel, ej_id + 1, ej_mode, ej_attn, x)))
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
    _1 = torch.flatten((pool).forward(x, ), 1)
    return (fc).forward(_1, )
  def ej_t_forward(self: __torch__.Head,
    ej_taps: List[Tensor],
    ej_sel: int,
    ej_id: int,
    ej_mode: int,
    ej_attn: int,
    x: Tensor) -> Tensor:
    fc = self.fc
    pool = self.pool
    _1 = torch.flatten((pool).ej_t_forward(ej_taps, ej_sel, ej_id + 1, ej_mode, ej_attn, x), 1)
    ej_out = (fc).ej_t_forward(ej_taps, ej_sel, ej_id + 2, ej_mode, ej_attn, _1)
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
