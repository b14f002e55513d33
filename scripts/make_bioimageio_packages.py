#!/usr/bin/python3
"""Write ExplainJ's bioimage.io model-package fixtures (good and deliberately broken ones).

Purpose
-------
ExplainJ opens bioimage.io model packages (https://bioimage.io): a folder or a
.zip holding ``rdf.yaml`` (format 0.4.x or 0.5.x), TorchScript weights and
test tensors.  It checks the sha256 of the weights and test tensors, applies
the declared preprocessing to the raw image, runs the model and explains the
model output BEFORE postprocessing.  The Java tests need packages whose every
number is known.  This script writes them to ``src/test/resources/bioimageio/``:

Good packages (each as a folder ``<name>/`` and as ``<name>.zip``):

* ``unet2d_v05`` (format 0.5.4): the small U-Net of ``make_test_models.py``
  (``src/test/resources/models/unet_traced.pt``); input ``raw`` axes batch,
  channel [raw], y, x with size {min: 16, step: 16}; preprocessing
  ensure_dtype float32 + scale_range (axes [y, x], percentiles 1 / 99.8);
  output ``probability`` axes batch, channel [background, nucleus], y, x
  (sizes referencing the input); postprocessing sigmoid.
* ``ringnet_classifier_v04`` (format 0.4.10): the demo RingNet
  (``test-images/demo/ringnet_traced.pt``); axes ``bcyx``, shape
  [1, 1, 96, 96], preprocessing zero_mean_unit_variance per_sample over
  ``xy``; output ``bc`` [1, 2] (0.4 has no channel names).
* ``vol3d_v05`` (format 0.5.3): the 3-D classifier of ``make_3d_models.py``
  (``test-images/demo3d/vol3d.pt``); axes batch, channel [raw], z 16,
  y 32, x 32; preprocessing scale_linear (gain 2^-12, offset -100 * 2^-12:
  a 12-bit camera with a dark level of 100 counts) then clip [0, 1]; output
  batch, channel [ball, shell].
* ``scaled_classifier_v05`` (format 0.5.4): RingNet again, axes batch,
  channel, y 96, x 96, preprocessing fixed_zero_mean_unit_variance with
  scalar mean 1000 and std 65535 (16-bit camera data with a dark offset of
  1000 counts; maps it back onto the pixel/65535 scale RingNet was trained
  on), output channel names [blobs_only, ring_cell] (``ringnet.labels.txt``
  says "blobs only" / "ring cell", but 0.5 channel names must be Python
  identifiers, so the spaces become underscores).

A package folder holds ``rdf.yaml``, ``README.md`` (its ``documentation``),
``weights.pt`` (a byte copy of the TorchScript file; TorchScript debug records
are stripped with ``strip_debug_info``, the sources have none), the RAW test
input ``test_input.npy`` (float32, as declared) and ``test_output.npy`` (the
full pipeline: preprocessing -> model -> postprocessing, as bioimageio.core
produces it).  The zip holds the same files (not ``ref/``).

Reference values for the Java tests in ``<name>/ref/`` (not listed in rdf.yaml,
not in the zips; float32 little-endian ``.npy`` without pickle, except raw):

* ``raw.npy``: the raw image as a user opens it: uint16, (Y, X) or (Z, Y, X);
* ``input.npy``: the preprocessed model input (1, C, ...) float32;
* ``logits.npy``: the model output for it (before postprocessing);
* ``saliency_grad.npy``: d(score)/d(input), (1, C, ...); score = the target
  class's logit (classifiers) or the sum over all pixels of the target
  channel's logits (U-Net); autograd through the TorchScript module;
* ``gradcam_raw.npy``: sum_k alpha_k A_k before the ReLU at the named layer,
  alpha_k = mean over the spatial positions of dscore/dA_k; spatial shape only
  ((h, w) or (d, h, w)); computed with a forward hook on the eager model
  (whose state_dict is the TorchScript's; outputs checked to agree);
* U-Net only: ``raw_pad.npy`` (70 x 90, NOT a valid {min 16, step 16} size),
  ``input_pad.npy`` (preprocessed, statistics of the unpadded image, not
  padded) and ``logits_pad_<where>_<mode>.npy``: the model output for
  ``input_pad`` padded to the next valid size 80 x 96 and cropped back to
  70 x 90, for <where> = ``end`` (all padding after the image: bottom/right,
  as ExplainJ's Padding.padEnd does) and <mode> = ``reflect`` (numpy's
  reflect, the edge pixel not repeated; ExplainJ's choice) or ``zero`` (a
  contrast: shows how far the padding mode reaches into the image);
* ``meta.json``: target index/name, score, layer, shapes, the preprocessing as
  applied with the statistics computed (percentile values, means, stds),
  tolerance notes and the measured eager-vs-TorchScript agreements.

Broken packages in ``bad/`` (each a copy of a good package with one defect;
``bad/README.md`` lists them): ``no_rdf.zip``, ``no_torchscript/``,
``wrong_sha256/``, ``wrong_test_sha256/``, ``unsupported_step/``,
``per_dataset/``, ``fixed_size_64/``, ``two_inputs/``, ``not_reproducing/``
and ``nested_dir.zip`` (a GOOD package inside a top folder ``pkg/``).

Processing semantics implemented here (and in ExplainJ)
-------------------------------------------------------
image -> tensor: raw values, no scaling, shape (1, C, [Z,] Y, X).  Statistics
are computed in float64 from the float32 tensor, per sample, over the axes
named in ``axes`` (0.5: axis ids; 0.4: a string like "xy"), separately for
each index of the other non-batch axes; no ``axes``: over all axes.  Every
step computes in float64 and stores its result as float32:
scale_range (numpy.quantile, method linear; (x - lo) / (hi - lo + eps)),
zero_mean_unit_variance ((x - mean) / (std + eps), population std),
fixed_zero_mean_unit_variance ((x - mean) / (std + 1e-6)), scale_linear
(x * gain + offset), clip, binarize (x > t), sigmoid, ensure_dtype float32.

The folder ``src/test/resources/bioimageio/`` belongs to this script: a run
deletes and rewrites all of it (put hand-made packages elsewhere).

Determinism
-----------
No randomness except seeded numpy generators; 2 torch threads, deterministic
algorithms.  YAML is written by hand (block style, strings that could be read
as anything else double-quoted, floats always with a '.'), JSON with fixed key
order, zips with sorted entries, a fixed timestamp (1980-01-01), fixed
permissions and no compression (ZIP_STORED: no dependence on the zlib
version).  A re-run gives byte-identical files; ``--check-only`` regenerates
everything in a temporary directory and compares it byte for byte with the
files in place (writes nothing to the repository).

Shared code
-----------
The eager model classes and the readers of the demo TIFFs come from the
scripts that made those files: ``UNet`` and the hook helpers
(``clean_copy``, ``score_fn``, ``record_layers_one_pass``) from
``make_test_models.py``, ``RingNet`` and ``read_tiff16`` from
``make_demo_model.py``, ``Vol3dNet`` and ``read_tiff_stack_u8`` from
``make_3d_models.py`` (importing them runs no fixture code: constants,
classes and functions, and the same ``sys.dont_write_bytecode`` /
``sys.path`` settings as here).  Grad-CAM, the input gradient,
``--check-only`` and the logging conventions come from
``fixture_export.py``.

How to run (from anywhere)::

    /usr/bin/python3 scripts/make_bioimageio_packages.py
    /usr/bin/python3 scripts/make_bioimageio_packages.py --check-only

Needs torch (tested with 1.13 CPU), numpy and PIL (reads the demo TIFFs);
nothing is downloaded.  Takes a few seconds.
"""

import copy
import hashlib
import io
import json
import platform
import shutil
import sys
import tempfile
import zipfile
from collections import OrderedDict
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch

SCRIPTS = Path(__file__).resolve().parent
REPO = SCRIPTS.parent
OUT_REL = Path("src/test/resources/bioimageio")

sys.dont_write_bytecode = True          # no scripts/__pycache__ from the imports below
sys.path.insert(0, str(SCRIPTS))
from fixture_export import (  # noqa: E402  (Grad-CAM, input gradient, check-only, logging)
    argument_parser, check_only, deterministic_torch, gradcam_raw, input_gradient, load_eval, log, versions, write_json)
