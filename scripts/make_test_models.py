#!/usr/bin/python3
"""Build ExplainJ's small TEST models (random weights) and their reference fixtures.

Purpose
-------
The Java tests need TorchScript models of the common architecture families
(ResNet with in-place residual adds, VGG, U-Net with skip concatenations,
DenseNet-style concatenating blocks, the demo RingNet and a "prepared" model
with exported ``features``/``head`` methods) together with reference values
computed in eager PyTorch with hooks.  This script

1. builds each model with fixed seeds.  Weights are random (no training);
   every BatchNorm gets random ``weight``/``bias`` and running statistics that
   are first calibrated on random inputs (so activations stay well scaled
   through the depth) and then perturbed (so eval-mode BN really differs from
   train-mode BN; the manifest records by how much);

2. exports every model in eval mode both traced (``torch.jit.trace``) and
   scripted (``torch.jit.script``) to ``src/test/resources/models/``.  Each
   export runs in a fresh interpreter (this script re-invoked with
   ``--export``, ``PYTHONHASHSEED=0``) that loads the weights from a saved
   state_dict: tracing and scripting the same classes in one process would
   mangle class names (``___torch_mangle_N``), and PYTHONHASHSEED makes the
   files byte-for-byte reproducible.  The model classes are defined in this
   file because ``torch.jit.script`` reads their source;

3. writes reference fixtures to ``src/test/resources/fixtures/<model>/``
   (little-endian float32 C-order ``.npy``, batch dimension dropped):

   * ``input.npy`` (C,H,W) fixed random input in [0, 1);  ``output.npy``;
   * ``saliency.npy``: d(score)/d(input), where score = logit of the top-1
     class (classifiers) or the sum over all pixels of output[0, 1] (unet);
   * ``guided.npy``: guided backpropagation, Captum's rule on every nn.ReLU
     (full backward hook returning relu(grad_input));
     ``deconv.npy``: deconvnet rule (relu(grad_output) as the new grad_input);
   * ``<layer>/activation.npy`` (C,H,W: the module's output, LAST call if the
     module is called several times), ``<layer>/gradient.npy`` (dScore/dA of
     that call) and ``<layer>/gradcam_raw.npy`` (H,W: sum_k mean_ij(grad_k)
     * A_k, before the ReLU);

   and ``src/test/resources/fixtures/manifest.json`` (shapes, targets, every
   module path with its type and output shape, seeds, torch version,
   TorchScript-vs-eager differences, and the self-checks below).

How the in-place pitfalls are handled
-------------------------------------
The models use ``nn.ReLU(inplace=True)`` and ResNet's ``out += identity``
like torchvision, so a module's output tensor may be overwritten later in the
forward pass (e.g. ``layer2.1.bn2``'s output by ``+=`` and then by the
in-place ReLU).  The layer hook therefore stores ``output.detach().clone()``
at hook time (and records whether the tensor's version counter moved later,
i.e. whether it WAS modified in place downstream) and registers
``output.register_hook`` for the gradient (in torch 1.13 that hook is bound
to the tensor's autograd node at registration time, so it gets dScore/dA of
the value the module produced).  Layers are hooked ONE PER PASS: when two
hooked modules return the same tensor object (a BatchNorm and the in-place
ReLU after it, or a Sequential ending in that ReLU), the second
``register_hook`` on that object lands on the first one's autograd node and
gets the wrong gradient (the manifest's
``gradient_error_if_all_layers_hooked_in_one_pass`` shows by how much; unet
``bottleneck`` is such a case).  Activations and gradients are then checked
against a CLEAN copy of the model (deep copy, every ReLU ``inplace=False``,
residual add written out of place), whose hooked tensors are never
modified: they must agree (max |diff| is stored in the manifest; it is 0).
Guided backprop / deconvnet use full backward hooks on the clean copy (full
backward hooks reject in-place modules) and are cross-checked against a
Captum-style implementation on the original in-place model (forward pre-hook
that clones the input + tensor hooks, as in captum._utils.gradient); with
hooks that change nothing the result must equal the saliency.

RingNet (the demo model, ``test-images/demo/ringnet_*.pt``) is not
retrained: its eager copy is ``scripts/make_demo_model.py``'s RingNet class
with the state_dict of ``ringnet_traced.pt``, checked to reproduce both demo
files' logits.  ``ringnet_prepared_{scripted,traced}.pt`` wrap the same
weights (submodule ``net``) with ``forward(x)`` and the exported methods
``features(x)`` (input -> ``net.features.relu4`` output) and ``head(a)``
(activation -> logits); the traced one is made with
``torch.jit.trace_module`` for all three methods.  Its fixtures are RingNet's.

How to run (from the repository root)::

    /usr/bin/python3 scripts/make_test_models.py

Needs torch (tested with 1.13 CPU) and numpy only (PIL via
make_demo_model's imports); no torchvision, no Captum, nothing downloaded.
Deterministic (fixed seeds, deterministic algorithms, 2 threads; a re-run
gives byte-identical files); takes 15-30 s on 2 CPU cores.  ``--check-only``
recomputes everything in a temporary directory and compares it byte for
byte with the files in place (writes nothing to the repository).
"""

import copy
import shutil
import sys
import time
from collections import OrderedDict
from pathlib import Path
from typing import Optional

