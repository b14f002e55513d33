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
