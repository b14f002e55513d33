#!/usr/bin/python3
"""Train and export ExplainJ's small DEMO model ("RingNet") and its demo images.

What it does
------------
1. Generates a synthetic, microscopy-like binary classification task in which
   the location of the evidence is KNOWN:

   * every image is 1 channel, 96x96, float32 in [0, 1]: a dark-ish, slowly
     varying, noisy background plus several bright, filled Gaussian "blobs"
     of different sizes and intensities;
   * class 1 ("ring cell") images additionally contain exactly one ring-shaped
     cell: a bright annulus (centre-line radius 7-12 px, thickness 2-3 px) with
     a darker interior, lying fully inside the image;
   * class 0 ("blobs only") images contain blobs only.

   Blobs never overlap the ring cell (they keep clear of its disk), so the
   ring is the only class-1 evidence, and ground-truth masks of the ring
   (annulus pixels) and of the disk it encloses (ring + interior) are kept.
   Negative images reserve an equally sized blob-free "phantom" disk, so the
   blob layout is distributed identically in both classes.

2. Defines a small CNN, ``RingNet``::

       features = Sequential(conv1, bn1, relu1, pool1,     # 16 x 48 x 48
                             conv2, bn2, relu2, pool2,     # 32 x 24 x 24
                             conv3, bn3, relu3,            # 64 x 24 x 24
                             conv4, bn4, relu4)            # 64 x 24 x 24
       gap  = AdaptiveAvgPool2d(1);  flatten;  fc = Linear(64, 2)

   so module paths are e.g. ``features.relu4`` (the usual Grad-CAM target
   layer) and ``fc``.  Because of the global average pooling the model
   accepts any input size >= 4x4 (the demo images are 96x96).

3. Trains it (Adam, random flips / rot90 augmentation) on freshly generated
   images and reports train and held-out test accuracy.

4. Exports the model in eval mode as TorchScript, traced
   (``ringnet_traced.pt``) and scripted (``ringnet_scripted.pt``), checks
   both reproduce the eager logits, and writes ``ringnet.labels.txt``.

5. Writes demo images as uncompressed little-endian 16-bit greyscale TIFFs
   (uint16 = round(x * 65535)), their ground-truth ring / disk masks as 8-bit
   PNGs (255 inside), and ``demo_expected.json`` with the model's logits for
   each demo image.  Model input convention: float32 = uint16 / 65535, shape
   [1, 1, H, W], no mean/std normalisation.  Demo seeds are searched
   deterministically until the model is confidently correct on them.

6. Writes ``README.md`` next to the files, including the training figures.

How to run (from the repository root)::

    /usr/bin/python3 scripts/make_demo_model.py

Needs only torch (tested with 1.13, CPU), numpy and PIL; nothing is
downloaded.  Output goes to ``test-images/demo/`` (``--out`` to change).
``--preview DIR`` additionally writes preview PNGs (image | image with mask
overlay) for visual checking.  The run is deterministic (fixed seeds,
deterministic algorithms, 2 threads) and takes about two minutes on 2 CPU
cores.
"""

import sys
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

sys.dont_write_bytecode = True          # no scripts/__pycache__ from the import below
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixture_export import (  # noqa: E402  (export in a child interpreter, training loop, ...)
    accuracy, argument_parser, load_eval, log, read_payload, run_export, save_torchscript, torch_bytes,
    trace_or_script, train_epochs, versions, write_json)

# --------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------
SIZE = 96
LABELS = ["blobs only", "ring cell"]

TRAIN_SEED = 12345        # image generator seed for the training set
TEST_SEED = 67890         # image generator seed for the held-out test set
TORCH_SEED = 2024         # weight init + batch order + augmentation
DEMO_SEED_START = 1000    # demo images: first seed tried (then +1, +2, ...)

N_TRAIN = 4000
N_TEST = 1000
EPOCHS = 6
BATCH = 64
EVAL_BATCH = 250          # accuracy() batch size
LR = 2e-3
WEIGHT_DECAY = 1e-4

MIN_TEST_ACC = 0.98
DEMO_MIN_MARGIN = 4.0     # required logit margin (top - other) for demo images

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "test-images" / "demo"


# --------------------------------------------------------------------------
# Synthetic data
# --------------------------------------------------------------------------
_YY, _XX = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64)


