#!/usr/bin/python3
"""Build small random-weight versions of real torchvision ARCHITECTURE FAMILIES and their reference fixtures.

Purpose
-------
ExplainJ must handle the layer layouts and TorchScript constructs of the model
families people actually use, not only the hand-written test models of
``make_test_models.py``.  This script builds tiny versions of the torchvision
classes themselves (so the serialized code is torchvision's code), exports
each one TRACED and SCRIPTED, and computes eager-PyTorch references with hooks:

* CNNs: ``resnet_basic`` (BasicBlock), ``resnet_bottleneck`` (Bottleneck),
  ``densenet``, ``mobilenet_v2``, ``mobilenet_v3`` (Hardswish, SE),
  ``efficientnet`` (b0 config, SiLU, SE, stochastic depth), ``convnext``
  (channels-last LayerNorm/Linear inside every block), ``regnet`` (SE),
  ``shufflenet_v2``, ``squeezenet``, ``vgg_bn``, ``mnasnet``, ``googlenet``;
* transformers: ``vit`` (VisionTransformer, class token), ``deit`` (a
  DeiT-like wrapper written here on torchvision's ViT pieces: class AND
  distillation token, logits = mean of the two token heads), ``swin``
  (SwinTransformer; its stages output channels-last [N, H, W, C]) and
  ``vit_nograd``: ``vit``'s weights traced under ``torch.no_grad()``, which
  records ``aten::_native_multi_head_attention`` (PyTorch's attention fast
  path, which has no backward);
* segmentation (dict outputs): ``fcn`` and ``deeplabv3`` ({'out', 'aux'},
  tiny dilated Bottleneck ResNet backbone through IntermediateLayerGetter) and
  ``lraspp`` ({'out'} only: torchvision's LRASPP has no aux head; width-0.25
  dilated MobileNetV3-small-config backbone).

Small configurations are built through the torchvision constructors; where a
constructor hard-codes widths (ResNet's 64..512, VGG's 4096-wide classifier,
GoogLeNet's Inception widths, SqueezeNet's Fire widths, the 1280-channel last
convs of MobileNetV2/MNASNet, DeepLabHead's 256 and LRASPPHead's 128 channels)
the affected submodules are replaced by narrower ones of the same torchvision
classes, so class names, module paths and forward code stay torchvision's.
Every .pt file is < 0.6 MB; the whole folder is about 13.4 MB.

Weights are random (fixed seeds, no training): torchvision's own init, then
every Linear reset, LayerNorm/BatchNorm affine parameters,
ViT/DeiT tokens and position embeddings, Swin's relative position bias and
ConvNeXt's layer scale randomised, then ``make_test_models.init_weights``
(Kaiming convolutions, BatchNorm statistics calibrated and perturbed).

Outputs (everything under ``src/test/resources/families/``)
----------------------------------------------------------
* ``models/<name>_{traced,scripted}.pt``.  Each export runs in a fresh
  interpreter (this script re-invoked with ``--export``, PYTHONHASHSEED=0,
  weights piped in as a state_dict), as in make_test_models.py (helpers in
  ``fixture_export.py``); the debug records (which hold machine paths) are
  removed with ``strip_debug_info.py``.  Traces are made with autograd
  ENABLED (so MultiheadAttention takes its differentiable path), except
  ``vit_nograd``.
  Dict outputs are traced with ``strict=False``.
* ``<name>/`` fixtures (float32 little-endian C-order .npy, batch dim dropped),
  computed on the EAGER model in eval mode with autograd enabled:
  ``input.npy`` (torch.rand, fixed seed, no normalisation), ``output.npy``
  (dict outputs: the 'out' tensor), ``saliency.npy`` = d(score)/d(input)
  (score: top-1 logit, or for segmentation the pixel sum of out['out'][0, c]
  for the class c with the largest pixel sum), ``guided.npy`` = guided
  backprop with the rule on EVERY ReLU call (nn.ReLU, F.relu, F.relu_,
  torch.relu, torch.relu_, Tensor.relu, Tensor.relu_; in-place kept in
  place), not written for models without any ReLU call; per layer
  ``<layer>/{activation,gradient,gradcam_raw}.npy`` in channels-first grid
  layout (tokens -> prefix dropped -> [C, h, w]; [H, W, C] -> [C, H, W]),
  gradient taken from a forward hook that replaces the module output by
  ``leaf.clone()`` (leaf = output.detach().requires_grad_()), one layer per pass;
  ViT/DeiT: ``rollout.npy`` (attention rollout) and
  ``attention/<mha path>.npy`` (per-head attention probabilities).
* ``manifest.json``: conventions, per-model description, files, seeds, shapes,
  targets, layer layouts, export results and self-checks, module tables.

How to run (from the repository root)::

    /usr/bin/python3 scripts/make_family_models.py              # (re)write everything
    /usr/bin/python3 scripts/make_family_models.py --check-only # regenerate in a temp dir, compare bytes

Needs torch 1.13 + torchvision 0.14 + numpy (nothing downloaded).  Deterministic
(fixed seeds, deterministic algorithms, 2 threads): a re-run gives
byte-identical files (``--check-only`` verifies it).  About 4 CPU-minutes
(39 export child interpreters, run two at a time, plus the fixtures): 2-3
minutes wall time on 2 idle cores, more on a busy machine.
"""

import contextlib
import json
import math
import re
import shutil
import sys
import time
import warnings
from collections import Counter, OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
import torchvision.models as tvm
from torch import Tensor
from torchvision.models._utils import IntermediateLayerGetter
from torchvision.models.convnext import CNBlockConfig
from torchvision.models.efficientnet import _efficientnet_conf
from torchvision.models.googlenet import BasicConv2d, Inception
from torchvision.ops.misc import Conv2dNormActivation
from torchvision.models.mnasnet import _BN_MOMENTUM, _get_depths, _stack
from torchvision.models.mobilenetv3 import _mobilenet_v3_conf
from torchvision.models.regnet import BlockParams
from torchvision.models.resnet import BasicBlock, Bottleneck
from torchvision.models.segmentation.deeplabv3 import ASPP, DeepLabHead, DeepLabV3
from torchvision.models.segmentation.fcn import FCN, FCNHead
from torchvision.models.segmentation.lraspp import LRASPPHead, _lraspp_mobilenetv3
from torchvision.models.squeezenet import Fire
from torchvision.models.vgg import make_layers
from torchvision.models.vision_transformer import Encoder, VisionTransformer

SCRIPTS = Path(__file__).resolve().parent
REPO = SCRIPTS.parent
FAMILIES_REL = Path("src/test/resources/families")
MODELS_REL = FAMILIES_REL / "models"

sys.dont_write_bytecode = True          # no scripts/__pycache__ from the imports below
sys.path.insert(0, str(SCRIPTS))
from fixture_export import (  # noqa: E402  (export in a child interpreter, .npy, check-only, ...)
    argument_parser, check_only, deterministic_torch, gradcam_raw, input_gradient, load_eval, log, maxdiff,
    read_payload, run_export, save_npy, save_torchscript, torch_bytes, trace_or_script, versions)
from make_test_models import THREADS, init_weights, module_table, record_layers  # noqa: E402  (unchanged)
from strip_debug_info import debug_records  # noqa: E402

TOL_TS = 1e-5           # TorchScript vs eager
NATIVE_MHA = "aten::_native_multi_head_attention"
EXPORT_WORKERS = 2


# ==========================================================================
# Model builders (architecture only; weights come from init_family_weights
# in the parent and from the piped state_dict in the export child)
# ==========================================================================
def small_resnet(block, layers, widths, stem, num_classes=5, dilation=None):
    """torchvision ResNet with narrow stages: the constructor's stages (64..512
    wide) are rebuilt with ResNet._make_layer at the given widths."""
    m = tvm.ResNet(block, [1, 1, 1, 1], num_classes=num_classes, replace_stride_with_dilation=dilation)
    dil = dilation or [False, False, False]
    m.inplanes, m.dilation = stem, 1
    m.conv1 = nn.Conv2d(3, stem, kernel_size=7, stride=2, padding=3, bias=False)
    m.bn1 = nn.BatchNorm2d(stem)
    m.layer1 = m._make_layer(block, widths[0], layers[0])
    m.layer2 = m._make_layer(block, widths[1], layers[1], stride=2, dilate=dil[0])
    m.layer3 = m._make_layer(block, widths[2], layers[2], stride=2, dilate=dil[1])
    m.layer4 = m._make_layer(block, widths[3], layers[3], stride=2, dilate=dil[2])
    m.fc = nn.Linear(widths[3] * block.expansion, num_classes)
    return m


def build_resnet_basic():
    return small_resnet(BasicBlock, [2, 2, 2, 2], (8, 12, 16, 24), stem=8)


def build_resnet_bottleneck():
    return small_resnet(Bottleneck, [1, 1, 1, 1], (8, 12, 16, 24), stem=16)


def build_densenet():
    return tvm.DenseNet(growth_rate=8, block_config=(2, 2), num_init_features=16, bn_size=2, num_classes=5)