import numpy as np
import torch
import torch.nn as nn
from torch import Tensor

SCRIPTS = Path(__file__).resolve().parent
REPO = SCRIPTS.parent
MODELS_REL = Path("src/test/resources/models")
FIXTURES_REL = Path("src/test/resources/fixtures")
DEMO_REL = Path("test-images/demo")

sys.dont_write_bytecode = True          # no scripts/__pycache__ from the imports below
sys.path.insert(0, str(SCRIPTS))
from fixture_export import (  # noqa: E402  (export in a child interpreter, .npy, check-only, ...)
    argument_parser, check_only, deterministic_torch, gradcam_raw, input_gradient, load_eval, log, maxdiff,
    read_payload, run_export, save_npy, save_torchscript, torch_bytes, trace_or_script, versions, write_json)
from make_demo_model import RingNet  # noqa: E402  (the demo model's class, unchanged)

THREADS = 2
BN_CALIBRATION_BATCHES = 4
BN_CALIBRATION_BATCH_SIZE = 8
TOL_EXACT = 1e-6        # eager-vs-eager checks (same arithmetic, may differ in op order)
TOL_TS = 1e-5           # TorchScript vs eager


# ==========================================================================
# Model classes (scripted from this file's source)
# ==========================================================================
def conv3x3(cin: int, cout: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, kernel_size=3, stride=stride, padding=1, bias=False)


class BasicBlock(nn.Module):
    """torchvision's ResNet BasicBlock: one ReLU module used twice, in-place add."""

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: Optional[nn.Module] = None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        identity = x

        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.bn2(out)

        if self.downsample is not None:
            identity = self.downsample(x)

        out += identity
        out = self.relu(out)

        return out


class ResNet18n(nn.Module):
    """ResNet-18 topology with base width 16 (16, 32, 64, 128)."""

    def __init__(self, num_classes: int = 10, widths=(16, 32, 64, 128), in_channels: int = 3):
        super().__init__()
        w0 = widths[0]
        self.conv1 = nn.Conv2d(in_channels, w0, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(w0)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        inplanes = w0
        layers = []
        for i, w in enumerate(widths):
            stride = 1 if i == 0 else 2
            downsample = None
            if stride != 1 or inplanes != w:
                downsample = nn.Sequential(
                    nn.Conv2d(inplanes, w, kernel_size=1, stride=stride, bias=False),
                    nn.BatchNorm2d(w))
            layers.append(nn.Sequential(BasicBlock(inplanes, w, stride, downsample),
                                        BasicBlock(w, w)))
            inplanes = w
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(widths[-1], num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv1(x)
        x = self.bn1(x)
        x = self.relu(x)
        x = self.maxpool(x)

        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)

        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        x = self.fc(x)
        return x


class VggS(nn.Module):
    """VGG-style: features.0 ... features.14, avgpool (2x2), classifier."""

    def __init__(self, num_classes: int = 5):
        super().__init__()
        cfg = [16, 16, "M", 32, 32, "M", 64, 64, "M"]
        layers = []
        cin = 3
        for v in cfg:
            if v == "M":
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            else:
                layers += [nn.Conv2d(cin, v, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
                cin = v
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = nn.Sequential(
            nn.Linear(64 * 2 * 2, 64),
            nn.ReLU(inplace=True),
            nn.Dropout(0.5),
            nn.Linear(64, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        x = self.classifier(x)
        return x


def conv_bn_relu_x2(cin: int, cout: int) -> nn.Sequential:
    """Indices 0 conv, 1 bn, 2 relu, 3 conv, 4 bn, 5 relu."""
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel_size=3, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, kernel_size=3, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True))


class UNet(nn.Module):
    """Small U-Net; skip connections are torch.cat([upsampled, encoder], 1)."""

    def __init__(self, in_channels: int = 1, num_classes: int = 2):
        super().__init__()
        self.enc1 = conv_bn_relu_x2(in_channels, 8)
        self.pool1 = nn.MaxPool2d(2)
        self.enc2 = conv_bn_relu_x2(8, 16)
        self.pool2 = nn.MaxPool2d(2)
        self.bottleneck = conv_bn_relu_x2(16, 32)
        self.up2 = nn.ConvTranspose2d(32, 16, kernel_size=2, stride=2)
        self.dec2 = conv_bn_relu_x2(32, 16)
        self.up1 = nn.ConvTranspose2d(16, 8, kernel_size=2, stride=2)
        self.dec1 = conv_bn_relu_x2(16, 8)
        self.head = nn.Conv2d(8, num_classes, kernel_size=1)

    def forward(self, x: Tensor) -> Tensor:
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool1(e1))
        b = self.bottleneck(self.pool2(e2))
        d2 = self.dec2(torch.cat([self.up2(b), e2], 1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], 1))
        return self.head(d1)


class DenseLayer(nn.Module):
    """BN-ReLU-conv3x3; returns only the NEW features (growth channels)."""

    def __init__(self, cin: int, growth: int):
        super().__init__()
        self.bn = nn.BatchNorm2d(cin)
        self.relu = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(cin, growth, kernel_size=3, padding=1, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        return self.conv(self.relu(self.bn(x)))


class DenseBlock(nn.Module):
    def __init__(self, cin: int, growth: int):
        super().__init__()
        self.layer1 = DenseLayer(cin, growth)
        self.layer2 = DenseLayer(cin + growth, growth)
        self.layer3 = DenseLayer(cin + 2 * growth, growth)

    def forward(self, x: Tensor) -> Tensor:
        x = torch.cat([x, self.layer1(x)], 1)
        x = torch.cat([x, self.layer2(x)], 1)
        x = torch.cat([x, self.layer3(x)], 1)
        return x


class DenseNetS(nn.Module):
    def __init__(self, in_channels: int = 1, num_classes: int = 4, growth: int = 8):
        super().__init__()
        self.stem = nn.Sequential(OrderedDict([
            ("conv", nn.Conv2d(in_channels, 8, kernel_size=3, padding=1, bias=False)),
            ("bn", nn.BatchNorm2d(8)),
            ("relu", nn.ReLU(inplace=True)),
        ]))
        self.block = DenseBlock(8, growth)
        c = 8 + 3 * growth
        self.transition = nn.Sequential(OrderedDict([
            ("bn", nn.BatchNorm2d(c)),
            ("relu", nn.ReLU(inplace=True)),
            ("conv", nn.Conv2d(c, 16, kernel_size=1, bias=False)),
            ("pool", nn.AvgPool2d(2)),
        ]))
        self.final_bn = nn.BatchNorm2d(16)
        self.final_relu = nn.ReLU(inplace=True)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.stem(x)
        x = self.block(x)
        x = self.transition(x)
        x = self.final_bn(x)
        x = self.final_relu(x)
        x = self.pool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


class PreparedRingNet(nn.Module):
    """RingNet weights (submodule ``net``) with exported features/head methods."""

    def __init__(self):
        super().__init__()
        self.net = RingNet()

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x))

    @torch.jit.export
    def features(self, x: Tensor) -> Tensor:
        """Input -> output of net.features.relu4 (the Grad-CAM layer)."""
        return self.net.features(x)

    @torch.jit.export
    def head(self, a: Tensor) -> Tensor:
        """Activation of net.features.relu4 -> logits."""
        return self.net.fc(torch.flatten(self.net.gap(a), 1))


