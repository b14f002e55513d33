#!/usr/bin/python3
"""Build tiny TorchScript models whose structure ExplainJ's rewriter refuses or may misread, with references.

Purpose
-------
ExplainJ adds a method ``ej_explain`` to a copy of a TorchScript archive to reach its layers
(``TapRewriter``).  When it does not understand a model it must say so (``notPreparedReason()``) and still
offer Saliency; when it does prepare a model, the layer activations, gradients and ReLU-rule gradients must be
right.  ``RefusedModelsTest`` checks both on the models made here:

======================================  ====================================================================
file in ``models/refused/``             construct
======================================  ====================================================================
``two_inputs_scripted.pt``              ``forward(self, x, y)``: two tensor inputs
``optional_arg_scripted.pt``            ``forward(self, x, scale: float = 1.0)``: a second, optional argument
``tuple_output_scripted.pt``            forward returns ``Tuple[Tensor, Tensor]`` = (logits, features)
``tuple_features_first_scripted.pt``    forward returns (features, logits): the FIRST tensor is not the scores
``dict_output_scripted.pt``             forward returns ``Dict[str, Tensor]`` {"logits", "features"}
``no_relu_traced.pt``                   only GELU (module and functional) and tanh, no ReLU at all
``gelu_mixed_traced.pt``                nn.ReLU and F.relu in some places, nn.GELU in another
``loop_scripted.pt``                    ``for i, b in enumerate(self.blocks)`` over an nn.ModuleList with a
                                        data-dependent ``if`` (block 2 is skipped for the stored input) and an
                                        early ``return`` inside an ``if``
``modulelist_traced.pt``                a traced model whose blocks live in an nn.ModuleList
``moduledict_scripted.pt``              an nn.ModuleDict used with a literal key and with ``.items()``
``helper_arg_scripted.pt``              a submodule passed as an argument to a helper method (the helper's
                                        parameter has a ``torch.jit.interface`` type, the only way TorchScript
                                        accepts a module argument)
``interface_attr_scripted.pt``          a submodule attribute declared with a ``torch.jit.interface`` type
``free_function_relu_scripted.pt``      a ReLU inside a module-level TorchScript function, called from a
                                        helper method (plus an nn.ReLU module elsewhere)
``tuple_block_scripted.pt``             a submodule whose forward returns a tuple
``sequential_root_scripted.pt``         the whole model is a scripted nn.Sequential
======================================  ====================================================================

All models take a 1x3x16x16 input and (except where noted) return logits of shape [1, 3].  Weights are random
(fixed seeds, no training).  No ReLU is in-place, so hooked tensors are never modified later.

Reference fixtures (``refused/<model>/``, little-endian float32 C-order ``.npy``, batch dimension dropped),
computed in eager PyTorch on the same weights:

* ``input.npy`` (C,H,W, one shared file ``refused/input.npy``), ``output.npy`` (the logits);
* ``saliency.npy``: d(logit[target]) / d(input), target = the top-1 class (``manifest.json``);
* ``guided.npy`` (models with ReLUs): guided backpropagation with the rule applied at EVERY ReLU call
  (nn.ReLU modules, F.relu, torch.relu, Tensor.relu, also inside TorchScript free functions), as ExplainJ
  documents it; implemented with a ``TorchFunctionMode`` that replaces each ReLU call by an autograd
  function with the guided backward (max(g, 0)·[z > 0]);
* ``<layer>/gradcam_raw.npy`` (H,W): sum_k mean_ij(dScore/dA_k) · A_k for the module's LAST call, with a
  forward hook storing the output and ``output.register_hook`` its gradient; also ``activation.npy`` and
  ``gradient.npy`` (C,H,W).

``manifest.json`` records the target class, logits, the layers with fixtures, which ModuleList blocks ran,
and the torch version.

Each model is exported in a fresh interpreter (this script re-invoked with ``--export``,
``PYTHONHASHSEED=0``) that loads the weights from a state_dict read from stdin, as
``scripts/make_test_models.py`` does (helpers in ``scripts/fixture_export.py``): scripting several classes in
one process would mangle class names (``___torch_mangle_N``) and PYTHONHASHSEED makes the archives
byte-for-byte reproducible.  The model classes are defined in this file because ``torch.jit.script`` reads
their source.

How to run (from the repository root; needs torch, tested with 1.13 CPU, and numpy)::

    /usr/bin/python3 scripts/make_refused_models.py            # writes the files
    /usr/bin/python3 scripts/make_refused_models.py --check-only  # regenerates in a temp dir, compares bytes

Takes about 15 s; the models are 7-16 KB each (mostly TorchScript's code), 0.6 MB in all with the fixtures.
The ``.debug_pkl`` records (source ranges of this file, with its absolute path) are removed after the export
(``scripts/strip_debug_info.py``), so editing this file changes the archives only where it changes a model.
"""

