#!/usr/bin/env python3
"""References for ExplainJ's deletion / insertion evaluation, computed independently in PyTorch.

The demo model (``test-images/demo/ringnet_traced.pt``) on ``test-images/demo/ring_cell_1.tif`` (16-bit, scaled by
1/65535 as ExplainJ's default ``scale=type`` does) and two heatmaps at the image's resolution: a smooth random map
quantised to 16 levels (so that many pixels tie and the raster-order rule matters) and the same map with its order
reversed. The protocol (the one ExplainJ documents):

- pixels ranked by the heatmap's value, highest first, ties by raster order (index);
- after step i of n (i = 0..n) the first floor(i*P/n + 0.5) of the P pixels are changed in every channel: deletion
  sets them to ``baseline``; insertion starts from the baseline image, or from the image blurred with
  scipy.ndimage.gaussian_filter(sigma=blur, mode="reflect", truncate=4.0), and puts the original values back;
- the score is the target class's softmax probability, or its logit;
- AUC by the trapezoid rule over the fraction i/n in [0, 1].

Writes ``src/test/resources/evaluation/``: ``heatmap_smooth.npy``, ``heatmap_reversed.npy`` (float32, 96x96),
``input.npy`` (1x1x96x96) and ``references.json`` (curves and AUCs per case). ``--check-only`` regenerates into a
temporary folder and compares byte for byte.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402
from scipy.ndimage import gaussian_filter  # noqa: E402

from fixture_export import REPO, argument_parser, check_only, deterministic_torch, log, save_npy, versions, write_json  # noqa: E402

OUT = Path("src/test/resources/evaluation")
MODEL = REPO / "test-images/demo/ringnet_traced.pt"
IMAGE = REPO / "test-images/demo/ring_cell_1.tif"
CASES = [
    # name, heatmap, steps, baseline, blur, score, target
    ("smooth_probability", "smooth", 20, 0.0, 0.0, "probability", 1),
    ("smooth_logit_blur", "smooth", 16, 0.0, 2.0, "logit", 1),
    ("reversed_probability_baseline", "reversed", 10, 0.25, 0.0, "probability", 1),
    ("smooth_other_class", "smooth", 12, 0.0, 1.5, "probability", 0),
]


def heatmaps():
    rng = np.random.default_rng(61001)
    noise = rng.standard_normal((96, 96))
    smooth = gaussian_filter(noise, 6.0, mode="reflect")
    smooth = (smooth - smooth.min()) / (smooth.max() - smooth.min())
    smooth = np.floor(smooth * 16) / 16  # 16 levels: ties everywhere
    return {"smooth": smooth.astype(np.float32), "reversed": (1 - smooth).astype(np.float32)}


def order_of(heat):
    flat = heat.reshape(-1).astype(np.float64)
    # highest first, ties by index: lexsort sorts by the last key first
    return np.lexsort((np.arange(flat.size), -flat))


def curve(model, x, heat, steps, baseline, blur, score, target, deletion):
    p = x.shape[-1] * x.shape[-2]
    order = order_of(heat)
    if deletion:
        start = x.copy()
    elif blur > 0:
        start = np.stack([[gaussian_filter(x[0, c].astype(np.float64), blur, mode="reflect", truncate=4.0)
                           for c in range(x.shape[1])]]).astype(np.float32)
    else:
        start = np.full_like(x, baseline)
    batch = []
    for i in range(steps + 1):
        k = int(np.floor(i * p / steps + 0.5))
        xi = start.copy().reshape(x.shape[1], -1)
        idx = order[:k]
        if deletion:
            xi[:, idx] = baseline
        else:
            xi[:, idx] = x.reshape(x.shape[1], -1)[:, idx]
        batch.append(xi.reshape(x.shape[1:]))
    with torch.no_grad():
        out = model(torch.from_numpy(np.stack(batch)))
    if score == "probability":
        s = torch.softmax(out, dim=1)[:, target]
    else:
        s = out[:, target]
    y = s.double().numpy()
    auc = float(np.sum((y[:-1] + y[1:]) / 2) / steps)
    return y.tolist(), auc


def generate(root):
    out = root / OUT
    out.mkdir(parents=True, exist_ok=True)
    deterministic_torch(2)
    model = torch.jit.load(str(MODEL)).eval()
    img = np.array(Image.open(IMAGE)).astype(np.float32) / 65535.0
    x = img[None, None]
    maps = heatmaps()
    save_npy(out / "input.npy", torch.from_numpy(x))
    for name, heat in maps.items():
        save_npy(out / f"heatmap_{name}.npy", torch.from_numpy(heat))
    cases = {}
    for name, heat, steps, baseline, blur, score, target in CASES:
        d, d_auc = curve(model, x, maps[heat], steps, baseline, blur, score, target, True)
        i, i_auc = curve(model, x, maps[heat], steps, baseline, blur, score, target, False)
        cases[name] = {"heatmap": f"heatmap_{heat}.npy", "steps": steps, "baseline": baseline, "blur": blur,
                       "score": score, "target": target, "deletion": d, "insertion": i,
                       "deletion_auc": d_auc, "insertion_auc": i_auc}
        log(f"{name}: deletion AUC {d_auc:.6f}, insertion AUC {i_auc:.6f}")
    write_json(out / "references.json", {"model": "test-images/demo/ringnet_traced.pt",
                                         "image": "test-images/demo/ring_cell_1.tif (scale=type: /65535)",
                                         "versions": versions(), "cases": cases})


def main():
    args = argument_parser(__doc__, export_args=()).parse_args()
    if args.check_only:
        check_only(generate, [OUT])
    else:
        generate(REPO)


if __name__ == "__main__":
    main()