# Eager-only variant for the clean copy (never exported).
class _CleanBasicBlock(BasicBlock):
    def forward(self, x: Tensor) -> Tensor:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out = out + identity
        return self.relu(out)


# ==========================================================================
# Model specifications
# ==========================================================================
SPECS = OrderedDict([
    ("resnet18n", dict(
        cls=ResNet18n, input_shape=(1, 3, 96, 96), weight_seed=1801, input_seed=1802,
        kind="logit",
        description="ResNet-18 topology at base width 16 (16/32/64/128), torchvision BasicBlock "
                    "(ReLU(inplace=True) module called twice per block, residual 'out += identity'), "
                    "10 classes",
        layers=["layer4", "layer4.1.conv2", "layer3.0", "layer2.1.bn2", "layer1.0.relu"])),
    ("vggs", dict(
        cls=VggS, input_shape=(1, 3, 64, 64), weight_seed=2101, input_seed=2102,
        kind="logit",
        description="VGG-style: features.0..14 (conv/ReLU(inplace=True)/MaxPool), "
                    "AdaptiveAvgPool2d((2,2)), flatten, classifier Linear-ReLU-Dropout-Linear, 5 classes",
        layers=["features.13", "features.7", "features.4"])),
    ("unet", dict(
        cls=UNet, input_shape=(1, 1, 64, 64), weight_seed=3101, input_seed=3102,
        kind="pixel-sum",
        description="small U-Net (enc1/enc2/bottleneck/dec2/dec1 = conv-bn-ReLU(inplace) x2, "
                    "ConvTranspose2d up-sampling, skips via torch.cat([up, enc], 1)); "
                    "output 2 x H x W logits per pixel",
        layers=["enc2", "bottleneck", "dec1", "up1", "dec1.2", "bottleneck.4"])),
    ("densenet", dict(
        cls=DenseNetS, input_shape=(1, 1, 48, 48), weight_seed=4101, input_seed=4102,
        kind="logit",
        description="DenseNet-style: stem, block (layer1..3 = bn-ReLU(inplace)-conv3x3 growth 8, "
                    "x = torch.cat([x, layerN(x)], 1)), transition (bn-relu-conv1x1-AvgPool2d(2)), "
                    "final_bn, final_relu, pool, fc; 4 classes",
        layers=["block", "block.layer2", "transition", "stem", "block.layer1.bn"])),
    ("ringnet", dict(
        cls=RingNet, input_shape=(1, 1, 96, 96), weight_seed=None, input_seed=5102,
        kind="logit",
        description="the demo model (trained by scripts/make_demo_model.py, not retrained here); "
                    "eager copy = make_demo_model.RingNet + state_dict of ringnet_traced.pt",
        layers=["features.relu4", "features.conv3", "features.pool1"])),
])

EXPORTED = ["resnet18n", "vggs", "unet", "densenet", "ringnet_prepared"]
EXPORT_CLASSES = {"resnet18n": ResNet18n, "vggs": VggS, "unet": UNet, "densenet": DenseNetS,
                  "ringnet_prepared": PreparedRingNet}