def _smoothstep_band(d, lo, hi, soft=0.6):
    """~1 for lo <= d <= hi with soft (sigmoid) edges of width `soft` px."""
    return (1.0 / (1.0 + np.exp(-(d - lo) / (soft / 2.0)))) * \
           (1.0 / (1.0 + np.exp((d - hi) / (soft / 2.0))))


def make_sample(seed, positive):
    """Generate one image.

    Returns (img float32 [SIZE, SIZE] in [0, 1], ring_mask bool, disk_mask bool,
    info dict).  For negative images the masks are all False.
    """
    rng = np.random.default_rng(seed)

    # Background: dark-ish level + smooth gradient + low-frequency shading.
    base = rng.uniform(0.06, 0.18)
    gx, gy = rng.uniform(-0.04, 0.04, size=2)
    bg = base + gx * (_XX / SIZE - 0.5) + gy * (_YY / SIZE - 0.5)
    for _ in range(2):
        cy, cx = rng.uniform(0, SIZE, size=2)
        s = rng.uniform(20, 40)
        bg += rng.uniform(-0.03, 0.05) * np.exp(-((_XX - cx) ** 2 + (_YY - cy) ** 2) / (2 * s * s))

    # The ring cell (or, for negatives, an equally sized "phantom" region kept
    # free of blobs so both classes have the same blob layout statistics).
    r = rng.uniform(7.0, 12.0)            # centre-line radius of the annulus
    t = rng.uniform(2.0, 3.0)             # thickness
    r_out = r + t / 2.0
    r_in = r - t / 2.0
    margin = r_out + 2.0
    cx = rng.uniform(margin, SIZE - 1 - margin)
    cy = rng.uniform(margin, SIZE - 1 - margin)
    d = np.sqrt((_XX - cx) ** 2 + (_YY - cy) ** 2)

    img = bg.copy()
    ring_mask = np.zeros((SIZE, SIZE), bool)
    disk_mask = np.zeros((SIZE, SIZE), bool)
    if positive:
        ring_amp = rng.uniform(0.35, 0.75)
        interior = 1.0 / (1.0 + np.exp((d - r_in) / 0.3))   # soft interior disk
        img = img * (1.0 - rng.uniform(0.35, 0.6) * interior)  # darker interior
        img = img + ring_amp * _smoothstep_band(d, r_in, r_out)
        ring_mask = (d >= r_in) & (d <= r_out)
        disk_mask = d <= r_out

    # Bright filled Gaussian blobs, keeping clear of the (phantom) cell disk.
    n_blobs = int(rng.integers(3, 9))
    blobs = []
    for _ in range(n_blobs):
        for _try in range(100):
            s = rng.uniform(1.5, 5.0)
            bx, by = rng.uniform(2, SIZE - 3, size=2)
            if np.hypot(bx - cx, by - cy) > r_out + 2.5 * s + 1.0:
                break
        else:
            continue
        amp = rng.uniform(0.25, 0.85)
        e = rng.uniform(0.75, 1.33)     # mild anisotropy
        img = img + amp * np.exp(-(((_XX - bx) * e) ** 2 + ((_YY - by) / e) ** 2) / (2 * s * s))
        blobs.append([round(float(bx), 2), round(float(by), 2), round(float(s), 2), round(float(amp), 3)])

    # Noise: signal-dependent (shot-like) + additive read noise.
    img = np.clip(img, 0.0, 1.0)
    img = img + rng.normal(0, 1, img.shape) * (0.015 + 0.04 * np.sqrt(img))
    img = np.clip(img, 0.0, 1.0).astype(np.float32)

    info = {"n_blobs": len(blobs)}
    if positive:
        info.update({"ring_center_xy": [round(float(cx), 3), round(float(cy), 3)],
                     "ring_radius": round(float(r), 3), "ring_thickness": round(float(t), 3)})
    return img, ring_mask, disk_mask, info


def make_dataset(n, seed):
    """n images, balanced random labels, all derived from one master seed."""
    ss = np.random.SeedSequence(seed)
    child_seeds = ss.generate_state(n)
    labels = np.random.default_rng(seed).permutation(np.arange(n) % 2)
    x = np.empty((n, 1, SIZE, SIZE), np.float32)
    for i in range(n):
        x[i, 0] = make_sample(int(child_seeds[i]), bool(labels[i]))[0]
    return torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))


