class ReluModuleResultIgnored(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  conv1 : __torch__.torch.nn.modules.conv.Conv2d
  bn1 : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  act1 : __torch__.torch.nn.modules.activation.ReLU
  conv2 : __torch__.torch.nn.modules.conv.___torch_mangle_0.Conv2d
  bn2 : __torch__.torch.nn.modules.batchnorm.BatchNorm2d
  act2 : __torch__.torch.nn.modules.activation.ReLU
  head : __torch__.Head
  def forward(self: __torch__.ReluModuleResultIgnored,
    x: Tensor) -> Tensor:
    bn1 = self.bn1
    conv1 = self.conv1
    y = (bn1).forward((conv1).forward(x, ), )
    act1 = self.act1
    _0 = (act1).forward(y, )
    bn2 = self.bn2
    conv2 = self.conv2
    z = (bn2).forward((conv2).forward(y, ), )
    act2 = self.act2
    _1 = (act2).forward(z, )
    head = self.head
    return (head).forward(z, )
  def ej_explain(self: __torch__.ReluModuleResultIgnored,
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
  def ej_t_forward(self: __torch__.ReluModuleResultIgnored,
    ej_taps: List[Tensor],
    ej_sel: int,
    ej_id: int,
    ej_mode: int,
    ej_attn: int,
    x: Tensor) -> Tensor:
    bn1 = self.bn1
    conv1 = self.conv1
    y = (bn1).ej_t_forward(ej_taps, ej_sel, ej_id + 2, ej_mode, ej_attn, (conv1).ej_t_forward(ej_taps, ej_sel, ej_id + 1, ej_mode, ej_attn, x))
    act1 = self.act1
    _0 = (act1).ej_t_forward(ej_taps, ej_sel, ej_id + 3, ej_mode, ej_attn, y)
    bn2 = self.bn2
    conv2 = self.conv2
    z = (bn2).ej_t_forward(ej_taps, ej_sel, ej_id + 5, ej_mode, ej_attn, (conv2).ej_t_forward(ej_taps, ej_sel, ej_id + 4, ej_mode, ej_attn, y))
    act2 = self.act2
    _1 = (act2).ej_t_forward(ej_taps, ej_sel, ej_id + 6, ej_mode, ej_attn, z)
    head = self.head
    ej_out = (head).ej_t_forward(ej_taps, ej_sel, ej_id + 7, ej_mode, ej_attn, z)
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
    _2 = torch.flatten((pool).forward(x, ), 1)
    return (fc).forward(_2, )
  def ej_t_forward(self: __torch__.Head,
    ej_taps: List[Tensor],
    ej_sel: int,
    ej_id: int,
    ej_mode: int,
    ej_attn: int,
    x: Tensor) -> Tensor:
    fc = self.fc
    pool = self.pool
    _2 = torch.flatten((pool).ej_t_forward(ej_taps, ej_sel, ej_id + 1, ej_mode, ej_attn, x), 1)
    ej_out = (fc).ej_t_forward(ej_taps, ej_sel, ej_id + 2, ej_mode, ej_attn, _2)
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