from make_3d_models import Vol3dNet, read_tiff_stack_u8  # noqa: E402  (the vol3d model and its TIFF reader)
from make_demo_model import RingNet, read_tiff16  # noqa: E402  (the demo model and its TIFF reader)
from make_test_models import UNet, clean_copy, record_layers_one_pass, score_fn  # noqa: E402  (hook helpers)
from strip_debug_info import strip_debug_info  # noqa: E402

THREADS = 2
PYTORCH_VERSION = "1.13"        # the copied TorchScript files were exported with torch 1.13 (Debian 1.13.0a0)
TIMESTAMP = "2025-01-01T00:00:00+00:00"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
TOL_TS = 1e-5                   # eager (hooks) vs TorchScript agreement required

UNET_PT = Path("src/test/resources/models/unet_traced.pt")
RINGNET_PT = Path("test-images/demo/ringnet_traced.pt")
VOL3D_PT = Path("test-images/demo3d/vol3d.pt")
RING_LABELS = Path("test-images/demo/ringnet.labels.txt")
VOL3D_LABELS = Path("test-images/demo3d/vol3d.labels.txt")

UNET_SEED = 52001               # synthetic nuclei image, 64 x 80
UNET_PAD_SEED = 52002           # synthetic nuclei image, 70 x 90 (invalid size)
VOL3D_SEED = 52003              # dither / hot and dead voxels of the 12-bit volume

AUTHORS = [OrderedDict([("name", "ExplainJ developers")])]
CITE_UNET = [OrderedDict([
    ("text", "Ronneberger, Olaf et al. U-net: Convolutional networks for biomedical image "
             "segmentation. MICCAI 2015."),
    ("doi", "10.1007/978-3-319-24574-4_28")])]
CITE_CNN = [OrderedDict([
    ("text", "Selvaraju, Ramprasaath R. et al. Grad-CAM: Visual Explanations from Deep Networks "
             "via Gradient-based Localization. ICCV 2017."),
    ("doi", "10.1109/ICCV.2017.74")])]

# The file vol3d_arch.py of bad/no_torchscript (the architecture of its pytorch_state_dict entry; the rdf
# holds its sha256).  Package content, so kept here verbatim rather than taken from make_3d_models.py, whose
# Vol3dNet has a docstring and type annotations and may be reformatted; build_bad checks that it builds the
# same model as the imported Vol3dNet (check_arch_source).
VOL3D_ARCH_PY = '''\
"""Vol3dNet: the small 3-D CNN of ExplainJ's test fixtures (scripts/make_3d_models.py)."""
import torch
import torch.nn as nn


class Vol3dNet(nn.Module):
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

    def forward(self, x):
        x = self.features(x)
        x = self.pool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)
'''


# ==========================================================================
# Small utilities
# ==========================================================================
def sha256_bytes(b):
    return hashlib.sha256(b).hexdigest()


def npy_bytes(arr, dtype):
    """.npy bytes (little-endian, C order, no pickle) of arr cast to dtype."""
    a = np.ascontiguousarray(np.asarray(arr).astype(np.dtype(dtype).newbyteorder("<")))
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return buf.getvalue()


def write_bytes(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def to_np(t):
    return t.detach().cpu().numpy()


def maxdiff64(a, b):
    """max |a - b| of two arrays, computed in float64 (fixture_export.maxdiff subtracts tensors in their
    own dtype; the meta.json values were computed in float64)."""
    return float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))


def rel_maxdiff(a, b):
    scale = float(np.max(np.abs(np.asarray(b, np.float64))))
    return maxdiff64(a, b) / scale if scale > 0 else maxdiff64(a, b)


def flist(a):
    """float64 values of an array as a flat list (for meta.json)."""
    return [float(v) for v in np.asarray(a, np.float64).ravel()]


# ==========================================================================
# YAML writer (YAML 1.2 block style; read the same by snakeyaml-engine,
# PyYAML and ruyaml)
# ==========================================================================
_PLAIN_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
# plain scalars that some YAML reader would not read as a string (YAML 1.1 booleans
# except y/n, which neither PyYAML nor SnakeYAML treat as booleans; bioimage.io
# files write the axis ids y / x plain)
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "~", ""}


class Plain(str):
    """A string written plain even if it looks like a version (e.g. format_version 0.5.4)."""


class Quoted(str):
    """A string always written double-quoted (checksums, versions, timestamps)."""


def y_float(v):
    v = float(v)
    assert np.isfinite(v), v
    s = repr(v)
    if "e" in s or "E" in s:
        mant, exp = s.lower().split("e")
        if "." not in mant:
            mant += ".0"
        if exp[0] not in "+-":
            exp = "+" + exp
        s = f"{mant}e{exp}"
    elif "." not in s:
        s += ".0"
    return s


