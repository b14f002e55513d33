#!/usr/bin/python3
"""Build small TorchScript models that each exercise ONE construct a TorchScript-code rewriter must get right.

Purpose
-------
ExplainJ reaches a model's layers by rewriting a copy of the archive's serialized code
(``code/__torch__/*.py``): it adds copies of module methods that thread a tap list, replaces every ReLU call by a
helper that records (z, relu(z)) for staged backprop with guided/deconvnet rules, and cuts a chosen module's output
into a leaf tensor.  The models made here break the constructs that a regex-based rewriter (the old
``TapRewriter``) gets wrong or cannot see: in-place ReLUs whose result is not assigned (``torch.relu_(y)``,
``y.relu_()``, ``F.relu(y, inplace=True)``, an ``nn.ReLU(inplace=True)`` module called for its side effect, an
in-place ReLU on a view), a run-time ``inplace`` argument, receivers with several dots / ModuleList indexing /
submodules passed as arguments, names that collide with the injected ones (``ej_forward``, ``ej_relu_site``,
``ejh_*``, ``ej_taps`` ...), ReLUs inside module-level TorchScript functions, control flow (if/else returns, loops
over an nn.ModuleList, while loops, list comprehensions), module outputs modified in place downstream, tuple and
dict outputs, channels-last intermediate tensors (ConvNeXt-style permute + LayerNorm + Linear), a branch on the
input size, GELU/SiLU without any ReLU, a module called twice with different output shapes, string literals
holding parentheses and "relu(", a method named ``relu`` and a multi-line method header, and one module instance
reachable under two attribute names.  ``manifest.json`` says per model what breaks and what a correct rewriter
must do.

Outputs (``src/test/resources/constructs/``)
--------------------------------------------
* ``models/<name>_scripted.pt`` (every model) and ``models/<name>_traced.pt`` (where the construct survives
  tracing; the manifest says where tracing erases it).  Exported in eval mode in a fresh interpreter
  (this script re-invoked with ``--export``, ``PYTHONHASHSEED=0``) from a state_dict, then stripped of the
  ``.debug_pkl`` records (``scripts/strip_debug_info.py``: they hold absolute paths of the build machine).
* ``code/<name>_<kind>.txt``: the serialized code of each export, verbatim (what the rewriter reads): the records
  of the model's own classes and functions and torch's activation / functional records (the other torch.nn
  records -- Conv2d, BatchNorm2d, ... -- are left out; they are in the .pt).
* ``<name>/`` reference fixtures computed in EAGER PyTorch (eval mode; little-endian float32 ``.npy``, C order,
  batch dimension dropped); ``shape_branch`` has them per input size (``shape_branch/size32``, ``size48``):

  - ``input.npy`` (C,H,W; ``torch.rand`` with a fixed seed), ``output.npy`` (the logits; for tuple / dict outputs
    the logits element, the other elements in ``output_<key>.npy``); target = top-1 logit;
  - ``saliency.npy``: signed d(logit[target]) / d(input);
  - ``guided.npy`` / ``deconv.npy`` (models with ReLUs): guided backprop / deconvnet with the rule applied at EVERY
    ReLU call -- ``torch.relu``, ``torch.relu_``, ``F.relu`` (both ``inplace`` values), ``Tensor.relu``,
    ``Tensor.relu_``, ``nn.ReLU`` modules, also inside free functions -- by patching those entry points with one
    ``torch.autograd.Function`` (in-place variants stay in place: ``ctx.mark_dirty``).  Self-checks: the same
    patch with the vanilla rule reproduces ``saliency.npy`` (max |diff| in the manifest); where every ReLU is an
    out-of-place nn.ReLU module, guided/deconv equal Captum-style full backward hooks (make_test_models);
  - ``<layer>/activation.npy``, ``gradient.npy``, ``gradcam_raw.npy`` for 2-3 layers per model: the module's
    forward hook replaces its output by ``leaf = out.detach().requires_grad_(); return leaf.clone()``, so
    ``leaf`` is the module's own output even when an in-place op follows, and ``leaf.grad`` is dY/dA (Y = the
    target logit); for an in-place module whose return value the caller ignores (``relu_module_result_ignored``
    act1/act2) the returned object -- the caller's tensor -- is itself detached in place and made the leaf
    (``hook_mode`` in the manifest).  ``gradcam_raw`` = sum_k mean_ij(dY/dA_k) * A_k at layer resolution, before
    any ReLU.  A module called several times gets one directory per call (``call0``, ``call1``; only that call is
    cut; the manifest's ``files`` point at the last call, as in fixtures/manifest.json).  Channels-last
    outputs ([N,H,W,C]) are stored channels-first (C,H,W), and the manifest records the source layout.  Each
    activation/gradient is cross-checked against the tensor-hook method of ``make_test_models.py``.

Self-checks recorded in the manifest: every export reproduces the eager outputs (max |diff|, all tuple/dict
elements, both input sizes for ``shape_branch``), module paths of the export vs eager, vanilla-rule vs saliency,
leaf cut vs tensor hooks, the cut leaving the forward output unchanged, the ReLU calls counted per entry point,
and the serialized code lines that show each construct (regexes that must match, so a torch upgrade that
serializes a construct differently is noticed).

How to run (from the repository root; torch 1.13 CPU and numpy, nothing downloaded; about 3 minutes)::

    /usr/bin/python3 scripts/make_construct_models.py               # writes src/test/resources/constructs/
    /usr/bin/python3 scripts/make_construct_models.py --check-only  # regenerates in a temp dir, compares bytes
    /usr/bin/python3 scripts/make_construct_models.py --quiet       # without printing the serialized code

Deterministic: fixed seeds, one thread, deterministic algorithms, PYTHONHASHSEED=0 for the exports; a re-run gives
byte-identical files.  Helpers come from ``scripts/make_test_models.py`` (weights, module table, tensor-hook layer
records, Captum-style ReLU hooks) and ``scripts/fixture_export.py`` (.npy writing, Grad-CAM, the export's
child-interpreter pattern, --check-only).
"""

import argparse
import platform
import re
import shutil
import sys
import tempfile
import warnings
import zipfile
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Tuple

sys.dont_write_bytecode = True          # no scripts/__pycache__ from the imports below

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import Tensor  # noqa: E402

SCRIPTS = Path(__file__).resolve().parent
REPO = SCRIPTS.parent
sys.path.insert(0, str(SCRIPTS))
from fixture_export import (  # noqa: E402
    argument_parser, check_only, deterministic_torch, gradcam_raw, input_gradient, load_eval, log, maxdiff,
    module_at, read_payload, run_export, save_npy, save_torchscript, torch_bytes, trace_or_script, versions,
    write_json)
from make_test_models import init_weights, module_table, record_layers_one_pass, relu_rule_full_hooks  # noqa: E402
from strip_debug_info import debug_records  # noqa: E402

OUT_REL = Path("src/test/resources/constructs")
THREADS = 1
TOL_TS = 1e-5           # TorchScript vs eager
TOL_SAME = 1e-6         # two eager computations of the same quantity


# ==========================================================================
# Building blocks (scripted from this file's source)
# ==========================================================================
def conv3(cin: int, cout: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, kernel_size=3, stride=stride, padding=1, bias=False)


class Head(nn.Module):
    """Global average pooling + Linear."""

    def __init__(self, c: int, k: int):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c, k)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(torch.flatten(self.pool(x), 1))


# ==========================================================================
# 1-5, 16: in-place ReLUs
# ==========================================================================
class InplaceReluStatement(nn.Module):
    """``torch.relu_(y)`` as a statement whose result is not assigned; y is used afterwards."""

    def __init__(self):
        super().__init__()
        self.conv1 = conv3(3, 8, stride=2)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = conv3(8, 8)
        self.bn2 = nn.BatchNorm2d(8)
        self.head = Head(8, 4)

    def forward(self, x: Tensor) -> Tensor:
        y = self.bn1(self.conv1(x))
        torch.relu_(y)
        y = self.bn2(self.conv2(y))
        torch.relu_(y)
        return self.head(y)


class TensorReluMethodInplace(nn.Module):
    """``y.relu_()`` as a statement whose result is not assigned."""

    def __init__(self):
        super().__init__()
        self.conv1 = conv3(1, 8)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = conv3(8, 8)
        self.bn2 = nn.BatchNorm2d(8)
        self.head = Head(8, 4)

    def forward(self, x: Tensor) -> Tensor:
        y = self.bn1(self.conv1(x))
        y.relu_()
        y = self.pool(y)
        y = self.bn2(self.conv2(y))
        y.relu_()
        return self.head(y)


class FunctionalReluInplace(nn.Module):
    """``F.relu(y, inplace=True)`` as a statement whose result is not assigned."""

    def __init__(self):
        super().__init__()
        self.conv1 = conv3(3, 8, stride=2)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = conv3(8, 8)
        self.bn2 = nn.BatchNorm2d(8)
        self.head = Head(8, 4)

    def forward(self, x: Tensor) -> Tensor:
        y = self.bn1(self.conv1(x))
        F.relu(y, inplace=True)
        y = self.bn2(self.conv2(y))
        F.relu(y, inplace=True)
        return self.head(y)


class FunctionalReluRuntimeInplace(nn.Module):
    """``F.relu(y, inplace=self.flag)``: the inplace argument is a module attribute, known only at run time."""

    def __init__(self):
        super().__init__()
        self.conv1 = conv3(1, 8, stride=2)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = conv3(8, 8)
        self.bn2 = nn.BatchNorm2d(8)
        self.head = Head(8, 4)
        self.rectify_in_place = True      # plain bool attribute: TorchScript reads it at run time
        self.keep_input = False

    def forward(self, x: Tensor) -> Tensor:
        y = self.bn1(self.conv1(x))
        F.relu(y, inplace=self.rectify_in_place)       # result ignored: only the in-place write matters
        z = self.bn2(self.conv2(y))
        r = F.relu(z, inplace=self.keep_input)         # out of place: z keeps its negative values
        return self.head(r + 0.5 * z)