# ==========================================================================
# Export (runs in a fresh interpreter)
# ==========================================================================
def example_inputs(name):
    if name == "ringnet_prepared":
        x = torch.zeros(1, 1, 96, 96)
        return {"forward": x, "features": x, "head": torch.zeros(1, 64, 24, 24)}
    return {"forward": torch.zeros(*SPECS[name]["input_shape"])}


def export_torchscript(name, kind, path):
    """Internal (--export): read a state dict from stdin, save TorchScript (debug records stripped)."""
    torch.set_num_threads(THREADS)
    model = load_eval(EXPORT_CLASSES[name](), read_payload())
    inputs = example_inputs(name)
    if kind == "traced" and len(inputs) > 1:
        # trace_module compiles @torch.jit.export methods as script methods first
        # and then fails with "method ... already defined" when it adds the traced
        # ones: drop the export marker in this (trace-only) interpreter.
        for fn in (PreparedRingNet.features, PreparedRingNet.head):
            fn.__dict__.pop("_torchscript_modifier", None)
        with torch.no_grad():
            ts = torch.jit.trace_module(model, {k: (v,) for k, v in inputs.items()})
    else:
        ts = trace_or_script(model, kind == "traced", inputs["forward"])
    save_torchscript(ts, path)


# ==========================================================================
# Weights
# ==========================================================================
def init_weights(model, seed, input_shape):
    """Deterministic random weights; BN affine params random, running stats
    calibrated on random inputs, then perturbed."""
    torch.manual_seed(seed)
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.kaiming_normal_(m.weight, mode="fan_in" if isinstance(m, nn.Conv2d) else "fan_out",
                                    nonlinearity="relu")
            if m.bias is not None:
                nn.init.uniform_(m.bias, -0.1, 0.1)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.uniform_(m.weight, 0.6, 1.5)
            nn.init.uniform_(m.bias, -0.25, 0.25)
    # Calibrate running statistics (cumulative average over a few random batches).
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
    gen = torch.Generator().manual_seed(seed + 7)
    model.train()
    with torch.no_grad():
        for _ in range(BN_CALIBRATION_BATCHES):
            model(torch.rand(BN_CALIBRATION_BATCH_SIZE, *input_shape[1:], generator=gen))
    # Perturb them so eval-mode BN is visibly not "normalise this batch".
    for m in bns:
        m.momentum = 0.1
        with torch.no_grad():
            std = m.running_var.sqrt()
            m.running_mean.add_(0.3 * std * torch.randn(m.num_features))
            m.running_var.mul_(torch.empty(m.num_features).uniform_(0.5, 1.8))
    model.eval()
    return model


def bn_train_vs_eval(model, x):
    """Max |output change| when only the BatchNorm layers use batch statistics
    (train mode) instead of running statistics; None if there is no BN."""
    m = copy.deepcopy(model).eval()
    bns = [q for q in m.modules() if isinstance(q, nn.modules.batchnorm._BatchNorm)]
    if not bns:
        return None
    with torch.no_grad():
        ev = m(x)
        for q in bns:
            q.train()
        tr = m(x)
    return float((ev - tr).abs().max())


# ==========================================================================
# Hook helpers
# ==========================================================================
def clean_copy(model):
    """Deep copy with every ReLU out of place and the residual add out of place."""
    m = copy.deepcopy(model)
    for mod in m.modules():
        if isinstance(mod, nn.ReLU):
            mod.inplace = False
        if type(mod) is BasicBlock:
            mod.__class__ = _CleanBasicBlock
    return m.eval()


def score_fn(kind, cls):
    if kind == "pixel-sum":
        return lambda out: out[0, cls].sum()
    return lambda out: out[0, cls]


def relu_rule_full_hooks(model, x, score, rule):
    """Full backward hooks on every nn.ReLU (model must have no in-place ReLU).
    rule: 'guided' -> relu(grad_input), 'deconv' -> relu(grad_output), 'none' -> unchanged."""
    def hook(mod, grad_input, grad_output):
        if rule == "guided":
            return (torch.relu(grad_input[0]),)
        if rule == "deconv":
            return (torch.relu(grad_output[0]),)
        return None
    handles = [m.register_full_backward_hook(hook) for m in model.modules() if isinstance(m, nn.ReLU)]
    try:
        return input_gradient(model, x, score)
    finally:
        for h in handles:
            h.remove()


def relu_rule_captum_style(model, x, score, rule):
    """Captum's own mechanism (captum._utils.gradient._register_backward_hook):
    a forward pre-hook that hooks and clones the input, a forward hook that
    hooks the output; works with in-place ReLUs."""
    handles = []
    for m in model.modules():
        if not isinstance(m, nn.ReLU):
            continue
        grad_out = {}

        def fwd(mod, inp, out, grad_out=grad_out):
            def out_hook(g):
                grad_out[g.device] = g
            out.register_hook(out_hook)

        def pre(mod, inp, grad_out=grad_out):
            def in_hook(g):
                if not grad_out or rule == "none":
                    return None
                return torch.relu(g if rule == "guided" else grad_out[g.device])
            inp[0].register_hook(in_hook)
            return (inp[0].clone(),)

        handles.append(m.register_forward_pre_hook(pre))
        handles.append(m.register_forward_hook(fwd))
    try:
        return input_gradient(model, x, score)
    finally:
        for h in handles:
            h.remove()


