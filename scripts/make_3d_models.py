#!/usr/bin/python3
"""Train ExplainJ's small VOLUMETRIC (3-D) test model "vol3d" and write its reference fixtures and 3-D demo.

Purpose
-------
The Java side explains 3-D CNNs too (input 1 x C x D x H x W).  Its tests need
a TorchScript model with Conv3d / BatchNorm3d / MaxPool3d layers and reference
values for every method computed in eager PyTorch.  This script

1. generates a synthetic volumetric task whose evidence is known: every
   volume is 1 x 16 x 32 x 32 (D, H, W; isotropic voxels), values in [0, 1]
   quantised to 8 bits (u8 / 255): a dim noisy background, one large "main
   object" and 1-3 small solid distractor balls.  The main object is a HOLLOW
   spherical shell in class 1 ("shell") and a SOLID ball of the same size
   distribution in class 0 ("ball"), so hollowness is the only evidence;

2. defines ``Vol3dNet`` (module paths ``features.0`` ... ``features.9``,
   ``pool``, ``fc``)::

       features = Sequential(
           0 Conv3d(1, 8, 3, pad 1, no bias), 1 BatchNorm3d(8),  2 ReLU(inplace), 3 MaxPool3d(2),  # 8 x 8 x 16 x 16
           4 Conv3d(8, 16, 3, pad 1, no bias), 5 BatchNorm3d(16), 6 ReLU(inplace), 7 MaxPool3d(2), # 16 x 4 x 8 x 8
           8 Conv3d(16, 16, 3, pad 1),         9 ReLU(inplace))                                    # 16 x 4 x 8 x 8
       pool = AdaptiveAvgPool3d(1);  flatten;  fc = Linear(16, 2)

   and trains it briefly (2000 volumes, 4 epochs = 252 steps of 32; Adam,
   one-cycle, random flips along D/H/W and H<->W transposes), then requires a
   held-out accuracy above 95 % (600 volumes; the manifest records it);

3. exports it in eval mode traced and scripted to
   ``src/test/resources/models/vol3d_{traced,scripted}.pt`` (+ ``.labels.txt``
   beside each: ``ball``, ``shell``).  As in ``make_test_models.py`` each export
   runs in a fresh interpreter (this script re-invoked with ``--export``,
   ``PYTHONHASHSEED=0``) that loads the weights from a state_dict piped on
   stdin, so class names are not mangled and the files are byte-reproducible;

4. writes reference fixtures for two volumes (``shell``: class 1, ``ball``:
   class 0; fixed, deterministically searched seeds) to
   ``src/test/resources/fixtures3d/<input>/`` (little-endian float32 C-order
   ``.npy``, batch dimension dropped), score = logit of the top-1 class.  The
   volumes are the first seeds the model gets right by a margin >= 4 and
   whose IG does not change when the 20 alphas are evaluated one at a time
   instead of in one batch (a near-tie max-pool / ReLU decision would make
   the references fragile against other kernels):

   * ``input.npy`` (C,D,H,W) = u8/255 of the demo TIFF, ``output.npy`` (logits);
   * ``saliency.npy``: d(score)/d(input), signed;  ``guided.npy`` / ``deconv.npy``:
     Captum's GuidedBackprop / Deconvolution rules on every nn.ReLU (full
     backward hooks on a clean copy with ``inplace=False``, cross-checked with a
     Captum-style implementation on the in-place model);
   * ``ig_riemann_right_20.npy``: Integrated Gradients, zero baseline, alphas
     k/20 (k = 1..20), x * mean of the 20 gradients;
   * ``occlusion_w4_s2.npy``: Captum-style Occlusion, 4x4x4 cube (all channels),
     stride 2 along D/H/W, baseline 0;
   * for the layers ``features`` (last block, = features.9 output) and
     ``features.6`` (2nd block's ReLU): ``activation.npy`` (K,d,h,w),
     ``gradient.npy``, ``gradcam_raw.npy``, ``gradcam_up.npy``,
     ``gradcampp_raw.npy``, ``layercam_raw.npy``; ``cam_raw.npy`` and
     ``scorecam.npy`` for ``features`` only;

   plus ``src/test/resources/fixtures3d/manifest.json`` (conventions, shapes,
   targets, module table, training figures, self-checks, and what
   pytorch-grad-cam itself does with 5-D inputs);

5. writes the 3-D demo ``test-images/demo3d/``: ``vol3d.pt`` (a byte copy of
   the traced model), ``vol3d.labels.txt``, the two fixture volumes as 8-bit
   16-slice TIFF stacks (``shell_1.tif``, ``balls_only_1.tif``; ImageJ opens
   them as 32 x 32 x 16 stacks), ``demo3d_expected.json`` and ``README.md``.

Hook helpers (clean copy and ReLU-rule references with their self-checks,
one-layer-per-pass recording, module table) are imported from
``make_test_models.py`` so both fixture sets follow the same conventions; its
docstring explains the in-place pitfalls.  The .npy writer, Grad-CAM, the
training loop and the export in a child interpreter come from
``fixture_export.py``.

How to run (from the repository root)::

    /usr/bin/python3 scripts/make_3d_models.py

Needs torch (tested with 1.13 CPU) and numpy only (PIL is imported by
make_test_models' imports; the TIFFs are written by hand with struct; no
scipy, no Captum, nothing downloaded).  Deterministic (fixed seeds,
deterministic algorithms, 2 threads): a re-run on the same machine gives
byte-identical files; about 35 s on 2 idle CPU cores (training ~20 s).  As
for the other TorchScript files, the .debug_pkl records torch.jit.save writes
(this script's absolute path and line numbers) are removed after the export
(scripts/strip_debug_info.py), so the .pt bytes do not depend on the checkout
path or on line numbers in this script.  ``--check-only``
regenerates everything in a temporary directory and compares it byte for
byte with the files in place (writes nothing to the repository).
"""

import shutil
import struct
import sys
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

SCRIPTS = Path(__file__).resolve().parent
REPO = SCRIPTS.parent
MODELS_REL = Path("src/test/resources/models")
FIXTURES_REL = Path("src/test/resources/fixtures3d")
DEMO_REL = Path("test-images/demo3d")

sys.dont_write_bytecode = True          # no scripts/__pycache__ from the imports below
sys.path.insert(0, str(SCRIPTS))
from fixture_export import (  # noqa: E402  (export in a child interpreter, .npy, training, check-only, ...)
    accuracy, argument_parser, check_only, deterministic_torch, gradcam_raw, input_gradient, load_eval, log,
    maxdiff, read_payload, run_export, save_npy, save_torchscript, torch_bytes, trace_or_script, train_epochs,
    versions, write_json)
