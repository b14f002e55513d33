#!/usr/bin/env python3
"""References for ExplainJ's deletion / insertion evaluation, computed independently in PyTorch.

The demo model (``test-images/demo/ringnet_traced.pt``) on ``test-images/demo/ring_cell_1.tif`` (16-bit, scaled by
1/65535 as ExplainJ's default ``scale=type`` does) and two heatmaps at the image's resolution: a smooth random map
quantised to 16 levels (so that many pixels tie and the raster-order rule matters) and the same map with its order
reversed, and ROAD (MoRF, LeRF and combined over the percentiles 10..90, noise-free linear imputation solved with
scipy's sparse solver). The deletion/insertion protocol (the one ExplainJ documents):

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
from scipy.sparse import coo_matrix  # noqa: E402
from scipy.sparse.linalg import spsolve  # noqa: E402

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


ROAD_CASES = [
    # name, heatmap, score, target
    ("road_smooth_probability", "smooth", "probability", 1),
    ("road_smooth_logit", "smooth", "logit", 1),
]
PERCENTILES = [10, 20, 30, 40, 50, 60, 70, 80, 90]
NEIGHBOURS = [((-1, -1), 1 / 12), ((-1, 0), 1 / 6), ((-1, 1), 1 / 12), ((0, -1), 1 / 6), ((0, 1), 1 / 6),
              ((1, -1), 1 / 12), ((1, 0), 1 / 6), ((1, 1), 1 / 12)]


def impute(x, removed):
    """Noise-free linear imputation: every removed pixel = the weighted mean of its in-image neighbours
    (1/6 edge, 1/12 diagonal), all removed pixels solved at once per channel."""
    c, h, w = x.shape
    ids = -np.ones(h * w, dtype=np.int64)
    where = np.flatnonzero(removed.reshape(-1))
    ids[where] = np.arange(where.size)
    rows, cols, vals = [], [], []
    rhs = np.zeros((where.size, c))
    flat = x.reshape(c, -1).astype(np.float64)
    for r, i in enumerate(where):
        y, xx = divmod(int(i), w)
        total = 0.0
        for (dy, dx), wt in NEIGHBOURS:
            yy, xn = y + dy, xx + dx
            if 0 <= yy < h and 0 <= xn < w:
                total += wt
                j = yy * w + xn
                if ids[j] >= 0:
                    rows.append(r)
                    cols.append(ids[j])
                    vals.append(wt)
                else:
                    rhs[r] -= wt * flat[:, j]
        rows.append(r)
        cols.append(r)
        vals.append(-total)
    a = coo_matrix((vals, (rows, cols)), shape=(where.size, where.size)).tocsc()
    sol = spsolve(a, rhs)
    sol = sol.reshape(where.size, c)
    out = flat.copy()
    out[:, where] = sol.T
    return out.reshape(c, h, w).astype(np.float32)


def road(model, x, heat, score, target):
    def removed(m, p):
        return ~(m < np.percentile(m, p))
    batch = [x[0]]
    for p in PERCENTILES:
        batch.append(impute(x[0], removed(heat, p)))
    for p in PERCENTILES:
        batch.append(impute(x[0], removed(-heat, p)))
    with torch.no_grad():
        out = model(torch.from_numpy(np.stack(batch)))
    s = (torch.softmax(out, dim=1)[:, target] if score == "probability" else out[:, target]).double().numpy()
    n = len(PERCENTILES)
    morf = (s[1:1 + n] - s[0]).tolist()
    lerf = (s[1 + n:] - s[0]).tolist()
    return morf, lerf, (float(np.mean(lerf)) - float(np.mean(morf))) / 2


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
    for name, heat, score, target in ROAD_CASES:
        morf, lerf, combined = road(model, x, maps[heat], score, target)
        cases[name] = {"heatmap": f"heatmap_{heat}.npy", "score": score, "target": target, "noise": 0.0,
                       "percentiles": PERCENTILES, "morf": morf, "lerf": lerf, "combined": combined}
        log(f"{name}: ROAD combined {combined:.6f}")
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