def relu_rule_references(model, x, out, score, checks, label):
    """Saliency of ``model`` and the guided backprop / deconvnet references (full backward hooks on a clean copy),
    with their self-checks recorded in ``checks`` and asserted: the clean copy gives the model's output and, with
    identity hooks, its saliency; Captum-style hooks on the in-place model give the same three gradients; guided
    and deconv differ from the saliency.  out = model(x).  Returns (clean copy, saliency, guided, deconv)."""
    clean = clean_copy(model)
    with torch.no_grad():
        checks["clean_copy_output_max_abs_diff"] = maxdiff(clean(x), out)

    sal = input_gradient(model, x, score)
    sal_clean_nohooks = relu_rule_full_hooks(clean, x, score, "none")
    guided = relu_rule_full_hooks(clean, x, score, "guided")
    deconv = relu_rule_full_hooks(clean, x, score, "deconv")
    checks["saliency_vs_clean_copy_identity_hooks_max_abs_diff"] = maxdiff(sal_clean_nohooks, sal)
    checks["saliency_vs_captum_style_no_rule_max_abs_diff"] = maxdiff(
        relu_rule_captum_style(model, x, score, "none"), sal)
    checks["guided_vs_captum_style_inplace_model_max_abs_diff"] = maxdiff(
        relu_rule_captum_style(model, x, score, "guided"), guided)
    checks["deconv_vs_captum_style_inplace_model_max_abs_diff"] = maxdiff(
        relu_rule_captum_style(model, x, score, "deconv"), deconv)
    checks["guided_vs_saliency_max_abs_diff"] = maxdiff(guided, sal)     # must be > 0
    checks["deconv_vs_saliency_max_abs_diff"] = maxdiff(deconv, sal)     # must be > 0
    checks["saliency_max_abs"] = float(sal.abs().max())

    assert checks["clean_copy_output_max_abs_diff"] <= TOL_EXACT, (label, checks["clean_copy_output_max_abs_diff"])
    tol_sal = TOL_EXACT * max(1e-3, checks["saliency_max_abs"])
    for k in ("saliency_vs_clean_copy_identity_hooks_max_abs_diff",
              "saliency_vs_captum_style_no_rule_max_abs_diff",
              "guided_vs_captum_style_inplace_model_max_abs_diff",
              "deconv_vs_captum_style_inplace_model_max_abs_diff"):
        assert checks[k] <= tol_sal, (label, k, checks[k])
    assert checks["guided_vs_saliency_max_abs_diff"] > 0 and checks["deconv_vs_saliency_max_abs_diff"] > 0, label
    return clean, sal, guided, deconv


def record_layers(model, x, score, paths):
    """Hooks ONE layer per forward/backward pass (see record_layers_one_pass).

    Hooking several layers in one pass is wrong in torch 1.13 when two hooked
    modules return the same tensor object: e.g. a BatchNorm and the in-place
    ReLU after it.  Tensor.register_hook binds the tensor's hook dict to its
    grad_fn at the FIRST registration, so the ReLU's hook, registered later
    on the same object, receives dScore/d(BN output) instead of dScore/d(ReLU
    output)."""
    rec = {}
    for p in paths:
        rec.update(record_layers_one_pass(model, x, score, [p]))
    return rec


def record_layers_one_pass(model, x, score, paths):
    """Forward hooks on `paths`: per call, a clone of the output taken at hook
    time, the tensor itself (to detect later in-place changes) and its
    gradient via output.register_hook.  Returns {path: [call records]}."""
    mods = dict(model.named_modules())
    rec = {p: [] for p in paths}
    handles = []
    for p in paths:
        def hook(mod, inp, out, p=p):
            e = {"act": out.detach().clone(), "ref": out, "version": out._version, "grad": None}

            def ghook(g, e=e):
                e["grad"] = g.detach().clone()
            out.register_hook(ghook)
            rec[p].append(e)
        handles.append(mods[p].register_forward_hook(hook))
    try:
        xg = x.clone().requires_grad_(True)
        torch.autograd.grad(score(model(xg)), xg)
    finally:
        for h in handles:
            h.remove()
    for p, calls in rec.items():
        assert calls, f"layer {p} was not called"
        for e in calls:
            e["modified_later"] = e["ref"]._version != e["version"]
            e["naive_diff"] = float((e["ref"].detach() - e["act"]).abs().max())
            e["ref"] = None
            assert e["grad"] is not None, f"no gradient reached layer {p}"
    return rec


def module_table(model, x):
    """Every named module: type, number of calls and last output shape (one forward)."""
    info = OrderedDict()
    handles = []
    for path, m in model.named_modules():
        info[path] = {"path": path, "type": type(m).__name__, "calls": 0, "output_shape": None}

        def hook(mod, inp, out, path=path):
            d = info[path]
            d["calls"] += 1
            if isinstance(out, Tensor):
                d["output_shape"] = list(out.shape)
            elif isinstance(out, tuple):
                d["output_shape"] = "tuple"
            else:
                d["output_shape"] = type(out).__name__
        handles.append(m.register_forward_hook(hook))
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return list(info.values())