from make_test_models import (  # noqa: E402  (shared hook helpers)
    bn_train_vs_eval, module_table, record_layers, record_layers_one_pass, relu_rule_references)

THREADS = 2
D, H, W = 16, 32, 32
LABELS = ["ball", "shell"]
MODEL_NAME = "vol3d"

TRAIN_SEED = 31001        # volume generator seed, training set
TEST_SEED = 31002         # volume generator seed, held-out test set
TORCH_SEED = 31003        # weight init + batch order + augmentation
FIXTURE_SEED_START = 31100  # fixture/demo volumes: first seed tried (then +1, +2, ...)

N_TRAIN = 2000
N_TEST = 600
EPOCHS = 4
BATCH = 32
EVAL_BATCH = 200          # accuracy() batch size
LR = 3e-3
WEIGHT_DECAY = 1e-4
MIN_TEST_ACC = 0.95       # required: test accuracy > this
FIXTURE_MIN_MARGIN = 4.0  # required logit margin (true - other) for the fixture/demo volumes
FIXTURE_MAX_IG_ORDER_SENSITIVITY = 1e-5   # fixture volumes: IG batched vs one-at-a-time (relative)

LAYERS = ["features", "features.6"]
CAM_LAYER = "features"    # CAM (GAP + linear head) and Score-CAM layer
IG_STEPS = 20
OCC_WINDOW = (4, 4, 4)    # D, H, W (all channels)
OCC_STRIDE = (2, 2, 2)
GRADCAMPP_EPS = 1e-6      # pytorch-grad-cam's eps in the Grad-CAM++ alpha denominator
SCORECAM_EPS = 1e-8       # pytorch-grad-cam's eps in the Score-CAM min-max normalisation
TOL_EXACT = 1e-6
TOL_TS = 1e-5

PGC_COMMIT = "084273b3f30b54ad0c64cf8020a4337d979a66e0"


# ==========================================================================
# Model (scripted from this file's source)
# ==========================================================================
class Vol3dNet(nn.Module):
    """Small 3-D CNN: conv-BN-ReLU-pool x2, conv-ReLU, GAP, linear head."""

    def __init__(self, num_classes: int = 2):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv3d(1, 8, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm3d(8),
            nn.ReLU(inplace=True),
            nn.MaxPool3d(2),
            nn.Conv3d(8, 16, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm3d(16),
            nn.ReLU(inplace=True),
            nn.MaxPool3d(2),
            nn.Conv3d(16, 16, kernel_size=3, padding=1),
            nn.ReLU(inplace=True))
        self.pool = nn.AdaptiveAvgPool3d(1)
        self.fc = nn.Linear(16, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.features(x)
        x = self.pool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


# ==========================================================================
# Synthetic volumes
# ==========================================================================
_ZZ, _YY, _XX = np.mgrid[0:D, 0:H, 0:W].astype(np.float64)


def _sig(v, soft):
    return 1.0 / (1.0 + np.exp(-v / (soft / 2.0)))


def make_volume(seed, positive):
    """One volume: (u8 array [D, H, W], info dict).  Model input = u8 / 255."""
    rng = np.random.default_rng(seed)
    soft = 0.8
    base = rng.uniform(0.05, 0.15)
    gz, gy, gx = rng.uniform(-0.04, 0.04, size=3)
    vol = base + gz * (_ZZ / D - 0.5) + gy * (_YY / H - 0.5) + gx * (_XX / W - 0.5)

    # Main object: hollow shell (class 1) or solid ball (class 0), same size distribution.
    r = rng.uniform(4.5, 6.5)             # outer radius
    t = rng.uniform(1.6, 2.2)             # shell thickness
    amp = rng.uniform(0.45, 0.85)
    cz = rng.uniform(r + 0.5, D - 1.5 - r)
    cy = rng.uniform(r + 1.0, H - 2.0 - r)
    cx = rng.uniform(r + 1.0, W - 2.0 - r)
    d = np.sqrt((_ZZ - cz) ** 2 + (_YY - cy) ** 2 + (_XX - cx) ** 2)
    outer = _sig(r - d, soft)             # ~1 inside radius r
    if positive:
        inner = _sig((r - t) - d, soft)   # ~1 inside the cavity
        vol = vol + amp * np.clip(outer - inner, 0.0, 1.0)
    else:
        vol = vol + amp * outer

    # Small solid distractor balls (both classes), clear of the main object.
    n_small = int(rng.integers(1, 4))
    small = []
    for _ in range(n_small):
        for _try in range(200):
            rb = rng.uniform(1.5, 3.0)
            bz = rng.uniform(rb, D - 1 - rb)
            by = rng.uniform(rb, H - 1 - rb)
            bx = rng.uniform(rb, W - 1 - rb)
            if np.sqrt((bz - cz) ** 2 + (by - cy) ** 2 + (bx - cx) ** 2) > r + rb + 1.5 and \
                    all(np.sqrt((bz - q[0]) ** 2 + (by - q[1]) ** 2 + (bx - q[2]) ** 2) > rb + q[3] + 1.0
                        for q in small):
                break
        else:
            continue
        ab = rng.uniform(0.4, 0.9)
        db = np.sqrt((_ZZ - bz) ** 2 + (_YY - by) ** 2 + (_XX - bx) ** 2)
        vol = vol + ab * _sig(rb - db, soft)
        small.append((bz, by, bx, rb, ab))

    vol = np.clip(vol, 0.0, 1.0)
    vol = vol + rng.normal(0.0, 1.0, vol.shape) * rng.uniform(0.03, 0.06)
    u8 = np.round(np.clip(vol, 0.0, 1.0) * 255.0).astype(np.uint8)
    info = OrderedDict([
        ("main_object", "hollow shell" if positive else "solid ball"),
        ("center_zyx", [round(float(v), 3) for v in (cz, cy, cx)]),
        ("outer_radius", round(float(r), 3)),
        ("shell_thickness", round(float(t), 3) if positive else None),
        ("amplitude", round(float(amp), 3)),
        ("distractor_balls_zyx_radius_amplitude",
         [[round(float(v), 3) for v in q] for q in small]),
    ])
    return u8, info


def to_input(u8):
    """u8 [D, H, W] -> float32 tensor [1, 1, D, H, W] = u8 / 255 (the Java side's 8-bit scaling)."""
    return torch.from_numpy(u8.astype(np.float32) / np.float32(255.0))[None, None]


def make_dataset(n, seed):
    ss = np.random.SeedSequence(seed)
    child = ss.generate_state(n)
    labels = np.random.default_rng(seed).permutation(np.arange(n) % 2)
    x = np.empty((n, 1, D, H, W), np.float32)
    for i in range(n):
        x[i, 0] = make_volume(int(child[i]), bool(labels[i]))[0].astype(np.float32) / np.float32(255.0)
    return torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))