class ReluModuleResultIgnored(nn.Module):
    """``nn.ReLU(inplace=True)`` modules called for their side effect; their return values are ignored."""

    def __init__(self):
        super().__init__()
        self.conv1 = conv3(3, 8, stride=2)
        self.bn1 = nn.BatchNorm2d(8)
        self.act1 = nn.ReLU(inplace=True)
        self.conv2 = conv3(8, 8)
        self.bn2 = nn.BatchNorm2d(8)
        self.act2 = nn.ReLU(inplace=True)
        self.head = Head(8, 4)

    def forward(self, x: Tensor) -> Tensor:
        y = self.bn1(self.conv1(x))
        self.act1(y)
        z = self.bn2(self.conv2(y))
        self.act2(z)
        return self.head(z)


class InplaceReluOnView(nn.Module):
    """``torch.relu_(y[:, :4])``: an in-place ReLU on a VIEW rectifies half of y's channels through the alias."""

    def __init__(self):
        super().__init__()
        self.conv1 = conv3(1, 8, stride=2)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = conv3(8, 8)
        self.bn2 = nn.BatchNorm2d(8)
        self.head = Head(8, 4)

    def forward(self, x: Tensor) -> Tensor:
        y = self.bn1(self.conv1(x))
        torch.relu_(y[:, :4])
        y = self.bn2(self.conv2(y))
        y[:, 4:].relu_()
        return self.head(y)


# ==========================================================================
# 6: receivers with several dots, ModuleList/Sequential indexing, submodule arguments
# ==========================================================================
class ConvBnRelu(nn.Module):
    """conv - bn - ReLU module; ``pre`` = conv - bn (a non-forward method)."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.conv = conv3(cin, cout)
        self.bn = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        return self.relu(self.bn(self.conv(x)))

    def pre(self, x: Tensor) -> Tensor:
        return self.bn(self.conv(x))


class Encoder(nn.Module):
    """Only holds ``block`` (no forward is ever called on it)."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.block = ConvBnRelu(cin, cout)


class NestedReceivers(nn.Module):
    """Submodules reached as self.encoder.block.conv, self.stages[1][0].pre, self.stages[-1][-1], and in a helper."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, kernel_size=3, stride=2, padding=1, bias=False)
        self.encoder = Encoder(8, 8)
        self.stages = nn.ModuleList([
            nn.Sequential(ConvBnRelu(8, 8), ConvBnRelu(8, 8)),
            nn.Sequential(ConvBnRelu(8, 8), nn.Conv2d(8, 8, kernel_size=1)),
        ])
        self.head = Head(8, 4)

    def tail(self, y: Tensor) -> Tensor:
        """A helper method that reaches a nested submodule itself."""
        return self.stages[0][0].relu(self.stages[0][0].bn(y))

    def forward(self, x: Tensor) -> Tensor:
        y = self.encoder.block.conv(self.stem(x))
        y = torch.relu(self.encoder.block.bn(y))
        y = self.stages[0][1](y)
        y = torch.relu(self.stages[1][0].pre(y))
        y = self.stages[-1][-1](y)
        y = self.tail(y)
        return self.head(y)


@torch.jit.interface
class ConvBlockInterface(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        pass


class SubmoduleArgument(nn.Module):
    """Nested submodules passed as arguments to a helper method (interface-typed parameter)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1, bias=False)
        self.encoder = Encoder(8, 8)
        self.stages = nn.ModuleList([nn.Sequential(ConvBnRelu(8, 8))])
        self.head = Head(8, 4)

    def run(self, m: ConvBlockInterface, x: Tensor) -> Tensor:
        return m.forward(x)

    def forward(self, x: Tensor) -> Tensor:
        y = self.run(self.encoder.block, self.stem(x))
        y = self.run(self.stages[0][0], y)
        return self.head(y)


# ==========================================================================
# 7: names that collide with the rewriter's injected names
# ==========================================================================
class CollidingBlock(nn.Module):
    """Has its own method named ``ej_forward`` (the name of the rewriter's copy of forward)."""

    def __init__(self, c: int):
        super().__init__()
        self.conv = conv3(c, c)
        self.bn = nn.BatchNorm2d(c)

    def ej_forward(self, x: Tensor) -> Tensor:
        return self.bn(self.conv(x)) * 0.5

    def forward(self, x: Tensor) -> Tensor:
        return torch.relu(self.ej_forward(x) + x)


class NameCollisionsMembers(nn.Module):
    """A submodule attribute ``ej_forward``, methods ``ej_relu_site``, ``ejh_forward``, ``ejh_helper`` (next to a
    helper ``helper``), an exported ``ej_explain``, and a child class with a method ``ej_forward``."""

    def __init__(self):
        super().__init__()
        self.ej_forward = conv3(1, 8, stride=2)
        self.bn = nn.BatchNorm2d(8)
        self.conv2 = conv3(8, 8)
        self.block = CollidingBlock(8)
        self.head = Head(8, 4)

    def ej_relu_site(self, x: Tensor) -> Tensor:
        """NOT a ReLU: an affine map that happens to carry the helper's name."""
        return x * 0.75 + 0.1

    def ejh_forward(self, x: Tensor) -> Tensor:
        return torch.relu(self.bn(x))

    def helper(self, x: Tensor) -> Tensor:
        return torch.relu(self.conv2(x))

    def ejh_helper(self, x: Tensor) -> Tensor:
        return x - 0.05

    @torch.jit.export
    def ej_explain(self, x: Tensor) -> Tensor:
        """An exported method with the rewriter's entry name: the logits times 2."""
        return self.forward(x) * 2.0

    def forward(self, x: Tensor) -> Tensor:
        y = self.ej_forward(x)
        y = self.ejh_forward(y)
        y = self.ej_relu_site(y)
        y = self.helper(y)
        y = self.ejh_helper(y)
        y = self.block(y)
        return self.head(y)


class CtlBlock(nn.Module):
    """forward's parameter is named ``ej_ctl``; locals ``ej_taps``, ``ej_relu``."""

    def __init__(self, c: int):
        super().__init__()
        self.conv = conv3(c, c)
        self.bn = nn.BatchNorm2d(c)

    def forward(self, ej_ctl: Tensor) -> Tensor:
        ej_taps = self.bn(self.conv(ej_ctl))
        ej_relu = torch.relu(ej_taps)
        return ej_relu + 0.25 * ej_relu.mean()


class NameCollisionsLocals(nn.Module):
    """forward's parameter is named ``ej_taps``; locals ``ej_sel``, ``ej_id``, ``ej_out``, ``ej_leaf``, ``ej_y``,
    ``ej_z``, ``ej_t``, ``ej_r``, ``ej_mode`` (the names used inside the rewriter's generated code)."""

    def __init__(self):
        super().__init__()
        self.conv1 = conv3(3, 8, stride=2)
        self.bn1 = nn.BatchNorm2d(8)
        self.block = CtlBlock(8)
        self.head = Head(8, 4)

    def forward(self, ej_taps: Tensor) -> Tensor:
        ej_sel = self.bn1(self.conv1(ej_taps))
        ej_id = torch.relu(ej_sel)
        ej_out = self.block(ej_id)
        ej_leaf = ej_out + ej_id
        ej_z = ej_leaf * 0.5
        ej_t = torch.relu(ej_z - 0.1)
        ej_r = ej_t + ej_z
        ej_mode = int(ej_r.size(1))
        ej_y = ej_r * (8.0 / float(ej_mode))
        return self.head(ej_y)


# ==========================================================================
# 8: ReLUs inside module-level TorchScript functions
# ==========================================================================
@torch.jit.script
def relu_ts(x: Tensor) -> Tensor:
    """Decorated with @torch.jit.script: in eager mode this is a ScriptFunction (see _relu_ts_eager)."""
    return torch.relu(x)


def _relu_ts_eager(x: Tensor) -> Tensor:
    """Eager twin of relu_ts (the references swap it in so that the patched ReLU entry points see the call)."""
    return torch.relu(x)


def inner_relu(x: Tensor) -> Tensor:
    return F.relu(x) * 1.5


def outer_shift_relu(x: Tensor) -> Tensor:
    """A free function that calls another free function with a ReLU."""
    return inner_relu(x - 0.1)


def rectify_in_place_and_discard(x: Tensor) -> None:
    """Rectifies its ARGUMENT in place and returns nothing (the caller's tensor changes)."""
    x.relu_()


class FreeFunctions(nn.Module):
    """ReLUs only inside module-level functions: @torch.jit.script-decorated, plain (compiled by scripting),
    nested, and one that rectifies its argument in place (long name: serialized through a hoisted local)."""

    def __init__(self):
        super().__init__()
        self.conv1 = conv3(1, 8, stride=2)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = conv3(8, 8)
        self.bn2 = nn.BatchNorm2d(8)
        self.conv3 = conv3(8, 8)
        self.bn3 = nn.BatchNorm2d(8)
        self.head = Head(8, 4)

    def forward(self, x: Tensor) -> Tensor:
        y = relu_ts(self.bn1(self.conv1(x)))
        y = outer_shift_relu(self.bn2(self.conv2(y)))
        z = self.bn3(self.conv3(y))
        rectify_in_place_and_discard(z)
        return self.head(z)


# ==========================================================================
# 9: control flow
# ==========================================================================
class ControlFlow(nn.Module):
    """for over an nn.ModuleList, a counted while loop, a data-dependent while loop, a list comprehension with
    ReLUs, and if/else with a return in each branch on a bool attribute."""

    def __init__(self):
        super().__init__()
        self.stem = conv3(3, 8, stride=2)
        self.stem_bn = nn.BatchNorm2d(8)
        self.blocks = nn.ModuleList([nn.Sequential(conv3(8, 8), nn.BatchNorm2d(8)) for _ in range(3)])
        self.refine = nn.Sequential(conv3(8, 8), nn.BatchNorm2d(8))
        self.head_a = Head(8, 4)
        self.head_b = Head(8, 4)
        self.use_head_a = True
        self.refine_steps = 2
        self.limit = 3.0

    def forward(self, x: Tensor) -> Tensor:
        y = torch.relu(self.stem_bn(self.stem(x)))
        for blk in self.blocks:
            y = torch.relu(blk(y)) + 0.5 * y
        i = 0
        while i < self.refine_steps:
            y = F.relu(self.refine(y)) + y
            i += 1
        k = 0
        while bool(y.abs().amax() > self.limit) and k < 4:
            y = y * 0.5
            k += 1
        ys = [torch.relu(c - 0.05) for c in torch.chunk(y, 2, 1)]
        y = torch.cat(ys, 1)
        if self.use_head_a:
            return self.head_a(y)
        else:
            return self.head_b(y)