def build_mobilenet_v2():
    """MobileNetV2(width_mult=0.25), shortened setting; the final 1x1 conv to
    1280 channels (hard-coded) is rebuilt with 128 (same Conv2dNormActivation)."""
    setting = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 2, 2], [6, 64, 2, 2], [6, 96, 1, 1]]
    m = tvm.MobileNetV2(num_classes=5, width_mult=0.25, inverted_residual_setting=setting)
    m.features[-1] = Conv2dNormActivation(24, 128, kernel_size=1, norm_layer=nn.BatchNorm2d,
                                          activation_layer=nn.ReLU6)
    m.last_channel = 128
    m.classifier[1] = nn.Linear(128, 5)
    return m


def build_mobilenet_v3():
    setting, last_channel = _mobilenet_v3_conf("mobilenet_v3_small", width_mult=0.25, reduced_tail=True)
    return tvm.MobileNetV3(setting, last_channel, num_classes=5)


def build_efficientnet():
    setting, last_channel = _efficientnet_conf("efficientnet_b0", width_mult=0.15, depth_mult=0.25)
    return tvm.EfficientNet(setting, dropout=0.2, stochastic_depth_prob=0.2, num_classes=5,
                            last_channel=last_channel)


def build_convnext():
    cfg = [CNBlockConfig(16, 24, 2), CNBlockConfig(24, 32, 2), CNBlockConfig(32, None, 2)]
    return tvm.ConvNeXt(cfg, stochastic_depth_prob=0.1, layer_scale=1e-6, num_classes=5)


def build_regnet():
    params = BlockParams.from_init_params(depth=5, w_0=16, w_a=8.0, w_m=2.0, group_width=8, se_ratio=0.25)
    return tvm.RegNet(params, num_classes=5, stem_width=16)


def build_shufflenet_v2():
    return tvm.ShuffleNetV2([2, 2, 2], [8, 16, 32, 64, 64], num_classes=5)


def build_squeezenet():
    """SqueezeNet 1.1 topology with every Fire module at 1/8 width."""
    m = tvm.SqueezeNet("1_1", num_classes=5)
    m.features = nn.Sequential(
        nn.Conv2d(3, 8, kernel_size=3, stride=2),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
        Fire(8, 2, 8, 8),
        Fire(16, 2, 8, 8),
        nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
        Fire(16, 4, 16, 16),
        Fire(32, 4, 16, 16),
        nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
        Fire(32, 6, 24, 24),
        Fire(48, 6, 24, 24),
        Fire(48, 8, 32, 32),
        Fire(64, 8, 32, 32),
    )
    m.classifier[1] = nn.Conv2d(64, 5, kernel_size=1)
    return m


def build_vgg_bn():
    """torchvision VGG with make_layers(batch_norm=True); VGG.__init__ is bypassed
    because it always allocates a 25088 x 4096 classifier (the forward is VGG's)."""
    m = tvm.VGG.__new__(tvm.VGG)
    nn.Module.__init__(m)
    m.features = make_layers([8, 8, "M", 16, 16, "M", 32, 32, "M", 32, "M"], batch_norm=True)
    m.avgpool = nn.AdaptiveAvgPool2d((2, 2))
    m.classifier = nn.Sequential(
        nn.Linear(32 * 2 * 2, 32), nn.ReLU(True), nn.Dropout(p=0.5),
        nn.Linear(32, 32), nn.ReLU(True), nn.Dropout(p=0.5),
        nn.Linear(32, 5))
    return m


def build_mnasnet():
    """MNASNet(alpha=0.1) with the inverted-residual stacks layers.8-13 rebuilt
    by torchvision's _stack with repeats 2,1,1,1,2,1 (instead of 3,3,3,2,4,1),
    and the final 1x1 conv to 1280 channels (hard-coded) rebuilt with 128
    (layers.14/15, classifier.1)."""
    m = tvm.MNASNet(alpha=0.1, num_classes=5)
    d = _get_depths(0.1)
    for i, (cin, cout, k, s, e, r) in enumerate([(d[1], d[2], 3, 2, 3, 2), (d[2], d[3], 5, 2, 3, 1),
                                                  (d[3], d[4], 5, 2, 6, 1), (d[4], d[5], 3, 1, 6, 1),
                                                  (d[5], d[6], 5, 2, 6, 2), (d[6], d[7], 3, 1, 6, 1)]):
        m.layers[8 + i] = _stack(cin, cout, k, s, e, r, _BN_MOMENTUM)
    m.layers[14] = nn.Conv2d(m.layers[14].in_channels, 128, 1, padding=0, stride=1, bias=False)
    m.layers[15] = nn.BatchNorm2d(128, momentum=1 - 0.9997)
    m.classifier[1] = nn.Linear(128, 5)
    return m