# ==========================================================================
# Per-model fixture generation
# ==========================================================================
def fixtures_for(name, spec, model, out_root, checks, log):
    fdir = out_root / FIXTURES_REL / name
    if fdir.exists():
        shutil.rmtree(fdir)
    fdir.mkdir(parents=True)
    shape = spec["input_shape"]
    x = torch.rand(*shape, generator=torch.Generator().manual_seed(spec["input_seed"]))
    model.eval()
    with torch.no_grad():
        out = model(x)
    if spec["kind"] == "pixel-sum":
        cls = 1
    else:
        cls = int(out[0].argmax())
    score = score_fn(spec["kind"], cls)
    score_value = float(score(out))

    clean, sal, guided, deconv = relu_rule_references(model, x, out, score, checks, name)

    save_npy(fdir / "input.npy", x[0])
    save_npy(fdir / "output.npy", out[0])
    save_npy(fdir / "saliency.npy", sal[0])
    save_npy(fdir / "guided.npy", guided[0])
    save_npy(fdir / "deconv.npy", deconv[0])

    rec = record_layers(model, x, score, spec["layers"])
    rec_clean = record_layers(clean, x, score, spec["layers"])
    rec_one_pass = record_layers_one_pass(model, x, score, spec["layers"])   # pitfall demo only
    mtypes = {p: type(m).__name__ for p, m in model.named_modules()}
    layers = OrderedDict()
    for p in spec["layers"]:
        calls, calls_c = rec[p], rec_clean[p]
        assert len(calls) == len(calls_c)
        e, ec = calls[-1], calls_c[-1]
        act, grad = e["act"][0], e["grad"][0]
        cam = gradcam_raw(act, grad)
        cam_c = gradcam_raw(ec["act"][0], ec["grad"][0])
        ldir = fdir / p
        save_npy(ldir / "activation.npy", act)
        save_npy(ldir / "gradient.npy", grad)
        save_npy(ldir / "gradcam_raw.npy", cam)
        layers[p] = OrderedDict([
            ("type", mtypes[p]),
            ("calls", len(calls)),
            ("recorded_call", len(calls)),
            ("activation_shape", list(act.shape)),
            ("gradcam_raw_shape", list(cam.shape)),
            ("files", OrderedDict((k, f"{name}/{p}/{k}.npy")
                                  for k in ("activation", "gradient", "gradcam_raw"))),
            ("output_modified_in_place_downstream", bool(e["modified_later"])),
            ("naive_uncloned_activation_max_abs_error", e["naive_diff"]),
            ("activation_vs_clean_copy_max_abs_diff", maxdiff(act, ec["act"][0])),
            ("gradient_vs_clean_copy_max_abs_diff", maxdiff(grad, ec["grad"][0])),
            ("gradcam_raw_vs_clean_copy_max_abs_diff", maxdiff(cam, cam_c)),
            ("gradient_error_if_all_layers_hooked_in_one_pass",
             maxdiff(rec_one_pass[p][-1]["grad"][0], grad)),
            ("activation_max_abs", float(act.abs().max())),
            ("gradient_max_abs", float(grad.abs().max())),
        ])
        assert layers[p]["activation_vs_clean_copy_max_abs_diff"] <= TOL_EXACT * max(1.0, float(act.abs().max())), p
        assert layers[p]["gradient_vs_clean_copy_max_abs_diff"] <= TOL_EXACT * max(1e-3, float(grad.abs().max())), p
        assert float(grad.abs().max()) > 0, f"{name}/{p}: zero gradient"
        log(f"    {p:18s} {mtypes[p]:16s} calls {len(calls)}  A {tuple(act.shape)}  "
            f"in-place later: {e['modified_later']}")

    files = OrderedDict((k, f"{name}/{k}.npy") for k in ("input", "output", "saliency", "guided", "deconv"))
    target = OrderedDict([("class", cls), ("kind", spec["kind"]), ("score", score_value)])
    if spec["kind"] == "pixel-sum":
        target["definition"] = f"sum over all pixels of output[0, {cls}]"
    else:
        target["definition"] = f"output[0, {cls}] (top-1 logit)"
        sorted_logits = out[0].sort(descending=True).values
        target["margin_to_second"] = float(sorted_logits[0] - sorted_logits[1])
    return x, out, cls, files, target, layers