import platform
import shutil
import sys
from collections import OrderedDict
from pathlib import Path
from typing import Dict, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor
from torch.overrides import TorchFunctionMode

SCRIPTS = Path(__file__).resolve().parent
REPO = SCRIPTS.parent
sys.dont_write_bytecode = True          # no scripts/__pycache__ from the import below
sys.path.insert(0, str(SCRIPTS))
from fixture_export import (  # noqa: E402  (export in a child interpreter, .npy, check-only, ...)
    argument_parser, check_only, deterministic_torch, gradcam_raw, load_eval, log, module_at, read_payload,
    run_export, save_npy, save_torchscript, torch_bytes, trace_or_script, versions, write_json)

OUT_REL = Path("src/test/resources/models/refused")
INPUT_SHAPE = (1, 3, 16, 16)
INPUT_SEED = 4242
THREADS = 1


# ==========================================================================
# Model classes (scripted from this file's source)
# ==========================================================================
def conv3(cin: int, cout: int) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, kernel_size=3, padding=1)


class TwoInputs(nn.Module):
    """forward(x, y): two image tensors, e.g. an image and a mask."""

    def __init__(self):
        super().__init__()
        self.conv_x = conv3(3, 6)
        self.conv_y = conv3(3, 6)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(6, 3)

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        h = self.relu(self.conv_x(x) + self.conv_y(y))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(h, 1), 1))


class OptionalArg(nn.Module):
    """forward(x, scale=1.0): runs with one input, but the signature has two."""

    def __init__(self):
        super().__init__()
        self.conv = conv3(3, 6)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(6, 3)

    def forward(self, x: Tensor, scale: float = 1.0) -> Tensor:
        h = self.relu(self.conv(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(h, 1), 1)) * scale


class TupleOutput(nn.Module):
    """Returns (logits, features)."""

    def __init__(self):
        super().__init__()
        self.conv1 = conv3(3, 6)
        self.relu = nn.ReLU()
        self.conv2 = conv3(6, 6)
        self.fc = nn.Linear(6, 3)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        f = self.relu(self.conv2(self.relu(self.conv1(x))))
        logits = self.fc(torch.flatten(F.adaptive_avg_pool2d(f, 1), 1))
        return logits, f


class TupleFeaturesFirst(TupleOutput):
    """Returns (features, logits): the first tensor is [1, 6, 16, 16], not the class scores."""

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        f = self.relu(self.conv2(self.relu(self.conv1(x))))
        logits = self.fc(torch.flatten(F.adaptive_avg_pool2d(f, 1), 1))
        return f, logits


class DictOutput(TupleOutput):
    """Returns {"logits": ..., "features": ...}."""

    def forward(self, x: Tensor) -> Dict[str, Tensor]:  # type: ignore[override]
        f = self.relu(self.conv2(self.relu(self.conv1(x))))
        logits = self.fc(torch.flatten(F.adaptive_avg_pool2d(f, 1), 1))
        return {"logits": logits, "features": f}