def build_googlenet():
    """GoogLeNet (no aux heads) with narrow Inception blocks (same classes):
    stem and inception3* widths / 8, inception4*/5* widths / 16."""
    m = tvm.GoogLeNet(num_classes=5, aux_logits=False, transform_input=False, init_weights=False)

    def inc(div, cin, *c):
        return Inception(cin, *[max(2, v // div) for v in c])
    m.conv1 = BasicConv2d(3, 8, kernel_size=7, stride=2, padding=3)
    m.conv2 = BasicConv2d(8, 8, kernel_size=1)
    m.conv3 = BasicConv2d(8, 24, kernel_size=3, padding=1)
    m.inception3a = inc(8, 24, 64, 96, 128, 16, 32, 32)        # -> 8+16+4+4 = 32
    m.inception3b = inc(8, 32, 128, 128, 192, 32, 96, 64)      # -> 16+24+12+8 = 60
    m.inception4a = inc(16, 60, 192, 96, 208, 16, 48, 64)      # -> 12+13+3+4 = 32
    m.inception4b = inc(16, 32, 160, 112, 224, 24, 64, 64)     # -> 10+14+4+4 = 32
    m.inception4c = inc(16, 32, 128, 128, 256, 24, 64, 64)     # -> 8+16+4+4 = 32
    m.inception4d = inc(16, 32, 112, 144, 288, 32, 64, 64)     # -> 7+18+4+4 = 33
    m.inception4e = inc(16, 33, 256, 160, 320, 32, 128, 128)   # -> 16+20+8+8 = 52
    m.inception5a = inc(16, 52, 256, 160, 320, 32, 128, 128)   # -> 52
    m.inception5b = inc(16, 52, 384, 192, 384, 48, 128, 128)   # -> 24+24+8+8 = 64
    m.fc = nn.Linear(64, 5)
    return m


VIT_CFG = dict(image_size=32, patch_size=4, num_layers=2, num_heads=2, hidden_dim=32, mlp_dim=64, num_classes=5)


def build_vit():
    return tvm.VisionTransformer(**VIT_CFG)


class DeiT(VisionTransformer):
    """DeiT-style ViT on torchvision's pieces: a class token AND a distillation
    token (sequence = [cls, dist, patches]), one head per token, logits = mean
    of the two heads (DeiT's inference output)."""

    def __init__(self, image_size: int, patch_size: int, num_layers: int, num_heads: int,
                 hidden_dim: int, mlp_dim: int, num_classes: int = 5):
        super().__init__(image_size=image_size, patch_size=patch_size, num_layers=num_layers,
                         num_heads=num_heads, hidden_dim=hidden_dim, mlp_dim=mlp_dim,
                         num_classes=num_classes)
        self.seq_length = (image_size // patch_size) ** 2 + 2
        self.encoder = Encoder(self.seq_length, num_layers, num_heads, hidden_dim, mlp_dim, 0.0, 0.0)
        self.dist_token = nn.Parameter(torch.zeros(1, 1, hidden_dim))
        self.head_dist = nn.Linear(hidden_dim, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self._process_input(x)
        n = x.shape[0]
        batch_class_token = self.class_token.expand(n, -1, -1)
        batch_dist_token = self.dist_token.expand(n, -1, -1)
        x = torch.cat([batch_class_token, batch_dist_token, x], dim=1)
        x = self.encoder(x)
        return (self.heads(x[:, 0]) + self.head_dist(x[:, 1])) / 2


def build_deit():
    return DeiT(**VIT_CFG)


def build_swin():
    return tvm.SwinTransformer(patch_size=[4, 4], embed_dim=12, depths=[2, 2, 1], num_heads=[2, 2, 4],
                               window_size=[4, 4], mlp_ratio=2.0, stochastic_depth_prob=0.1, num_classes=5)


SEG_CLASSES = 3


def seg_backbone():
    """Tiny Bottleneck ResNet, layer3/layer4 dilated (output stride 8) as in
    torchvision's fcn/deeplabv3_resnet50; IntermediateLayerGetter -> {'out': layer4, 'aux': layer3}."""
    rn = small_resnet(Bottleneck, [1, 1, 1, 1], (8, 12, 8, 8), stem=16, dilation=[False, True, True])
    return IntermediateLayerGetter(rn, return_layers={"layer4": "out", "layer3": "aux"})


def build_fcn():
    return FCN(seg_backbone(), FCNHead(32, SEG_CLASSES), FCNHead(32, SEG_CLASSES))


def build_deeplabv3():
    head = DeepLabHead.__new__(DeepLabHead)          # DeepLabHead hard-codes 256 channels
    nn.Sequential.__init__(head, ASPP(32, [2, 4, 6], out_channels=16),
                           nn.Conv2d(16, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
                           nn.Conv2d(16, SEG_CLASSES, 1))
    return DeepLabV3(seg_backbone(), head, FCNHead(32, SEG_CLASSES))


def build_lraspp():
    setting, last_channel = _mobilenet_v3_conf("mobilenet_v3_small", width_mult=0.25, reduced_tail=True,
                                               dilated=True)
    # drop three repeated (in == out, stride 1) blocks: 8 inverted residuals instead of 11
    assert all(setting[i].input_channels == setting[i].out_channels for i in (5, 7, 10))
    setting = [c for i, c in enumerate(setting) if i not in (5, 7, 10)]
    backbone = tvm.MobileNetV3(setting, last_channel)
    m = _lraspp_mobilenetv3(backbone, SEG_CLASSES)
    c = m.classifier       # inter_channels 128 -> 32 (same LRASPPHead class)
    m.classifier = LRASPPHead(c.low_classifier.in_channels, c.cbr[0].in_channels, SEG_CLASSES, 32)
    return m


# ==========================================================================
# Specifications
# ==========================================================================
def L(layout="nchw", prefix=0):
    return dict(layout=layout, prefix=prefix)


SPECS = OrderedDict([
    ("resnet_basic", dict(
        family="resnet", build=build_resnet_basic, input_shape=(1, 3, 64, 64), seeds=(7101, 7102),
        description="torchvision ResNet, BasicBlock, layers [2,2,2,2], stem 8, stage widths 8/12/16/24 "
                    "(ReLU(inplace=True) module called twice per block, residual 'out += identity'), 5 classes",
        layers=OrderedDict([("layer4", L()), ("layer4.1.conv2", L()), ("layer3.0", L()),
                            ("layer2.1.bn2", L()), ("layer1.0.relu", L())]))),
    ("resnet_bottleneck", dict(
        family="resnet", build=build_resnet_bottleneck, input_shape=(1, 3, 64, 64), seeds=(7111, 7112),
        description="torchvision ResNet, Bottleneck (expansion 4), layers [1,1,1,1], stem 16, "
                    "planes 8/12/16/24 (outputs 32/48/64/96), 5 classes",
        layers=OrderedDict([("layer4", L()), ("layer4.0.conv3", L()), ("layer3.0.downsample", L()),
                            ("layer2.0.relu", L())]))),
    ("densenet", dict(
        family="densenet", build=build_densenet, input_shape=(1, 3, 64, 64), seeds=(7121, 7122),
        description="torchvision DenseNet(growth_rate=8, block_config=(2,2), num_init_features=16, bn_size=2); "
                    "forward applies F.relu(features, inplace=True) to the output of 'features' (norm5), "
                    "dense layers concatenate inputs; 5 classes",
        layers=OrderedDict([("features", L()), ("features.denseblock2", L()),
                            ("features.denseblock2.denselayer1.conv2", L()), ("features.transition1", L())]))),
    ("mobilenet_v2", dict(
        family="mobilenet_v2", build=build_mobilenet_v2, input_shape=(1, 3, 64, 64), seeds=(7131, 7132),
        description="torchvision MobileNetV2(width_mult=0.25) with a shortened inverted-residual setting "
                    "[[1,16,1,1],[6,24,2,2],[6,32,2,2],[6,64,2,2],[6,96,1,1]]; activations are ReLU6 "
                    "(no ReLU at all); the hard-coded last 1x1 conv to 1280 channels rebuilt with 128; 5 classes",
        layers=OrderedDict([("features", L()), ("features.8", L()), ("features.7.conv.1", L()),
                            ("features.3.conv.0.2", L())]))),
    ("mobilenet_v3", dict(
        family="mobilenet_v3", build=build_mobilenet_v3, input_shape=(1, 3, 64, 64), seeds=(7141, 7142),
        description="torchvision MobileNetV3 small config, width_mult=0.5, reduced_tail=True: ReLU in the "
                    "early blocks and in the SqueezeExcitation fc, Hardswish later, Hardsigmoid gates; 5 classes",
        layers=OrderedDict([("features", L()), ("features.11", L()), ("features.9.block.2", L()),
                            ("features.1.block.0", L())]))),
    ("efficientnet", dict(
        family="efficientnet", build=build_efficientnet, input_shape=(1, 3, 64, 64), seeds=(7151, 7152),
        description="torchvision EfficientNet, b0 config via _efficientnet_conf(width_mult=0.25, depth_mult=0.25) "
                    "(one MBConv per stage; widths 8..48, last conv 192), SiLU + SqueezeExcitation (SiLU/Sigmoid), StochasticDepth "
                    "(identity in eval); no ReLU; 5 classes",
        layers=OrderedDict([("features", L()), ("features.7", L()), ("features.6.0.block.2", L()),
                            ("features.4.0.block", L())]))),
    ("convnext", dict(
        family="convnext", build=build_convnext, input_shape=(1, 3, 64, 64), seeds=(7161, 7162),
        description="torchvision ConvNeXt, CNBlockConfig (16->24, 2), (24->32, 2), (32, 2); every CNBlock's "
                    "'block' Sequential is dwconv7x7, Permute([0,2,3,1]), LayerNorm, Linear, GELU, Linear, "
                    "Permute([0,3,1,2]) (channels-last inside); downsampling LayerNorm2d permutes internally; "
                    "layer_scale randomised (default 1e-6 would switch the blocks off); 5 classes",
        layers=OrderedDict([("features", L()), ("features.5.1.block.2", L("nhwc")),
                            ("features.5.1.block.3", L("nhwc")), ("features.3.0.block.0", L()),
                            ("features.4.0", L())]))),
    ("regnet", dict(
        family="regnet", build=build_regnet, input_shape=(1, 3, 64, 64), seeds=(7171, 7172),
        description="torchvision RegNet, BlockParams.from_init_params(depth=5, w_0=16, w_a=8, w_m=2, "
                    "group_width=8, se_ratio=0.25), stem 16 (ResBottleneckBlock with grouped conv and SE); "
                    "5 classes",
        layers=OrderedDict([("trunk_output", L()), ("trunk_output.block3.block3-0.f.c", L()),
                            ("trunk_output.block2.block2-0.f.se", L()), ("trunk_output.block1", L())]))),
    ("shufflenet_v2", dict(
        family="shufflenet_v2", build=build_shufflenet_v2, input_shape=(1, 3, 64, 64), seeds=(7181, 7182),
        description="torchvision ShuffleNetV2(stages_repeats [2,2,2], channels [8,16,32,64,64]): "
                    "x.chunk(2), torch.cat and channel_shuffle (view/transpose/view); 5 classes",
        layers=OrderedDict([("conv5", L()), ("stage4", L()), ("stage3.1.branch2", L()), ("stage2.0", L())]))),
    ("squeezenet", dict(
        family="squeezenet", build=build_squeezenet, input_shape=(1, 3, 64, 64), seeds=(7191, 7192),
        description="torchvision SqueezeNet 1.1 topology with every Fire module at 1/8 width "
                    "(Fire.forward = torch.cat of expand1x1/expand3x3 ReLU outputs); classifier = Dropout, "
                    "1x1 conv to 5 classes, ReLU, AdaptiveAvgPool2d (logits are >= 0)",
        layers=OrderedDict([("features", L()), ("features.12.expand3x3_activation", L()),
                            ("features.7", L()), ("classifier.1", L())]))),
    ("vgg_bn", dict(
        family="vgg", build=build_vgg_bn, input_shape=(1, 3, 64, 64), seeds=(7201, 7202),
        description="torchvision VGG with make_layers([8,8,M,16,16,M,32,32,M,32,M], batch_norm=True), "
                    "avgpool (2,2), classifier Linear-ReLU-Dropout-Linear-ReLU-Dropout-Linear (32 wide); "
                    "5 classes",
        layers=OrderedDict([("features", L()), ("features.23", L()), ("features.18", L()),
                            ("features.12", L())]))),
    ("mnasnet", dict(
        family="mnasnet", build=build_mnasnet, input_shape=(1, 3, 64, 64), seeds=(7211, 7212),
        description="torchvision MNASNet(alpha=0.1): one 'layers' Sequential of conv/BN/ReLU, _InvertedResidual "
                    "stacks (layers.8-13, rebuilt with repeats 2,1,1,1,2,1) and the final 1x1 conv (hard-coded "
                    "1280 channels rebuilt with 128); 5 classes",
        layers=OrderedDict([("layers", L()), ("layers.13", L()), ("layers.12.0.layers.3", L()),
                            ("layers.9", L())]))),
    ("googlenet", dict(
        family="googlenet", build=build_googlenet, input_shape=(1, 3, 64, 64), seeds=(7221, 7222),
        description="torchvision GoogLeNet(aux_logits=False, transform_input=False) with widths / 8 "
                    "(inception4*/5*: / 16) "
                    "(Inception = torch.cat of 4 branches, BasicConv2d uses F.relu(x, inplace=True)); "
                    "5 classes.  The SCRIPTED file returns GoogLeNetOutputs (a NamedTuple "
                    "(logits, aux_logits2=None, aux_logits1=None)); the traced file returns the logits tensor",
        layers=OrderedDict([("inception5b", L()), ("inception4e.branch2", L()), ("inception3a", L()),
                            ("inception4a.branch4", L())]))),
    ("vit", dict(
        family="vit", build=build_vit, input_shape=(1, 3, 32, 32), seeds=(7301, 7302), rollout=True,
        description="torchvision VisionTransformer(image_size=32, patch_size=4, num_layers=2, num_heads=2, "
                    "hidden_dim=32, mlp_dim=64), class token: tokens [N, 1 + 8*8, 32]; 5 classes",
        layers=OrderedDict([("encoder.layers.encoder_layer_1.ln_1", L("tokens", 1)),
                            ("encoder.layers.encoder_layer_0", L("tokens", 1)),
                            ("encoder.layers.encoder_layer_0.mlp", L("tokens", 1)),
                            ("conv_proj", L())]))),
    ("deit", dict(
        family="vit", build=build_deit, input_shape=(1, 3, 32, 32), seeds=(7311, 7312), rollout=True,
        description="DeiT-like model (class DeiT in this script, a VisionTransformer subclass): class AND "
                    "distillation token, tokens [N, 2 + 8*8, 32], logits = (heads(x[:,0]) + head_dist(x[:,1])) / 2; "
                    "ViT config as 'vit'; 5 classes",
        layers=OrderedDict([("encoder.layers.encoder_layer_1.ln_1", L("tokens", 2)),
                            ("encoder.layers.encoder_layer_0", L("tokens", 2)),
                            ("encoder.layers.encoder_layer_0.mlp", L("tokens", 2)),
                            ("conv_proj", L())]))),
    ("swin", dict(
        family="swin", build=build_swin, input_shape=(1, 3, 64, 64), seeds=(7321, 7322),
        description="torchvision SwinTransformer(patch_size [4,4], embed_dim 12, depths [2,2,1], num_heads "
                    "[2,2,4], window [4,4], mlp_ratio 2): features.0 = conv + Permute([0,2,3,1]) + LayerNorm, "
                    "stages features.1/3/5 and PatchMerging features.2/4 are channels-last [N, H, W, C] "
                    "(16x16x12, 8x8x24, 4x4x48), shifted windows (torch.roll + mask) in odd blocks of the 16x16 and 8x8 stages; "
                    "norm, Permute([0,3,1,2]), avgpool, head; 5 classes",
        layers=OrderedDict([("features.5", L("nhwc")), ("features.3", L("nhwc")),
                            ("features.5.0.norm1", L("nhwc")), ("features.2", L("nhwc")),
                            ("features.0.0", L())]))),
    ("vit_nograd", dict(
        family="vit", build=build_vit, input_shape=(1, 3, 32, 32), seeds=None, weights_from="vit",
        trace_no_grad=True, exports=("traced",),
        description="the 'vit' model (same weights, same input, same fixtures) TRACED UNDER torch.no_grad(): "
                    "MultiheadAttention took its inference fast path, so the graph calls "
                    "aten::_native_multi_head_attention, which has no backward",
        layers=OrderedDict())),
    ("fcn", dict(
        family="segmentation", build=build_fcn, input_shape=(1, 3, 64, 64), seeds=(7401, 7402),
        kind="pixel-sum",
        description="torchvision FCN: IntermediateLayerGetter over a tiny Bottleneck ResNet (stem 16, planes "
                    "8/12/8/8, layer3/layer4 dilated, output stride 8) -> {'out': layer4 (32 ch), "
                    "'aux': layer3 (32 ch)}, classifier FCNHead(32, 3), aux_classifier FCNHead(32, 3), "
                    "bilinear upsampling; returns dict {'out', 'aux'} of 3 x 64 x 64",
        layers=OrderedDict([("backbone.layer4", L()), ("backbone.layer4.0.conv2", L()),
                            ("classifier.2", L()), ("backbone.layer2", L())]))),
    ("deeplabv3", dict(
        family="segmentation", build=build_deeplabv3, input_shape=(1, 3, 64, 64), seeds=(7411, 7412),
        kind="pixel-sum",
        description="torchvision DeepLabV3: backbone as 'fcn', classifier = DeepLabHead with ASPP(32, rates "
                    "[2,4,6], 16 channels) (ASPPPooling upsamples a 1x1 map with F.interpolate), "
                    "aux_classifier FCNHead(32, 3); returns dict {'out', 'aux'} of 3 x 64 x 64",
        layers=OrderedDict([("backbone.layer4", L()), ("classifier.0", L()),
                            ("classifier.0.convs.1", L()), ("backbone.layer3.0.conv2", L())]))),
    ("lraspp", dict(
        family="segmentation", build=build_lraspp, input_shape=(1, 3, 64, 64), seeds=(7421, 7422),
        kind="pixel-sum",
        description="torchvision LRASPP via _lraspp_mobilenetv3 over a MobileNetV3 small config (width_mult "
                    "0.25, reduced_tail, dilated, blocks 5/7/10 (repeats) dropped; torchvision ships LRASPP with "
                    "the large config, the small one keeps the file small): IntermediateLayerGetter -> {'low': "
                    "features.2 (8x8), 'high': features.9 (4x4)}, LRASPPHead(inter_channels=32) (cbr * sigmoid scale gate, low/high "
                    "classifiers); returns dict {'out'} ONLY (torchvision's LRASPP has no aux head) of 3 x 64 x 64",
        layers=OrderedDict([("backbone.9", L()), ("classifier.cbr", L()), ("backbone.2", L()),
                            ("backbone.7.block.2", L())]))),
])


# ==========================================================================
# Weights
# ==========================================================================
def init_family_weights(model, seed, input_shape):
    """torchvision init (already done by the constructor) + randomised Linear /
    LayerNorm / tokens / position embeddings / Swin position bias / ConvNeXt
    layer scale, then make_test_models.init_weights (Kaiming convs, BatchNorm
    affine random, running stats calibrated and perturbed)."""
    g = torch.Generator().manual_seed(seed + 3)
    with torch.no_grad():
        for name, m in model.named_modules():
            if isinstance(m, nn.Linear):
                bound = 1.0 / math.sqrt(m.in_features)
                m.weight.copy_((torch.rand(m.weight.shape, generator=g) * 2 - 1) * math.sqrt(3.0) * bound)
                if m.bias is not None:
                    m.bias.copy_((torch.rand(m.bias.shape, generator=g) * 2 - 1) * 0.1)
            elif isinstance(m, nn.LayerNorm) and m.elementwise_affine:
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) * 0.9 + 0.6)
                m.bias.copy_((torch.rand(m.bias.shape, generator=g) * 2 - 1) * 0.25)
            elif isinstance(m, nn.MultiheadAttention):
                # sharper attention than xavier's (logits ~ N(0, 1.5^2) instead of ~0.3^2)
                m.in_proj_weight.copy_(torch.randn(m.in_proj_weight.shape, generator=g)
                                       * (1.6 / math.sqrt(m.embed_dim)))
                m.in_proj_bias.copy_(torch.randn(m.in_proj_bias.shape, generator=g) * 0.1)
        for name, p in model.named_parameters():
            leaf = name.rsplit(".", 1)[-1]
            if leaf in ("class_token", "dist_token"):
                p.copy_(torch.randn(p.shape, generator=g) * 0.5)
            elif leaf == "pos_embedding":
                p.copy_(torch.randn(p.shape, generator=g) * 0.5)
            elif leaf == "relative_position_bias_table":
                p.copy_(torch.randn(p.shape, generator=g) * 0.5)
            elif leaf == "layer_scale":
                p.copy_(torch.rand(p.shape, generator=g) * 0.7 + 0.3)
    return init_weights(model, seed, input_shape)


def build_eager(name, weights=None):
    spec = SPECS[name]
    if weights is None:
        torch.manual_seed(spec["seeds"][0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = spec["build"]()
        return init_family_weights(model, spec["seeds"][0], spec["input_shape"])
    return load_eval(spec["build"](), weights)


# ==========================================================================
# Export (runs in a fresh interpreter)
# ==========================================================================
_PATH_RE = re.compile(r"(?:[A-Za-z]:)?(?:/[\w.\-+@]+){2,}")


def sanitize(msg):
    """First line of a message, without file-system paths."""
    line = str(msg).strip().splitlines()[0] if str(msg).strip() else ""
    return _PATH_RE.sub("<path>", line)[:300]


def export_child(name, kind, path):
    """Internal (--export): read a state dict from stdin, save TorchScript (debug records stripped),
    print one JSON line with the result."""
    torch.set_num_threads(THREADS)
    spec = SPECS[name]
    model = build_eager(name, read_payload())
    result = OrderedDict([("ok", True)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            # traced with autograd enabled unless trace_no_grad; check_trace off: it re-traces under
            # torch.no_grad(), where MultiheadAttention takes its fast path, so it fails for vit/deit by design;
            # the parent checks every file's output and input gradient against the eager model instead.
            ts = trace_or_script(model, kind == "traced", torch.zeros(*spec["input_shape"]),
                                 no_grad=spec.get("trace_no_grad", False), strict=spec.get("kind") != "pixel-sum",
                                 check_trace=False)
            save_torchscript(ts, path)
        except Exception as e:  # noqa: BLE001  (reported in the manifest)
            result = OrderedDict([("ok", False), ("error", f"{type(e).__name__}: {sanitize(e)}")] +
                                 [(k, v) for k, v in result.items() if k != "ok"])
    result["warnings"] = sorted({f"{w.category.__name__}: {sanitize(w.message)}" for w in caught})
    print("EXPORT-RESULT " + json.dumps(result), flush=True)


def export_result(name, kind, state_bytes, path):
    """Export in a fresh interpreter (export_child); state_bytes: torch.save(model.state_dict()) bytes, piped to
    the child.  Returns the child's EXPORT-RESULT."""
    r = run_export(__file__, (name, kind, path), state_bytes, capture_output=True, check=False)
    lines = [s for s in r.stdout.decode().splitlines() if s.startswith("EXPORT-RESULT ")]
    if r.returncode != 0 or not lines:
        raise RuntimeError(f"export {name} {kind} crashed:\n{r.stderr.decode()[-3000:]}")
    return json.loads(lines[-1][len("EXPORT-RESULT "):], object_pairs_hook=OrderedDict)


# ==========================================================================
# Helpers: outputs, scores
# ==========================================================================
def primary(out, key="out"):
    """The tensor the score is taken from: dict -> out[key]; tuple (scripted
    GoogLeNet's GoogLeNetOutputs) -> element 0; tensor -> itself."""
    if isinstance(out, dict):
        return out[key]
    if isinstance(out, tuple):
        return out[0]
    return out


def make_score(kind, cls):
    if kind == "pixel-sum":
        return lambda out: primary(out)[0, cls].sum()
    return lambda out: primary(out)[0, cls]


# ==========================================================================
# ReLU rule (guided backprop) patched into every ReLU spelling
# ==========================================================================
_ORIG = OrderedDict([
    ("torch.relu", (torch, "relu", torch.relu)),
    ("torch.relu_", (torch, "relu_", torch.relu_)),
    ("F.relu", (F, "relu", F.relu)),
    ("F.relu_", (F, "relu_", F.relu_)),
    ("Tensor.relu", (torch.Tensor, "relu", torch.Tensor.relu)),
    ("Tensor.relu_", (torch.Tensor, "relu_", torch.Tensor.relu_)),
])
_RAW_RELU = torch.relu
_RAW_RELU_ = torch.relu_


class ReLURule(torch.autograd.Function):
    """relu(z) forward; backward: 'vanilla' grad * [z > 0] (as aten's
    threshold_backward), 'guided' relu(grad) * [z > 0].  inplace=True modifies
    z in place and marks it dirty (the same tensor object is returned)."""

    @staticmethod
    def forward(ctx, z, rule, inplace):
        if inplace:
            ctx.mark_dirty(z)
            out = _RAW_RELU_(z)
        else:
            out = _RAW_RELU(z)
        ctx.save_for_backward(out)
        ctx.rule = rule
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        if ctx.rule == "guided":
            g = g.clamp(min=0)
        return g.masked_fill(out <= 0, 0), None, None


@contextlib.contextmanager
def relu_rule(rule, counter):
    """Replace every ReLU spelling by ReLURule while the block runs.  nn.ReLU
    modules call F.relu (looked up at call time), so they are covered too."""
    def apply(z, inplace, spelling):
        counter[spelling] += 1
        out = ReLURule.apply(z, rule, inplace)
        if inplace:
            assert out is z, "in-place ReLU did not return its input"
        return out

    def f_relu(input, inplace=False):
        return apply(input, inplace, "F.relu(inplace=True)" if inplace else "F.relu")

    repl = {
        "torch.relu": lambda z: apply(z, False, "torch.relu"),
        "torch.relu_": lambda z: apply(z, True, "torch.relu_"),
        "F.relu": f_relu,
        "F.relu_": lambda z: apply(z, True, "F.relu_"),
        "Tensor.relu": lambda self: apply(self, False, "Tensor.relu"),
        "Tensor.relu_": lambda self: apply(self, True, "Tensor.relu_"),
    }
    had_own = {k: attr in owner.__dict__ for k, (owner, attr, _) in _ORIG.items()}
    try:
        for k, (owner, attr, _) in _ORIG.items():
            setattr(owner, attr, repl[k])
        yield
    finally:
        for k, (owner, attr, orig) in _ORIG.items():
            if had_own[k]:
                setattr(owner, attr, orig)
            else:
                delattr(owner, attr)


def relu_rule_selftest():
    """The patch on a toy function that uses every spelling once (plus nn.ReLU
    modules): call counts, in-place identity, vanilla rule == autograd, guided
    rule == closed form sum_k k * relu(w) * [z > 0]."""
    g = torch.Generator().manual_seed(5)
    z0 = torch.randn(256, generator=g)
    w = torch.randn(256, generator=g)
    ks = list(range(1, 10))

    def f(z):
        parts = [torch.relu(z * 1.0), torch.relu_(z * 2.0), F.relu(z * 3.0), F.relu(z * 4.0, inplace=True),
                 F.relu_(z * 5.0), (z * 6.0).relu(), (z * 7.0).relu_(), nn.ReLU()(z * 8.0),
                 nn.ReLU(inplace=True)(z * 9.0)]
        return (sum(parts) * w).sum()

    def grad(rule=None):
        z = z0.clone().requires_grad_(True)
        counter = Counter()
        with relu_rule(rule, counter) if rule else contextlib.nullcontext():
            (gz,) = torch.autograd.grad(f(z), z)
        return gz, counter
    ref, _ = grad()
    van, counts = grad("vanilla")
    gui, counts_g = grad("guided")
    expected = sum(ks) * torch.relu(w) * (z0 > 0)
    res = OrderedDict([
        ("calls_by_spelling", OrderedDict(sorted(counts.items()))),
        ("vanilla_vs_autograd_max_abs_diff", maxdiff(van, ref)),
        ("guided_vs_closed_form_max_abs_diff", maxdiff(gui, expected)),
    ])
    assert sum(counts.values()) == 9 and counts == counts_g, counts
    assert res["vanilla_vs_autograd_max_abs_diff"] == 0, res
    assert res["guided_vs_closed_form_max_abs_diff"] <= 1e-6 * float(expected.abs().max()), res
    return res


def relu_rule_gradient(model, x, score, rule):
    counter = Counter()
    with relu_rule(rule, counter):
        g = input_gradient(model, x, score)
    return g, counter


# ==========================================================================
# Layers: Grad-CAM references
# ==========================================================================
def record_layer_leaf(model, x, score, path):
    """Forward hook replacing the module's output by leaf.clone(), leaf =
    output.detach().requires_grad_(): leaf.grad is dScore/dA of the module's own
    output even when an in-place op follows.  Returns (activation, gradient,
    number of calls) of the LAST call, raw layout, batch dim kept."""
    mod = dict(model.named_modules())[path]
    leaves = []

    def hook(m, inp, out):
        assert isinstance(out, Tensor), f"{path}: output is {type(out).__name__}"
        leaf = out.detach().requires_grad_(True)
        leaves.append(leaf)
        return leaf.clone()
    h = mod.register_forward_hook(hook)
    try:
        s = score(model(x.clone()))
    finally:
        h.remove()
    assert leaves, f"layer {path} was not called"
    (g,) = torch.autograd.grad(s, leaves[-1])
    return leaves[-1].detach().clone(), g.detach().clone(), len(leaves)


def to_grid(t, layout, prefix, grid):
    """[1, ...] raw module output -> channels-first [C, h, w] (pytorch-grad-cam's
    reshape_transform for tokens; permute for channels-last)."""
    if layout == "nchw":
        return t[0]
    if layout == "nhwc":
        return t[0].permute(2, 0, 1).contiguous()
    if layout == "tokens":
        h, w = grid
        return t[0, prefix:].reshape(h, w, t.shape[-1]).permute(2, 0, 1).contiguous()
    raise ValueError(layout)


# ==========================================================================
# Attention rollout (ViT / DeiT)
# ==========================================================================
def attention_probs(model, x):
    """Per encoder block (execution order): softmax(QK^T / sqrt(d)) per head,
    recomputed from the MultiheadAttention input and in_proj_weight/bias;
    cross-checked against the module's own need_weights=True output.

    torchvision calls self_attention(query=x, key=x, value=x, ...) with keyword
    arguments, which torch 1.13's forward (pre-)hooks do not receive, so the
    "hook" is a per-instance wrapper of forward (removed afterwards)."""
    rec = []
    mods = [(p, m) for p, m in model.named_modules() if isinstance(m, nn.MultiheadAttention)]
    for path, mod in mods:
        orig = mod.forward

        def fwd(*args, path=path, mod=mod, orig=orig, **kwargs):
            names = ("query", "key", "value")
            qkv = [kwargs[n] if n in kwargs else args[i] for i, n in enumerate(names)]
            assert qkv[0] is qkv[1] is qkv[2], "not self-attention"
            assert mod.batch_first and mod._qkv_same_embed_dim
            q_in = qkv[0].detach()
            q, k, _ = F.linear(q_in, mod.in_proj_weight, mod.in_proj_bias).chunk(3, dim=-1)
            b, t, e = q.shape
            h = mod.num_heads
            d = e // h
            q = q.reshape(b, t, h, d).transpose(1, 2)
            k = k.reshape(b, t, h, d).transpose(1, 2)
            a = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d), dim=-1).detach()
            _, ref = orig(q_in, q_in, q_in, need_weights=True, average_attn_weights=False)
            rec.append((path, a[0], maxdiff(a, ref.detach())))
            return orig(*args, **kwargs)
        mod.forward = fwd
    try:
        model(x)          # autograd enabled, as for the other references (no backward)
    finally:
        for _, mod in mods:
            del mod.forward
    return rec


def rollout(attns, prefix, grid):
    """Abnar & Zuidema rollout as in vit-explain (mean over heads, no discard):
    A_hat = (A + I) / 2, rows renormalised, R = A_hat_L @ ... @ A_hat_1;
    map = R[0, prefix:] reshaped to the patch grid (no further normalisation)."""
    t = attns[0].shape[-1]
    eye = torch.eye(t)
    r = torch.eye(t)
    for a in attns:
        a = a.mean(dim=0)
        a = (a + eye) / 2
        a = a / a.sum(dim=-1, keepdim=True)
        r = a @ r
    return r[0, prefix:].reshape(*grid), r


# ==========================================================================
# Per-model fixtures
# ==========================================================================
def graph_kinds(ts):
    return Counter(n.kind() for n in ts.inlined_graph.nodes())


def all_node_kinds(graph):
    """Node kinds including those nested in blocks (if/loop bodies)."""
    kinds = Counter()
    stack = list(graph.nodes())
    while stack:
        n = stack.pop()
        kinds[n.kind()] += 1
        for b in n.blocks():
            stack.extend(b.nodes())
    return kinds


def profile_ops(fn):
    with torch.autograd.profiler.profile() as prof:
        fn()
    return {e.name for e in prof.function_events}


def fixtures_for(name, spec, model, root, log):
    fdir = root / FAMILIES_REL / name
    fdir.mkdir(parents=True)
    rel = lambda p: str(Path(name) / p)  # noqa: E731  (fixture paths are relative to families/)
    kind = spec.get("kind", "logit")
    x = torch.rand(*spec["input_shape"], generator=torch.Generator().manual_seed(spec["seeds"][1]))
    model.eval()
    out_full = model(x)                         # autograd enabled (MHA: differentiable path)
    out = primary(out_full).detach()
    checks = OrderedDict()
    notes = []
    if isinstance(out_full, dict):
        output = OrderedDict([("kind", "dict"), ("keys", list(out_full.keys())), ("used_key", "out"),
                              ("shapes", OrderedDict((k, list(v.shape)) for k, v in out_full.items()))])
        sums = out[0].sum(dim=(1, 2))
        cls = int(sums.argmax())
        score_def = f"sum over all pixels of output['out'][0, {cls}] (class with the largest pixel sum)"
        extra = OrderedDict([("pixel_sums", [float(v) for v in sums])])
    else:
        output = OrderedDict([("kind", "logits"), ("shape", list(out.shape))])
        cls = int(out[0].argmax())
        score_def = f"output[0, {cls}] (top-1 logit)"
        srt = out[0].sort(descending=True).values
        extra = OrderedDict([("margin_to_second", float(srt[0] - srt[1]))])
    score = make_score(kind, cls)
    target = OrderedDict([("class", cls), ("kind", kind), ("score", float(score(out_full))),
                          ("definition", score_def)])
    target.update(extra)
    with torch.no_grad():
        checks["eager_no_grad_vs_grad_output_max_abs_diff"] = maxdiff(primary(model(x)), out)

    files = OrderedDict([("input", rel("input.npy")), ("output", rel("output.npy")),
                         ("saliency", rel("saliency.npy"))])
    save_npy(fdir / "input.npy", x[0])
    save_npy(fdir / "output.npy", out[0])
    sal = input_gradient(model, x, score)
    save_npy(fdir / "saliency.npy", sal[0])
    checks["saliency_max_abs"] = float(sal.abs().max())
    assert checks["saliency_max_abs"] > 0, name

    # ---- guided backprop (rule on every ReLU call) + vanilla-rule self-check
    vanilla, counts = relu_rule_gradient(model, x, score, "vanilla")
    relu_info = OrderedDict([("calls", sum(counts.values())),
                             ("calls_by_spelling", OrderedDict(sorted(counts.items())))])
    checks["vanilla_rule_vs_saliency_max_abs_diff"] = maxdiff(vanilla, sal)
    if relu_info["calls"]:
        guided, counts_g = relu_rule_gradient(model, x, score, "guided")
        assert counts_g == counts
        save_npy(fdir / "guided.npy", guided[0])
        files["guided"] = rel("guided.npy")
        checks["guided_vs_saliency_max_abs_diff"] = maxdiff(guided, sal)
        assert checks["guided_vs_saliency_max_abs_diff"] > 0, name
    else:
        notes.append("no ReLU call at all (activations: " + spec_activations(model) + "): no guided.npy")
    assert checks["vanilla_rule_vs_saliency_max_abs_diff"] <= 1e-6 * max(1e-3, checks["saliency_max_abs"]), \
        (name, checks["vanilla_rule_vs_saliency_max_abs_diff"])

    # ---- layers
    mtypes = {p: type(m).__name__ for p, m in model.named_modules()}
    layers = OrderedDict()
    for p, ls in spec["layers"].items():
        act_raw, grad_raw, ncalls = record_layer_leaf(model, x, score, p)
        # cross-check with make_test_models.record_layers (output.register_hook)
        other = record_layers(model, x, score, [p])[p][-1]
        layout, prefix = ls["layout"], ls["prefix"]
        raw_shape = list(act_raw.shape)
        if layout == "tokens":
            n_tok = raw_shape[1] - prefix
            side = int(round(math.sqrt(n_tok)))
            assert side * side == n_tok
            grid = [side, side]
        elif layout == "nhwc":
            assert len(raw_shape) == 4
            grid = raw_shape[1:3]
        else:
            assert len(raw_shape) == 4
            grid = raw_shape[2:4]
        act = to_grid(act_raw, layout, prefix, grid)
        grad = to_grid(grad_raw, layout, prefix, grid)
        cam = gradcam_raw(act, grad)
        ldir = fdir / p
        save_npy(ldir / "activation.npy", act)
        save_npy(ldir / "gradient.npy", grad)
        save_npy(ldir / "gradcam_raw.npy", cam)
        gmax = float(grad.abs().max())
        assert gmax > 0, f"{name}/{p}: zero gradient"
        entry = OrderedDict([
            ("type", mtypes[p]),
            ("layout", layout),
            ("prefix_tokens", prefix),
            ("grid", grid),
            ("raw_shape", raw_shape),
            ("channels", int(act.shape[0])),
            ("activation_shape", list(act.shape)),
            ("calls", ncalls),
            ("recorded_call", ncalls),
            ("files", OrderedDict((k, rel(f"{p}/{k}.npy")) for k in ("activation", "gradient", "gradcam_raw"))),
            ("activation_vs_register_hook_max_abs_diff", maxdiff(act_raw, other["act"])),
            ("gradient_vs_register_hook_max_abs_diff", maxdiff(grad_raw, other["grad"])),
            ("output_modified_in_place_downstream", bool(other["modified_later"])),
            ("activation_max_abs", float(act.abs().max())),
            ("gradient_max_abs", gmax),
        ])
        if layout == "tokens":
            entry["prefix_tokens_gradient_max_abs"] = float(grad_raw[0, :prefix].abs().max())
        assert entry["gradient_vs_register_hook_max_abs_diff"] <= 1e-6 * max(1e-3, gmax), (name, p, entry)
        layers[p] = entry
        log(f"    {p:40s} {mtypes[p]:22s} {layout:6s} raw {raw_shape} -> grid {grid}")

    # ---- attention rollout
    attention = None
    if spec.get("rollout"):
        prefix = next(iter(spec["layers"].values()))["prefix"]
        rec = attention_probs(model, x)
        t = rec[0][1].shape[-1]
        side = int(round(math.sqrt(t - prefix)))
        roll, r = rollout([a for _, a, _ in rec], prefix, (side, side))
        save_npy(fdir / "rollout.npy", roll)
        blocks = OrderedDict()
        for path, a, d in rec:
            save_npy(fdir / "attention" / f"{path}.npy", a)
            blocks[path] = OrderedDict([("file", rel(f"attention/{path}.npy")), ("shape", list(a.shape)),
                                        ("vs_module_need_weights_max_abs_diff", d),
                                        ("max_prob", float(a.max()))])
        files["rollout"] = rel("rollout.npy")
        attention = OrderedDict([
            ("rollout", rel("rollout.npy")),
            ("rollout_shape", list(roll.shape)),
            ("prefix_tokens", prefix),
            ("blocks", blocks),
            ("rollout_row_sum_max_abs_error", float((r.sum(-1) - 1).abs().max())),
            ("rollout_min", float(roll.min())), ("rollout_max", float(roll.max())),
        ])
        checks["attention_vs_need_weights_max_abs_diff"] = max(d for _, _, d in rec)
        assert checks["attention_vs_need_weights_max_abs_diff"] <= 1e-6

    return x, out_full, cls, score, files, output, target, layers, relu_info, attention, checks, notes


def spec_activations(model):
    acts = sorted({type(m).__name__ for m in model.modules()
                   if type(m).__module__.startswith("torch.nn.modules.activation")
                   and not isinstance(m, nn.MultiheadAttention)})
    return ", ".join(acts) if acts else "none as modules"


# ==========================================================================
# TorchScript checks
# ==========================================================================
def check_export(name, kind, path, x, out_full, score, sal, relu_calls, log):
    ts = torch.jit.load(str(path)).eval()
    info = OrderedDict()
    info["torchscript_type"] = ts._c._type().qualified_name()
    info["debug_records"] = len(debug_records(path))
    assert info["debug_records"] == 0
    raw = path.read_bytes()
    assert b"/usr/" not in raw and b"dist-packages" not in raw and str(REPO).encode() not in raw, path
    def run_no_grad():
        with torch.no_grad():
            ts(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ts_out = ts(x)
        ops_nograd = profile_ops(run_no_grad)
    if isinstance(ts_out, dict):
        info["output_type"] = "Dict[str, Tensor] keys " + ",".join(ts_out.keys())
        info["vs_eager_output_max_abs_diff"] = max(maxdiff(ts_out[k], out_full[k]) for k in out_full)
    elif isinstance(ts_out, tuple):
        info["output_type"] = f"tuple of {len(ts_out)} ({type(ts_out).__name__}; " + \
            ", ".join("None" if v is None else "Tensor" for v in ts_out) + ")"
        info["vs_eager_output_max_abs_diff"] = maxdiff(ts_out[0], primary(out_full))
    else:
        info["output_type"] = "Tensor"
        info["vs_eager_output_max_abs_diff"] = maxdiff(ts_out, primary(out_full))
    assert info["vs_eager_output_max_abs_diff"] <= TOL_TS, (name, kind, info)
    no_forward, extra = [], OrderedDict()
    for path, m in ts.named_modules():
        names = m._c._method_names()
        if "forward" not in names:
            no_forward.append(path)
        more = sorted(n for n in names if n.startswith("forward") and n != "forward")
        if more:
            extra[path] = more
    info["modules_without_forward_method"] = no_forward
    info["modules_with_other_forward_methods"] = extra
    kinds = graph_kinds(ts)
    info["graph_relu_nodes"] = kinds["aten::relu"] + kinds["aten::relu_"]
    info["graph_native_mha_nodes"] = kinds[NATIVE_MHA]
    if kind == "scripted":
        info["code_native_mha_nodes_incl_branches"] = all_node_kinds(ts.inlined_graph)[NATIVE_MHA]
    info["no_grad_run_calls_native_mha"] = NATIVE_MHA in ops_nograd
    if kind == "traced":
        assert info["graph_relu_nodes"] == relu_calls, (name, info["graph_relu_nodes"], relu_calls)
    try:
        g = input_gradient(ts, x, score)
        info["saliency_vs_eager_max_abs_diff"] = maxdiff(g, sal)
        assert info["saliency_vs_eager_max_abs_diff"] <= 1e-5 * max(1.0, float(sal.abs().max())), (name, info)
        info["backward"] = "ok"
    except RuntimeError as e:
        info["backward"] = f"raises {type(e).__name__}: {sanitize(e)}"
    return ts, info


# ==========================================================================
# Main
# ==========================================================================
def conventions():
    return OrderedDict([
        ("npy", "little-endian float32, C order, batch dimension dropped"),
        ("paths", "model files (files.traced/scripted) are relative to the repository root; fixture files are "
                  "relative to src/test/resources/families/"),
        ("input", "torch.rand(input_shape, generator=torch.Generator().manual_seed(seeds.input)) in [0, 1), "
                  "no normalisation"),
        ("eager", "references computed on the eager torchvision model in eval mode with autograd enabled "
                  "(MultiheadAttention therefore takes its differentiable path)"),
        ("output", "output.npy = the logits, or for dict outputs the tensor of key output.used_key ('out')"),
        ("score", "logit: output[0, class], class = top-1; pixel-sum: sum over all pixels of "
                  "output['out'][0, class], class = the one with the largest pixel sum"),
        ("saliency", "d(score)/d(input), signed, C x H x W"),
        ("guided", "guided backprop: the backward of EVERY ReLU call (nn.ReLU, F.relu, F.relu_, torch.relu, "
                   "torch.relu_, Tensor.relu, Tensor.relu_, in-place variants kept in place) becomes "
                   "relu(grad_out) * [z > 0]; implemented as a torch.autograd.Function patched in for those "
                   "spellings; absent when the model calls no ReLU (ReLU6, Hardswish, SiLU, GELU are not ReLU)"),
        ("layers", "Grad-CAM layers: forward hook replacing the output by leaf.clone() with leaf = "
                   "output.detach().requires_grad_(); gradient = leaf.grad (dScore/dA of the module's own "
                   "output, LAST call if called several times), one layer per forward/backward pass"),
        ("layout", "nchw: raw [1, C, H, W]; nhwc: raw [1, H, W, C] -> permute to [C, H, W]; tokens: raw "
                   "[1, T, C] -> drop prefix_tokens -> reshape [h, w, C] -> [C, h, w] (pytorch-grad-cam's "
                   "reshape_transform); grid = [h, w]"),
        ("activation", "the layer output in channels-first grid layout [C, h, w]"),
        ("gradient", "dScore/dA in the same [C, h, w] layout"),
        ("gradcam_raw", "h x w: sum_k mean_ij(gradient_k) * activation_k, no ReLU, no upsampling"),
        ("rollout", "attention rollout (Abnar & Zuidema 2020, as vit-explain with head_fusion='mean', "
                    "discard_ratio=0): per encoder block in order, A = softmax(Q K^T / sqrt(d)) per head "
                    "recomputed from the MultiheadAttention input and in_proj_weight/bias, mean over heads, "
                    "A_hat = (A + I) / 2, rows renormalised to 1, R = A_hat_L @ ... @ A_hat_1; "
                    "rollout.npy = R[0, prefix_tokens:] reshaped to the patch grid, no further normalisation "
                    "(vit-explain divides by the max); attention/<path>.npy = [heads, T, T] per block"),
        ("modules", "every path of named_modules() ('' = root) with type name, number of calls and the full "
                    "output shape of the last call (one no_grad forward); null = never called, 'tuple' = tuple "
                    "output, 'OrderedDict' = dict output"),
        ("exports", "each export in a fresh interpreter (PYTHONHASHSEED=0) from the state_dict; traced with "
                    "autograd ENABLED (except vit_nograd), example input zeros(input_shape), dict outputs with "
                    "strict=False, check_trace=False (torch's check re-traces under torch.no_grad(), where "
                    "MultiheadAttention takes its fast path, so it fails for vit/deit by design); every file is "
                    "checked here instead: output vs eager <= 1e-5 and d(score)/d(input) vs saliency.npy; "
                    ".debug_pkl records removed (scripts/strip_debug_info.py); traced files are specialised to "
                    "input_shape"),
    ])


def pretty_json(obj, indent=0, col=0, width=118):
    """JSON with 2-space indentation where every object/array that fits on the
    rest of its line (up to `width` columns) stays on one line."""
    compact = json.dumps(obj, separators=(", ", ": "))
    if not isinstance(obj, (dict, list)) or not obj or col + len(compact) <= width:
        return compact
    pad = " " * (indent + 2)
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            key = json.dumps(k)
            items.append(f"{pad}{key}: {pretty_json(v, indent + 2, indent + 4 + len(key), width)}")
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + pretty_json(v, indent + 2, indent + 2, width) for v in obj]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def generate(root, log):
    t_start = time.time()
    fam = root / FAMILIES_REL
    if fam.exists():
        shutil.rmtree(fam)
    (root / MODELS_REL).mkdir(parents=True)
    pool = ThreadPoolExecutor(max_workers=EXPORT_WORKERS)
    eager, futures, results = {}, {}, OrderedDict()

    for name, spec in SPECS.items():
        t0 = time.time()
        log(f"{name}:")
        if spec.get("weights_from"):
            src = spec["weights_from"]
            model = eager[src]
        else:
            model = build_eager(name)
        eager[name] = model
        sd = torch_bytes(model.state_dict())    # keeps _metadata (MNASNet's load needs its version)
        for kind in spec.get("exports", ("traced", "scripted")):
            p = root / MODELS_REL / f"{name}_{kind}.pt"
            futures[(name, kind)] = pool.submit(export_result, name, kind, sd, p)
        if spec.get("weights_from"):
            results[name] = dict(fixtures_from=spec["weights_from"])
            continue
        results[name] = fixtures_for(name, spec, model, root, log)
        log(f"  target {results[name][2]}, ReLU calls {results[name][8]['calls']}  ({time.time() - t0:.1f} s)")

    manifest_models = OrderedDict()
    summary = []
    selftest = relu_rule_selftest()
    log(f"ReLU-rule patch self-test: {dict(selftest)}")
    for name, spec in SPECS.items():
        model = eager[name]
        src = spec.get("weights_from") or name
        x, out_full, cls, score, files, output, target, layers, relu_info, attention, checks, notes = results[src]
        checks = OrderedDict(checks) if src == name else OrderedDict()
        notes = list(notes) if src == name else []
        sal = torch.from_numpy(np.load(root / FAMILIES_REL / files["saliency"]))[None]
        exports = OrderedDict()
        rel_files = OrderedDict()
        for kind in ("traced", "scripted"):
            if (name, kind) not in futures:
                rel_files[kind] = None
                continue
            res = futures[(name, kind)].result()
            p = root / MODELS_REL / f"{name}_{kind}.pt"
            e = OrderedDict([("ok", res["ok"])])
            if res["ok"]:
                ts, info = check_export(name, kind, p, x, out_full, score, sal, relu_info["calls"], log)
                e["file"] = str(MODELS_REL / p.name)
                e["bytes"] = p.stat().st_size
                e.update(info)
                e["module_paths_equal_eager"] = [q for q, _ in ts.named_modules()] == \
                    [q for q, _ in model.named_modules()]
                rel_files[kind] = e["file"]
            else:
                e["error"] = res["error"]
                rel_files[kind] = None
                notes.append(f"{kind} export failed: {res['error']}")
            e["export_warnings"] = res["warnings"]
            exports[kind] = e
        if name == "vit_nograd":
            tr = exports["traced"]
            assert tr["graph_native_mha_nodes"] > 0 and tr["backward"].startswith("raises"), tr
            notes.append(f"traced graph calls {NATIVE_MHA} {tr['graph_native_mha_nodes']} times (once per "
                         "encoder block): MultiheadAttention's fast path, taken because autograd was disabled "
                         "while tracing; backward through it " + tr["backward"])
            notes.append("no scripted file: vit_scripted.pt already contains both paths (the fast path is a "
                         "runtime branch of the scripted MultiheadAttention.forward, taken only when autograd is "
                         "disabled or nothing requires grad)")
        else:
            for kind, e in exports.items():
                if e.get("ok"):
                    assert e["graph_native_mha_nodes"] == 0, (name, kind)
        if name in ("vit", "deit"):
            notes.append("the LAST encoder block's output (and encoder.ln) reaches the logits only through the "
                         "prefix token(s) (heads read x[:, 0] / x[:, 1]), so its patch-token gradient is exactly 0 "
                         "and Grad-CAM there is all zero; the token layers used are the last block's ln_1 (its "
                         "patch tokens feed the attention) and the first block's output")
            sc = exports["scripted"]
            notes.append(f"scripted MultiheadAttention code contains the {NATIVE_MHA} fast-path branch "
                         f"({sc['code_native_mha_nodes_incl_branches']} call sites incl. branches); a no_grad run "
                         f"takes it: {sc['no_grad_run_calls_native_mha']}; with autograd enabled and parameters "
                         "requiring grad it takes the differentiable path (saliency check above)")
        if name == "googlenet" and exports.get("scripted", {}).get("ok"):
            notes.append("scripted forward returns GoogLeNetOutputs(logits, aux_logits2=None, aux_logits1=None) "
                         "(torchvision: 'Scripted GoogleNet always returns GoogleNetOutputs Tuple'); the score "
                         "is taken from element 0")
        sc = exports.get("scripted", {})
        if sc.get("ok") and any(k.startswith("forward__") for v in sc["modules_with_other_forward_methods"].values()
                                for k in v):
            paths = [p for p, v in sc["modules_with_other_forward_methods"].items()
                     if any(k.startswith("forward__") for k in v)]
            notes.append(f"scripted: {len(paths)} modules (e.g. {paths[0]}) have no 'forward' method, only the "
                         "compiled @torch.jit._overload_method overloads forward__0 (List[Tensor] input) and "
                         "forward__1 (Tensor input); their parent calls forward__0 with a list")
        tr = exports.get("traced", {})
        if tr.get("ok") and tr["modules_with_other_forward_methods"]:
            p0, v0 = next(iter(tr["modules_with_other_forward_methods"].items()))
            notes.append(f"traced: modules called more than once get extra methods forward1, forward2, ... "
                         f"(e.g. {p0}: {', '.join(v0)}), one per call site")
        if output["kind"] == "dict" and output["keys"] == ["out"]:
            notes.append("LRASPP returns {'out'} only: torchvision's LRASPP has no aux classifier")

        params = sum(q.numel() for q in model.parameters())
        entry = OrderedDict([
            ("family", spec["family"]),
            ("description", spec["description"]),
            ("class", type(model).__module__.replace("__main__", "make_family_models") + "."
             + type(model).__name__),
            ("files", OrderedDict([("traced", rel_files["traced"]), ("scripted", rel_files["scripted"]),
                                   ("fixtures_dir", str(FAMILIES_REL / src)),
                                   ("fixtures", files)])),
        ])
        if src != name:
            entry["fixtures_from"] = src
            entry["weights_from"] = src
        sd_seeds = SPECS[src]["seeds"]
        entry.update([
            ("seeds", OrderedDict([("weights", sd_seeds[0]), ("input", sd_seeds[1]),
                                   ("input_generator", "torch.rand(shape, generator=torch.Generator()"
                                                       ".manual_seed(input))")])),
            ("parameters", params),
            ("input_shape", list(x.shape)),
            ("output", output),
            ("target", target),
            ("relu", relu_info),
            ("layers", layers if src == name else OrderedDict()),
            ("rollout", attention["rollout"] if attention else None),
            ("attention", attention),
            ("exports", exports),
            ("checks", checks),
            ("notes", notes),
        ])
        mods = module_table(model, x) if src == name else []
        entry["num_modules"] = len(mods) if mods else None
        entry["modules"] = mods
        manifest_models[name] = entry
        summary.append((name, params, exports))
    pool.shutdown()

    manifest = OrderedDict([
        ("description", "Tiny random-weight torchvision architecture families exported traced and scripted, "
                        "with eager-PyTorch hook-based reference fixtures for ExplainJ's tests. Generated by "
                        "scripts/make_family_models.py; do not edit by hand."),
        ("run", "/usr/bin/python3 scripts/make_family_models.py"),
        ("torch_version", torch.__version__),
        ("torchvision_version", torchvision.__version__),
        ("numpy_version", np.__version__),
        ("conventions", conventions()),
        ("weights_init", "torchvision constructor init, then every nn.Linear U(+-sqrt(3)/sqrt(fan_in)) with bias "
                         "U(+-0.1), LayerNorm weight U(0.6, 1.5) bias U(-0.25, 0.25), MultiheadAttention "
                         "in_proj N(0, (1.6/sqrt(E))^2) bias N(0, 0.01), class/dist tokens, pos_embedding and Swin "
                         "relative_position_bias_table N(0, 0.25), ConvNeXt layer_scale U(0.3, 1.0); then "
                         "make_test_models.init_weights (Kaiming-normal convs, BatchNorm weight U(0.6, 1.5), "
                         "bias U(-0.25, 0.25), running stats calibrated on random inputs then perturbed)"),
        ("relu_rule_selftest", selftest),
        ("models", manifest_models),
    ])
    (fam / "manifest.json").write_text(pretty_json(manifest) + "\n")

    log("")
    log(f"{'model':18s} {'params':>8s} {'traced':>10s} {'scripted':>10s}  {'ts-eager diff':>13s}  backward")
    for name, params, exports in summary:
        cells = []
        diffs = []
        bw = []
        for kind in ("traced", "scripted"):
            e = exports.get(kind)
            if e is None:
                cells.append("-")
            elif not e["ok"]:
                cells.append("FAILED")
            else:
                cells.append(f"{e['bytes'] / 1e3:.0f} kB")
                diffs.append(e["vs_eager_output_max_abs_diff"])
                bw.append(e["backward"][:40])
        log(f"{name:18s} {params:8d} {cells[0]:>10s} {cells[1]:>10s}  {max(diffs):13.2g}  {'; '.join(sorted(set(bw)))}")
    total = sum(p.stat().st_size for p in fam.rglob("*") if p.is_file())
    log(f"{FAMILIES_REL}: {total / 1e6:.2f} MB, done in {time.time() - t_start:.1f} s")


def main():
    args = argument_parser(__doc__, ("NAME", "KIND", "PATH")).parse_args()
    if args.export:
        export_child(*args.export)
        return

    deterministic_torch(THREADS)
    warnings.filterwarnings("ignore", category=UserWarning)
    log(versions(torchvision=torchvision.__version__))
    if args.check_only:
        check_only(lambda root: generate(root, log), (FAMILIES_REL,))
        return
    generate(REPO, log)


if __name__ == "__main__":
    main()