# ==========================================================================
# Main
# ==========================================================================
def generate(out_root, log):
    t_start = time.time()
    (out_root / MODELS_REL).mkdir(parents=True, exist_ok=True)
    (out_root / FIXTURES_REL).mkdir(parents=True, exist_ok=True)
    manifest_models = OrderedDict()

    # RingNet eager copy from the demo's traced file.
    demo_traced = REPO / DEMO_REL / "ringnet_traced.pt"
    demo_scripted = REPO / DEMO_REL / "ringnet_scripted.pt"
    ring_sd = torch.jit.load(str(demo_traced)).state_dict()

    eager_models = {}
    for name, spec in SPECS.items():
        t0 = time.time()
        log(f"{name}:")
        if name == "ringnet":
            model = RingNet()
            model.load_state_dict(OrderedDict((k, v.clone()) for k, v in ring_sd.items()))
            model.eval()
        else:
            torch.manual_seed(spec["weight_seed"])      # constructor init (Linear layers keep it)
            model = init_weights(spec["cls"](), spec["weight_seed"], spec["input_shape"])
        eager_models[name] = model
        checks = OrderedDict()
        x, out, cls, files, target, layers = fixtures_for(name, spec, model, out_root, checks, log)
        checks["bn_train_mode_vs_eval_mode_output_max_abs_diff"] = bn_train_vs_eval(model, x)

        if name == "ringnet":
            ts_files = {"traced": demo_traced, "scripted": demo_scripted}
            rel = {"traced": str(DEMO_REL / "ringnet_traced.pt"),
                   "scripted": str(DEMO_REL / "ringnet_scripted.pt")}
        else:
            ts_files, rel = {}, {}
            for kind in ("traced", "scripted"):
                p = out_root / MODELS_REL / f"{name}_{kind}.pt"
                run_export(__file__, (name, kind, p), torch_bytes(model.state_dict()))
                ts_files[kind] = p
                rel[kind] = str(MODELS_REL / p.name)
        eager_paths = [p for p, _ in model.named_modules()]
        diffs = OrderedDict()
        for kind, p in ts_files.items():
            ts = torch.jit.load(str(p)).eval()
            with torch.no_grad():
                diffs[f"{kind}_vs_eager_output_max_abs_diff"] = maxdiff(ts(x), out)
            checks[f"{kind}_module_paths_equal_eager"] = [q for q, _ in ts.named_modules()] == eager_paths
            assert checks[f"{kind}_module_paths_equal_eager"], (name, kind)
        assert max(diffs.values()) <= TOL_TS, (name, diffs)

        modules = module_table(model, x)
        entry = OrderedDict([
            ("description", spec["description"]),
            ("class", type(model).__name__),
            ("files", OrderedDict([("traced", rel["traced"]), ("scripted", rel["scripted"]),
                                   ("fixtures", files)])),
            ("seeds", OrderedDict([("weights", spec["weight_seed"]), ("input", spec["input_seed"]),
                                   ("input_generator", "torch.rand(shape, generator=torch.Generator()"
                                                       ".manual_seed(input))")])),
            ("parameters", sum(q.numel() for q in model.parameters())),
            ("input_shape", list(x.shape)),
            ("output_shape", list(out.shape)),
            ("target", target),
            ("layers", layers),
            ("max_abs_diff", OrderedDict([("traced_vs_eager", diffs["traced_vs_eager_output_max_abs_diff"]),
                                          ("scripted_vs_eager", diffs["scripted_vs_eager_output_max_abs_diff"])])),
            ("checks", checks),
            ("num_modules", len(modules)),
            ("modules", modules),
        ])
        if name == "ringnet":
            entry["weights_from"] = str(DEMO_REL / "ringnet_traced.pt") + " state_dict()"
        manifest_models[name] = entry
        log(f"  {len(modules)} modules, target {target['class']} ({target['kind']}, score "
            f"{target['score']:.4f}), traced/scripted diff {diffs['traced_vs_eager_output_max_abs_diff']:.2g}"
            f"/{diffs['scripted_vs_eager_output_max_abs_diff']:.2g}, "
            f"BN train-vs-eval {checks['bn_train_mode_vs_eval_mode_output_max_abs_diff']}  "
            f"({time.time() - t0:.1f} s)")

    # ---- prepared RingNet
    log("ringnet_prepared:")
    ring = eager_models["ringnet"]
    prep = PreparedRingNet()
    prep.net.load_state_dict(ring.state_dict())
    prep.eval()
    rel = {}
    prepared_checks = OrderedDict()
    rx = torch.from_numpy(np.load(out_root / FIXTURES_REL / "ringnet" / "input.npy"))[None]
    rout = manifest_models["ringnet"]
    rcls = rout["target"]["class"]
    ract = torch.from_numpy(np.load(out_root / FIXTURES_REL / "ringnet" / "features.relu4" / "activation.npy"))[None]
    rgrad = torch.from_numpy(np.load(out_root / FIXTURES_REL / "ringnet" / "features.relu4" / "gradient.npy"))[None]
    with torch.no_grad():
        ring_out = ring(rx)
    for kind in ("traced", "scripted"):
        p = out_root / MODELS_REL / f"ringnet_prepared_{kind}.pt"
        run_export(__file__, ("ringnet_prepared", kind, p), torch_bytes(prep.state_dict()))
        rel[kind] = str(MODELS_REL / p.name)
        ts = torch.jit.load(str(p)).eval()
        with torch.no_grad():
            prepared_checks[f"{kind}_forward_vs_ringnet_eager_max_abs_diff"] = maxdiff(ts(rx), ring_out)
            prepared_checks[f"{kind}_features_vs_ringnet_features.relu4_activation_max_abs_diff"] = \
                maxdiff(ts.features(rx), ract)
            prepared_checks[f"{kind}_head_of_activation_vs_ringnet_output_max_abs_diff"] = \
                maxdiff(ts.head(ract), ring_out)
        a = ts.features(rx).detach().requires_grad_(True)
        (ga,) = torch.autograd.grad(ts.head(a)[0, rcls], a)
        prepared_checks[f"{kind}_head_gradient_vs_ringnet_features.relu4_gradient_max_abs_diff"] = maxdiff(ga, rgrad)
        prepared_checks[f"{kind}_module_paths_equal_eager"] = \
            [q for q, _ in ts.named_modules()] == [q for q, _ in prep.named_modules()]
        assert prepared_checks[f"{kind}_module_paths_equal_eager"]
    assert max(v for v in prepared_checks.values() if not isinstance(v, bool)) <= TOL_TS, prepared_checks
    pmods = module_table(prep, rx)
    manifest_models["ringnet_prepared"] = OrderedDict([
        ("description", "RingNet's weights wrapped as submodule 'net' with forward(x) = head(features(x)) and "
                        "@torch.jit.export methods features(x) -> output of net.features.relu4 (64 x H/4 x W/4) "
                        "and head(a) -> logits (net.gap, flatten, net.fc). Traced file made with "
                        "torch.jit.trace_module for forward, features and head."),
        ("class", "PreparedRingNet"),
        ("files", OrderedDict([("traced", rel["traced"]), ("scripted", rel["scripted"]),
                               ("fixtures", "same as ringnet (same weights, same input)")])),
        ("fixtures_from", "ringnet"),
        ("methods", OrderedDict([
            ("forward", "x (1x1xHxW) -> logits (1x2)"),
            ("features", "x (1x1xHxW) -> activation of net.features.relu4 (1x64xH/4xW/4); "
                         "= ringnet fixture features.relu4/activation.npy"),
            ("head", "activation (1x64xhxw) -> logits (1x2); its gradient w.r.t. the activation = "
                     "ringnet fixture features.relu4/gradient.npy"),
        ])),
        ("feature_layer", "net.features.relu4"),
        ("input_shape", list(rx.shape)),
        ("output_shape", list(ring_out.shape)),
        ("target", rout["target"]),
        ("checks", prepared_checks),
        ("num_modules", len(pmods)),
        ("modules", pmods),
    ])
    log(f"  forward/features/head checks: max diff "
        f"{max(v for v in prepared_checks.values() if not isinstance(v, bool)):.2g}")

    # ---- ringnet eager copy reproduces the demo files (checked above via traced/scripted diffs)
    manifest = OrderedDict([
        ("description", "Reference fixtures for ExplainJ's tests, computed in eager PyTorch with hooks. "
                        "Generated by scripts/make_test_models.py; do not edit by hand."),
        ("run", "/usr/bin/python3 scripts/make_test_models.py"),
        ("torch_version", torch.__version__),
        ("numpy_version", np.__version__),
        ("conventions", OrderedDict([
            ("npy", "little-endian float32, C order, batch dimension dropped"),
            ("paths", "model files are relative to the repository root; fixture files are relative to "
                      "src/test/resources/fixtures/"),
            ("input", "torch.rand in [0, 1) from the per-model input seed; fed as 1 x C x H x W, no normalisation"),
            ("score", "logit: output[0, class] with class = top-1; pixel-sum: sum over all pixels of "
                      "output[0, class]"),
            ("saliency", "d(score)/d(input), signed, C x H x W"),
            ("guided", "guided backprop (Captum GuidedBackprop rule): every nn.ReLU's grad_input "
                       "replaced by relu(grad_input)"),
            ("deconv", "deconvnet (Captum Deconvolution rule): every nn.ReLU's grad_input replaced by "
                       "relu(grad_output)"),
            ("activation", "the layer module's output (C x H x W) as produced, cloned at forward-hook time; "
                           "for a module called several times, its LAST call"),
            ("gradient", "d(score)/d(activation) of that same call"),
            ("gradcam_raw", "H x W: sum_k mean_ij(gradient_k) * activation_k, no ReLU, no upsampling"),
            ("modules", "every path of named_modules() ('' = root) with type name, number of calls and the "
                        "full output shape (batch included) of the last call in one forward; null = never "
                        "called, 'tuple' = tuple output"),
            ("in_place", "output_modified_in_place_downstream: the module's output tensor is overwritten by "
                         "a later in-place op (e.g. out += identity, ReLU(inplace=True)); "
                         "naive_uncloned_activation_max_abs_error is what keeping a reference instead of a "
                         "clone would get wrong; activation/gradient are checked against a clean copy of the "
                         "model (no in-place ops)"),
        ])),
        ("bn_init", "BatchNorm weight ~ U(0.6, 1.5), bias ~ U(-0.25, 0.25), running stats calibrated on "
                    f"{BN_CALIBRATION_BATCHES} x {BN_CALIBRATION_BATCH_SIZE} random inputs (train mode), then "
                    "running_mean += 0.3 * sqrt(running_var) * N(0,1), running_var *= U(0.5, 1.8)"),
        ("models", manifest_models),
    ])
    write_json(out_root / FIXTURES_REL / "manifest.json", manifest)
    log(f"done in {time.time() - t_start:.1f} s")


def main():
    args = argument_parser(__doc__, ("NAME", "KIND", "PATH")).parse_args()
    if args.export:
        export_torchscript(*args.export)
        return

    deterministic_torch(THREADS)
    log(versions())

    if args.check_only:
        check_only(lambda root: generate(root, log), (MODELS_REL, FIXTURES_REL), only_b=(MODELS_REL,))
        return

    generate(REPO, log)
    for rel in (MODELS_REL, FIXTURES_REL):
        total = sum(p.stat().st_size for p in (REPO / rel).rglob("*") if p.is_file())
        log(f"{rel}: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