class NoRelu(nn.Module):
    """conv - GELU (module) - conv - tanh - conv - F.gelu - pool - fc: no ReLU anywhere."""

    def __init__(self):
        super().__init__()
        self.conv1 = conv3(3, 6)
        self.act1 = nn.GELU()
        self.conv2 = conv3(6, 6)
        self.act2 = nn.Tanh()
        self.conv3 = conv3(6, 6)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(6, 3)

    def forward(self, x: Tensor) -> Tensor:
        x = self.act1(self.conv1(x))
        x = self.act2(self.conv2(x))
        x = F.gelu(self.conv3(x))
        return self.fc(torch.flatten(self.pool(x), 1))


class GeluMixed(nn.Module):
    """conv - nn.ReLU - conv - nn.GELU - conv - F.relu - pool - fc."""

    def __init__(self):
        super().__init__()
        self.conv1 = conv3(3, 6)
        self.relu1 = nn.ReLU()
        self.conv2 = conv3(6, 6)
        self.gelu = nn.GELU()
        self.conv3 = conv3(6, 6)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(6, 3)

    def forward(self, x: Tensor) -> Tensor:
        x = self.relu1(self.conv1(x))
        x = self.gelu(self.conv2(x))
        x = F.relu(self.conv3(x))
        return self.fc(torch.flatten(self.pool(x), 1))


def block(c: int) -> nn.Sequential:
    """Indices 0 conv, 1 ReLU."""
    return nn.Sequential(conv3(c, c), nn.ReLU())


class LoopNet(nn.Module):
    """Blocks in an nn.ModuleList, run in a Python for loop with a data-dependent if, and an early return."""

    def __init__(self):
        super().__init__()
        self.stem = conv3(3, 6)
        self.relu = nn.ReLU()
        self.blocks = nn.ModuleList([block(6) for _ in range(3)])
        self.fc = nn.Linear(6, 3)
        self.gate = GATE

    def forward(self, x: Tensor) -> Tensor:
        x = self.relu(self.stem(x))
        for i, b in enumerate(self.blocks):
            # block 0 always runs; the others only while the mean activation stays below a threshold that the
            # stored input crosses after block 1 (see the manifest's "blocks_run").
            if i == 0 or bool(x.mean() < self.gate):
                x = b(x)
        if bool(x.amax() > 1e6):
            return torch.zeros(1, 3)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


GATE = 0.0  # set by generate() from the stored input; LoopNet keeps it as the float attribute ``gate``


class ListNet(nn.Module):
    """Traced: stem, then the blocks of an nn.ModuleList, then a head."""

    def __init__(self):
        super().__init__()
        self.stem = conv3(3, 6)
        self.relu = nn.ReLU()
        self.blocks = nn.ModuleList([block(6) for _ in range(2)])
        self.fc = nn.Linear(6, 3)

    def forward(self, x: Tensor) -> Tensor:
        x = self.relu(self.stem(x))
        for b in self.blocks:
            x = b(x)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class DictNet(nn.Module):
    """An nn.ModuleDict: one entry called by literal key, the others in a loop over .items()."""

    def __init__(self):
        super().__init__()
        self.stages = nn.ModuleDict(OrderedDict([
            ("stem", conv3(3, 6)),
            ("act", nn.ReLU()),
            ("mid", block(6)),
        ]))
        self.fc = nn.Linear(6, 3)

    def forward(self, x: Tensor) -> Tensor:
        x = self.stages["stem"](x)
        for name, m in self.stages.items():
            if name != "stem":
                x = m(x)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