# --------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------
class RingNet(nn.Module):
    """Small CNN: 4 conv/BN/ReLU blocks (2 max-pools), GAP, linear head."""

    def __init__(self, channels=(16, 32, 64, 64), num_classes=2):
        super().__init__()
        c1, c2, c3, c4 = channels
        self.features = nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(1, c1, 3, padding=1, bias=False)),
            ("bn1", nn.BatchNorm2d(c1)),
            ("relu1", nn.ReLU()),
            ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(c1, c2, 3, padding=1, bias=False)),
            ("bn2", nn.BatchNorm2d(c2)),
            ("relu2", nn.ReLU()),
            ("pool2", nn.MaxPool2d(2)),
            ("conv3", nn.Conv2d(c2, c3, 3, padding=1, bias=False)),
            ("bn3", nn.BatchNorm2d(c3)),
            ("relu3", nn.ReLU()),
            ("conv4", nn.Conv2d(c3, c4, 3, padding=1, bias=False)),
            ("bn4", nn.BatchNorm2d(c4)),
            ("relu4", nn.ReLU()),
        ]))
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c4, num_classes)

    def forward(self, x):
        x = self.features(x)
        x = self.gap(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


# --------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------
def augment(xb, gen):
    """Random rot90 (k=0..3) and horizontal flip per sample (dihedral group)."""
    n = xb.shape[0]
    ks = torch.randint(0, 4, (n,), generator=gen)
    flips = torch.randint(0, 2, (n,), generator=gen)
    out = torch.empty_like(xb)
    for i in range(n):
        xi = xb[i]
        if flips[i]:
            xi = torch.flip(xi, dims=(2,))
        out[i] = torch.rot90(xi, int(ks[i]), dims=(1, 2))
    return out


def train(model, xtr, ytr, xte, yte, log):
    """Adam, one-cycle, flips/rot90 (fixture_export.train_epochs); returns the per-epoch history."""
    history = []
    for epoch, t0, loss, acc in train_epochs(model, xtr, ytr, augment, TORCH_SEED, LR, WEIGHT_DECAY, BATCH, EPOCHS):
        te_acc = accuracy(model, xte, yte, EVAL_BATCH)
        rec = {"epoch": epoch, "loss": loss, "train_acc_running": acc,
               "test_acc": te_acc, "seconds": time.time() - t0}
        history.append(rec)
        log(f"epoch {epoch}/{EPOCHS}: loss {rec['loss']:.4f}  "
            f"train acc (running, augmented) {rec['train_acc_running']:.4f}  "
            f"test acc {te_acc:.4f}  ({rec['seconds']:.1f} s)")
    return history


# --------------------------------------------------------------------------
# Export helpers
# --------------------------------------------------------------------------
def write_tiff16(path, img01):
    """Write an uncompressed little-endian 16-bit greyscale TIFF via PIL."""
    u16 = np.round(np.clip(img01, 0, 1) * 65535.0).astype("<u2")
    Image.fromarray(u16, mode="I;16").save(path, format="TIFF", compression="raw")
    return u16


def read_tiff16(path):
    with Image.open(path) as im:
        assert im.mode == "I;16", im.mode
        assert im.format == "TIFF"
        assert im.info.get("compression", "raw") == "raw", im.info
        arr = np.array(im)
    with open(path, "rb") as f:
        assert f.read(4) == b"II*\x00", "not a little-endian classic TIFF"
    assert arr.dtype == np.uint16 and arr.shape == (SIZE, SIZE), (arr.dtype, arr.shape)
    return arr


def write_mask(path, mask):
    Image.fromarray(mask.astype(np.uint8) * 255, mode="L").save(path, format="PNG")


def write_preview(path, img01, ring_mask, disk_mask):
    """Greyscale image | the same with the ring (red) and disk (green) outline."""
    g = (np.clip(img01, 0, 1) * 255).astype(np.uint8)
    rgb = np.stack([g, g, g], -1)
    over = rgb.copy()
    edge = disk_mask & ~np.roll(disk_mask, 1, 0) | disk_mask & ~np.roll(disk_mask, -1, 0) | \
        disk_mask & ~np.roll(disk_mask, 1, 1) | disk_mask & ~np.roll(disk_mask, -1, 1)
    over[ring_mask] = (0.5 * over[ring_mask] + [127, 0, 0]).astype(np.uint8)
    over[edge] = [0, 255, 0]
    sep = np.full((SIZE, 4, 3), 128, np.uint8)
    big = np.concatenate([rgb, sep, over], 1)
    Image.fromarray(big).resize((big.shape[1] * 4, big.shape[0] * 4), Image.NEAREST).save(path)


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------
def export_torchscript(kind, path):
    """Internal (--export): read a state dict from stdin, save TorchScript (debug records stripped)."""
    torch.set_num_threads(2)
    model = load_eval(RingNet(), read_payload())
    save_torchscript(trace_or_script(model, kind == "trace", torch.zeros(1, 1, SIZE, SIZE)), path)


def main():
    ap = argument_parser(__doc__, ("KIND", "PATH"), check_only=False)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    ap.add_argument("--preview", type=Path, default=None,
                    help="also write preview PNGs (image | mask overlay) to this directory")
    args = ap.parse_args()
    if args.export:
        export_torchscript(*args.export)
        return
    out = args.out
    out.mkdir(parents=True, exist_ok=True)

    t_start = time.time()

    torch.set_num_threads(2)
    torch.manual_seed(TORCH_SEED)
    np.random.seed(TORCH_SEED)
    try:
        torch.use_deterministic_algorithms(True)
    except Exception as e:  # pragma: no cover
        log(f"warning: deterministic algorithms unavailable: {e}")
    torch.backends.cudnn.benchmark = False

    log(versions())

    # ---- data
    t0 = time.time()
    xtr, ytr = make_dataset(N_TRAIN, TRAIN_SEED)
    xte, yte = make_dataset(N_TEST, TEST_SEED)
    log(f"generated {N_TRAIN} train + {N_TEST} test images in {time.time() - t0:.1f} s "
        f"(train positives: {int(ytr.sum())}, test positives: {int(yte.sum())})")

    # ---- train
    model = RingNet()
    n_params = sum(p.numel() for p in model.parameters())
    log(f"RingNet: {n_params} parameters")
    t0 = time.time()
    history = train(model, xtr, ytr, xte, yte, log)
    train_seconds = time.time() - t0
    model.eval()
    train_acc = accuracy(model, xtr, ytr, EVAL_BATCH)
    test_acc = accuracy(model, xte, yte, EVAL_BATCH)
    log(f"training took {train_seconds:.1f} s; final train acc (eval mode, no aug) "
        f"{train_acc:.4f}, test acc {test_acc:.4f}")
    if test_acc < MIN_TEST_ACC:
        sys.exit(f"ERROR: test accuracy {test_acc:.4f} < {MIN_TEST_ACC}")

    # ---- export TorchScript
    traced_path = out / "ringnet_traced.pt"
    scripted_path = out / "ringnet_scripted.pt"
    # Each export runs in its own fresh interpreter so that TorchScript class
    # names are not mangled (tracing and scripting the same classes in one
    # process yields names like __torch__.___torch_mangle_40.RingNet).
    # PYTHONHASHSEED fixes the order of the constants torch.jit.script writes,
    # so the saved files are byte-for-byte reproducible.
    state = torch_bytes(model.state_dict())
    for kind, path in (("trace", traced_path), ("script", scripted_path)):
        run_export(__file__, (kind, path), state)
    (out / "ringnet.labels.txt").write_text("\n".join(LABELS) + "\n")

    traced_l = torch.jit.load(str(traced_path)).eval()
    scripted_l = torch.jit.load(str(scripted_path)).eval()
    max_diff = {"traced": 0.0, "scripted": 0.0}
    with torch.no_grad():
        checks = [xte[:8], torch.rand(2, 1, SIZE, SIZE, generator=torch.Generator().manual_seed(1)),
                  torch.rand(1, 1, 128, 160, generator=torch.Generator().manual_seed(2))]
        for xin in checks:
            ref = model(xin)
            for name, m in (("traced", traced_l), ("scripted", scripted_l)):
                diff = (m(xin) - ref).abs().max().item()
                max_diff[name] = max(max_diff[name], diff)
    log(f"TorchScript vs eager, max |logit diff| over {sum(len(c) for c in checks)} inputs "
        f"(incl. one 128x160): traced {max_diff['traced']:.3g}, scripted {max_diff['scripted']:.3g}")
    if max(max_diff.values()) > 1e-4:
        sys.exit("ERROR: TorchScript export does not reproduce eager logits")

    # ---- demo images
    if args.preview:
        args.preview.mkdir(parents=True, exist_ok=True)
    wanted = [("ring_cell_1", 1), ("ring_cell_2", 1), ("blobs_only_1", 0)]
    demo = []
    seed = DEMO_SEED_START
    used = []
    for name, cls in wanted:
        while True:
            img, ring, disk, info = make_sample(seed, bool(cls))
            seed += 1
            # Re-read through the actual file to use exactly what Java will see.
            tif = out / f"{name}.tif"
            write_tiff16(tif, img)
            u16 = read_tiff16(tif)
            xin = torch.from_numpy(u16.astype(np.float32) / 65535.0)[None, None]
            with torch.no_grad():
                logits = traced_l(xin)[0]
                eager = model(xin)[0]
            margin = (logits[cls] - logits[1 - cls]).item()
            # For positives also require a ring that is not too faint (nice demo).
            if margin >= DEMO_MIN_MARGIN and (cls == 0 or info["ring_radius"] >= 8.0):
                break
        used.append(seed - 1)
        probs = torch.softmax(logits, 0)
        entry = OrderedDict([
            ("file", tif.name), ("seed", seed - 1), ("true_class", cls),
            ("true_label", LABELS[cls]),
            ("logits", [float(v) for v in logits]),
            ("probabilities", [round(float(v), 6) for v in probs]),
            ("top_class", int(logits.argmax())), ("top_label", LABELS[int(logits.argmax())]),
        ])
        assert entry["top_class"] == cls
        assert (logits - eager).abs().max().item() < 1e-4
        if cls == 1:
            for kind, m in (("ring", ring), ("disk", disk)):
                mp = out / f"{name}_mask_{kind}.png"
                write_mask(mp, m)
                entry[f"mask_{kind}"] = mp.name
                entry[f"mask_{kind}_pixels"] = int(m.sum())
        entry.update(info)
        demo.append(entry)
        if args.preview:
            write_preview(args.preview / f"{name}_preview.png", u16 / 65535.0, ring, disk)
        log(f"{tif.name}: seed {seed - 1}, logits [{logits[0]:.4f}, {logits[1]:.4f}], "
            f"p({LABELS[cls]}) = {probs[cls]:.5f}, margin {margin:.2f}")

    expected = OrderedDict([
        ("description", "Expected RingNet outputs for the demo images (generated by "
                        "scripts/make_demo_model.py)."),
        ("model_traced", traced_path.name), ("model_scripted", scripted_path.name),
        ("labels_file", "ringnet.labels.txt"), ("labels", LABELS),
        ("input", "float32 tensor [1, 1, H, W] = uint16 pixel / 65535; no mean/std normalisation"),
        ("gradcam_target_layer", "features.relu4"),
        ("logit_tolerance_hint", 1e-3),
        ("images", demo),
    ])
    write_json(out / "demo_expected.json", expected)

    # ---- README
    total_seconds = time.time() - t_start
    hist_lines = "\n".join(
        f"| {h['epoch']} | {h['loss']:.4f} | {h['train_acc_running']:.4f} | {h['test_acc']:.4f} |"
        for h in history)
    demo_lines = "\n".join(
        f"| `{d['file']}` | {d['true_label']} | {d['logits'][0]:.3f}, {d['logits'][1]:.3f} "
        f"| {d['top_class']} ({d['top_label']}) |" for d in demo)
    readme = f"""# ExplainJ demo model and images

Synthetic demo data for ExplainJ: a tiny CNN ("RingNet") that tells images
containing a **ring-shaped cell** from images with **blobs only**, plus demo
images whose evidence location is known (ground-truth masks), so explanation
heatmaps (saliency, Grad-CAM, ...) can be checked against where the evidence
really is.

Everything here was made by `scripts/make_demo_model.py`; to regenerate, run
from the repository root:

    /usr/bin/python3 scripts/make_demo_model.py

(torch {torch.__version__} CPU, numpy {np.__version__}; deterministic; no downloads.)

## Files

| File | Content |
|------|---------|
| `ringnet_traced.pt` | TorchScript model, `torch.jit.trace` (eval mode) |
| `ringnet_scripted.pt` | the same model, `torch.jit.script` (eval mode) |
| `ringnet.labels.txt` | class names, one per line: 0 = `blobs only`, 1 = `ring cell` |
| `ring_cell_1.tif`, `ring_cell_2.tif` | positive demo images (class 1), 96x96, 16-bit greyscale |
| `blobs_only_1.tif` | negative demo image (class 0), 96x96, 16-bit greyscale |
| `ring_cell_N_mask_ring.png` | ground truth: pixels of the ring (annulus), 8-bit, 255 inside |
| `ring_cell_N_mask_disk.png` | ground truth: the disk enclosed by the ring, ring included, 8-bit, 255 inside |
| `demo_expected.json` | expected logits / top class of each demo image, plus generation parameters |

TIFFs are uncompressed, little-endian, single-strip baseline TIFFs with
pixel = round(x * 65535) for an image x in [0, 1].

## Model

Input: float32 tensor `[1, 1, H, W]` = uint16 pixel / 65535 (no mean/std
normalisation). Output: 2 logits (`blobs only`, `ring cell`). The head uses
global average pooling, so other input sizes work too.

    RingNet
      features: Sequential
        conv1 (1->16, 3x3, pad 1), bn1, relu1, pool1 (max 2x2)   -> 16 x 48 x 48
        conv2 (16->32),            bn2, relu2, pool2 (max 2x2)   -> 32 x 24 x 24
        conv3 (32->64),            bn3, relu3                    -> 64 x 24 x 24
        conv4 (64->64),            bn4, relu4                    -> 64 x 24 x 24
      gap: AdaptiveAvgPool2d(1); flatten
      fc:  Linear(64, 2)

Module paths: `features.conv1` ... `features.relu4`, `gap`, `fc`. The natural
Grad-CAM target layer is `features.relu4` (64 x 24 x 24 for a 96x96 input).
{n_params} parameters.

## Task

Each image is 96x96, values in [0, 1]: dark-ish background (level 0.06-0.18,
gentle gradient and shading), shot-like plus read noise, and 3-8 bright,
filled Gaussian blobs (sigma 1.5-5 px, amplitude 0.25-0.85, mildly
elliptical). Class 1 images additionally contain exactly one ring cell: a
bright annulus (centre-line radius 7-12 px, thickness 2-3 px, amplitude
0.35-0.75) with a darker interior, fully inside the image. Blobs never
overlap the cell's disk, so the ring is the only class-1 evidence; negative
images keep an equally sized blob-free region, so blob layouts are
distributed the same way in both classes.

## Training

{N_TRAIN} training images and {N_TEST} held-out test images (different
generator seeds), balanced classes; Adam (lr {LR}, one-cycle schedule, weight
decay {WEIGHT_DECAY}), batch {BATCH}, {EPOCHS} epochs, random flips and
90-degree rotations. 2 CPU threads.

| Epoch | Loss | Train acc (running, augmented) | Test acc |
|------:|-----:|-----:|-----:|
{hist_lines}

Final: train accuracy **{train_acc:.4f}**, held-out test accuracy
**{test_acc:.4f}**. Training took {train_seconds:.0f} s; the whole script
{total_seconds:.0f} s. TorchScript vs eager max |logit diff|: traced
{max_diff['traced']:.2g}, scripted {max_diff['scripted']:.2g}.

## Demo images

| File | True class | Logits (blobs only, ring cell) | Top class |
|------|-----------|--------|-----------|
{demo_lines}

## Licence

The images, masks and model in this directory are synthetic: they were
generated from scratch by `scripts/make_demo_model.py` (no external data or
pretrained weights) and are distributed under the same licence as the rest
of the ExplainJ repository.
"""
    (out / "README.md").write_text(readme)
    log(f"wrote {out} in {total_seconds:.1f} s total")
    for p in sorted(out.iterdir()):
        log(f"  {p.name:32s} {p.stat().st_size:8d} bytes")


if __name__ == "__main__":
    main()