# ==========================================================================
# Training
# ==========================================================================
def augment(xb, gen):
    """Random flips along D, H, W and a random H<->W transpose per sample."""
    n = xb.shape[0]
    flips = torch.randint(0, 2, (n, 3), generator=gen)
    trans = torch.randint(0, 2, (n,), generator=gen)
    out = torch.empty_like(xb)
    for i in range(n):
        xi = xb[i]
        dims = [d + 1 for d in range(3) if flips[i, d]]
        if dims:
            xi = torch.flip(xi, dims=dims)
        if trans[i]:
            xi = xi.transpose(2, 3)
        out[i] = xi
    return out


def train(model, xtr, ytr, xte, yte, log):
    """Adam, one-cycle, flips/transposes (fixture_export.train_epochs); returns (history, optimizer steps)."""
    history = []
    for epoch, t0, loss, acc in train_epochs(model, xtr, ytr, augment, TORCH_SEED, LR, WEIGHT_DECAY, BATCH, EPOCHS):
        te = accuracy(model, xte, yte, EVAL_BATCH)
        history.append(OrderedDict([("epoch", epoch), ("loss", round(loss, 6)),
                                    ("train_acc_running_augmented", round(acc, 6)),
                                    ("test_acc", round(te, 6))]))
        log(f"  epoch {epoch}/{EPOCHS}: loss {loss:.4f}  train acc (running, augmented) "
            f"{acc:.4f}  test acc {te:.4f}  ({time.time() - t0:.1f} s)")
    return history, EPOCHS * ((len(xtr) + BATCH - 1) // BATCH)


# ==========================================================================
# Export (runs in a fresh interpreter)
# ==========================================================================
def export_torchscript(kind, path):
    """Internal (--export): read a state dict from stdin, save TorchScript (debug records stripped)."""
    torch.set_num_threads(THREADS)
    model = load_eval(Vol3dNet(), read_payload())
    save_torchscript(trace_or_script(model, kind == "traced", torch.zeros(1, 1, D, H, W)), path)


# ==========================================================================
# TIFF (written by hand: byte-stable, no PIL version dependence)
# ==========================================================================
def write_tiff_stack_u8(path, vol):
    """Uncompressed little-endian 8-bit greyscale multi-page TIFF, one page
    (IFD) per slice, pixel data of all slices contiguous after the header,
    every IFD carrying an ImageJ-style ImageDescription (images/slices = D) so
    ImageJ reads a z-stack; any TIFF reader sees D baseline pages."""
    vol = np.ascontiguousarray(vol, dtype=np.uint8)
    nz, ny, nx = vol.shape
    desc = f"ImageJ=1.54p\nimages={nz}\nslices={nz}\nloop=false\n".encode("ascii") + b"\x00"
    plane = nx * ny
    data_off = 8
    desc_off = data_off + nz * plane
    res_off = desc_off + len(desc) + (len(desc) & 1)      # XResolution/YResolution rational 1/1
    ifd_off0 = res_off + 8
    ntags = 13
    ifd_size = 2 + ntags * 12 + 4
    out = bytearray()
    out += b"II*\x00" + struct.pack("<I", ifd_off0)
    out += vol.tobytes()
    out += desc + (b"\x00" if len(desc) & 1 else b"")
    out += struct.pack("<II", 1, 1)
    for z in range(nz):
        off = ifd_off0 + z * ifd_size
        assert len(out) == off
        nxt = off + ifd_size if z + 1 < nz else 0
        tags = [  # (tag, type, count, value): type 2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL
            (254, 4, 1, 0),                         # NewSubfileType
            (256, 4, 1, nx),                        # ImageWidth
            (257, 4, 1, ny),                        # ImageLength
            (258, 3, 1, 8),                         # BitsPerSample
            (259, 3, 1, 1),                         # Compression: none
            (262, 3, 1, 1),                         # Photometric: BlackIsZero
            (270, 2, len(desc), desc_off),          # ImageDescription
            (273, 4, 1, data_off + z * plane),      # StripOffsets
            (277, 3, 1, 1),                         # SamplesPerPixel
            (278, 4, 1, ny),                        # RowsPerStrip
            (279, 4, 1, plane),                     # StripByteCounts
            (282, 5, 1, res_off),                   # XResolution
            (283, 5, 1, res_off),                   # YResolution
        ]
        assert len(tags) == ntags
        out += struct.pack("<H", ntags)
        for tag, typ, cnt, val in tags:
            if typ == 3:
                out += struct.pack("<HHIHH", tag, typ, cnt, val, 0)
            else:
                out += struct.pack("<HHII", tag, typ, cnt, val)
        out += struct.pack("<I", nxt)
    Path(path).write_bytes(bytes(out))


def read_tiff_stack_u8(path):
    """Reads back exactly what write_tiff_stack_u8 writes (walks the IFD chain)."""
    b = Path(path).read_bytes()
    assert b[:4] == b"II*\x00"
    (off,) = struct.unpack_from("<I", b, 4)
    pages = []
    while off:
        (n,) = struct.unpack_from("<H", b, off)
        tags = {}
        for i in range(n):
            tag, typ, cnt = struct.unpack_from("<HHI", b, off + 2 + 12 * i)
            val = struct.unpack_from("<H" if typ == 3 else "<I", b, off + 2 + 12 * i + 8)[0]
            tags[tag] = val
        nx, ny, so = tags[256], tags[257], tags[273]
        assert tags[258] == 8 and tags[259] == 1 and tags[279] == nx * ny
        pages.append(np.frombuffer(b, np.uint8, nx * ny, so).reshape(ny, nx))
        (off,) = struct.unpack_from("<I", b, off + 2 + 12 * n)
    return np.stack(pages)


# ==========================================================================
# Methods (eager references)
# ==========================================================================
def gradcampp_raw(act, grad):
    """pytorch-grad-cam's Grad-CAM++ weights, sums over all three spatial axes, no ReLU."""
    a, g = act.double(), grad.double()
    g2 = g * g
    g3 = g2 * g
    sum_a = a.sum(dim=(1, 2, 3))
    alpha = g2 / (2 * g2 + sum_a[:, None, None, None] * g3 + GRADCAMPP_EPS)
    alpha = torch.where(g != 0, alpha, torch.zeros_like(alpha))
    w = (torch.relu(g) * alpha).sum(dim=(1, 2, 3))
    return (w[:, None, None, None] * a).sum(0), w


def layercam_raw(act, grad):
    return (torch.relu(grad.double()) * act.double()).sum(0)


def upsample_trilinear(cam):
    """relu(raw) -> input size, trilinear, align_corners=False."""
    return F.interpolate(torch.relu(cam)[None, None], size=(D, H, W), mode="trilinear",
                         align_corners=False)[0, 0]


def integrated_gradients(model, x, cls, steps, one_at_a_time=False):
    alphas = torch.arange(1, steps + 1, dtype=torch.float64) / steps     # Riemann right: k/n
    xs = alphas.float()[:, None, None, None, None] * x
    if one_at_a_time:
        g = torch.cat([input_gradient(model, xs[k:k + 1], lambda o: o[0, cls]) for k in range(steps)])
    else:
        xs.requires_grad_(True)
        (g,) = torch.autograd.grad(model(xs)[:, cls].sum(), xs)  # samples independent (eval mode)
    return (x.double() * g.double().mean(0, keepdim=True))[0], alphas


def ig_order_sensitivity(model, x, cls):
    """Max |IG batched - IG one alpha at a time| / max |IG|: large when a ReLU or
    max-pool decision at some alpha sits so close to a tie that the float
    rounding of a different conv kernel (batch size) flips it."""
    a, _ = integrated_gradients(model, x, cls, IG_STEPS)
    b, _ = integrated_gradients(model, x, cls, IG_STEPS, one_at_a_time=True)
    return float((a - b).abs().max() / a.abs().max())


def occlusion(model, x, cls, window, stride, batch=64):
    """Captum-style Occlusion, baseline 0, all channels; float64 accumulation."""
    sizes = x.shape[2:]
    starts = [list(range(0, s - w + 1, st)) for s, w, st in zip(sizes, window, stride)]
    boxes = [(a, b, c) for a in starts[0] for b in starts[1] for c in starts[2]]
    with torch.no_grad():
        f0 = model(x)[0, cls].double()
    total = torch.zeros(sizes, dtype=torch.float64)
    count = torch.zeros(sizes, dtype=torch.float64)
    for i in range(0, len(boxes), batch):
        chunk = boxes[i:i + batch]
        xb = x.repeat(len(chunk), 1, 1, 1, 1)
        for j, (a, b, c) in enumerate(chunk):
            xb[j, :, a:a + window[0], b:b + window[1], c:c + window[2]] = 0.0
        with torch.no_grad():
            fb = model(xb)[:, cls].double()
        for j, (a, b, c) in enumerate(chunk):
            sl = (slice(a, a + window[0]), slice(b, b + window[1]), slice(c, c + window[2]))
            total[sl] += f0 - fb[j]
            count[sl] += 1
    assert float(count.min()) >= 1, "voxel not covered by any window"
    return (total / count)[None], len(boxes), [len(s) for s in starts], count


def score_cam(model, x, act, cls):
    """pytorch-grad-cam's ScoreCAM generalised to 5-D: each channel upsampled to
    (D,H,W) trilinearly with corners aligned (its UpsamplingBilinear2d is
    align_corners=True), min-max normalised per channel (+1e-8), input * mask,
    softmax over channels of the masked inputs' target logits, sum_k w_k A_k
    at layer resolution, ReLU."""
    up = F.interpolate(act[None], size=(D, H, W), mode="trilinear", align_corners=True)[0]
    flat = up.reshape(up.shape[0], -1)
    mins = flat.min(dim=1).values[:, None, None, None]
    maxs = flat.max(dim=1).values[:, None, None, None]
    masks = (up - mins) / (maxs - mins + SCORECAM_EPS)
    masked = x[0][None] * masks[:, None]                 # (K, C, D, H, W)
    with torch.no_grad():
        scores = model(masked)[:, cls]
    w = torch.softmax(scores.double(), dim=0)
    cam = (w[:, None, None, None] * act.double()).sum(0)
    return torch.relu(cam), scores, w


# ==========================================================================
# Fixtures for one input
# ==========================================================================
def fixtures_for(tag, model, x, out_root, log):
    fdir = out_root / FIXTURES_REL / tag
    if fdir.exists():
        shutil.rmtree(fdir)
    fdir.mkdir(parents=True)
    model.eval()
    with torch.no_grad():
        out = model(x)
    cls = int(out[0].argmax())
    score = lambda o: o[0, cls]  # noqa: E731
    checks = OrderedDict()

    clean, sal, guided, deconv = relu_rule_references(model, x, out, score, checks, tag)

    ig, _ = integrated_gradients(model, x, cls, IG_STEPS)
    with torch.no_grad():
        f_base = float(model(torch.zeros_like(x))[0, cls])
    checks["ig_sum"] = float(ig.sum())
    checks["ig_score_minus_baseline_score"] = float(out[0, cls]) - f_base
    checks["ig_completeness_gap"] = checks["ig_sum"] - checks["ig_score_minus_baseline_score"]
    checks["ig_batched_vs_one_at_a_time_max_abs_diff_relative"] = ig_order_sensitivity(model, x, cls)
    occ, n_windows, per_axis, count = occlusion(model, x, cls, OCC_WINDOW, OCC_STRIDE)
    checks["occlusion_windows"] = n_windows
    checks["occlusion_window_starts_per_axis_dhw"] = per_axis
    checks["occlusion_windows_per_voxel_min_max"] = [int(count.min()), int(count.max())]

    files = OrderedDict()
    for k, t in (("input", x[0]), ("output", out[0]), ("saliency", sal[0]), ("guided", guided[0]),
                 ("deconv", deconv[0]), ("ig_riemann_right_20", ig), ("occlusion_w4_s2", occ)):
        save_npy(fdir / f"{k}.npy", t)
        files[k] = f"{tag}/{k}.npy"

    rec = record_layers(model, x, score, LAYERS)
    rec_clean = record_layers(clean, x, score, LAYERS)
    rec_one_pass = record_layers_one_pass(model, x, score, LAYERS)     # pitfall check only
    mods = dict(model.named_modules())
    layers = OrderedDict()
    for p in LAYERS:
        calls, calls_c = rec[p], rec_clean[p]
        assert len(calls) == len(calls_c) == 1
        e, ec = calls[-1], calls_c[-1]
        act, grad = e["act"][0], e["grad"][0]
        cam = gradcam_raw(act.double(), grad.double())                      # float64
        cam_c = gradcam_raw(ec["act"][0].double(), ec["grad"][0].double())
        pp, pp_w = gradcampp_raw(act, grad)
        lc = layercam_raw(act, grad)
        up = upsample_trilinear(cam)
        ldir = fdir / p
        lfiles = OrderedDict()
        maps = [("activation", act), ("gradient", grad), ("gradcam_raw", cam), ("gradcam_up", up),
                ("gradcampp_raw", pp), ("layercam_raw", lc)]
        entry = OrderedDict([
            ("type", type(mods[p]).__name__),
            ("calls", len(calls)),
            ("activation_shape", list(act.shape)),
            ("map_shape", list(cam.shape)),
        ])
        lchecks = OrderedDict([
            ("output_modified_in_place_downstream", bool(e["modified_later"])),
            ("activation_vs_clean_copy_max_abs_diff", maxdiff(act, ec["act"][0])),
            ("gradient_vs_clean_copy_max_abs_diff", maxdiff(grad, ec["grad"][0])),
            ("gradcam_raw_vs_clean_copy_max_abs_diff", maxdiff(cam, cam_c)),
            ("gradient_error_if_all_layers_hooked_in_one_pass", maxdiff(rec_one_pass[p][-1]["grad"][0], grad)),
            ("activation_max_abs", float(act.abs().max())),
            ("gradient_max_abs", float(grad.abs().max())),
            ("gradcam_raw_min_max", [float(cam.min()), float(cam.max())]),
            ("gradcampp_weights", [float(v) for v in pp_w]),
        ])
        assert lchecks["activation_vs_clean_copy_max_abs_diff"] <= TOL_EXACT * max(1.0, float(act.abs().max())), p
        assert lchecks["gradient_vs_clean_copy_max_abs_diff"] <= TOL_EXACT * max(1e-3, float(grad.abs().max())), p
        assert float(grad.abs().max()) > 0, (tag, p)
        if p == CAM_LAYER:
            wfc = model.fc.weight.detach()[cls].double()
            cam_raw = (wfc[:, None, None, None] * act.double()).sum(0)
            n_vox = act.shape[1] * act.shape[2] * act.shape[3]
            lchecks["cam_raw_over_dhw_vs_gradcam_raw_max_abs_diff"] = maxdiff(cam_raw / n_vox, cam)
            lchecks["gradcam_raw_max_abs"] = float(cam.abs().max())
            assert lchecks["cam_raw_over_dhw_vs_gradcam_raw_max_abs_diff"] <= 1e-6 * max(1.0, float(cam.abs().max()))
            sc, sc_scores, sc_w = score_cam(model, x, act, cls)
            maps += [("cam_raw", cam_raw), ("scorecam", sc)]
            lchecks["scorecam_masked_input_scores"] = [float(v) for v in sc_scores]
            lchecks["scorecam_weights"] = [float(v) for v in sc_w]
        for k, t in maps:
            save_npy(ldir / f"{k}.npy", t)
            lfiles[k] = f"{tag}/{p}/{k}.npy"
        entry["files"] = lfiles
        entry["checks"] = lchecks
        layers[p] = entry
        log(f"    {p:11s} {entry['type']:10s} A {tuple(act.shape)}  in-place later: {e['modified_later']}")

    sorted_logits = out[0].sort(descending=True).values
    target = OrderedDict([("class", cls), ("label", LABELS[cls]), ("score", float(out[0, cls])),
                          ("definition", f"output[0, {cls}] (top-1 logit)"),
                          ("margin_to_second", float(sorted_logits[0] - sorted_logits[1]))])
    return out, sal, target, files, layers, checks


# ==========================================================================
# pytorch-grad-cam on 5-D inputs (read from its source; see the brief in the manifest)
# ==========================================================================
def pgc_notes():
    src = f"github.com/jacobgil/pytorch-grad-cam @ {PGC_COMMIT} (3-D support added in 3f6b14d, PR #466, 2024-05-29)"
    return OrderedDict([
        ("source", src),
        ("summary", "Grad-CAM and LayerCAM run on 5-D inputs; Grad-CAM++ and Score-CAM do not (see below). "
                    "The final map is min-max normalised at layer resolution and resized with "
                    "scipy.ndimage.zoom (cubic B-spline, order=3, corner-aligned grid), NOT trilinear."),
        ("target_size", "base_cam.py:136-146 get_target_width_height: for a 5-D input returns "
                        "(size(-1), size(-2), size(-3)) = (W, H, D) (the local names 'depth, width, height' are "
                        "mislabelled); utils/image.py:169 reverses it to (D, H, W)."),
        ("gradcam_weights", "grad_cam.py:26-28: np.mean(grads, axis=(2, 3, 4)) for 5-D grads"),
        ("cam_image", "base_cam.py:83-84,91: weights[:, :, None, None, None] * activations, summed over channels"),
        ("per_layer_postprocessing", "base_cam.py:171-172: cam = np.maximum(cam, 0); scale_cam_image(cam, target_size)"),
        ("scale_cam_image", "utils/image.py:161-176: per image img -= min; img /= (1e-7 + max); if img.ndim > 2: "
                            "img = scipy.ndimage.zoom(np.float32(img), [t/i for i, t in zip(img.shape, "
                            "target_size[::-1])]) with scipy's defaults order=3 (cubic B-spline with prefilter), "
                            "mode='constant', grid_mode=False (first and last voxel centres map onto each other, "
                            "i.e. align-corners-like); 2-D maps use cv2.resize (INTER_LINEAR, half-pixel). The "
                            "cubic spline overshoots: values slightly below 0 and above 1 appear after zoom."),
        ("aggregation", "base_cam.py:177-181: np.maximum(..., 0) (clips the spline undershoot), mean over target "
                        "layers, scale_cam_image again without resize (min-max to [0, 1])"),
        ("verified", "ran pytorch_grad_cam.GradCAM on a random 3-D model (1x1x16x32x32 input, layer 4x8x8) with "
                     "scipy 1.10: output equals relu -> min-max -> zoom(order=3) -> max(0) -> min-max exactly "
                     "(max diff 0.0), zoom(order=1) differs by 0.2; zoom range before the clip was [-0.06, 1.06]"),
        ("layercam", "layer_cam.py:28-33: np.maximum(grads, 0) * activations summed over channels; works for 5-D; "
                     "same resize as Grad-CAM"),
        ("gradcampp", "grad_cam_plusplus.py:22,25,31: sum_activations = np.sum(activations, axis=(2, 3)) and "
                      "weights = np.sum(..., axis=(2, 3)) are 2-D only: for 5-D they sum over D and H only, the "
                      "weights come out (N, K, W) instead of (N, K), base_cam.py:84 then broadcasts them to a "
                      "(N, K, D, H, W) 'cam' and scale_cam_image's zoom raises RuntimeError 'sequence argument must "
                      "have length equal to input rank' (verified). The fixture gradcampp_raw.npy therefore uses "
                      "the evident generalisation: sums over all three spatial axes, same eps 1e-6, alpha = 0 where "
                      "grad == 0, weights = sum_dhw relu(grad) * alpha."),
        ("scorecam", "score_cam.py:24-25: torch.nn.UpsamplingBilinear2d(size=input_tensor.shape[-2:]) "
                     "(mode='bilinear', align_corners=True) applied to the 5-D activation raises ValueError "
                     "'Input and output must have the same number of spatial dimensions, but got input with spatial "
                     "dimensions of [4, 8, 8] and output size of torch.Size([32, 32])' (verified, torch 1.13); "
                     "score_cam.py:36,39-40 (mins/maxs[:, :, None, None], input_tensor[:, None, :, :] * "
                     "upsampled[:, :, None, :, :]) are 2-D only as well. The fixture scorecam.npy uses the evident "
                     "generalisation: F.interpolate(A, size=(D, H, W), mode='trilinear', align_corners=True), "
                     "per-channel (upsampled - min) / (max - min + 1e-8) over the whole volume, masked input = "
                     "input * mask (all input channels), weights = softmax over channels of the masked inputs' "
                     "target logits (score_cam.py:56), cam = sum_k w_k A_k at layer resolution (base_cam.py:84,91), "
                     "then ReLU (base_cam.py:171)."),
        ("activation_hook", "activations_and_gradients.py: forward hook keeps output.cpu().detach() (no clone) and "
                            "output.register_hook for the gradient"),
    ])


# ==========================================================================
# Main
# ==========================================================================
def generate(out_root, log):
    t_start = time.time()
    for rel in (MODELS_REL, FIXTURES_REL, DEMO_REL):
        (out_root / rel).mkdir(parents=True, exist_ok=True)

    # ---- data + training
    t0 = time.time()
    xtr, ytr = make_dataset(N_TRAIN, TRAIN_SEED)
    xte, yte = make_dataset(N_TEST, TEST_SEED)
    data_seconds = time.time() - t0
    log(f"generated {N_TRAIN} train + {N_TEST} test volumes in {data_seconds:.1f} s")
    torch.manual_seed(TORCH_SEED)
    model = Vol3dNet()
    t0 = time.time()
    history, steps = train(model, xtr, ytr, xte, yte, log)
    train_seconds = time.time() - t0
    model.eval()
    train_acc = accuracy(model, xtr, ytr, EVAL_BATCH)
    test_acc = accuracy(model, xte, yte, EVAL_BATCH)
    log(f"trained {steps} steps in {train_seconds:.1f} s: train acc (eval mode) {train_acc:.4f}, "
        f"held-out test acc {test_acc:.4f}")
    if not test_acc > MIN_TEST_ACC:
        sys.exit(f"ERROR: test accuracy {test_acc:.4f} not > {MIN_TEST_ACC}")

    # ---- export
    paths = OrderedDict()
    for kind in ("traced", "scripted"):
        p = out_root / MODELS_REL / f"{MODEL_NAME}_{kind}.pt"
        run_export(__file__, (kind, p), torch_bytes(model.state_dict()))
        (out_root / MODELS_REL / f"{MODEL_NAME}_{kind}.labels.txt").write_text("\n".join(LABELS) + "\n")
        paths[kind] = p

    # ---- fixture / demo volumes (deterministic seed search: confidently correct, and no
    # near-tie ReLU / max-pool decision along the IG path that a batch size could flip)
    seed = FIXTURE_SEED_START
    volumes = OrderedDict()
    for tag, cls, demo_name in (("shell", 1, "shell_1"), ("ball", 0, "balls_only_1")):
        while True:
            u8, info = make_volume(seed, bool(cls))
            seed += 1
            with torch.no_grad():
                lo = model(to_input(u8))[0]
            if float(lo[cls] - lo[1 - cls]) >= FIXTURE_MIN_MARGIN and \
                    ig_order_sensitivity(model, to_input(u8), cls) <= FIXTURE_MAX_IG_ORDER_SENSITIVITY:
                break
        volumes[tag] = (u8, info, seed - 1, cls, demo_name)

    # ---- fixtures
    fixtures = OrderedDict()
    eager_paths = [q for q, _ in model.named_modules()]
    ts_models = {k: torch.jit.load(str(p)).eval() for k, p in paths.items()}
    ts_diffs = OrderedDict()
    for tag, (u8, info, vseed, cls, demo_name) in volumes.items():
        log(f"{tag}: seed {vseed}")
        x = to_input(u8)
        out, sal, target, files, layers, checks = fixtures_for(tag, model, x, out_root, log)
        assert target["class"] == cls
        for kind, ts in ts_models.items():
            with torch.no_grad():
                checks[f"{kind}_vs_eager_output_max_abs_diff"] = maxdiff(ts(x), out)
            checks[f"{kind}_vs_eager_saliency_max_abs_diff"] = maxdiff(
                input_gradient(ts, x, lambda o: o[0, cls]), sal)
            ts_diffs[f"{kind}_{tag}"] = checks[f"{kind}_vs_eager_output_max_abs_diff"]
            assert checks[f"{kind}_vs_eager_output_max_abs_diff"] <= TOL_TS
            assert checks[f"{kind}_vs_eager_saliency_max_abs_diff"] <= TOL_TS * max(1e-3, checks["saliency_max_abs"])
        fixtures[tag] = OrderedDict([
            ("true_class", cls), ("true_label", LABELS[cls]),
            ("volume_seed", vseed),
            ("volume_generator", "make_volume(seed, positive) in scripts/make_3d_models.py"),
            ("demo_file", str(DEMO_REL / f"{demo_name}.tif")),
            ("input_shape", list(x.shape)),
            ("target", target),
            ("logits", [float(v) for v in out[0]]),
            ("files", files),
            ("layers", layers),
            ("checks", checks),
            ("volume", info),
        ])
        log(f"  target {target['class']} ({target['label']}), score {target['score']:.4f}, "
            f"margin {target['margin_to_second']:.3f}")

    # extra TorchScript check: other batch size and another volume size
    x_other = torch.rand(3, 1, 8, 24, 40, generator=torch.Generator().manual_seed(TORCH_SEED + 1))
    with torch.no_grad():
        ref = model(x_other)
        for kind, ts in ts_models.items():
            ts_diffs[f"{kind}_batch3_8x24x40"] = maxdiff(ts(x_other), ref)
    for kind, ts in ts_models.items():
        assert [q for q, _ in ts.named_modules()] == eager_paths, kind
    assert max(ts_diffs.values()) <= TOL_TS, ts_diffs

    # ---- demo
    demo_dir = out_root / DEMO_REL
    shutil.copyfile(paths["traced"], demo_dir / f"{MODEL_NAME}.pt")
    (demo_dir / f"{MODEL_NAME}.labels.txt").write_text("\n".join(LABELS) + "\n")
    demo_ts = torch.jit.load(str(demo_dir / f"{MODEL_NAME}.pt")).eval()
    demo_entries = []
    for tag, (u8, info, vseed, cls, demo_name) in volumes.items():
        tif = demo_dir / f"{demo_name}.tif"
        write_tiff_stack_u8(tif, u8)
        back = read_tiff_stack_u8(tif)
        assert np.array_equal(back, u8)
        xin = to_input(back)
        fx = np.load(out_root / FIXTURES_REL / tag / "input.npy")
        assert np.array_equal(xin[0].numpy(), fx), "demo TIFF / 255 != fixture input.npy"
        with torch.no_grad():
            lo = demo_ts(xin)[0]
        demo_entries.append(OrderedDict([
            ("file", tif.name), ("fixture", tag), ("seed", vseed), ("true_class", cls), ("true_label", LABELS[cls]),
            ("logits", [float(v) for v in lo]),
            ("probabilities", [round(float(v), 6) for v in torch.softmax(lo, 0)]),
            ("top_class", int(lo.argmax())), ("top_label", LABELS[int(lo.argmax())]),
            ("u8_min_max", [int(u8.min()), int(u8.max())]),
            ("volume", info),
        ]))
    expected = OrderedDict([
        ("description", "Expected vol3d outputs for the 3-D demo volumes (generated by scripts/make_3d_models.py)."),
        ("model", f"{MODEL_NAME}.pt"), ("labels_file", f"{MODEL_NAME}.labels.txt"), ("labels", LABELS),
        ("input", "float32 tensor [1, 1, D, H, W] = u8 voxel / 255 (slice index = D); no mean/std normalisation"),
        ("gradcam_target_layer", CAM_LAYER),
        ("logit_tolerance_hint", 1e-3),
        ("volumes", demo_entries),
    ])
    write_json(demo_dir / "demo3d_expected.json", expected)
    (demo_dir / "README.md").write_text(demo_readme(train_acc, test_acc, steps, demo_entries))

    # ---- manifest
    modules = module_table(model, to_input(volumes["shell"][0]))
    bn_checks = bn_train_vs_eval(model, to_input(volumes["shell"][0]))
    manifest = OrderedDict([
        ("description", "Reference fixtures for ExplainJ's 3-D (volumetric) tests, computed in eager PyTorch with "
                        "hooks. Generated by scripts/make_3d_models.py; do not edit by hand."),
        ("run", "/usr/bin/python3 scripts/make_3d_models.py"),
        ("torch_version", torch.__version__),
        ("numpy_version", np.__version__),
        ("conventions", OrderedDict([
            ("npy", "little-endian float32, C order, batch dimension dropped"),
            ("paths", "model and demo files are relative to the repository root; fixture files are relative to "
                      "src/test/resources/fixtures3d/"),
            ("input", "1 x 1 x D x H x W (D = 16 slices, H = W = 32), float32 = u8 / 255 (float32 division) of the "
                      "8-bit volume, no normalisation; input.npy equals the demo TIFF's voxels / 255 bit for bit"),
            ("demo_tiff_scaling", "test-images/demo3d/*.tif are 8-bit stacks, voxel u8 = round(clip(v, 0, 1) * 255); "
                                  "the model input is u8 / 255 (the Java side scales 8-bit by /255)"),
            ("score", "output[0, class] with class = top-1 logit"),
            ("saliency", "d(score)/d(input), signed, C x D x H x W"),
            ("guided", "guided backprop (Captum GuidedBackprop rule): every nn.ReLU's grad_input replaced by "
                       "relu(grad_input); computed on a clean copy (ReLU inplace=False) with full backward hooks"),
            ("deconv", "deconvnet (Captum Deconvolution rule): every nn.ReLU's grad_input replaced by relu(grad_output)"),
            ("ig_riemann_right_20", "Integrated Gradients, baseline 0, alphas k/20 for k = 1..20 (Riemann right), "
                                    "(x - 0) * mean_k d(score)/d(input) at alpha_k x; C x D x H x W"),
            ("occlusion_w4_s2", "Captum-style Occlusion: 4x4x4 window over all channels, stride 2 along D, H, W, "
                                "baseline 0; windows start at 0 and step by the stride while start + window <= "
                                "size (7 x 15 x 15 = 1575 windows here, every voxel covered 1..8 times); voxel value "
                                "= sum over the windows covering it of (score(x) - score(x with the window set to "
                                "0)) / number of those windows; C x D x H x W"),
            ("activation", "the layer module's output (K x d x h x w), cloned at forward-hook time"),
            ("gradient", "d(score)/d(activation) of that call (one layer hooked per pass)"),
            ("gradcam_raw", "d x h x w: sum_k mean_dhw(gradient_k) * activation_k, no ReLU, no upsampling"),
            ("gradcam_up", "D x H x W: F.interpolate(relu(gradcam_raw)[None, None], size=(D, H, W), "
                           "mode='trilinear', align_corners=False), no normalisation"),
            ("gradcampp_raw", "d x h x w: sum_k w_k A_k with pytorch-grad-cam's Grad-CAM++ weights over all three "
                              "spatial axes: g = gradient, alpha = g^2 / (2 g^2 + sum_dhw(A_k) g^3 + 1e-6), alpha = 0 "
                              "where g == 0, w_k = sum_dhw relu(g) * alpha; no ReLU"),
            ("layercam_raw", "d x h x w: sum_k relu(gradient_k) * activation_k, no ReLU on the sum"),
            ("cam_raw", "d x h x w, last layer only: sum_k W_fc[class, k] * activation_k (GAP + linear head); "
                        "cam_raw / (d*h*w) == gradcam_raw"),
            ("scorecam", "d x h x w, last layer only: see pytorch_grad_cam_5d.scorecam (trilinear align_corners=True "
                         "upsampling of each channel to D x H x W, per-channel min-max with +1e-8, input * mask, "
                         "softmax over channels of the target logits, sum_k w_k A_k at layer resolution, ReLU)"),
            ("precision", "activations and gradients are float32 from the eager model; the CAM maps, IG mean and "
                          "occlusion sums are formed in float64 from them and stored as float32"),
            ("modules", "every path of named_modules() ('' = root) with type name, number of calls and the full "
                        "output shape (batch included) of one forward"),
        ])),
        ("pytorch_grad_cam_5d", pgc_notes()),
        ("model", OrderedDict([
            ("name", MODEL_NAME),
            ("description", "Vol3dNet: features = Conv3d(1,8,3,p1,no bias)-BatchNorm3d-ReLU(inplace)-MaxPool3d(2) - "
                            "Conv3d(8,16,3,p1,no bias)-BatchNorm3d-ReLU(inplace)-MaxPool3d(2) - "
                            "Conv3d(16,16,3,p1)-ReLU(inplace); pool = AdaptiveAvgPool3d(1); flatten; fc = Linear(16,2). "
                            "Trained to tell a hollow spherical shell (class 1) from a solid ball (class 0)."),
            ("class", "Vol3dNet"),
            ("files", OrderedDict([("traced", str(MODELS_REL / f"{MODEL_NAME}_traced.pt")),
                                   ("scripted", str(MODELS_REL / f"{MODEL_NAME}_scripted.pt")),
                                   ("labels", [str(MODELS_REL / f"{MODEL_NAME}_traced.labels.txt"),
                                               str(MODELS_REL / f"{MODEL_NAME}_scripted.labels.txt")]),
                                   ("demo", str(DEMO_REL / f"{MODEL_NAME}.pt"))])),
            ("labels", LABELS),
            ("parameters", sum(q.numel() for q in model.parameters())),
            ("input_shape", [1, 1, D, H, W]),
            ("output_shape", [1, 2]),
            ("layers", OrderedDict([
                ("features", "last block's output (= features.9 ReLU output, in-place over features.8's), "
                             "16 x 4 x 8 x 8; the Grad-CAM / CAM / Score-CAM layer"),
                ("features.6", "2nd block's ReLU (in-place over features.5's output), 16 x 8 x 16 x 16"),
            ])),
            ("training", OrderedDict([
                ("task", "1 x 16 x 32 x 32 volumes in [0, 1] quantised to u8/255: background 0.05-0.15 with a gentle "
                         "gradient, one main object (outer radius 4.5-6.5 voxels, amplitude 0.45-0.85, soft edges): "
                         "a hollow shell of thickness 1.6-2.2 (class 1, 'shell') or a solid ball (class 0, 'ball'), "
                         "1-3 solid distractor balls (radius 1.5-3, amplitude 0.4-0.9) clear of it, Gaussian noise "
                         "sigma 0.03-0.06"),
                ("seeds", OrderedDict([("train_volumes", TRAIN_SEED), ("test_volumes", TEST_SEED),
                                       ("torch", TORCH_SEED), ("fixture_search_start", FIXTURE_SEED_START)])),
                ("n_train", N_TRAIN), ("n_test", N_TEST), ("epochs", EPOCHS), ("batch", BATCH), ("steps", steps),
                ("optimizer", f"Adam lr {LR} (one-cycle, pct_start 0.2), weight decay {WEIGHT_DECAY}"),
                ("augmentation", "random flips along D, H, W and random H<->W transpose"),
                ("history", history),
                ("train_accuracy_eval_mode", round(train_acc, 6)),
                ("held_out_test_accuracy", round(test_acc, 6)),
                ("required_test_accuracy", f"> {MIN_TEST_ACC}"),
                ("fixture_selection", f"fixture/demo volumes: first seed from {FIXTURE_SEED_START} on (shell first, "
                                      f"then ball) whose logit margin (true - other) >= {FIXTURE_MIN_MARGIN} and whose "
                                      f"IG (20 alphas) batched vs one alpha at a time differs by <= "
                                      f"{FIXTURE_MAX_IG_ORDER_SENSITIVITY} of max |IG| (no near-tie ReLU / max-pool "
                                      "decision on the path that another batch size's float rounding could flip)"),
            ])),
            ("max_abs_diff_torchscript_vs_eager", ts_diffs),
            ("bn_train_mode_vs_eval_mode_output_max_abs_diff", bn_checks),
            ("traced_and_scripted_module_paths_equal_eager", True),
            ("num_modules", len(modules)),
            ("modules", modules),
        ])),
        ("fixtures", fixtures),
        ("demo", OrderedDict([
            ("dir", str(DEMO_REL)),
            ("model", str(DEMO_REL / f"{MODEL_NAME}.pt") + " (byte copy of " + str(MODELS_REL / f"{MODEL_NAME}_traced.pt") + ")"),
            ("labels", str(DEMO_REL / f"{MODEL_NAME}.labels.txt")),
            ("volumes", [OrderedDict([("file", str(DEMO_REL / e["file"])), ("fixture", e["fixture"]),
                                      ("true_label", e["true_label"]), ("logits", e["logits"])])
                         for e in demo_entries]),
            ("tiff", "uncompressed little-endian 8-bit greyscale, 16 pages (one IFD per slice, 32 x 32), pixel data "
                     "contiguous, ImageJ-style ImageDescription 'images=16 slices=16'; ImageJ opens it as a "
                     "32 x 32 x 16 8-bit stack"),
            ("scaling", "model input = voxel / 255 (float32), slice index = D"),
        ])),
    ])
    write_json(out_root / FIXTURES_REL / "manifest.json", manifest)
    log(f"done in {time.time() - t_start:.1f} s")


def demo_readme(train_acc, test_acc, steps, entries):
    rows = "\n".join(f"| `{e['file']}` | {e['true_label']} | {e['logits'][0]:.3f}, {e['logits'][1]:.3f} | "
                     f"{e['top_label']} |" for e in entries)
    return f"""# ExplainJ 3-D demo

A tiny volumetric CNN ("vol3d") that tells a volume containing a **hollow
spherical shell** from one with **solid balls only**, and two demo volumes.
Everything here was made by `scripts/make_3d_models.py` (run
`/usr/bin/python3 scripts/make_3d_models.py` from the repository root; synthetic
data, no downloads, deterministic).

| File | Content |
|------|---------|
| `vol3d.pt` | TorchScript model (`torch.jit.trace`, eval mode), input 1 x 1 x D x H x W |
| `vol3d.labels.txt` | class names: 0 = `ball`, 1 = `shell` |
| `shell_1.tif` | class 1 volume: 16 slices of 32 x 32, 8-bit |
| `balls_only_1.tif` | class 0 volume: 16 slices of 32 x 32, 8-bit |
| `demo3d_expected.json` | expected logits and generation parameters |

Model input: float32 = voxel / 255, slice index = D, no normalisation. The
head uses global average pooling, so other volume sizes work too. Grad-CAM
layer: `features` (16 x 4 x 8 x 8 for a 16 x 32 x 32 volume).

Training: {N_TRAIN} volumes, {steps} steps; held-out accuracy {test_acc:.4f}
(train {train_acc:.4f}).

| File | True class | Logits (ball, shell) | Top class |
|------|------------|----------------------|-----------|
{rows}
"""


def main():
    args = argument_parser(__doc__, ("KIND", "PATH")).parse_args()
    if args.export:
        export_torchscript(*args.export)
        return

    deterministic_torch(THREADS)
    log(versions())

    if args.check_only:
        check_only(lambda root: generate(root, log), (MODELS_REL, FIXTURES_REL, DEMO_REL), only_b=(MODELS_REL,))
        return

    generate(REPO, log)
    total = 0
    for rel in (FIXTURES_REL, DEMO_REL):
        total += sum(p.stat().st_size for p in (REPO / rel).rglob("*") if p.is_file())
    total += sum(p.stat().st_size for p in (REPO / MODELS_REL).glob(f"{MODEL_NAME}_*") if p.is_file())
    log(f"written: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