def y_scalar(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return y_float(v)
    if isinstance(v, Plain):
        return str(v)
    if isinstance(v, Quoted):
        return json.dumps(str(v), ensure_ascii=True)
    if isinstance(v, str):
        ok = (v and set(v) <= _PLAIN_OK and v.lower() not in _RESERVED
              and (v[0].isalpha() or v[0] == "_") and not v.endswith("."))
        return v if ok else json.dumps(v, ensure_ascii=True)
    raise TypeError(f"cannot write {type(v)} to YAML: {v!r}")


def _is_scalar(v):
    return not isinstance(v, (dict, list, tuple))


def y_lines(obj, indent):
    pad = " " * indent
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            key = y_scalar(k)
            if _is_scalar(v):
                out.append(f"{pad}{key}: {y_scalar(v)}")
            elif isinstance(v, (list, tuple)) and all(_is_scalar(e) for e in v):
                out.append(f"{pad}{key}: [{', '.join(y_scalar(e) for e in v)}]")
            elif isinstance(v, dict) and not v:
                out.append(f"{pad}{key}: {{}}")
            else:
                out.append(f"{pad}{key}:")
                out.extend(y_lines(v, indent + 2))
    elif isinstance(obj, (list, tuple)):
        for e in obj:
            if _is_scalar(e):
                out.append(f"{pad}- {y_scalar(e)}")
            elif isinstance(e, dict) and e:
                sub = y_lines(e, indent + 2)
                out.append(f"{pad}- {sub[0].lstrip()}")
                out.extend(sub[1:])
            else:
                raise TypeError("nested lists are not used here")
    else:
        raise TypeError(type(obj))
    return out


def yaml_text(rdf, comment):
    head = [f"# {line}" if line else "#" for line in comment]
    return "\n".join(head + y_lines(rdf, 0)) + "\n"


# ==========================================================================
# Processing (the semantics ExplainJ implements)
# ==========================================================================
def steps_05(steps):
    """0.5 pre/postprocessing list -> normalized ops."""
    ops = []
    for s in steps:
        op = OrderedDict([("op", s["id"])])
        op.update(copy.deepcopy(s.get("kwargs", {})))
        ops.append(op)
    return ops


def steps_04(steps, tensor_axes):
    """0.4 list (name + kwargs; axes as letters) -> normalized ops (0.5 vocabulary)."""
    letter = {"b": "batch", "c": "channel", "z": "z", "y": "y", "x": "x", "t": "time", "i": "index"}
    ops = []
    for s in steps:
        kw = copy.deepcopy(s.get("kwargs", {}))
        name = s["name"]
        axes = kw.pop("axes", None)
        axes_ids = None if axes is None else [letter[a] for a in axes]
        if name == "zero_mean_unit_variance":
            mode = kw.pop("mode", "fixed")
            if mode == "per_sample":
                ops.append(OrderedDict([("op", "zero_mean_unit_variance"), ("axes", axes_ids),
                                        ("eps", kw.get("eps", 1e-6))]))
            elif mode == "fixed":
                comp = [letter[a] for a in tensor_axes if letter[a] not in (axes_ids or []) + ["batch"]]
                ops.append(OrderedDict([("op", "fixed_zero_mean_unit_variance"), ("mean", kw["mean"]),
                                        ("std", kw["std"]), ("eps", kw.get("eps", 1e-6))]
                                       + ([("axis", comp[0])] if isinstance(kw["mean"], list) else [])))
            else:
                raise ValueError(f"mode {mode} not supported")
        elif name == "scale_range":
            assert kw.pop("mode") == "per_sample"
            ops.append(OrderedDict([("op", "scale_range"), ("axes", axes_ids)] + list(kw.items())))
        else:
            op = OrderedDict([("op", name)] + list(kw.items()))
            ops.append(op)
    return ops


def _reduce(axis_ids, axes):
    if axes is None:
        return tuple(range(len(axis_ids)))
    assert "batch" not in axes, "per-dataset statistics are not supported"
    return tuple(axis_ids.index(a) for a in axes)


def _along(axis_ids, values, axis, ndim):
    """scalar or list along `axis` -> broadcastable float64 array."""
    if not isinstance(values, (list, tuple)):
        return np.float64(values)
    shape = [1] * ndim
    shape[axis_ids.index(axis)] = len(values)
    return np.asarray(values, np.float64).reshape(shape)


def apply_ops(x, axis_ids, ops):
    """Apply normalized ops to a float32 tensor; returns (float32 result, log)."""
    x = np.asarray(x, np.float32)
    log = []
    for op in ops:
        kind = op["op"]
        entry = OrderedDict([("op", kind)])
        x64 = x.astype(np.float64)
        if kind == "ensure_dtype":
            assert op["dtype"] == "float32", op
            y = x64
        elif kind == "scale_range":
            red = _reduce(axis_ids, op.get("axes"))
            pmin, pmax = float(op.get("min_percentile", 0.0)), float(op.get("max_percentile", 100.0))
            eps = float(op.get("eps", 1e-6))
            lo = np.quantile(x64, pmin / 100.0, axis=red, keepdims=True, method="linear")
            hi = np.quantile(x64, pmax / 100.0, axis=red, keepdims=True, method="linear")
            y = (x64 - lo) / (hi - lo + eps)
            entry.update([("reduced_axes", [axis_ids[i] for i in red]),
                          ("q_lower", pmin / 100.0), ("q_upper", pmax / 100.0), ("eps", eps),
                          ("lower", flist(lo)), ("upper", flist(hi))])
        elif kind == "zero_mean_unit_variance":
            red = _reduce(axis_ids, op.get("axes"))
            eps = float(op.get("eps", 1e-6))
            mean = x64.mean(axis=red, keepdims=True)
            std = x64.std(axis=red, keepdims=True)          # population std (ddof 0)
            y = (x64 - mean) / (std + eps)
            entry.update([("reduced_axes", [axis_ids[i] for i in red]), ("eps", eps),
                          ("mean", flist(mean)), ("std", flist(std))])
        elif kind == "fixed_zero_mean_unit_variance":
            mean = _along(axis_ids, op["mean"], op.get("axis"), x.ndim)
            std = _along(axis_ids, op["std"], op.get("axis"), x.ndim)
            y = (x64 - mean) / (std + 1e-6)
            entry.update([("mean", flist(mean)), ("std", flist(std)), ("eps", 1e-6)])
        elif kind == "scale_linear":
            gain = _along(axis_ids, op.get("gain", 1.0), op.get("axis"), x.ndim)
            offset = _along(axis_ids, op.get("offset", 0.0), op.get("axis"), x.ndim)
            y = x64 * gain + offset
            entry.update([("gain", flist(gain)), ("offset", flist(offset))])
        elif kind == "clip":
            y = np.clip(x64, op.get("min", -np.inf), op.get("max", np.inf))
            entry.update([("min", op.get("min")), ("max", op.get("max")),
                          ("values_clipped_low", int((x64 < op.get("min", -np.inf)).sum())),
                          ("values_clipped_high", int((x64 > op.get("max", np.inf)).sum()))])
        elif kind == "binarize":
            y = (x64 > float(op["threshold"])).astype(np.float64)
        elif kind == "sigmoid":
            y = 1.0 / (1.0 + np.exp(-x64))
        else:
            raise ValueError(f"unsupported step {kind}")
        x = y.astype(np.float32)
        log.append(entry)
    return x, log


# ==========================================================================
# Raw test images
# ==========================================================================
def nuclei_image(shape, seed):
    """Synthetic 16-bit 'nuclei' image: dim shaded background, 6-9 bright soft
    disks, shot + read noise and 3 hot pixels (so the 99.8 % percentile is
    not the maximum)."""
    rng = np.random.default_rng(seed)
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    img = 400.0 + 80.0 * (xx / w) + 50.0 * (yy / h)
    for _ in range(int(rng.integers(6, 10))):
        cy, cx = rng.uniform(4, h - 5), rng.uniform(4, w - 5)
        r = rng.uniform(3.5, 7.5)
        amp = rng.uniform(1500.0, 4000.0)
        d = np.hypot(yy - cy, xx - cx)
        img += amp / (1.0 + np.exp(-(r - d) / 0.8))
    img += rng.normal(0.0, 1.0, img.shape) * np.sqrt(img) * 1.5 + rng.normal(0.0, 20.0, img.shape)
    for _ in range(3):
        img[int(rng.integers(0, h)), int(rng.integers(0, w))] = 30000.0
    return np.clip(np.round(img), 0, 65535).astype(np.uint16)


def vol3d_raw(u8, seed):
    """A 12-bit camera version of the 8-bit demo volume: dark level 100 counts,
    16 counts per 8-bit step plus a 0..15 dither, 5 hot voxels (6000) and 5
    dead voxels (40) so that the clip step has work on both sides."""
    rng = np.random.default_rng(seed)
    raw = 100 + 16 * u8.astype(np.int64) + rng.integers(0, 16, u8.shape)
    flat = raw.reshape(-1)
    idx = rng.choice(flat.size, 10, replace=False)
    flat[idx[:5]] = 6000
    flat[idx[5:]] = 40
    return raw.astype(np.uint16)


# ==========================================================================
# Model references
# ==========================================================================
def layer_act_grad(model, x, score, layer):
    """Activation and dScore/dA of module `layer`, which must be called exactly
    once, and whether its output was modified in place later (forward hook of
    make_test_models.record_layers_one_pass: output cloned at hook time)."""
    calls = record_layers_one_pass(model, x, score, [layer])[layer]
    assert len(calls) == 1, f"{layer} called {len(calls)} times"
    return calls[0]["act"], calls[0]["grad"], calls[0]["modified_later"]


def model_refs(ts, eager, x_np, kind, target, layer):
    """logits (TorchScript), saliency (TorchScript autograd), Grad-CAM (eager
    hooks), and the agreement checks."""
    x = torch.from_numpy(np.ascontiguousarray(x_np))
    score = score_fn(kind, target)
    with torch.no_grad():
        logits_ts = ts(x)
        logits_eager = eager(x)
    sal_ts = input_gradient(ts, x, score)
    sal_eager = input_gradient(eager, x, score)
    act, grad, modified = layer_act_grad(eager, x, score, layer)
    act_c, grad_c, _ = layer_act_grad(clean_copy(eager), x, score, layer)
    cam = gradcam_raw(act[0], grad[0])
    cam_c = gradcam_raw(act_c[0], grad_c[0])
    checks = OrderedDict([
        ("logits_eager_vs_torchscript_max_abs_diff", maxdiff64(to_np(logits_eager), to_np(logits_ts))),
        ("saliency_eager_vs_torchscript_max_abs_diff", maxdiff64(to_np(sal_eager), to_np(sal_ts))),
        ("saliency_eager_vs_torchscript_rel_diff", rel_maxdiff(to_np(sal_eager), to_np(sal_ts))),
        ("layer_output_modified_in_place_later", bool(modified)),
        ("gradcam_inplace_model_vs_clean_copy_max_abs_diff", maxdiff64(to_np(cam), to_np(cam_c))),
        ("activation_inplace_vs_clean_max_abs_diff", maxdiff64(to_np(act), to_np(act_c))),
        ("gradient_inplace_vs_clean_max_abs_diff", maxdiff64(to_np(grad), to_np(grad_c))),
    ])
    assert checks["logits_eager_vs_torchscript_max_abs_diff"] <= TOL_TS, checks
    assert checks["saliency_eager_vs_torchscript_rel_diff"] <= TOL_TS, checks
    assert not modified, checks
    assert checks["gradcam_inplace_model_vs_clean_copy_max_abs_diff"] <= 1e-6 * max(
        1.0, float(cam.abs().max())), checks
    return OrderedDict([
        ("logits", to_np(logits_ts)), ("saliency", to_np(sal_ts)), ("gradcam", to_np(cam)),
        ("score", float(score(logits_ts))), ("activation_shape", list(act.shape)), ("checks", checks)])


def load_weights(pt_rel, cls, tmpdir):
    """(bytes of the TorchScript file without debug records (never machine paths), the TorchScript
    module loaded from them, an eager ``cls`` with its state_dict (strict)), both in eval mode."""
    path = tmpdir / pt_rel.name
    shutil.copyfile(REPO / pt_rel, path)
    strip_debug_info(path)
    ts = torch.jit.load(str(path)).eval()
    return path.read_bytes(), ts, load_eval(cls(), ts.state_dict())


def run_pipeline(pt_rel, cls, tmpdir, raw, axis_ids, pre_ops, layer, target=None, kind="class", post_ops=()):
    """A package's model (``pt_rel``, eager class ``cls``) and raw image (uint16, (Y, X) or (Z, Y, X)) run
    through the pipeline: ``pre_ops`` (normalized, see steps_05 / steps_04) -> model -> ``post_ops``.

    ``target``: the class / channel explained (None: the top-1 class of the TorchScript logits); ``kind``:
    the score ("class" or "pixel-sum", see make_test_models.score_fn).  Returns a namespace with the
    arguments and wbytes, ts, eager (load_weights), x_raw (raw as float32 (1, 1, ...): the test input),
    x_in and pre_log (apply_ops), refs (model_refs), test_out and post_log.
    """
    wbytes, ts, eager = load_weights(pt_rel, cls, tmpdir)
    x_raw = raw.astype(np.float32)[None, None]
    x_in, pre_log = apply_ops(x_raw, axis_ids, pre_ops)
    if target is None:
        with torch.no_grad():
            target = int(ts(torch.from_numpy(x_in)).argmax(1))
    refs = model_refs(ts, eager, x_in, kind, target, layer)
    test_out, post_log = apply_ops(refs["logits"], axis_ids, post_ops)
    return SimpleNamespace(pt_rel=pt_rel, cls=cls, raw=raw, axis_ids=axis_ids, pre_ops=pre_ops, layer=layer,
                           target=target, kind=kind, post_ops=post_ops, wbytes=wbytes, ts=ts, eager=eager,
                           x_raw=x_raw, x_in=x_in, pre_log=pre_log, refs=refs, test_out=test_out,
                           post_log=post_log)


def check_arch_source(source, name, eager, x):
    """``source`` (an architecture file of a package) defines class ``name`` whose instance takes
    ``eager``'s state_dict (strict) and gives the same output for ``x``."""
    ns = {}
    exec(compile(source, "<architecture source>", "exec"), ns)  # noqa: S102  (our own constant)
    with torch.random.fork_rng(devices=[]):     # the throw-away weight init leaves the global RNG as it was
        model = load_eval(ns[name](), eager.state_dict())
    with torch.no_grad():
        assert torch.equal(model(x), eager(x)), f"{name} of the architecture source differs from {eager}"


# ==========================================================================
# rdf.yaml content
# ==========================================================================
def file_entry(source, data):
    return OrderedDict([("source", source), ("sha256", Quoted(sha256_bytes(data)))])


def torchscript_weights(data):
    e = file_entry("weights.pt", data)
    e["pytorch_version"] = PYTORCH_VERSION
    return OrderedDict([("torchscript", e)])


def rdf_header(fmt, name, pkg_id, description, tags, cite):
    """The rdf up to ``timestamp`` (format 0.4: ``format_version`` first, as the 0.4 package has it)."""
    rdf = OrderedDict([
        ("type", "model"),
        ("format_version", Plain(fmt)),
        ("id", pkg_id),
        ("name", name),
        ("version", "0.1.0"),
        ("description", description),
        ("authors", copy.deepcopy(AUTHORS)),
        ("cite", copy.deepcopy(cite)),
        ("license", "MIT"),
        ("tags", tags),
        ("documentation", "README.md"),
        ("timestamp", TIMESTAMP),
    ])
    if fmt.startswith("0.4."):
        rdf.move_to_end("format_version", last=False)
    return rdf


def axis(type_, **kw):
    d = OrderedDict([("type", type_)])
    for k, v in kw.items():
        d[k] = v
    return d


def axes_05(channel_names, **space):
    """0.5 axes batch, channel (``channel_names``), then the space axes ``space`` (id=size, in order)."""
    return ([axis("batch"), axis("channel", channel_names=channel_names)]
            + [axis("space", id=k, size=v) for k, v in space.items()])


def tensor_05(tensor_id, description, axes, **steps):
    """A 0.5 input or output (float32; ``test_tensor`` is set by put_test_tensor); ``steps``:
    ``preprocessing=[...]`` or ``postprocessing=[...]`` (written after ``test_tensor``)."""
    t = OrderedDict([("id", tensor_id), ("description", description), ("axes", axes),
                     ("data", OrderedDict([("type", "float32")])), ("test_tensor", None)])
    t.update(steps)
    return t


def readme_text(title, lines):
    body = "\n".join(lines)
    return (f"# {title}\n\n{body}\n\n"
            "Generated by `scripts/make_bioimageio_packages.py` for ExplainJ's tests; "
            "not a trained model for real data.\n\n"
            "## Validation\n\n"
            "`test_input.npy` (raw) run through the declared preprocessing, the TorchScript "
            "weights and the declared postprocessing gives `test_output.npy`.\n")


RDF_COMMENT = ["ExplainJ test fixture: a bioimage.io model package description.",
               "Generated by scripts/make_bioimageio_packages.py - do not edit by hand."]


# ==========================================================================
# Package writing
# ==========================================================================
class Package:
    """In-memory package: rdf structure + files (name -> bytes) + refs."""

    def __init__(self, name):
        self.name = name
        self.rdf = None
        self.files = OrderedDict()
        self.refs = OrderedDict()
        self.readme = ""

    def payload(self):
        """Files of the package proper (rdf.yaml first)."""
        out = OrderedDict([("rdf.yaml", yaml_text(self.rdf, RDF_COMMENT).encode("utf-8")),
                           ("README.md", self.readme.encode("utf-8"))])
        out.update(self.files)
        return out


def put_test_tensor(pkg, which, arr):
    """Store ``arr`` as ``test_<which>.npy`` (``which``: "input" or "output"; float32) and point the rdf at
    it: format 0.4 ``test_<which>s: [test_<which>.npy]``, 0.5 the first input's / output's ``test_tensor``
    (source and sha256)."""
    name = f"test_{which}.npy"
    pkg.files[name] = npy_bytes(arr, "float32")
    if pkg.rdf["format_version"].startswith("0.4."):
        pkg.rdf[f"test_{which}s"] = [name]
    else:
        pkg.rdf[f"{which}s"][0]["test_tensor"] = file_entry(name, pkg.files[name])


def make_package(name, run, rdf, readme_title, readme_lines):
    """Package ``name`` of a pipeline run (run_pipeline): ``rdf`` (header, inputs, outputs) completed with
    the test tensors and the torchscript weights; weights.pt, test_input.npy (raw), test_output.npy,
    README.md; and the references every package has in ref/ (raw, input, logits, saliency_grad,
    gradcam_raw)."""
    pkg = Package(name)
    pkg.rdf = rdf
    pkg.files["weights.pt"] = run.wbytes
    put_test_tensor(pkg, "input", run.x_raw)
    put_test_tensor(pkg, "output", run.test_out)
    rdf["weights"] = torchscript_weights(run.wbytes)
    pkg.readme = readme_text(readme_title, readme_lines)
    pkg.refs["raw.npy"] = npy_bytes(run.raw, "uint16")
    pkg.refs["input.npy"] = npy_bytes(run.x_in, "float32")
    pkg.refs["logits.npy"] = npy_bytes(run.refs["logits"], "float32")
    pkg.refs["saliency_grad.npy"] = npy_bytes(run.refs["saliency"], "float32")
    pkg.refs["gradcam_raw.npy"] = npy_bytes(run.refs["gradcam"], "float32")
    return pkg


def write_folder(root, files):
    root.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        write_bytes(root / name, data)


def write_zip(path, files, top=None):
    """Deterministic zip: sorted entries, fixed time, fixed permissions, stored."""
    entries = []
    if top:
        entries.append((top + "/", None))
    for name, data in files.items():
        entries.append(((top + "/" if top else "") + name, data))
    entries.sort(key=lambda e: e[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for name, data in entries:
            zi = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            zi.create_system = 3
            zi.compress_type = zipfile.ZIP_STORED
            if data is None:
                zi.external_attr = (0o40755 << 16) | 0x10
                data = b""
            else:
                zi.external_attr = 0o100644 << 16
            z.writestr(zi, data)


# ==========================================================================
# The four good packages (each build_* returns the Package, its meta.json
# content and its run_pipeline namespace)
# ==========================================================================
def build_unet(tmpdir):
    inputs_pre = [
        OrderedDict([("id", "ensure_dtype"), ("kwargs", OrderedDict([("dtype", "float32")]))]),
        OrderedDict([("id", "scale_range"), ("kwargs", OrderedDict([
            ("axes", ["y", "x"]), ("min_percentile", 1.0), ("max_percentile", 99.8)]))]),
    ]
    post = [OrderedDict([("id", "sigmoid")])]
    raw = nuclei_image((64, 80), UNET_SEED)
    run = run_pipeline(UNET_PT, UNet, tmpdir, raw, ["batch", "channel", "y", "x"], steps_05(inputs_pre),
                       "dec1", target=1, kind="pixel-sum", post_ops=steps_05(post))
    ts, eager = run.ts, run.eager

    # sizes {min 16, step 16}: check the model takes them (and not 70 x 90)
    accepted = []
    with torch.no_grad():
        for s in [(16, 16), (16, 32), (32, 16), (48, 64), (64, 80), (96, 96)]:
            assert ts(torch.zeros(1, 1, *s)).shape == (1, 2) + s
            accepted.append(list(s))
        try:
            ts(torch.zeros(1, 1, 70, 90))
            rejects_70x90 = False
        except Exception:  # noqa: BLE001
            rejects_70x90 = True

    # padding test: 70 x 90 is not 16 + n * 16
    raw_pad = nuclei_image((70, 90), UNET_PAD_SEED)
    x_pad_in, pad_log = apply_ops(raw_pad.astype(np.float32)[None, None], run.axis_ids, run.pre_ops)
    valid = [16 + 16 * int(np.ceil((s - 16) / 16)) for s in (70, 90)]   # -> 80, 96
    pad_refs = OrderedDict()
    pad_checks = OrderedDict()
    for where in ("end",):
        for mode in ("zero", "reflect"):
            widths = [(0, 0), (0, 0)]
            for s, v in zip((70, 90), valid):
                d = v - s
                widths.append((0, d) if where == "end" else (d // 2, d - d // 2))
            padded = np.pad(x_pad_in, widths, mode="constant" if mode == "zero" else "reflect")
            xt = torch.from_numpy(np.ascontiguousarray(padded))
            with torch.no_grad():
                o = to_np(ts(xt))
                oe = to_np(eager(xt))
            (y0, _), (x0, _) = widths[2], widths[3]
            pad_refs[f"{where}_{mode}"] = (o[:, :, y0:y0 + 70, x0:x0 + 90], widths)
            pad_checks[f"{where}_{mode}"] = maxdiff64(o, oe)
            assert pad_checks[f"{where}_{mode}"] <= TOL_TS

    rdf = rdf_header(
        "0.5.4", "ExplainJ test U-Net 2D", "explainj-unet2d-v05",
        "Small 2-D U-Net with random weights (ExplainJ test fixture): 1 input channel, "
        "2 output channels (background, nucleus), any size 16 + n*16.",
        ["explainj", "test-fixture", "unet2d", "segmentation", "pytorch"], CITE_UNET)
    min_step = OrderedDict([("min", 16), ("step", 16)])
    rdf["inputs"] = [tensor_05(
        "raw", "raw intensities (any range; normalized by the preprocessing)",
        axes_05(["raw"], y=min_step, x=copy.deepcopy(min_step)), preprocessing=inputs_pre)]
    rdf["outputs"] = [tensor_05(
        "probability", "per-pixel probabilities (sigmoid of the logits)",
        axes_05(["background", "nucleus"], y=OrderedDict([("tensor_id", "raw"), ("axis_id", "y")]),
                x=OrderedDict([("tensor_id", "raw"), ("axis_id", "x")])),
        postprocessing=post)]
    pkg = make_package("unet2d_v05", run, rdf, "ExplainJ test U-Net 2D (bioimage.io 0.5)", [
        "A small U-Net (enc1, enc2, bottleneck, dec2, dec1, head) with random weights.",
        "Input: 1 channel, y and x of size 16 + n*16; percentile normalization (1 %, 99.8 %).",
        "Output: 2 channels (background, nucleus), sigmoid probabilities."])
    pkg.refs["raw_pad.npy"] = npy_bytes(raw_pad, "uint16")
    pkg.refs["input_pad.npy"] = npy_bytes(x_pad_in, "float32")
    for k, (arr, _) in pad_refs.items():
        pkg.refs[f"logits_pad_{k}.npy"] = npy_bytes(arr, "float32")

    meta = base_meta(pkg, run, "segmenter (U-Net)", "nucleus",
                     "synthetic nuclei: shaded background ~400-530, 6-9 soft disks +1500..4000, "
                     f"shot + read noise, 3 hot pixels = 30000 (numpy default_rng seed {UNET_SEED})")
    meta["valid_sizes"] = OrderedDict([
        ("rule", "y, x = 16 + n*16 (ParameterizedSize min 16, step 16)"),
        ("checked_accepted_yx", accepted),
        ("torchscript_rejects_70x90", rejects_70x90)])
    meta["padding_test"] = OrderedDict([
        ("raw", "ref/raw_pad.npy (uint16, 70 x 90: not a valid size)"),
        ("raw_seed", UNET_PAD_SEED),
        ("input", "ref/input_pad.npy: preprocessing of the UNPADDED image (statistics from its "
                  "70 x 90 pixels), shape (1, 1, 70, 90), not padded"),
        ("padded_size_yx", valid),
        ("preprocessing_as_applied", pad_log),
        ("logits", OrderedDict(
            (f"ref/logits_pad_{k}.npy", OrderedDict([
                ("pad_widths_bcyx", [list(w) for w in widths]),
                ("mode", "numpy.pad constant 0" if k.endswith("zero")
                 else "numpy.pad reflect (edge pixel not repeated)"),
                ("crop", "output cropped back to the 70 x 90 image region")]))
            for k, (_, widths) in pad_refs.items())),
        ("eager_vs_torchscript_max_abs_diff", pad_checks),
        ("note", "bioimageio.core itself does not pad an image smaller than the next block: it "
                 "tiles it with overlapping valid-size blocks (block_meta.split_shape_into_blocks); "
                 "these references pad at the end like ExplainJ"),
    ])
    log(f"  unet2d_v05: score {run.refs['score']:.4f}, "
        f"gradcam max {float(np.abs(run.refs['gradcam']).max()):.4f}")
    return pkg, meta, run


def build_ringnet_v04(tmpdir):
    tif = read_tiff16(REPO / "test-images/demo/blobs_only_1.tif")
    raw = (np.round(tif.astype(np.float64) * 0.5) + 2000).astype(np.uint16)
    pre = [OrderedDict([("name", "zero_mean_unit_variance"),
                        ("kwargs", OrderedDict([("mode", "per_sample"), ("axes", "xy")]))])]
    axes = "bcyx"
    run = run_pipeline(RINGNET_PT, RingNet, tmpdir, raw, ["batch", "channel", "y", "x"], steps_04(pre, axes),
                       "features.relu4")
    rdf = rdf_header(
        "0.4.10", "ExplainJ test RingNet classifier", "explainj-ringnet-v04",
        "RingNet (ExplainJ demo CNN): ring cell vs blobs only in 96 x 96 grey "
        "images; class logits 0 = blobs only, 1 = ring cell.",
        ["explainj", "test-fixture", "classification", "pytorch"], CITE_CNN)
    rdf["inputs"] = [OrderedDict([
        ("name", "raw"),
        ("description", "raw intensities; normalized per sample"),
        ("axes", Plain(axes)),
        ("data_type", "float32"),
        ("shape", [1, 1, 96, 96]),
        ("preprocessing", pre)])]
    rdf["outputs"] = [OrderedDict([
        ("name", "logits"),
        ("description", "class logits: 0 = blobs only, 1 = ring cell"),
        ("axes", Plain("bc")),
        ("data_type", "float32"),
        ("shape", [1, 2])])]
    pkg = make_package(
        "ringnet_classifier_v04", run, rdf, "ExplainJ test RingNet classifier (bioimage.io 0.4)", [
            "RingNet, the ExplainJ demo CNN (4 conv blocks, global average pooling, linear head).",
            "Input: 1 x 96 x 96, normalized to zero mean and unit variance per sample.",
            "Output: 2 class logits (0 = blobs only, 1 = ring cell)."])
    labels = (REPO / RING_LABELS).read_text().splitlines()
    meta = base_meta(pkg, run, "classifier (RingNet)", None,
                     "test-images/demo/blobs_only_1.tif (uint16) -> round(x * 0.5) + 2000")
    meta["target"]["label_in_labels_txt"] = labels[run.target]
    meta["target"]["note"] = ("top-1 class of the logits; 0.4 has no channel names, so ExplainJ "
                              "has no target name from the rdf")
    meta["note"] = ("RingNet was trained on pixel/65535 in [0, 1]; after per-sample zero mean / "
                    "unit variance its logits differ from the demo's, but blobs_only_1 is still "
                    "classified 'blobs only' (top-1 = target 0); the ring images would be "
                    "misclassified with this normalization")
    log(f"  ringnet_classifier_v04: logits {run.refs['logits'][0].tolist()}, target {run.target}")
    return pkg, meta, run


def build_vol3d(tmpdir):
    labels = (REPO / VOL3D_LABELS).read_text().splitlines()
    u8 = read_tiff_stack_u8(REPO / "test-images/demo3d/shell_1.tif")
    assert u8.shape == (16, 32, 32), u8.shape
    raw = vol3d_raw(u8, VOL3D_SEED)
    gain = 2.0 ** -12
    pre = [
        OrderedDict([("id", "scale_linear"), ("kwargs", OrderedDict([
            ("gain", gain), ("offset", -100.0 * gain)]))]),
        OrderedDict([("id", "clip"), ("kwargs", OrderedDict([("min", 0.0), ("max", 1.0)]))]),
    ]
    run = run_pipeline(VOL3D_PT, Vol3dNet, tmpdir, raw, ["batch", "channel", "z", "y", "x"], steps_05(pre),
                       "features")
    rdf = rdf_header(
        "0.5.3", "ExplainJ test Vol3d classifier", "explainj-vol3d-v05",
        "Small 3-D CNN (ExplainJ test fixture): hollow shell vs solid ball in 16 x 32 x 32 "
        "volumes of a 12-bit camera (dark level 100 counts).",
        ["explainj", "test-fixture", "3d", "classification", "pytorch"], CITE_CNN)
    rdf["inputs"] = [tensor_05("raw", "12-bit camera counts, dark level 100",
                               axes_05(["raw"], z=16, y=32, x=32), preprocessing=pre)]
    rdf["outputs"] = [tensor_05("logits", "class logits", axes_05(list(labels)))]
    pkg = make_package("vol3d_v05", run, rdf, "ExplainJ test Vol3d classifier (bioimage.io 0.5)", [
        "Vol3dNet: Conv3d/BatchNorm3d/MaxPool3d blocks, global average pooling, linear head.",
        "Input: 1 x 16 x 32 x 32 (z, y, x); (counts - 100) / 4096, clipped to [0, 1].",
        "Output: 2 class logits (ball, shell)."])
    meta = base_meta(pkg, run, "classifier (Vol3dNet, 3-D)", labels[run.target],
                     "test-images/demo3d/shell_1.tif (8-bit, 16 slices) -> 100 + 16 * u8 + dither "
                     f"0..15, 5 hot voxels = 6000 and 5 dead voxels = 40 (seed {VOL3D_SEED})")
    meta["preprocessing_note"] = ("gain = 2^-12 and offset = -100 * 2^-12 are exact binary "
                                  "fractions: x * gain + offset is exact in float32 and float64")
    log(f"  vol3d_v05: logits {run.refs['logits'][0].tolist()}, target {run.target} ({labels[run.target]})")
    return pkg, meta, run


def build_scaled(tmpdir):
    file_labels = (REPO / RING_LABELS).read_text().splitlines()
    names = [s.replace(" ", "_") for s in file_labels]       # 0.5 channel names are identifiers
    tif = read_tiff16(REPO / "test-images/demo/ring_cell_1.tif")
    assert int(tif.max()) + 1000 <= 65535
    raw = (tif.astype(np.int64) + 1000).astype(np.uint16)
    pre = [OrderedDict([("id", "fixed_zero_mean_unit_variance"), ("kwargs", OrderedDict([
        ("mean", 1000.0), ("std", 65535.0)]))])]
    run = run_pipeline(RINGNET_PT, RingNet, tmpdir, raw, ["batch", "channel", "y", "x"], steps_05(pre),
                       "features.relu4")
    demo_input = (tif.astype(np.float32) / np.float32(65535.0))[None, None]
    with torch.no_grad():
        demo_logits = to_np(run.ts(torch.from_numpy(demo_input)))
    rdf = rdf_header(
        "0.5.4", "ExplainJ test RingNet on 16-bit data", "explainj-scaled-classifier-v05",
        "RingNet (ExplainJ demo CNN) for raw 16-bit camera images with a dark offset of 1000 "
        "counts: fixed normalization (x - 1000) / 65535.",
        ["explainj", "test-fixture", "classification", "pytorch"], CITE_CNN)
    rdf["inputs"] = [tensor_05("raw", "16-bit camera counts, dark offset 1000",
                               axes_05(["raw"], y=96, x=96), preprocessing=pre)]
    rdf["outputs"] = [tensor_05("logits", "class logits", axes_05(names))]
    pkg = make_package(
        "scaled_classifier_v05", run, rdf, "ExplainJ test RingNet on 16-bit data (bioimage.io 0.5)", [
            "RingNet, the ExplainJ demo CNN, for raw 16-bit images with a dark offset of 1000 counts.",
            "Preprocessing: fixed zero mean / unit variance with mean 1000 and std 65535, i.e. the "
            "pixel / 65535 scale RingNet was trained on.",
            "Output: 2 class logits (blobs_only, ring_cell)."])
    meta = base_meta(pkg, run, "classifier (RingNet)", names[run.target],
                     "test-images/demo/ring_cell_1.tif (uint16) + 1000")
    meta["target"]["label_in_labels_txt"] = file_labels[run.target]
    meta["channel_names_note"] = ("ringnet.labels.txt has 'blobs only' / 'ring cell'; bioimage.io "
                                  "0.5 channel names must be Python identifiers (spec v0_5.py "
                                  "ChannelAxis.channel_names: List[Identifier]), so the rdf has "
                                  "blobs_only / ring_cell")
    meta["demo_logits_for_tif_div_65535"] = flist(demo_logits)
    meta["input_vs_demo_input_max_abs_diff"] = maxdiff64(run.x_in, demo_input)
    log(f"  scaled_classifier_v05: logits {run.refs['logits'][0].tolist()}, target {run.target} "
        f"({names[run.target]})")
    return pkg, meta, run


def base_meta(pkg, run, model_kind, target_name, raw_desc):
    """meta.json of a good package: the run's (run_pipeline) input, target, layer, references, processing
    as applied, agreement checks and tolerances; the caller adds what is specific to the package."""
    raw, x_in, refs, layer = run.raw, run.x_in, run.refs, run.layer
    score = ("sum over all pixels of logits[0, target] (before the sigmoid)" if run.kind == "pixel-sum"
             else "logits[0, target] (before any postprocessing)")
    return OrderedDict([
        ("package", pkg.name),
        ("format_version", str(pkg.rdf["format_version"])),
        ("model_kind", model_kind),
        ("weights", OrderedDict([("source", str(run.pt_rel)),
                                 ("eager_class", f"{run.cls.__name__} in scripts/{run.cls.__module__}.py"),
                                 ("sha256", sha256_bytes(pkg.files["weights.pt"]))])),
        ("raw", OrderedDict([("file", "ref/raw.npy"), ("dtype", "uint16"), ("shape", list(raw.shape)),
                             ("min", int(raw.min())), ("max", int(raw.max())), ("made_from", raw_desc),
                             ("test_input", "test_input.npy = raw as float32 with shape "
                                            f"{[1, 1] + list(raw.shape)}")])),
        ("target", OrderedDict([("index", run.target), ("name", target_name), ("score", score),
                                ("score_value", refs["score"])])),
        ("layer", OrderedDict([("name", layer), ("activation_shape", refs["activation_shape"])])),
        ("files", OrderedDict([
            ("ref/input.npy", OrderedDict([("shape", list(x_in.shape)),
                                           ("what", "preprocessed model input (float32)")])),
            ("ref/logits.npy", OrderedDict([("shape", list(refs["logits"].shape)),
                                            ("what", "TorchScript output for ref/input.npy, before "
                                                     "postprocessing")])),
            ("ref/saliency_grad.npy", OrderedDict([("shape", list(refs["saliency"].shape)),
                                                   ("what", "d(score)/d(input), autograd through "
                                                            "the TorchScript module")])),
            ("ref/gradcam_raw.npy", OrderedDict([("shape", list(refs["gradcam"].shape)),
                                                 ("what", f"sum_k alpha_k A_k at '{layer}' before "
                                                          "the ReLU, alpha_k = mean over spatial "
                                                          "positions of dscore/dA_k (eager hooks)")])),
        ])),
        ("values", OrderedDict([
            ("logits", flist(refs["logits"]) if refs["logits"].size <= 8 else None),
            ("logits_max_abs", float(np.abs(refs["logits"]).max())),
            ("saliency_max_abs", float(np.abs(refs["saliency"]).max())),
            ("gradcam_raw_min", float(refs["gradcam"].min())),
            ("gradcam_raw_max", float(refs["gradcam"].max())),
        ])),
        ("preprocessing_as_applied", run.pre_log),
        ("postprocessing_as_applied", run.post_log),
        ("agreement", refs["checks"]),
        ("tolerances", OrderedDict([
            ("input", "statistics in float64, every step rounded to float32 once: expect equality "
                      "or 1 float32 ulp (use atol 1e-6 * max|input| + 1e-7)"),
            ("logits", "libtorch vs torch 1.13 CPU: atol 1e-4 (1e-5 when the same kernels run)"),
            ("saliency_grad", "atol 1e-4 * max|saliency|"),
            ("gradcam_raw", "atol 1e-4 * max|gradcam_raw|"),
            ("test_output", "bioimage.io default: |out - ref| <= 1e-3 + 1e-3 * |ref| (spec "
                            "ReproducibilityTolerance)"),
        ])),
        ("generator", OrderedDict([("script", "scripts/make_bioimageio_packages.py"),
                                   ("torch", torch.__version__), ("numpy", np.__version__),
                                   ("python", platform.python_version())])),
    ])


# ==========================================================================
# Broken packages
# ==========================================================================
def alter_hex(h):
    """Same length, one hex digit changed (still a well-formed sha256)."""
    last = h[-1]
    return Quoted(h[:-1] + ("0" if last != "0" else "1"))


def build_bad(unet, unet_run, ring04, vol, vol_run):
    """-> OrderedDict name -> ('folder'|'zip', files, top_folder, description); the packages are
    make_package's, the runs run_pipeline's."""
    bad = OrderedDict()

    # no_rdf.zip: the vol3d package without its rdf.yaml
    files = vol.payload()
    del files["rdf.yaml"]
    bad["no_rdf.zip"] = ("zip", files, None,
                         "vol3d_v05 zipped WITHOUT rdf.yaml (and no bioimageio.yaml): not a "
                         "bioimage.io package; ExplainJ must say so.")

    # no_torchscript: weights pytorch_state_dict + onnx only
    p = copy.deepcopy(vol)
    del p.files["weights.pt"]
    eager = vol_run.eager
    sd = io.BytesIO()
    torch.save(eager.state_dict(), sd)
    onnx = io.BytesIO()
    torch.onnx.export(eager, torch.zeros(1, 1, 16, 32, 32), onnx, opset_version=13,
                      input_names=["raw"], output_names=["logits"])
    arch = VOL3D_ARCH_PY.encode("utf-8")
    p.files["weights_state_dict.pt"] = sd.getvalue()
    p.files["weights.onnx"] = onnx.getvalue()
    p.files["vol3d_arch.py"] = arch
    sdw = file_entry("weights_state_dict.pt", sd.getvalue())
    sdw["architecture"] = OrderedDict([("source", "vol3d_arch.py"), ("sha256", sha256_bytes(arch)),
                                       ("callable", "Vol3dNet")])
    sdw["pytorch_version"] = PYTORCH_VERSION
    ow = file_entry("weights.onnx", onnx.getvalue())
    ow["opset_version"] = 13
    ow["parent"] = "pytorch_state_dict"
    p.rdf["weights"] = OrderedDict([("pytorch_state_dict", sdw), ("onnx", ow)])
    check_arch_source(VOL3D_ARCH_PY, "Vol3dNet", eager, torch.from_numpy(vol_run.x_in))
    bad["no_torchscript"] = ("folder", p.payload(), None,
                             "vol3d_v05 whose weights list only `pytorch_state_dict` (with its "
                             "architecture file) and `onnx` entries, no `torchscript`: ExplainJ "
                             "runs TorchScript only and must refuse it (naming the formats found).")

    # wrong_sha256: weights checksum altered
    p = copy.deepcopy(vol)
    good = p.rdf["weights"]["torchscript"]["sha256"]
    p.rdf["weights"]["torchscript"]["sha256"] = alter_hex(good)
    bad["wrong_sha256"] = ("folder", p.payload(), None,
                           f"vol3d_v05 with the LAST hex digit of weights.torchscript.sha256 changed "
                           f"(file sha256 {good}): the weights check must fail.")

    # wrong_test_sha256: a test tensor's checksum altered
    p = copy.deepcopy(vol)
    good = p.rdf["inputs"][0]["test_tensor"]["sha256"]
    p.rdf["inputs"][0]["test_tensor"]["sha256"] = alter_hex(good)
    bad["wrong_test_sha256"] = ("folder", p.payload(), None,
                                "vol3d_v05 with the last hex digit of inputs[0].test_tensor.sha256 "
                                f"changed (file sha256 {good}): the test-tensor check must fail "
                                "(weights are fine).")

    # unsupported_step
    p = copy.deepcopy(vol)
    pre = p.rdf["inputs"][0]["preprocessing"]
    pre.insert(1, OrderedDict([("id", "my_custom_normalizer"),
                               ("kwargs", OrderedDict([("strength", 2.0)]))]))
    bad["unsupported_step"] = ("folder", p.payload(), None,
                               "vol3d_v05 with a preprocessing step `id: my_custom_normalizer` "
                               "between scale_linear and clip: unknown step, ExplainJ must refuse "
                               "(naming the step), not skip it.")

    # per_dataset (0.4)
    p = copy.deepcopy(ring04)
    p.rdf["inputs"][0]["preprocessing"][0]["kwargs"]["mode"] = "per_dataset"
    bad["per_dataset"] = ("folder", p.payload(), None,
                          "ringnet_classifier_v04 (format 0.4.10) with zero_mean_unit_variance "
                          "`mode: per_dataset`: needs dataset statistics ExplainJ does not have; "
                          "must be refused.")

    # fixed_size_64: the U-Net with fixed 64 x 64 input; test tensors recomputed for 64 x 64
    p = copy.deepcopy(unet)
    for a in p.rdf["inputs"][0]["axes"][2:]:
        a["size"] = 64
    x_raw64 = unet_run.raw[:, :64].astype(np.float32)[None, None]
    x_in64, _ = apply_ops(x_raw64, unet_run.axis_ids, unet_run.pre_ops)
    with torch.no_grad():
        lg = to_np(unet_run.ts(torch.from_numpy(x_in64)))
    out64, _ = apply_ops(lg, unet_run.axis_ids, unet_run.post_ops)
    put_test_tensor(p, "input", x_raw64)
    put_test_tensor(p, "output", out64)
    bad["fixed_size_64"] = ("folder", p.payload(), None,
                            "unet2d_v05 with FIXED input size y = x = 64 (test tensors are the "
                            "first 64 columns of the good package's image, recomputed). A valid "
                            "package, but a 96 x 96 image must be refused unless the user resizes "
                            "(or crops) it to 64 x 64.")

    # two_inputs
    p = copy.deepcopy(vol)
    mask = np.zeros((1, 1, 16, 32, 32), np.float32)
    mask[:, :, 4:12, 8:24, 8:24] = 1.0
    p.files["test_input_mask.npy"] = npy_bytes(mask, "float32")
    second = copy.deepcopy(p.rdf["inputs"][0])
    second["id"] = "mask"
    second["description"] = "a second input tensor (binary mask)"
    second["axes"][1]["channel_names"] = ["mask"]
    second["test_tensor"] = file_entry("test_input_mask.npy", p.files["test_input_mask.npy"])
    second["preprocessing"] = [OrderedDict([("id", "ensure_dtype"),
                                            ("kwargs", OrderedDict([("dtype", "float32")]))])]
    p.rdf["inputs"].append(second)
    bad["two_inputs"] = ("folder", p.payload(), None,
                         "vol3d_v05 with a second input tensor `mask` (own test tensor, valid "
                         "checksum): ExplainJ explains single-input models only and must refuse.")

    # not_reproducing: test output + 0.05, checksum updated
    p = copy.deepcopy(vol)
    ref_out = np.load(io.BytesIO(vol.files["test_output.npy"]))
    put_test_tensor(p, "output", ref_out + np.float32(0.05))
    bad["not_reproducing"] = ("folder", p.payload(), None,
                              "vol3d_v05 whose test_output.npy is the true output + 0.05 "
                              "everywhere, with its sha256 updated (the checksum passes): running "
                              "the test input must show a mismatch (0.05 > 1e-3 + 1e-3 * abs(ref) "
                              "for abs(ref) < 49; the logits are about -6..4) and ExplainJ must warn.")

    # nested_dir.zip: a good package inside pkg/
    bad["nested_dir.zip"] = ("zip", vol.payload(), "pkg",
                             "the GOOD vol3d_v05 package zipped inside a top folder (`pkg/`, "
                             "`pkg/rdf.yaml`, ...), as some real zips are: ExplainJ must accept it.")
    return bad


def bad_readme(bad):
    lines = ["# Broken bioimage.io packages (ExplainJ tests)", "",
             "Each is a copy of a good package in `..` with ONE defect (generated by "
             "`scripts/make_bioimageio_packages.py`; do not edit by hand).  Folders unless the "
             "name ends in `.zip`.", "",
             "| Package | Based on | Defect / what ExplainJ must do |", "|---|---|---|"]
    base = {"no_rdf.zip": "vol3d_v05", "no_torchscript": "vol3d_v05", "wrong_sha256": "vol3d_v05",
            "wrong_test_sha256": "vol3d_v05", "unsupported_step": "vol3d_v05",
            "per_dataset": "ringnet_classifier_v04", "fixed_size_64": "unet2d_v05",
            "two_inputs": "vol3d_v05", "not_reproducing": "vol3d_v05", "nested_dir.zip": "vol3d_v05"}
    for name, (_, _, _, desc) in bad.items():
        lines.append(f"| `{name}` | `{base[name]}` | {desc} |")
    return "\n".join(lines) + "\n"


def top_readme(good):
    lines = ["# bioimage.io model packages (ExplainJ test fixtures)", "",
             "Generated by `scripts/make_bioimageio_packages.py` (see its docstring); do not edit "
             "by hand.  Each package is a folder and the same package as `<name>.zip` (the zip "
             "has no `ref/`).  `<name>/ref/` holds the Java tests' references and `meta.json` "
             "(not part of the package).  `bad/` holds broken packages (see `bad/README.md`).", "",
             "| Package | Format | Model | Input axes | Preprocessing | Output | Target / layer |",
             "|---|---|---|---|---|---|---|"]
    for name, meta, desc in good:
        tname = meta["target"]["name"] or "no name in 0.4; labels.txt: " + meta["target"]["label_in_labels_txt"]
        lines.append(f"| `{name}` | {meta['format_version']} | {desc[0]} | {desc[1]} | {desc[2]} | "
                     f"{desc[3]} | {meta['target']['index']} ({tname}) / `{meta['layer']['name']}` |")
    return "\n".join(lines) + "\n"


# ==========================================================================
# Generation
# ==========================================================================
TABLE = {   # the top README's columns: model, input axes, preprocessing, output
    "unet2d_v05": ("U-Net (unet_traced.pt)", "batch, channel [raw], y, x {min 16, step 16}",
                   "ensure_dtype float32; scale_range [y, x] 1 / 99.8 %",
                   "batch, channel [background, nucleus], y, x; sigmoid"),
    "ringnet_classifier_v04": ("RingNet (ringnet_traced.pt)", "bcyx [1, 1, 96, 96]",
                               "zero_mean_unit_variance per_sample xy", "bc [1, 2]"),
    "vol3d_v05": ("Vol3dNet (vol3d.pt)", "batch, channel [raw], z 16, y 32, x 32",
                  "scale_linear gain 2^-12 offset -100*2^-12; clip [0, 1]",
                  "batch, channel [ball, shell]"),
    "scaled_classifier_v05": ("RingNet (ringnet_traced.pt)", "batch, channel [raw], y 96, x 96",
                              "fixed_zero_mean_unit_variance mean 1000 std 65535",
                              "batch, channel [blobs_only, ring_cell]"),
}


def generate(out_root):
    """Build every package in memory, then replace ``out_root/OUT_REL`` with them and log a summary."""
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        unet, unet_meta, unet_run = build_unet(tmpdir)
        ring04, ring_meta, _ = build_ringnet_v04(tmpdir)
        vol, vol_meta, vol_run = build_vol3d(tmpdir)
        scaled, scaled_meta, _ = build_scaled(tmpdir)
    good = [(unet, unet_meta), (ring04, ring_meta), (vol, vol_meta), (scaled, scaled_meta)]
    bad = build_bad(unet, unet_run, ring04, vol, vol_run)

    base = out_root / OUT_REL
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    for pkg, meta in good:
        payload = pkg.payload()
        write_folder(base / pkg.name, payload)
        write_folder(base / pkg.name / "ref", pkg.refs)
        write_json(base / pkg.name / "ref" / "meta.json", meta)
        write_zip(base / (pkg.name + ".zip"), payload)
    for name, (kind, files, top, _) in bad.items():
        if kind == "zip":
            write_zip(base / "bad" / name, files, top=top)
        else:
            write_folder(base / "bad" / name, files)
    write_bytes(base / "bad" / "README.md", bad_readme(bad).encode("utf-8"))
    top = top_readme([(p.name, m, TABLE[p.name]) for p, m in good])
    write_bytes(base / "README.md", top.encode("utf-8"))
    summary(base, [m for _, m in good])


def summary(base, metas):
    total = 0
    rows = []
    for p in sorted(base.rglob("*")):
        if p.is_file():
            n = p.stat().st_size
            total += n
            rows.append((str(p.relative_to(base)), n))
    groups = OrderedDict()
    for rel, n in rows:
        key = rel.split("/")[0] if not rel.startswith("bad/") else "bad/" + rel.split("/")[1]
        g = groups.setdefault(key, [0, 0])
        g[0] += 1
        g[1] += n
    for k, (cnt, n) in groups.items():
        log(f"  {k:40s} {cnt:3d} files {n / 1024:8.1f} KiB")
    log(f"  total {len(rows)} files, {total / 1024 / 1024:.2f} MiB")
    for m in metas:
        a = m["agreement"]
        log(f"  {m['package']}: target {m['target']['index']} ({m['target']['name']}), layer "
            f"{m['layer']['name']}, eager-vs-TS logits {a['logits_eager_vs_torchscript_max_abs_diff']:.2e}, "
            f"saliency rel {a['saliency_eager_vs_torchscript_rel_diff']:.2e}, gradcam inplace-vs-clean "
            f"{a['gradcam_inplace_model_vs_clean_copy_max_abs_diff']:.2e}")


def main():
    args = argument_parser(__doc__, export_args=()).parse_args()
    deterministic_torch(THREADS)
    torch.manual_seed(0)
    log(versions())
    if args.check_only:
        check_only(generate, (OUT_REL,))
        return
    generate(REPO)
    log(f"wrote {OUT_REL}")


if __name__ == "__main__":
    main()