@torch.jit.interface
class BlockInterface(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        pass


class ConvRelu(nn.Module):
    """conv - nn.ReLU."""

    def __init__(self, c: int):
        super().__init__()
        self.conv = conv3(c, c)
        self.relu = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        return self.relu(self.conv(x))


class HelperArg(nn.Module):
    """self.apply_block(self.block, x): the submodule goes through a helper method's argument."""

    def __init__(self):
        super().__init__()
        self.stem = conv3(3, 6)
        self.relu = nn.ReLU()
        self.block = ConvRelu(6)
        self.fc = nn.Linear(6, 3)

    def apply_block(self, m: BlockInterface, x: Tensor) -> Tensor:
        return m.forward(x)

    def forward(self, x: Tensor) -> Tensor:
        x = self.relu(self.stem(x))
        x = self.apply_block(self.block, x)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class InterfaceAttr(nn.Module):
    """The attribute ``block`` is declared with an interface type (a swappable submodule)."""

    block: BlockInterface

    def __init__(self):
        super().__init__()
        self.stem = conv3(3, 6)
        self.relu = nn.ReLU()
        self.block = ConvRelu(6)
        self.fc = nn.Linear(6, 3)

    def forward(self, x: Tensor) -> Tensor:
        x = self.relu(self.stem(x))
        x = self.block.forward(x)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def shifted_relu(x: Tensor) -> Tensor:
    """A module-level TorchScript function with a ReLU call."""
    return F.relu(x - 0.05)


class FreeFunctionRelu(nn.Module):
    """conv - nn.ReLU - conv - shifted_relu(...) (free function, called from a helper method) - pool - fc."""

    def __init__(self):
        super().__init__()
        self.conv1 = conv3(3, 6)
        self.relu = nn.ReLU()
        self.conv2 = conv3(6, 6)
        self.fc = nn.Linear(6, 3)

    def activate(self, x: Tensor) -> Tensor:
        return shifted_relu(x)

    def forward(self, x: Tensor) -> Tensor:
        x = self.relu(self.conv1(x))
        x = self.activate(self.conv2(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class PairBlock(nn.Module):
    """Returns (relu(conv(x)), x): a block with two outputs."""

    def __init__(self, c: int):
        super().__init__()
        self.conv = conv3(c, c)
        self.relu = nn.ReLU()

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        return self.relu(self.conv(x)), x


class TupleBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = conv3(3, 6)
        self.relu = nn.ReLU()
        self.block = PairBlock(6)
        self.fc = nn.Linear(6, 3)

    def forward(self, x: Tensor) -> Tensor:
        y, skip = self.block(self.relu(self.stem(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(y + skip, 1), 1))


def sequential_root() -> nn.Sequential:
    """0 conv, 1 ReLU, 2 conv, 3 ReLU, 4 AdaptiveAvgPool2d, 5 Flatten, 6 Linear."""
    return nn.Sequential(conv3(3, 6), nn.ReLU(), conv3(6, 6), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(6, 3))


# ==========================================================================
# Specifications: constructor, export kind, weight seed, fixture layers
# ==========================================================================
SPECS = OrderedDict([
    ("two_inputs", dict(make=TwoInputs, kind="scripted", seed=11, inputs=2, layers=[], guided=False)),
    ("optional_arg", dict(make=OptionalArg, kind="scripted", seed=12, layers=["conv"], guided=True)),
    ("tuple_output", dict(make=TupleOutput, kind="scripted", seed=13, layers=[], guided=False)),
    ("tuple_features_first", dict(make=TupleFeaturesFirst, kind="scripted", seed=13, layers=[], guided=False)),
    ("dict_output", dict(make=DictOutput, kind="scripted", seed=13, layers=[], guided=False)),
    ("no_relu", dict(make=NoRelu, kind="traced", seed=14, layers=["conv2", "act2"], guided=False)),
    ("gelu_mixed", dict(make=GeluMixed, kind="traced", seed=15, layers=["gelu"], guided=True)),
    ("loop", dict(make=LoopNet, kind="scripted", seed=16, layers=["stem", "blocks.1", "blocks.1.0"],
                  guided=True)),
    ("modulelist", dict(make=ListNet, kind="traced", seed=17, layers=["blocks.1"], guided=True)),
    ("moduledict", dict(make=DictNet, kind="scripted", seed=18, layers=["stages.mid"], guided=True)),
    # block.forward(x) is called directly (no __call__), so no hook fires on ``block``: its output is that of
    # block.relu, which is hooked instead.
    ("helper_arg", dict(make=HelperArg, kind="scripted", seed=19, layers=["block", "block.conv", "stem"],
                        hook_at={"block": "block.relu"}, guided=True)),
    ("interface_attr", dict(make=InterfaceAttr, kind="scripted", seed=20, layers=["stem"], guided=True)),
    ("free_function_relu", dict(make=FreeFunctionRelu, kind="scripted", seed=21, layers=["conv2"], guided=True)),
    ("tuple_block", dict(make=TupleBlock, kind="scripted", seed=22, layers=["block.conv"], guided=True)),
    ("sequential_root", dict(make=sequential_root, kind="scripted", seed=23, layers=["2", "3"], guided=True)),
])


def file_name(name):
    return f"{name}_{SPECS[name]['kind']}.pt"


def build(name):
    torch.manual_seed(SPECS[name]["seed"])
    model = SPECS[name]["make"]()
    model.eval()
    return model


# ==========================================================================
# Export (in a fresh interpreter)
# ==========================================================================
def export_torchscript(name, path):
    """Internal (--export): read the state dict and the loop gate from stdin, save TorchScript (debug records
    stripped)."""
    global GATE
    torch.set_num_threads(THREADS)
    payload = read_payload()
    GATE = payload["gate"]                       # before the constructor: LoopNet keeps it
    model = load_eval(SPECS[name]["make"](), payload["state"])
    save_torchscript(trace_or_script(model, SPECS[name]["kind"] == "traced", torch.zeros(*INPUT_SHAPE)), path)


# ==========================================================================
# References
# ==========================================================================
class _GuidedRelu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return z.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        z, = ctx.saved_tensors
        return g.clamp(min=0) * (z > 0).to(g.dtype)


class _GuidedEveryReluCall(TorchFunctionMode):
    """Replaces every ReLU call (module, functional, method, in-place) by the guided-backprop ReLU."""

    RELUS = (F.relu, torch.relu, torch.relu_, torch.Tensor.relu, torch.Tensor.relu_)

    def __init__(self):
        super().__init__()
        self.calls = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func in self.RELUS:
            self.calls += 1
            return _GuidedRelu.apply(args[0])
        return func(*args, **(kwargs or {}))


def forward_logits(model, x):
    out = model(x)
    if isinstance(out, tuple):
        return out[1] if isinstance(model, TupleFeaturesFirst) else out[0]
    if isinstance(out, dict):
        return out["logits"]
    return out


def call(model, name, x):
    if SPECS[name].get("inputs", 1) == 2:
        return model(x, x)
    return forward_logits(model, x)


def saliency(model, name, x, target):
    xi = x.clone().requires_grad_(True)
    call(model, name, xi)[0, target].backward()
    return xi.grad[0]


def guided(model, name, x, target):
    xi = x.clone().requires_grad_(True)
    mode = _GuidedEveryReluCall()
    with mode:
        y = call(model, name, xi)
    y[0, target].backward()
    return xi.grad[0], mode.calls


def layer_record(model, name, x, target, path):
    """Output of the module's LAST call and dScore/d(that output)."""
    rec = {}

    def hook(mod, inp, out):
        a = out if isinstance(out, Tensor) else out[0]
        rec["a"] = a.detach().clone()
        rec["calls"] = rec.get("calls", 0) + 1

        def ghook(g):
            rec["g"] = g.detach().clone()
        a.register_hook(ghook)

    h = module_at(model, SPECS[name].get("hook_at", {}).get(path, path)).register_forward_hook(hook)
    try:
        y = call(model, name, x.clone())
        y[0, target].backward()
    finally:
        h.remove()
    if "a" not in rec:
        return None
    return rec["a"][0], rec["g"][0]


# ==========================================================================
# Generation
# ==========================================================================
def loop_gate(x):
    """A gate between the mean activation after block 0 and after block 1, so that blocks 0, 1 run, 2 not."""
    global GATE
    GATE = 1e9
    m = build("loop")
    with torch.no_grad():
        h = m.relu(m.stem(x))
        h0 = m.blocks[0](h)
        h1 = m.blocks[1](h0)
    m0, m1 = float(h0.mean()), float(h1.mean())
    if not m1 > m0:
        raise SystemExit(f"loop model: mean after block 1 ({m1}) is not above block 0 ({m0}); change the seed")
    GATE = float(np.float32((m0 + m1) / 2))
    return GATE


def blocks_run(model, x):
    ran = []
    hooks = [b.register_forward_hook(lambda mod, i, o, k=k: ran.append(k)) for k, b in enumerate(model.blocks)]
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return ran


def generate(root, log):
    out = root / OUT_REL
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    g = torch.Generator().manual_seed(INPUT_SEED)
    x = torch.rand(*INPUT_SHAPE, generator=g)
    save_npy(out / "input.npy", x[0])
    manifest = OrderedDict(
        description="Models for RefusedModelsTest, made by scripts/make_refused_models.py",
        torch=torch.__version__, numpy=np.__version__, python=platform.python_version(),
        input=dict(file="input.npy", shape=list(INPUT_SHAPE), seed=INPUT_SEED), models=OrderedDict())
    gate = loop_gate(x)
    for name, spec in SPECS.items():
        model = build(name)
        path = out / file_name(name)
        run_export(__file__, (name, path), torch_bytes({"state": model.state_dict(), "gate": GATE}))
        ts = torch.jit.load(str(path))
        entry = OrderedDict(file=str(OUT_REL / file_name(name)), kind=spec["kind"],
                            doc=(spec["make"].__doc__ or "").strip())
        with torch.no_grad():
            y = call(model, name, x)
            ts_out = ts(x, x) if spec.get("inputs", 1) == 2 else ts(x)
            ts_y = (ts_out[1] if name == "tuple_features_first" else
                    ts_out[0] if isinstance(ts_out, tuple) else
                    ts_out["logits"] if isinstance(ts_out, dict) else ts_out)
        diff = float((ts_y - y).abs().max())
        if diff > 1e-5:
            raise SystemExit(f"{name}: TorchScript and eager logits differ by {diff}")
        target = int(y[0].argmax())
        entry["target"] = target
        entry["logits"] = [float(v) for v in y[0]]
        entry["torchscript_vs_eager"] = diff
        d = out / name
        save_npy(d / "output.npy", y[0])
        if spec.get("inputs", 1) == 1:
            save_npy(d / "saliency.npy", saliency(model, name, x, target))
        if spec["guided"]:
            gr, calls = guided(model, name, x, target)
            save_npy(d / "guided.npy", gr)
            entry["relu_calls"] = calls
        layers = OrderedDict()
        for layer in spec["layers"]:
            r = layer_record(model, name, x, target, layer)
            if r is None:
                raise SystemExit(f"{name}: layer {layer} did not run")
            a, gr = r
            save_npy(d / layer / "activation.npy", a)
            save_npy(d / layer / "gradient.npy", gr)
            save_npy(d / layer / "gradcam_raw.npy", gradcam_raw(a, gr))
            layers[layer] = list(a.shape)
        entry["layers"] = layers
        if name == "loop":
            entry["gate"] = gate
            entry["blocks_run"] = blocks_run(model, x)
            if entry["blocks_run"] != [0, 1]:
                raise SystemExit(f"loop: blocks {entry['blocks_run']} ran, expected [0, 1]")
        manifest["models"][name] = entry
        log(f"{file_name(name):36s} {path.stat().st_size:6d} B  target {target}  ts-vs-eager {diff:.1e}")
    write_json(out / "manifest.json", manifest)


def main():
    args = argument_parser(__doc__, ("NAME", "PATH")).parse_args()
    if args.export:
        export_torchscript(*args.export)
        return
    deterministic_torch(THREADS)
    log(versions())
    if args.check_only:
        check_only(lambda root: generate(root, log), (OUT_REL,))
        return
    generate(REPO, log)
    total = sum(p.stat().st_size for p in (REPO / OUT_REL).rglob("*") if p.is_file())
    log(f"{OUT_REL}: {total / 1e3:.1f} kB")


if __name__ == "__main__":
    main()