# ==========================================================================
# 10: module output modified in place downstream
# ==========================================================================
class InplaceAfterModule(nn.Module):
    """``out = self.conv2(y); out += y; out.mul_(2)``: the module's output tensor is overwritten later."""

    def __init__(self):
        super().__init__()
        self.conv1 = conv3(3, 8, stride=2)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = conv3(8, 8)
        self.bn2 = nn.BatchNorm2d(8)
        self.head = Head(8, 4)

    def forward(self, x: Tensor) -> Tensor:
        y = torch.relu(self.bn1(self.conv1(x)))
        out = self.conv2(y)
        out += y
        out.mul_(2)
        out = self.bn2(out)
        out = torch.relu(out)
        return self.head(out)


# ==========================================================================
# 11: tuple and dict outputs
# ==========================================================================
class FeatureBlock(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.conv = conv3(c, c)
        self.bn = nn.BatchNorm2d(c)
        self.relu = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        return self.relu(self.bn(self.conv(x)))


class TupleOutput(nn.Module):
    """Returns (logits, features); features is the output of the module ``block`` (also a layer)."""

    def __init__(self):
        super().__init__()
        self.conv1 = conv3(1, 8, stride=2)
        self.bn1 = nn.BatchNorm2d(8)
        self.block = FeatureBlock(8)
        self.head = Head(8, 4)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        y = F.relu(self.bn1(self.conv1(x)))
        f = self.block(y)
        return self.head(f), f


class DictOutput(nn.Module):
    """Returns {"logits": ..., "aux": ...}; the aux head branches off the trunk and does not feed the logits."""

    def __init__(self):
        super().__init__()
        self.conv1 = conv3(3, 8, stride=2)
        self.bn1 = nn.BatchNorm2d(8)
        self.block = FeatureBlock(8)
        self.aux_conv = nn.Conv2d(8, 4, kernel_size=1)
        self.head = Head(8, 4)

    def forward(self, x: Tensor) -> Dict[str, Tensor]:
        y = F.relu(self.bn1(self.conv1(x)))
        f = self.block(y)
        aux = torch.relu(self.aux_conv(y))
        return {"logits": self.head(f), "aux": torch.flatten(aux.mean((2, 3)), 1)}


# ==========================================================================
# 12: channels-last intermediate tensors
# ==========================================================================
class ConvNeXtBlock(nn.Module):
    """depthwise conv -> permute to [N,H,W,C] -> LayerNorm -> Linear -> ReLU -> Linear -> permute back -> add."""

    def __init__(self, c: int, expansion: int = 2):
        super().__init__()
        self.dwconv = nn.Conv2d(c, c, kernel_size=7, padding=3, groups=c)
        self.norm = nn.LayerNorm(c)
        self.pwconv1 = nn.Linear(c, expansion * c)
        self.act = nn.ReLU()
        self.pwconv2 = nn.Linear(expansion * c, c)

    def forward(self, x: Tensor) -> Tensor:
        y = self.dwconv(x)
        y = y.permute(0, 2, 3, 1)
        y = self.norm(y)
        y = self.pwconv1(y)
        y = self.act(y)
        y = self.pwconv2(y)
        y = y.permute(0, 3, 1, 2)
        return x + y


class ChannelsLast(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = conv3(3, 8, stride=2)
        self.stem_bn = nn.BatchNorm2d(8)
        self.block = ConvNeXtBlock(8)
        self.head = Head(8, 4)

    def forward(self, x: Tensor) -> Tensor:
        y = torch.relu(self.stem_bn(self.stem(x)))
        return self.head(self.block(y))


# ==========================================================================
# 13: a branch on the input size
# ==========================================================================
class ShapeBranch(nn.Module):
    """``if x.shape[-1] > 40``: large inputs go through an extra conv + max pool."""

    def __init__(self):
        super().__init__()
        self.conv1 = conv3(1, 8)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.extra = conv3(8, 8)
        self.extra_bn = nn.BatchNorm2d(8)
        self.conv2 = conv3(8, 8)
        self.bn2 = nn.BatchNorm2d(8)
        self.head = Head(8, 4)

    def forward(self, x: Tensor) -> Tensor:
        y = self.pool(torch.relu(self.bn1(self.conv1(x))))
        if x.shape[-1] > 40:
            y = torch.relu(self.extra_bn(self.extra(y)))
            y = self.pool(y)
        y = torch.relu(self.bn2(self.conv2(y)))
        return self.head(y)


# ==========================================================================
# 14: GELU / SiLU, no ReLU at all
# ==========================================================================
class NoReluGeluSilu(nn.Module):
    """nn.SiLU, F.gelu, nn.GELU(approximate='tanh'), F.silu(inplace=True) unassigned, x * sigmoid(x)."""

    def __init__(self):
        super().__init__()
        self.conv1 = conv3(3, 8, stride=2)
        self.bn1 = nn.BatchNorm2d(8)
        self.act1 = nn.SiLU()
        self.conv2 = conv3(8, 8)
        self.bn2 = nn.BatchNorm2d(8)
        self.conv3 = conv3(8, 8)
        self.act3 = nn.GELU(approximate="tanh")
        self.head = Head(8, 4)

    def forward(self, x: Tensor) -> Tensor:
        y = self.act1(self.bn1(self.conv1(x)))
        y = F.gelu(self.bn2(self.conv2(y)))
        y = self.act3(self.conv3(y))
        F.silu(y, inplace=True)
        y = y * torch.sigmoid(y)
        return self.head(y)


# ==========================================================================
# 15: one module called twice with different output shapes
# ==========================================================================
class CalledTwiceShapes(nn.Module):
    """``self.conv`` runs on the full-size input and on a 2x down-sampled copy (parallel branches)."""

    def __init__(self):
        super().__init__()
        self.conv = conv3(2, 6)
        self.bn_full = nn.BatchNorm2d(6)
        self.bn_half = nn.BatchNorm2d(6)
        self.down = nn.AvgPool2d(2)
        self.conv2 = conv3(12, 8)
        self.bn2 = nn.BatchNorm2d(8)
        self.head = Head(8, 4)

    def forward(self, x: Tensor) -> Tensor:
        a = torch.relu(self.bn_full(self.conv(x)))                 # 6 x H x W
        b = torch.relu(self.bn_half(self.conv(self.down(x))))      # 6 x H/2 x W/2
        y = torch.cat([self.down(a), b], 1)
        return self.head(torch.relu(self.bn2(self.conv2(y))))


# ==========================================================================
# 17: parsing traps
# ==========================================================================
class ParsingTraps(nn.Module):
    """String literals with parentheses, "torch.relu(" and "torch.nn.functional.gelu("; a method named relu that
    is not a ReLU; a helper with a multi-line header and string defaults; dict keys with parentheses; F.relu bound
    to a local variable."""

    def __init__(self):
        super().__init__()
        self.conv1 = conv3(3, 8, stride=2)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = conv3(8, 8)
        self.conv3 = conv3(8, 8)
        self.head = Head(8, 4)
        self.mode = "relu("

    def relu(self, x: Tensor) -> Tensor:
        """NOT a ReLU: clamps at -0.05."""
        return x.clamp(min=-0.05)

    def mix(self, a: Tensor, b: Tensor, alpha: float = 0.5, mode: str = "relu(a) + (b", use_relu: bool = True,
            scales: Tuple[float, float] = (1.0, 2.0)) -> Tensor:
        if mode == "relu(a) + (b" and use_relu:
            return torch.relu(a) * alpha + b * (1.0 - alpha) * scales[0]
        return a + b

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 4:
            raise ValueError("expected (N, C, H, W); \"torch.relu(\" \\ (torch.nn.functional.gelu(x)")
        y = self.relu(self.bn1(self.conv1(x)))
        if self.mode == "relu(":
            y = self.mix(y, self.conv2(y), 0.25, "relu(a) + (b")
        d = {"relu(x)": y, "(": self.conv3(y)}
        f = F.relu
        y = f(d["relu(x)"] + d["("])
        return self.head(y)


# ==========================================================================
# 18: one module instance under two attribute names
# ==========================================================================
class SharedInstance(nn.Module):
    """``self.a`` and ``self.b`` are the SAME Conv2d object, called in series: eager named_modules() lists only
    ``a``; TorchScript's module tree lists both ``a`` and ``b``."""

    def __init__(self):
        super().__init__()
        self.stem = conv3(1, 8, stride=2)
        self.stem_bn = nn.BatchNorm2d(8)
        shared = conv3(8, 8)
        self.a = shared
        self.bn_a = nn.BatchNorm2d(8)
        self.b = shared
        self.bn_b = nn.BatchNorm2d(8)
        self.head = Head(8, 4)

    def forward(self, x: Tensor) -> Tensor:
        y = torch.relu(self.stem_bn(self.stem(x)))
        y = torch.relu(self.bn_a(self.a(y)))
        y = torch.relu(self.bn_b(self.b(y)))
        return self.head(y)


# ==========================================================================
# Specifications
# ==========================================================================
TRACE_KEPT_INPLACE = ("tracing keeps the in-place op but turns it into data flow: the traced code assigns its "
                      "result to a new name and later code uses that name")

SPECS = OrderedDict()


def spec(name, cls, **kw):
    SPECS[name] = dict(cls=cls, **kw)


spec("inplace_relu_stmt", InplaceReluStatement, sizes=[(3, 32, 32)], seed=101,
     construct="torch.relu_(y) as a statement whose result is not assigned; y is used afterwards",
     breaks="replacing 'torch.relu_(y)' by an out-of-place helper call whose result is discarded leaves y "
            "unrectified; every later result is wrong",
     must="keep the in-place semantics: rectify y itself (e.g. y.copy_(relu) or relu_ in the helper, or rebind "
          "y to the helper's result) and record (z, relu(z)) for the ReLU stages",
     layers=["bn1", "conv1", "bn2"], traced=True, trace_note=TRACE_KEPT_INPLACE,
     markers={"scripted": [r"= torch\.relu_\(y\)$", r"= torch\.relu_\(y0\)$"], "traced": [r"torch\.relu_\("]})
spec("tensor_relu_method_inplace", TensorReluMethodInplace, sizes=[(1, 32, 32)], seed=102,
     construct="y.relu_() as a statement whose result is not assigned (serialized as torch.relu_(y))",
     breaks="serialized as '_0 = torch.relu_(y)': the same pitfall as inplace_relu_stmt",
     must="keep the in-place semantics of the Tensor.relu_ method call",
     layers=["bn1", "pool", "bn2"], traced=True, trace_note=TRACE_KEPT_INPLACE,
     markers={"scripted": [r"= torch\.relu_\(y\)$", r"= torch\.relu_\(y1\)$"], "traced": [r"torch\.relu_\("]})
spec("functional_relu_inplace", FunctionalReluInplace, sizes=[(3, 32, 32)], seed=103,
     construct="F.relu(y, inplace=True) as a statement whose result is not assigned",
     breaks="serialized as '__torch__.torch.nn.functional.relu(y, True, )'; a rewriter that ignores the inplace "
            "argument replaces it by an out-of-place call whose result is discarded",
     must="honour inplace=True (rectify y itself)",
     layers=["bn1", "conv2", "bn2"], traced=True,
     trace_note=TRACE_KEPT_INPLACE + "; the F.relu wrapper disappears (torch.relu_ directly)",
     markers={"scripted": [r"__torch__\.torch\.nn\.functional\.relu\(y, True, \)",
                           r"__torch__\.torch\.nn\.functional\.relu\(y0, True, \)",
                           r"^  if inplace:", r"result = torch\.relu_\(input\)"],
              "traced": [r"torch\.relu_\("]})
spec("functional_relu_runtime_inplace", FunctionalReluRuntimeInplace, sizes=[(1, 32, 32)], seed=104,
     construct="F.relu(y, inplace=self.rectify_in_place) with a bool module attribute (True; result ignored) and "
               "F.relu(z, inplace=self.keep_input) (False; z is used again afterwards)",
     breaks="the inplace argument is a variable read from the module at run time ('relu(y, rectify_in_place, )'); "
            "ignoring it leaves y unrectified, assuming in place would wrongly rectify z",
     must="decide in place vs out of place at RUN TIME from the argument (e.g. pass it to the helper)",
     layers=["bn1", "conv2", "bn2"], traced=False,
     trace_note="tracing ERASES it: the flag is read at trace time and baked in as torch.relu_ / torch.relu",
     markers={"scripted": [r"rectify_in_place = self\.rectify_in_place",
                           r"relu\(y, rectify_in_place, \)", r"relu\(z, keep_input, \)"]})
spec("relu_module_result_ignored", ReluModuleResultIgnored, sizes=[(3, 32, 32)], seed=105,
     construct="nn.ReLU(inplace=True) modules called as statements ('self.act1(y)'); later code uses y",
     breaks="the call is '_0 = (act1).forward(y, )' and ReLU.forward is 'relu(input, True, )': an out-of-place "
            "replacement leaves y unrectified; and the module's output IS its input object, so cutting 'act1' by "
            "returning a fresh leaf cuts nothing (the caller ignores the return value)",
     must="keep the in-place write; to tap act1 the cut must reach the caller's y (e.g. rebind the argument "
          "variable in the caller, or make the leaf in place)",
     layers=["bn1", "act1", "conv2", "act2"], hook_modes={"act1": "detach_in_place", "act2": "detach_in_place"},
     traced=True,
     trace_note="tracing keeps the module call but the ignored result becomes the value used downstream "
                "('_0 = (act1).forward(...)' then '(conv2).forward(_0, )'), so the trace does not show the "
                "construct",
     markers={"scripted": [r"_\d+ = \(act1\)\.forward\(y, \)", r"_\d+ = \(act2\)\.forward\(z, \)",
                           r"relu\(input, True, \)"],
              "traced": [r"\(act1\)\.forward\("]})
spec("inplace_relu_on_view", InplaceReluOnView, sizes=[(1, 32, 32)], seed=116,
     construct="torch.relu_(y[:, :4]) and y[:, 4:].relu_(): in-place ReLUs on views (slices) of y; only those "
               "channels of y are rectified, through the alias",
     breaks="serialized as '_0 = torch.slice(torch.slice(y), 1, None, 4)' then '_1 = torch.relu_(_0)' (and "
            "'torch.relu_(torch.slice(...))' inline); an out-of-place replacement writes nothing back into y",
     must="write the rectified values back through the view (e.g. view.copy_(...)) or keep relu_",
     layers=["bn1", "conv2", "bn2"], traced=True, trace_note=TRACE_KEPT_INPLACE,
     markers={"scripted": [r"_0 = torch\.slice\(torch\.slice\(y\), 1, None, 4\)$", r"_1 = torch\.relu_\(_0\)$",
                           r"torch\.relu_\(torch\.slice\(torch\.slice\(y0\), 1, 4\)\)"],
              "traced": [r"torch\.relu_\("]})
spec("nested_receivers", NestedReceivers, sizes=[(3, 32, 32)], seed=106,
     construct="self.encoder.block.conv(...), self.encoder.block.bn(...), self.stages[0][1](...), "
               "self.stages[1][0].pre(...) (non-forward method of a nested submodule), self.stages[-1][-1](...), "
               "and a helper method that calls self.stages[0][0].bn / .relu",
     breaks="the receivers are chains of aliases ('encoder = self.encoder', 'block = encoder.block', 'conv = "
            "block.conv', '_1 = getattr(stages, \"1\")', '_0 = getattr(_1, \"0\")'); negative indexes are "
            "resolved to positive names; stages.1.0's forward never runs (only its method pre)",
     must="resolve alias chains of any depth to module paths (encoder.block.conv, stages.1.1, ...), copy non-forward "
          "methods of nested submodules (pre) and helper methods, and count each tap under its real path",
     layers=["encoder.block.conv", "stages.0.1", "stages.1.0.bn", "stages.1.1"], traced=True,
     trace_note="tracing keeps the getattr chains (the helper method and stages.1.0.pre are inlined)",
     markers={"scripted": [r"block = encoder\.block$", r"conv = block\.conv$", r"bn = block0\.bn$",
                           r'_10 = getattr\(stages0, "1"\)$', r'_00 = getattr\(_10, "0"\)$',
                           r"\(_00\)\.pre\(y1, \)", r'_12 = getattr\(_11, "1"\)$', r"\(self\)\.tail\(",
                           r"relu = _01\.relu$"],
              "traced": [r"relu = _00\.relu$", r"conv = _04\.conv$", r"conv0 = block0\.conv$",
                         r"\(conv\)\.forward\(\(_13\)\.forward\(input, \), \)"]},
     notes=["stages.1.0 itself is never called through forward (only stages.1.0.pre), so it has no module output; "
            "stages.0.0 is only used through its children bn and relu inside tail()"])
spec("submodule_argument", SubmoduleArgument, sizes=[(1, 32, 32)], seed=107,
     construct="self.run(self.encoder.block, y) and self.run(self.stages[0][0], y) where run(self, m: "
               "ConvBlockInterface, x) calls m.forward(x) (module interface type; a nested-path variant of "
               "models/refused/helper_arg)",
     breaks="the callee behind 'm' is known only at the call site (an alias chain passed as an argument)",
     must="either specialise the helper per call site (inline / copy per argument) or refuse clearly",
     layers=["encoder.block.conv", "stages.0.0.bn", "stem"], traced=False,
     trace_note="tracing ERASES it: run() is inlined, m.forward is not a module call",
     markers={"scripted": [r"\(self\)\.run\(block, ", r"m: __torch__\.ConvBlockInterface", r"\(m\)\.forward\(x, \)",
                           r"class ConvBlockInterface\(ModuleInterface\)"]},
     notes=["encoder.block and stages.0.0 are called through m.forward(), not __call__, so eager forward hooks "
            "do not fire on them; their children (conv, bn, relu) are called normally"])
spec("name_collisions_members", NameCollisionsMembers, sizes=[(1, 32, 32)], seed=108,
     construct="a submodule attribute named ej_forward, methods ej_relu_site (NOT a ReLU), ejh_forward, "
               "helper + ejh_helper, an exported method ej_explain, and a child class with a method ej_forward",
     breaks="the generated names ej_forward / ej_relu_site / ejh_helper / ej_explain already exist (duplicate "
            "definitions, or a method shadowing an attribute); a name-based ReLU matcher may take ej_relu_site "
            "for the injected helper",
     must="choose injected names that do not collide (check every attribute, method and free function)",
     layers=["ej_forward", "bn", "block.bn"], traced=True,
     trace_note="tracing keeps the attribute ej_forward; the methods are inlined (erased)",
     markers={"scripted": [r"^  ej_forward : ", r"def ej_relu_site\(", r"def ejh_forward\(", r"def ejh_helper\(",
                           r"def ej_explain\(", r"\(self\)\.ej_forward\(x, \)"],
              "traced": [r"ej_forward = self\.ej_forward"]})
spec("name_collisions_locals", NameCollisionsLocals, sizes=[(3, 32, 32)], seed=109,
     construct="forward(self, ej_taps), locals ej_sel / ej_id / ej_out / ej_leaf / ej_z / ej_t / ej_r / ej_mode / "
               "ej_y, and a child forward(self, ej_ctl) with locals ej_taps / ej_relu",
     breaks="the generated copies add parameters and locals with these names (ej_taps, ej_sel, ej_id, ej_relu, "
            "ej_ctl in the entry method, ej_out / ej_leaf at the tapped returns, ej_y in the entry)",
     must="rename (or prefix uniquely) every injected parameter/local, or rename the model's own",
     layers=["bn1", "block", "block.bn"], traced=True,
     trace_note="tracing keeps forward's parameter name ej_taps and even the local names ej_leaf, ej_z, ej_t, "
                "ej_r, ej_relu (the child's parameter becomes 'input'); ej_mode becomes a constant",
     markers={"scripted": [r"ej_taps: Tensor\) -> Tensor:", r"ej_ctl: Tensor\) -> Tensor:", r"ej_sel = ",
                           r"ej_id = torch\.relu\(ej_sel\)", r"ej_out = ", r"ej_leaf = ", r"ej_mode = ",
                           r"ej_taps = \(bn\)", r"ej_relu = torch\.relu\(ej_taps\)"],
              "traced": [r"ej_taps: Tensor\) -> Tensor:", r"ej_leaf = ", r"ej_relu = torch\.relu\("]})
spec("free_functions", FreeFunctions, sizes=[(1, 32, 32)], seed=110,
     construct="ReLUs only in module-level functions: relu_ts (@torch.jit.script-decorated), outer_shift_relu -> "
               "inner_relu (plain functions compiled by scripting, nested, F.relu), rectify_in_place_and_discard "
               "(x.relu_() on its argument, returns None; its long name is hoisted into a local '_0 = "
               "__torch__.rectify_in_place_and_discard')",
     breaks="functions get no tap list unless the rewriter copies them; the hoisted function local hides the call "
            "site; the in-place write crosses a function boundary",
     must="copy free functions (with the tap list) along the call graph, follow hoisted function locals, keep the "
          "argument mutation",
     layers=["bn1", "bn2", "bn3"], traced=False,
     trace_note="tracing ERASES it: the functions are inlined into forward",
     markers={"scripted": [r"__torch__\.relu_ts\(", r"_\d+ = __torch__\.rectify_in_place_and_discard$",
                           r"^def relu_ts\(", r"^def outer_shift_relu\(", r"__torch__\.inner_relu\(",
                           r"_\d+ = torch\.relu_\(x\)$"]},
     notes=["relu_ts is a ScriptFunction in eager Python (TorchScript code, not seen by Python patches); the eager "
            "references call its Python twin _relu_ts_eager (same body); checks.script_function_vs_eager_twin "
            "records that both give the same output"])
spec("control_flow", ControlFlow, sizes=[(3, 32, 32)], seed=111,
     construct="for blk in self.blocks (unrolled by the compiler), a counted while loop over self.refine "
               "(refine_steps = 2 is a run-time attribute), a data-dependent while loop, a list comprehension "
               "with torch.relu, if self.use_head_a: return ... else: return ...",
     breaks="the serialized code has loops with tuple-assigned loop-carried variables, a for-range loop from the "
            "list comprehension with torch.append, and the two returns merged into one after the if; refine runs "
            "twice (two outputs of one module)",
     must="rewrite inside loop bodies and if branches, tap every call of a module called in a loop, keep the "
          "data-dependent loop running on the same values",
     layers=["stem_bn", "blocks.1", "refine", "head_a.pool"], traced=False,
     trace_note="tracing ERASES it: loops unrolled for the example input, the if resolved",
     markers={"scripted": [r"^    while ", r"torch\.append\(ys, torch\.relu\(", r"if use_head_a:",
                           r"_\d+, y\d*, i = ", r"for _\d+ in range\(torch\.len\("]})
spec("inplace_after_module", InplaceAfterModule, sizes=[(3, 32, 32)], seed=112,
     construct="out = self.conv2(y); out += y; out.mul_(2): the module output is modified in place downstream",
     breaks="tapping conv2 by keeping a reference to 'out' records the values after += and mul_, and the "
            "gradient w.r.t. the wrong version",
     must="clone the output at the tap (leaf + clone), so the leaf keeps conv2's own values",
     layers=["conv2", "bn1", "bn2"], traced=True, trace_note="tracing keeps add_ and mul_",
     markers={"scripted": [r"out0 = torch\.add_\(out, y\)", r"torch\.mul_\(out0, 2\)"],
              "traced": [r"torch\.add_\(", r"torch\.mul_\("]})
spec("tuple_output", TupleOutput, sizes=[(1, 32, 32)], seed=113, output="tuple",
     construct="forward returns (logits, features); features is the output of the module 'block', which is also "
               "a layer",
     breaks="a non-Tensor return; the tapped module's output is itself a graph output",
     must="explain output element 0 (logits); tapping 'block' must not change the returned features",
     layers=["block", "bn1"], traced=True, trace_note="tracing keeps the tuple output",
     markers={"scripted": [r"-> Tuple\[Tensor, Tensor\]:", r"return \(\(head\)\.forward\(f, \), f\)$"],
              "traced": [r"-> Tuple\[Tensor, Tensor\]:", r"return \(\(head\)\.forward\(_1, \), _1\)$"]})
spec("dict_output", DictOutput, sizes=[(3, 32, 32)], seed=114, output="dict",
     construct="forward returns {\"logits\": ..., \"aux\": ...}; aux_conv feeds only 'aux'",
     breaks="a non-Tensor return; a layer that is off the target's path",
     must="explain the 'logits' element; aux_conv's gradient w.r.t. the logits is exactly zero",
     layers=["block", "aux_conv"], zero_grad_layers=["aux_conv"], traced=True,
     trace_note="traced with strict=False; the dict survives",
     markers={"scripted": [r"-> Dict\[str, Tensor\]:", r"\{\"logits\": "],
              "traced": [r"-> Dict\[str, Tensor\]:", r"\{\"logits\": "]},
     notes=["aux_conv is not on the logits' path: its gradient.npy and gradcam_raw.npy are all zeros"])
spec("channels_last_block", ChannelsLast, sizes=[(3, 32, 32)], seed=115,
     construct="ConvNeXt-style block: permute to [N,H,W,C], LayerNorm + Linear + ReLU + Linear on the last dim, "
               "permute back; block.norm / pwconv1 / act / pwconv2 output channels-last tensors",
     breaks="Grad-CAM assumes dim 1 = channels; for these modules dim 1 is H",
     must="report the layout of each layer (channels-last when the module's output is [N,H,W,C]) and compute "
          "Grad-CAM over the last dim for those",
     layers=["block.pwconv1", "block.act", "block"], layouts={"block.pwconv1": "NHWC", "block.act": "NHWC"},
     traced=True, trace_note="tracing keeps the permutes",
     markers={"scripted": [r"torch\.permute\(y, \[0, 2, 3, 1\]\)", r"torch\.permute\(y\d*, \[0, 3, 1, 2\]\)"],
              "traced": [r"torch\.permute\(\(dwconv\)\.forward\(input, \), \[0, 2, 3, 1\]\)",
                         r"torch\.permute\(_\d+, \[0, 3, 1, 2\]\)"]})
spec("shape_branch", ShapeBranch, sizes=[(1, 32, 32), (1, 48, 48)], seed=117,
     construct="if x.shape[-1] > 40: extra conv + pool (runs for 48x48 inputs, not for 32x32)",
     breaks="a rewriter (or a cache of tap shapes) that assumes one path for all input sizes: the layer 'extra' "
            "exists only for large inputs and conv2's output shape depends on the size",
     must="keep the branch in the rewritten copy; report no activation for 'extra' at 32x32",
     layers=["conv1", "extra", "conv2"], traced=False,
     trace_note="tracing ERASES it: the branch of the example input is baked in",
     markers={"scripted": [r"torch\.gt\(\(torch\.size\(x\)\)\[-1\], 40\)"]})
spec("no_relu_gelu_silu", NoReluGeluSilu, sizes=[(3, 32, 32)], seed=118, relu_rules=False,
     construct="nn.SiLU, F.gelu, nn.GELU(approximate='tanh'), F.silu(y, inplace=True) unassigned, x * sigmoid(x); "
               "no ReLU anywhere",
     breaks="guided backprop / deconvnet have no ReLU to act on; F.silu(inplace=True) is another unassigned "
            "in-place activation",
     must="offer Saliency and Grad-CAM; say that ReLU rules do not apply (no guided/deconv references here)",
     layers=["act1", "conv2", "act3"], traced=True, trace_note="tracing keeps the activations",
     markers={"scripted": [r"functional\.silu\(", r"torch\.gelu\(", r"approximate=\"tanh\"",
                           r"silu\(y\d*, True, \)"],
              "traced": [r"torch\.silu_\(", r"torch\.gelu\("]})
spec("called_twice_shapes", CalledTwiceShapes, sizes=[(2, 48, 48)], seed=119,
     construct="self.conv called twice: on x (6 x 48 x 48 output) and on down(x) (6 x 24 x 24 output), in "
               "parallel branches",
     breaks="one module, two outputs of different shapes; a traced file has two methods (forward, forward1)",
     must="tap every call (one leaf per call) and report them separately",
     layers=["conv", "conv2"], traced=True,
     trace_note="tracing keeps both calls as methods forward and forward1 of conv",
     markers={"scripted": [r"\(conv\)\.forward\(x, \)", r"\(conv0\)\.forward\("],
              "traced": [r"\.forward1\("]},
     notes=["the calls are on parallel branches, so cutting both at once gives the same gradients as cutting each "
            "alone"])
spec("parsing_traps", ParsingTraps, sizes=[(3, 32, 32)], seed=120,
     construct="string literals holding '(', 'relu(', 'torch.relu(' and 'torch.nn.functional.gelu(' (an error "
               "message hoisted into '_0 = \"...\"', dict keys, default arguments), a method named relu that is "
               "NOT a ReLU ('(self).relu(...)'), a helper with a multi-line header and string/tuple defaults, "
               "F.relu bound to a local (erased by the compiler)",
     breaks="regexes that do not skip strings see a GELU (OTHER_ACTIVATION) and ReLU calls in the message; "
            "bracket counting over strings breaks multi-line headers; a name-only matcher takes self.relu for a "
            "ReLU",
     must="tokenize strings; treat (self).relu as a method call; parse multi-line headers with defaults",
     layers=["bn1", "conv2", "conv3"], traced=False,
     trace_note="tracing ERASES it: strings, methods and the branch disappear",
     markers={"scripted": [r'_0 = "expected \(N, C, H, W\); ',
                           r"\(self\)\.relu\(", r"mode: str=\"relu\(a\) \+ \(b\",", r"\{\"relu\(x\)\": ",
                           r"def relu\(self"]})
spec("shared_instance", SharedInstance, sizes=[(1, 32, 32)], seed=121,
     construct="one Conv2d object stored as attributes a and b (called in series)",
     breaks="TorchScript's module tree has paths a and b (one object); eager named_modules() has only a; a forward "
            "hook on the object fires for both calls",
     must="define what 'layer a' and 'layer b' mean: in the scripted file call 0 runs via attribute a and call 1 "
          "via attribute b; in the traced file BOTH run via a (ts_path_calls in the layer entry); cutting both "
          "calls at once would stop the gradient to call 0",
     layers=["a", "bn_b"], traced=True,
     trace_note="tracing keeps both attributes but routes BOTH calls through a (methods forward and forward1); b "
                "is never called in the traced file",
     ts_path_calls={"a": {"scripted": {"a": [0], "b": [1]}, "traced": {"a": [0, 1], "b": []}}},
     markers={"scripted": [r"^  a : ", r"^  b : ", r"\(b\)\.forward\(", r"\(a\)\.forward\("],
              "traced": [r"^  a : ", r"^  b : ", r"\(a\)\.forward\(", r"\(a\)\.forward1\("]},
     notes=["each call's reference cuts ONLY that call (call 1's input is call 0's descendant)"])

# What the regex-based TapRewriter (the one being replaced; git HEAD when this script was written) does with each
# construct, read from its source -- not run.
OLD_TAP_REWRITER = {
    "inplace_relu_stmt": "breaks: RELU_CALL matches 'torch.relu_(' and the statement becomes '_0 = "
                         "(self).ej_relu_site(ej_taps, ej_relu, y)'; ej_relu_site computes torch.relu(ej_z) out of "
                         "place even with relu_mode 0, so y stays unrectified and the rewritten forward gives "
                         "another output",
    "tensor_relu_method_inplace": "breaks: as inplace_relu_stmt (serialized the same way)",
    "functional_relu_inplace": "breaks: '__torch__.torch.nn.functional.relu(y, True, )' matches RELU_CALL and only "
                               "the first argument is kept (inplace dropped); y stays unrectified",
    "functional_relu_runtime_inplace": "breaks: as functional_relu_inplace; the run-time flag is dropped",
    "relu_module_result_ignored": "breaks: ReLU.forward is copied with 'relu(input, True, )' replaced out of place, "
                                  "so y stays unrectified; tapping act1 appends a leaf the caller never uses (zero "
                                  "gradient)",
    "inplace_relu_on_view": "breaks: '_1 = torch.relu_(_0)' becomes an out-of-place helper call; nothing is written "
                            "back into y",
    "nested_receivers": "probably handled for the forward calls (ALIAS_ATTR / ALIAS_GETATTR chains); '(_00).pre(y1, "
                        ")' is copied as an entry variant whose return is tapped with stages.1.0's number, although "
                        "stages.1.0's forward never runs",
    "submodule_argument": "refused (refuseModuleInterfaces: interface-typed parameter)",
    "name_collisions_members": "breaks: it adds ej_forward to the root (attribute ej_forward exists) and to "
                               "CollidingBlock (method ej_forward exists), ej_relu_site (exists), ejh_helper as the "
                               "copy of helper (exists) and ej_explain (exists): the rewritten code cannot compile",
    "name_collisions_locals": "breaks: the entry is 'def ej_explain(self, ej_taps: Tensor, ej_ctl: Tensor)' and "
                              "'ej_taps = annotate(List[Tensor], [])' overwrites the input; the copy of forward has "
                              "two parameters named ej_taps; in CtlBlock's copy the local ej_taps overwrites the "
                              "tap list",
    "free_functions": "limited: functions are not copied; their ReLUs go to unreachedRelus, so guided/deconv are "
                      "refused for the whole model; layer taps work",
    "control_flow": "probably handled (the statement-wise rewrite keeps loops and ifs; each call of refine appends "
                    "a leaf when refine is selected)",
    "inplace_after_module": "handled (leaf + clone at the tapped return): a regression test",
    "tuple_output": "refused: forward must return Tensor",
    "dict_output": "refused: forward must return Tensor",
    "channels_last_block": "taps work; nothing reports the layout, so Grad-CAM would treat H as channels",
    "shape_branch": "probably handled (the if is kept); a layer catalogue (ej_sel = -2) made at one input size "
                    "misses 'extra' or reports other shapes",
    "no_relu_gelu_silu": "handled: OTHER_ACTIVATION reports gelu/silu, reluSites = 0 so ReLU rules are refused",
    "called_twice_shapes": "each call appends its own leaf; the caller must keep them apart",
    "parsing_traps": "partly: OTHER_ACTIVATION runs on statement text including string literals and reports "
                     "'gelu in ParsingTraps' from the error message (no GELU exists); transform() skips strings "
                     "and leaves (self).relu alone",
    "shared_instance": "taps by attribute path (a and b get separate numbers); in the traced file the second call "
                       "is a.forward1, which it copies under a's number",
}
assert set(OLD_TAP_REWRITER) == set(SPECS)

EXPORT_CLASSES = {name: s["cls"] for name, s in SPECS.items()}


# ==========================================================================
# Export (in a fresh interpreter)
# ==========================================================================
def export_torchscript(name, kind, path):
    """Internal (--export): read a state dict from stdin, save TorchScript, strip debug records."""
    torch.set_num_threads(THREADS)
    model = load_eval(EXPORT_CLASSES[name](), read_payload())
    warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
    if kind == "traced":
        # trace() compiles @torch.jit.export methods first and then fails with "method forward already defined":
        # drop the export marker in this (trace-only) interpreter, as make_test_models.py does
        NameCollisionsMembers.ej_explain.__dict__.pop("_torchscript_modifier", None)
    c, h, w = SPECS[name]["sizes"][0]
    ts = trace_or_script(model, kind == "traced", torch.zeros(1, c, h, w), strict=SPECS[name].get("output") != "dict")
    save_torchscript(ts, path)


# ==========================================================================
# ReLU rules on every ReLU entry point
# ==========================================================================
_ORIG = OrderedDict([
    ("torch.relu", torch.relu),
    ("torch.relu_", torch.relu_),
    ("F.relu", F.relu),
    ("Tensor.relu", torch.Tensor.relu),
    ("Tensor.relu_", torch.Tensor.relu_),
    ("nn.ReLU.forward", nn.ReLU.forward),
])


class _ReluRule(torch.autograd.Function):
    """relu / relu_ with a replaceable backward: vanilla g*[out>0], guided relu(g)*[out>0], deconv relu(g)."""

    @staticmethod
    def forward(ctx, z, rule, inplace):
        if inplace:
            ctx.mark_dirty(z)
            out = _ORIG["torch.relu_"](z)
        else:
            out = _ORIG["torch.relu"](z)
        ctx.rule = rule
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        if ctx.rule == "vanilla":
            r = g * (out > 0).to(g.dtype)
        elif ctx.rule == "guided":
            r = g.clamp(min=0) * (out > 0).to(g.dtype)
        elif ctx.rule == "deconv":
            r = g.clamp(min=0)
        else:
            raise ValueError(ctx.rule)
        return r, None, None


@contextmanager
def relu_rule(rule, counts):
    """Patches every ReLU entry point with _ReluRule; counts[entry] = number of calls."""
    for k in _ORIG:
        counts.setdefault(k, 0)

    def make(entry, inplace):
        def f(z):
            counts[entry] += 1
            return _ReluRule.apply(z, rule, inplace)
        return f

    def f_relu(input, inplace=False):
        counts["F.relu"] += 1
        return _ReluRule.apply(input, rule, bool(inplace))

    def module_forward(self, input):
        counts["nn.ReLU.forward"] += 1
        return _ReluRule.apply(input, rule, bool(self.inplace))

    had = {k: k.split(".")[-1] in torch.Tensor.__dict__ for k in ("Tensor.relu", "Tensor.relu_")}
    torch.relu = make("torch.relu", False)
    torch.relu_ = make("torch.relu_", True)
    F.relu = f_relu
    torch.Tensor.relu = make("Tensor.relu", False)
    torch.Tensor.relu_ = make("Tensor.relu_", True)
    nn.ReLU.forward = module_forward
    try:
        yield counts
    finally:
        torch.relu = _ORIG["torch.relu"]
        torch.relu_ = _ORIG["torch.relu_"]
        F.relu = _ORIG["F.relu"]
        for k in ("Tensor.relu", "Tensor.relu_"):
            attr = k.split(".")[-1]
            if had[k]:
                setattr(torch.Tensor, attr, _ORIG[k])
            else:
                delattr(torch.Tensor, attr)
        nn.ReLU.forward = _ORIG["nn.ReLU.forward"]


@contextmanager
def eager_twins():
    """Free functions that are ScriptFunctions in eager Python run as their Python twins."""
    g = globals()
    saved = g["relu_ts"]
    g["relu_ts"] = _relu_ts_eager
    try:
        yield
    finally:
        g["relu_ts"] = saved


# ==========================================================================
# References
# ==========================================================================
def outputs_of(out):
    """OrderedDict key -> tensor of a model's output; the logits first."""
    if isinstance(out, Tensor):
        return OrderedDict([("", out)])
    if isinstance(out, tuple):
        return OrderedDict((str(i), t) for i, t in enumerate(out))
    return OrderedDict(out.items())


def logits_of(out):
    return next(iter(outputs_of(out).values()))


def input_grad(model, x, target):
    return input_gradient(model, x, lambda out: logits_of(out)[0, target])


def rule_grad(model, x, target, rule):
    counts = OrderedDict()
    with relu_rule(rule, counts):
        g = input_grad(model, x, target)
    return g, counts


def layer_calls(model, x, path):
    n = [0]
    h = module_at(model, path).register_forward_hook(lambda m, i, o: n.__setitem__(0, n[0] + 1))
    try:
        with torch.no_grad():
            model(x)
    finally:
        h.remove()
    return n[0]


def cut_reference(model, x, target, path, call, mode):
    """Cut call `call` of module `path` into a leaf; returns (activation, gradient, forward output)."""
    state = {"n": 0}

    def hook(mod, inp, out):
        k = state["n"]
        state["n"] += 1
        if k != call:
            return None
        if mode == "leaf_clone":
            leaf = out.detach().requires_grad_(True)
            state["leaf"] = leaf
            state["act"] = leaf.detach().clone()
            return leaf.clone()
        if mode == "detach_in_place":
            # the module returned its input object (in-place module whose result the caller ignores): make THAT
            # object the leaf, so the caller's later uses of it are what the gradient flows through
            assert any(out is t for t in inp), "detach_in_place needs a module that returns its input object"
            out.detach_()
            out.requires_grad_(True)
            state["leaf"] = out
            state["act"] = out.detach().clone()
            return out
        raise ValueError(mode)

    h = module_at(model, path).register_forward_hook(hook)
    try:
        out = model(x.clone())
        leaf = state["leaf"]
        (grad,) = torch.autograd.grad(logits_of(out)[0, target], [leaf], allow_unused=True)
    finally:
        h.remove()
    if grad is None:                    # the target does not depend on this output
        grad = torch.zeros_like(leaf)
    return state["act"][0], grad.detach()[0], out


def control_flow_trace(m, x):
    """ControlFlow.forward replayed step by step in eager Python: how often each loop ran (checked against the
    model's own output)."""
    with torch.no_grad():
        y = torch.relu(m.stem_bn(m.stem(x)))
        for blk in m.blocks:
            y = torch.relu(blk(y)) + 0.5 * y
        for _ in range(m.refine_steps):
            y = F.relu(m.refine(y)) + y
        amax = float(y.abs().amax())
        k = 0
        while bool(y.abs().amax() > m.limit) and k < 4:
            y = y * 0.5
            k += 1
        y = torch.cat([torch.relu(c - 0.05) for c in torch.chunk(y, 2, 1)], 1)
        out = m.head_a(y) if m.use_head_a else m.head_b(y)
        diff = maxdiff(out, m(x))
    assert diff <= TOL_SAME, diff
    return OrderedDict([("refine_loop_iterations", m.refine_steps), ("halving_loop_iterations", k),
                        ("amax_before_halving_loop", amax), ("limit", m.limit),
                        ("branch_taken", "head_a" if m.use_head_a else "head_b"),
                        ("replay_vs_model_output_max_abs_diff", diff)])


def to_chw(t, layout):
    return t.permute(2, 0, 1).contiguous() if layout == "NHWC" else t


def reference_set(name, s, model, x, rdir, rel, log):
    """All references for one input; returns the manifest entry."""
    checks = OrderedDict()
    with torch.no_grad():
        out = model(x)
    outs = outputs_of(out)
    logits = logits_of(out)
    target = int(logits[0].argmax())
    srt = logits[0].sort(descending=True).values
    files = OrderedDict()

    def put(key, fname, t):
        save_npy(rdir / fname, t)
        files[key] = f"{rel}/{fname}"

    put("input", "input.npy", x[0])
    output_files = OrderedDict()
    for i, (k, t) in enumerate(outs.items()):
        fname = "output.npy" if i == 0 else f"output_{k}.npy"
        save_npy(rdir / fname, t[0])
        output_files[k if k else "tensor"] = f"{rel}/{fname}"
    files["output"] = output_files[next(iter(output_files))]
    if len(outs) > 1:
        files["outputs"] = output_files

    sal = input_grad(model, x, target)
    put("saliency", "saliency.npy", sal[0])
    van, counts = rule_grad(model, x, target, "vanilla")
    checks["vanilla_rule_vs_saliency_max_abs_diff"] = maxdiff(van, sal)
    checks["saliency_max_abs"] = float(sal.abs().max())
    assert checks["vanilla_rule_vs_saliency_max_abs_diff"] <= TOL_SAME * max(1e-3, checks["saliency_max_abs"]), \
        (name, checks)
    relu_calls = OrderedDict((k, v) for k, v in counts.items())
    if s.get("relu_rules", True):
        assert sum(relu_calls.values()) > 0, f"{name}: no ReLU call was patched"
        gd, c_g = rule_grad(model, x, target, "guided")
        dc, c_d = rule_grad(model, x, target, "deconv")
        assert c_g == counts and c_d == counts
        put("guided", "guided.npy", gd[0])
        put("deconv", "deconv.npy", dc[0])
        checks["guided_vs_saliency_max_abs_diff"] = maxdiff(gd, sal)
        checks["deconv_vs_saliency_max_abs_diff"] = maxdiff(dc, sal)
        only_modules = all(v == 0 for k, v in relu_calls.items() if k != "nn.ReLU.forward")
        if only_modules and not any(m.inplace for m in model.modules() if isinstance(m, nn.ReLU)):
            # independent check: Captum-style full backward hooks on the nn.ReLU modules (make_test_models)
            score = lambda o: logits_of(o)[0, target]  # noqa: E731
            for rule, mine in (("guided", gd), ("deconv", dc)):
                hooks = relu_rule_full_hooks(model, x, score, rule)
                checks[f"{rule}_vs_module_full_backward_hooks_max_abs_diff"] = maxdiff(mine, hooks)
                assert checks[f"{rule}_vs_module_full_backward_hooks_max_abs_diff"] <= TOL_SAME * max(
                    1e-3, float(mine.abs().max())), (name, checks)
        assert checks["guided_vs_saliency_max_abs_diff"] > 0 and checks["deconv_vs_saliency_max_abs_diff"] > 0
    else:
        assert sum(relu_calls.values()) == 0, f"{name}: ReLU calls in a model without ReLUs: {relu_calls}"

    layers = OrderedDict()
    mtypes = {}
    for p, m in model.named_modules():
        mtypes[p] = type(m).__name__
    for path in s["layers"]:
        layout = s.get("layouts", {}).get(path, "NCHW")
        mode = s.get("hook_modes", {}).get(path, "leaf_clone")
        n = layer_calls(model, x, path)
        entry = OrderedDict([("type", type(module_at(model, path)).__name__), ("calls", n),
                             ("source_layout", layout),
                             ("stored_layout", "CHW"),
                             ("hook_mode", mode)])
        if path in s.get("ts_path_calls", {}):
            entry["ts_path_calls"] = s["ts_path_calls"][path]
        if n == 0:
            entry["files"] = None
            entry["note"] = "not called for this input: no activation"
            layers[path] = entry
            log(f"    {path:22s} not called")
            continue
        try:
            tensor_hook = record_layers_one_pass(model, x, lambda o: logits_of(o)[0, target], [path])[path]
        except AssertionError:
            tensor_hook = None          # no gradient reached the layer (not on the target's path)
        per_call = []
        for k in range(n):
            act, grad, hooked_out = cut_reference(model, x, target, path, k, mode)
            act_s, grad_s = to_chw(act, layout), to_chw(grad, layout)
            cam = gradcam_raw(act_s, grad_s)
            sub = path if n == 1 else f"{path}/call{k}"
            cfiles = OrderedDict()
            for key, t in (("activation", act_s), ("gradient", grad_s), ("gradcam_raw", cam)):
                save_npy(rdir / sub / f"{key}.npy", t)
                cfiles[key] = f"{rel}/{sub}/{key}.npy"
            c = OrderedDict([("call", k), ("activation_shape", list(act_s.shape)),
                             ("source_shape", list(act.shape)), ("files", cfiles)])
            c["forward_output_with_cut_max_abs_diff"] = max(
                maxdiff(a, b) for a, b in zip(outputs_of(hooked_out).values(), outs.values()))
            assert c["forward_output_with_cut_max_abs_diff"] <= TOL_SAME, (name, path, c)
            if tensor_hook is not None:
                e = tensor_hook[k]
                c["output_modified_in_place_downstream"] = bool(e["modified_later"])
                c["activation_vs_tensor_hook_max_abs_diff"] = maxdiff(act, e["act"][0])
                c["gradient_vs_tensor_hook_max_abs_diff"] = maxdiff(grad, e["grad"][0])
                assert c["activation_vs_tensor_hook_max_abs_diff"] <= TOL_SAME, (name, path, c)
                assert c["gradient_vs_tensor_hook_max_abs_diff"] <= TOL_SAME * max(1e-3, float(grad.abs().max())), \
                    (name, path, c)
            else:
                c["output_modified_in_place_downstream"] = None
                c["tensor_hook"] = "no gradient reached the module's output (not on the target's path)"
            c["activation_max_abs"] = float(act.abs().max())
            c["gradient_max_abs"] = float(grad.abs().max())
            if c["gradient_max_abs"] == 0:
                assert path in s.get("zero_grad_layers", ()), f"{name}/{path}: zero gradient"
            per_call.append(c)
            log(f"    {sub:22s} {entry['type']:12s} A {tuple(act.shape)} ({layout})  "
                f"in-place later: {c['output_modified_in_place_downstream']}  |grad| {c['gradient_max_abs']:.3g}")
        entry["recorded_calls"] = per_call
        last = per_call[-1]
        entry["activation_shape"] = last["activation_shape"]
        entry["files"] = last["files"]          # the LAST call, as in fixtures/manifest.json
        layers[path] = entry

    return OrderedDict([
        ("input_shape", [1] + list(x.shape[1:])),
        ("output_shapes", OrderedDict((k if k else "tensor", list(t.shape)) for k, t in outs.items())),
        ("files", files),
        ("target", OrderedDict([("class", target), ("element", next(iter(output_files))),
                                ("definition", "logits[0, class], class = top-1"),
                                ("score", float(logits[0, target])),
                                ("margin_to_second", float(srt[0] - srt[1]))])),
        ("relu_calls", relu_calls),
        ("checks", checks),
        ("layers", layers),
    ])


# ==========================================================================
# Serialized code
# ==========================================================================
def code_records(path):
    """(record name without the archive's top folder, text) of every code/*.py record, in archive order."""
    with zipfile.ZipFile(path) as z:
        out = []
        for n in z.namelist():
            rel = n.split("/", 1)[1]
            if rel.startswith("code/") and rel.endswith(".py"):
                out.append((rel, z.read(n).decode("utf-8")))
    return out


def code_dump(records):
    return "".join(f"# ==== {rel} ====\n{text}{'' if text.endswith(chr(10)) else chr(10)}" for rel, text in records)


def shown_records(records):
    """The records worth printing: the model's own classes/functions and torch's ReLU/functional code."""
    keep = []
    for rel, text in records:
        if not rel.startswith("code/__torch__/torch/") or rel.endswith(("activation.py", "functional.py")) \
                or "/activation/" in rel or "/functional/" in rel:
            keep.append((rel, text))
    return keep


def construct_lines(records, patterns, where):
    lines = [ln for _, text in records for ln in text.split("\n")]
    found = []
    for pat in patterns:
        hits = [ln for ln in lines if re.search(pat, ln)]
        if not hits:
            print(code_dump(records))
            raise SystemExit(f"{where}: no serialized line matches {pat!r}")
        for h in hits:
            if h not in found:
                found.append(h)
    return found


# ==========================================================================
# Generation
# ==========================================================================
def build(name):
    s = SPECS[name]
    torch.manual_seed(s["seed"])
    model = s["cls"]()
    c, h, w = s["sizes"][-1]            # calibrate BN on the largest size (shape_branch: both paths)
    init_weights(model, s["seed"], (1, c, h, w))
    gen = torch.Generator().manual_seed(s["seed"] + 13)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.LayerNorm):
                m.weight.copy_(torch.empty(m.weight.shape).uniform_(0.7, 1.3, generator=gen))
                m.bias.copy_(torch.empty(m.bias.shape).uniform_(-0.1, 0.1, generator=gen))
    model.eval()
    return model


def generate(root, log, show_code, only=None):
    out_dir = root / OUT_REL
    if out_dir.exists():
        shutil.rmtree(out_dir)
    (out_dir / "models").mkdir(parents=True)
    (out_dir / "code").mkdir()
    models = OrderedDict()
    with eager_twins():
        for name, s in SPECS.items():
            if only and name not in only:
                continue
            log(f"{name}:")
            model = build(name)
            kinds = ["scripted"] + (["traced"] if s["traced"] else [])
            entry = OrderedDict()
            entry["class"] = s["cls"].__name__
            entry["construct"] = s["construct"]
            entry["pitfall"] = s["breaks"]
            entry["old_tap_rewriter"] = OLD_TAP_REWRITER[name]
            entry["correct_rewriter_must"] = s["must"]
            entry["doc"] = " ".join((s["cls"].__doc__ or "").split())
            entry["relu_rules_apply"] = s.get("relu_rules", True)
            entry["output"] = s.get("output", "tensor")
            entry["tracing"] = OrderedDict([("exported", s["traced"]), ("note", s["trace_note"])])
            entry["parameters"] = sum(p.numel() for p in model.parameters())
            entry["seeds"] = OrderedDict([("weights", s["seed"]), ("inputs", [s["seed"] * 10 + i for i in
                                                                              range(len(s["sizes"]))])])

            # ---- references (eager)
            refs = []
            inputs = []
            for i, (c, h, w) in enumerate(s["sizes"]):
                x = torch.rand(1, c, h, w, generator=torch.Generator().manual_seed(s["seed"] * 10 + i))
                inputs.append(x)
                sub = name if len(s["sizes"]) == 1 else f"{name}/size{h}"
                log(f"  input {list(x.shape)}")
                refs.append(reference_set(name, s, model, x, out_dir / sub, sub, log))
            entry["references"] = refs
            if name == "control_flow":
                entry["control_flow"] = control_flow_trace(model, inputs[0])
                log(f"  {dict(entry['control_flow'])}")
                assert entry["control_flow"]["halving_loop_iterations"] >= 1
            if name == "free_functions":
                with torch.no_grad():
                    y_twin = logits_of(model(inputs[0]))
                globals()["relu_ts"], saved = relu_ts_script, globals()["relu_ts"]
                try:
                    with torch.no_grad():
                        y_script = logits_of(model(inputs[0]))
                finally:
                    globals()["relu_ts"] = saved
                refs[0]["checks"]["script_function_vs_eager_twin_output_max_abs_diff"] = maxdiff(y_script, y_twin)
                assert refs[0]["checks"]["script_function_vs_eager_twin_output_max_abs_diff"] <= TOL_SAME

            # ---- exports
            exports = OrderedDict()
            eager_paths = [p for p, _ in model.named_modules()]
            for kind in kinds:
                fname = f"{name}_{kind}.pt"
                p = out_dir / "models" / fname
                run_export(__file__, (name, kind, p), torch_bytes(model.state_dict()))
                assert not debug_records(p), p
                ts = torch.jit.load(str(p)).eval()
                diffs = OrderedDict()
                for x in inputs:
                    with torch.no_grad():
                        e_out, t_out = outputs_of(model(x)), outputs_of(ts(x))
                    assert list(e_out) == list(t_out), (name, kind, list(e_out), list(t_out))
                    for k in e_out:
                        diffs[f"size{x.shape[-1]}" + (f"_{k}" if k else "")] = maxdiff(t_out[k], e_out[k])
                assert max(diffs.values()) <= TOL_TS, (name, kind, diffs)
                ts_paths = [q for q, _ in ts.named_modules()]
                records = code_records(p)
                (out_dir / "code" / f"{name}_{kind}.txt").write_text(code_dump(shown_records(records)))
                lines = construct_lines(records, s["markers"].get(kind, []), f"{name}_{kind}")
                ex = OrderedDict([
                    ("file", f"models/{fname}"),
                    ("code", f"code/{name}_{kind}.txt"),
                    ("bytes", p.stat().st_size),
                    ("vs_eager_output_max_abs_diff", diffs),
                    ("module_paths_equal_eager", ts_paths == eager_paths),
                ])
                if ts_paths != eager_paths:
                    ex["module_paths"] = ts_paths
                if name == "shared_instance":
                    ex["a_and_b_share_weight_storage"] = ts.a.weight.data_ptr() == ts.b.weight.data_ptr()
                ex["construct_lines"] = lines
                exports[kind] = ex
                log(f"  {fname}: {p.stat().st_size} B, vs eager {max(diffs.values()):.2g}, paths equal eager: "
                    f"{ts_paths == eager_paths}")
                if show_code:
                    log(f"  ---- serialized code of {fname} (model classes, functions; torch's ReLU code) ----")
                    for rel, text in shown_records(records):
                        log(f"  # {rel}")
                        for ln in text.rstrip("\n").split("\n"):
                            log("  | " + ln)
                log(f"  construct lines ({kind}):")
                for ln in lines:
                    log("  > " + ln)
            entry["exports"] = exports
            mt = module_table(model, inputs[-1])
            entry["modules"] = OrderedDict((d["path"], [d["type"], d["calls"], d["output_shape"]]) for d in mt)
            entry["modules_input_shape"] = list(inputs[-1].shape)
            entry["notes"] = s.get("notes", [])
            models[name] = entry

    manifest = OrderedDict([
        ("description", "Models that each exercise one construct a TorchScript-code rewriter must handle, with "
                        "eager-PyTorch references. Generated by scripts/make_construct_models.py; do not edit."),
        ("run", "/usr/bin/python3 scripts/make_construct_models.py"),
        ("torch_version", torch.__version__),
        ("numpy_version", np.__version__),
        ("python_version", platform.python_version()),
        ("conventions", OrderedDict([
            ("paths", "relative to src/test/resources/constructs/"),
            ("npy", "little-endian float32, C order, batch dimension dropped"),
            ("input", "torch.rand(1, C, H, W, generator=torch.Generator().manual_seed(seed)), no normalisation; "
                      "seeds in seeds.inputs (one per input size)"),
            ("output", "output.npy = the logits element (tuple element 0 / dict key 'logits'); the other elements "
                       "are output_<key>.npy (files.outputs)"),
            ("target", "top-1 class of the logits; score Y = logits[0, class]"),
            ("saliency", "dY/d(input), signed, C x H x W"),
            ("guided", "guided backprop: at EVERY ReLU call (torch.relu, torch.relu_, F.relu, Tensor.relu, "
                       "Tensor.relu_, nn.ReLU, also in free functions) the backward is relu(g) * [relu(z) > 0]; "
                       "in-place ReLUs stay in place"),
            ("deconv", "deconvnet: at every ReLU call the backward is relu(g)"),
            ("relu_calls", "ReLU calls per patched entry point in one forward (nn.ReLU modules count under "
                           "nn.ReLU.forward, not F.relu)"),
            ("pitfall / old_tap_rewriter", "what goes wrong for a naive rewriter / what the regex TapRewriter "
                                           "being replaced does (read from its source, not run)"),
            ("layers", "per layer path (eager/TorchScript module path): calls = forward calls for this input; "
                       "recorded_calls[k] = call k cut ALONE: activation A_k = that call's output (C x H x W), "
                       "gradient = dY/dA_k, gradcam_raw = sum_c mean_ij(gradient_c) * A_c (H x W, no ReLU, no "
                       "upsampling); files = the last call; one call -> <path>/, several -> <path>/call<k>/"),
            ("hook_mode", "leaf_clone: forward hook returns leaf.clone() with leaf = out.detach().requires_grad_(); "
                          "detach_in_place: the module returned its INPUT object (in-place module whose result is "
                          "ignored) so that object itself is detached in place and made the leaf"),
            ("layout", "source_layout NHWC = the module's output is [N, H, W, C] (channels last); everything is "
                       "stored as C x H x W"),
            ("checks", "vanilla_rule_vs_saliency: the ReLU patch with the unmodified backward reproduces the "
                       "saliency; guided/deconv_vs_module_full_backward_hooks (only where every ReLU is an "
                       "out-of-place nn.ReLU module): make_test_models' Captum-style hooks agree; per call: "
                       "forward_output_with_cut (the cut does not change the output), "
                       "activation/gradient_vs_tensor_hook (make_test_models' output.register_hook method); "
                       "exports: vs_eager_output_max_abs_diff per input size and output element"),
            ("construct_lines", "serialized code lines (verbatim) that show the construct, found by regexes in the "
                                "script (over all code records); code/<name>_<kind>.txt has the records of the "
                                "model's own classes/functions and torch's activation/functional records"),
        ])),
        ("models", models),
    ])
    write_json(out_dir / "manifest.json", manifest)
    total = sum(p.stat().st_size for p in out_dir.rglob("*") if p.is_file())
    log(f"{OUT_REL}: {total / 1e6:.2f} MB in {sum(1 for p in out_dir.rglob('*') if p.is_file())} files")


relu_ts_script = relu_ts        # the ScriptFunction (relu_ts is swapped for its twin during the references)


def main():
    ap = argument_parser(__doc__, ("NAME", "KIND", "PATH"))
    ap.add_argument("--quiet", action="store_true", help="do not print the serialized code")
    ap.add_argument("--only", nargs="+", help=argparse.SUPPRESS)   # debugging: some models, into a temp dir
    args = ap.parse_args()
    if args.export:
        export_torchscript(*args.export)
        return
    deterministic_torch(THREADS)
    log(versions())
    if args.only:
        tmp = Path(tempfile.mkdtemp(prefix="constructs-"))
        generate(tmp, log, not args.quiet, only=args.only)
        log(f"written to {tmp}")
        return
    if args.check_only:
        check_only(lambda root: generate(root, log, False), (OUT_REL,))
        return
    generate(REPO, log, not args.quiet)


if __name__ == "__main__":
    main()
