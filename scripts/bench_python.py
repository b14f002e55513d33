#!/usr/bin/env python3
"""The Python side of ExplainJ's speed benchmark (BENCHMARKS.md): what the same explanations cost in PyTorch.

Run with Debian's Python (torch 1.13, no torchvision, no Captum, no pytorch-grad-cam):

    /usr/bin/python3 scripts/bench_python.py --threads 1 2

pytorch-grad-cam and Captum cannot be installed here (no PyPI), and their hooks do not work on TorchScript modules
anyway. So this script writes out, with plain torch, what those libraries do per call:

* on the TorchScript file itself (the same file ExplainJ loads): the plain forward, forward + backward to the input
  (Captum Saliency / InputXGradient), Integrated Gradients (Captum's default: 50 Gauss-Legendre steps in ONE batch,
  torch.autograd.grad), SmoothGrad (Captum NoiseTunnel, 25 samples in ONE batch) and Occlusion (Captum's default:
  one forward per window, perturbations_per_eval=1);
* on an eager copy of the model with the same weights (a torchvision-free ResNet-18 and the fixtures' U-Net class,
  checked equal to the TorchScript output), the hook-based methods as pytorch-grad-cam and Captum run them:
  Grad-CAM (forward hook on the layer + tensor hook for its gradient, loss.backward(retain_graph=True) with the
  parameters requiring grad as in a normal nn.Module, then upsampling and min-max scaling of the map), Guided
  Backprop (Captum: full backward hook on every nn.ReLU) and Score-CAM (pytorch-grad-cam: batch_size 16, masks
  upsampled bilinearly with aligned corners).

As a lower bound of what a hook-based Grad-CAM would cost on the TorchScript file (where hooks are impossible), the
TorchScript forward + backward to the input is reported too.

Timings: torch.set_num_threads(N), median of --reps warm repetitions after --warmup warm-ups (fewer for the
batched and Score-CAM items: --slow-reps after --slow-warmup). Writes bench/python-<N>t.md and .csv; when
bench/results-<N>t.csv (the Java run) exists, its medians are shown beside.
"""

import argparse
import csv
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = Path(__file__).resolve().parent.parent
sys.dont_write_bytecode = True
sys.path.insert(0, str(REPO / "scripts"))


# ------------------------------------------------------------------------------------------------------------------
# eager models (same weights as the TorchScript files)

class BasicBlock(nn.Module):
    """torchvision's BasicBlock (one ReLU module, called twice)."""

    def __init__(self, cin, cout, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=False)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = downsample

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


class ResNet18(nn.Module):
    """torchvision.models.resnet18 without torchvision (same module names, so the state dict loads)."""

    def __init__(self, classes=1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=False)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin = 64
        for i, cout in enumerate([64, 128, 256, 512]):
            stride = 1 if i == 0 else 2
            down = None
            if stride != 1 or cin != cout:
                down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
            setattr(self, f"layer{i + 1}", nn.Sequential(BasicBlock(cin, cout, stride, down),
                                                         BasicBlock(cout, cout)))
            cin = cout
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def eager_copy(key, ts):
    if key == "resnet18":
        model = ResNet18(classes=ts.state_dict()["fc.weight"].shape[0])
    else:
        from make_test_models import UNet  # the fixtures' class (scripts/make_test_models.py)
        model = UNet(in_channels=1, num_classes=2)
    model.load_state_dict(ts.state_dict())
    for m in model.modules():
        if isinstance(m, nn.ReLU):
            m.inplace = False   # full backward hooks (Captum) refuse in-place outputs; same values
    return model.eval()


def find_resnet():
    for p in [Path.cwd(), *Path.cwd().parents]:
        for ref in (p / "shared" / "reference", p.parent / "shared" / "reference"):
            f = ref / "models" / "resnet18.pt"
            if f.is_file():
                return f
    return None


# ------------------------------------------------------------------------------------------------------------------
# what the libraries do, written out

def score(out, c):
    """Captum/pytorch-grad-cam target: the class logit, or for a map output the class's logits summed."""
    col = out[:, c]
    return col.reshape(col.shape[0], -1).sum(1)


def saliency(model, x, c):
    """Captum Saliency (abs=True): forward + autograd.grad to the input."""
    x = x.clone().requires_grad_(True)
    g, = torch.autograd.grad(score(model(x), c).sum(), x)
    return g.abs()


def gauss_legendre(n):
    nodes, weights = np.polynomial.legendre.leggauss(n)
    return list(0.5 * (nodes + 1)), list(0.5 * weights)


def integrated_gradients(model, x, c, steps=50):
    """Captum IntegratedGradients, baseline 0, gausslegendre, internal_batch_size=None: one batch of `steps`."""
    alphas, weights = gauss_legendre(steps)
    a = torch.tensor(alphas, dtype=x.dtype).view(-1, 1, 1, 1)
    scaled = (a * x).requires_grad_(True)
    g, = torch.autograd.grad(score(model(scaled), c).sum(), scaled)
    w = torch.tensor(weights, dtype=x.dtype).view(-1, 1, 1, 1)
    return (g * w).sum(0, keepdim=True) * x


def smoothgrad(model, x, c, n=25, noise=0.15):
    """Captum NoiseTunnel(Saliency), smoothgrad, nt_samples=25, nt_samples_batch_size=None: one batch of n."""
    sigma = noise * float(x.max() - x.min())
    noisy = (x.repeat(n, 1, 1, 1) + sigma * torch.randn((n,) + tuple(x.shape[1:]))).requires_grad_(True)
    g, = torch.autograd.grad(score(model(noisy), c).sum(), noisy)
    return g.abs().mean(0, keepdim=True)


def occlusion(model, x, c, window, stride):
    """Captum Occlusion, baselines 0, perturbations_per_eval=1 (its default): one no-grad forward per window."""
    with torch.no_grad():
        fx = float(score(model(x), c))
        h, w = x.shape[2], x.shape[3]
        total = torch.zeros(h, w)
        count = torch.zeros(h, w)
        for y0 in range(0, h - window + 1, stride):
            for x0 in range(0, w - window + 1, stride):
                xo = x.clone()
                xo[:, :, y0:y0 + window, x0:x0 + window] = 0
                total[y0:y0 + window, x0:x0 + window] += fx - float(score(model(xo), c))
                count[y0:y0 + window, x0:x0 + window] += 1
        return total / count.clamp(min=1)


def scale_cam(cam, size):
    """pytorch-grad-cam's scale_cam_image: min-max to [0, 1], resize to the input size (cv2 there; bilinear here)."""
    cam = cam - cam.amin(dim=(1, 2), keepdim=True)
    cam = cam / (1e-7 + cam.amax(dim=(1, 2), keepdim=True))
    return F.interpolate(cam[:, None], size=size, mode="bilinear", align_corners=False)[:, 0]


class ActivationsAndGradients:
    """pytorch-grad-cam's hooks: the layer's output, and its gradient through a tensor hook."""

    def __init__(self, layer):
        self.activation = None
        self.gradient = None
        self.handle = layer.register_forward_hook(self.save)

    def save(self, module, inputs, output):
        self.activation = output.detach()
        if not output.requires_grad:      # as pytorch-grad-cam: no gradient hook under no_grad
            return

        def grad_hook(g):
            self.gradient = g.detach()
        output.register_hook(grad_hook)

    def remove(self):
        self.handle.remove()


def grad_cam(model, hooks, x, c):
    """pytorch-grad-cam GradCAM.__call__: forward, zero_grad, loss.backward(retain_graph=True), weights, scale."""
    out = model(x)
    model.zero_grad()
    score(out, c).sum().backward(retain_graph=True)
    a, g = hooks.activation, hooks.gradient
    cam = F.relu((g.mean(dim=(2, 3), keepdim=True) * a).sum(1))
    return scale_cam(cam, x.shape[2:])


def guided_backprop(model, x, c):
    """Captum GuidedBackprop: every nn.ReLU's gradient replaced by relu(grad) through full backward hooks."""
    handles = [m.register_full_backward_hook(lambda mod, gi, go: (F.relu(gi[0]),))
               for m in model.modules() if isinstance(m, nn.ReLU)]
    try:
        x = x.clone().requires_grad_(True)
        g, = torch.autograd.grad(score(model(x), c).sum(), x)
        return g
    finally:
        for h in handles:
            h.remove()


def score_cam(model, hooks, x, c, batch_size=16):
    """pytorch-grad-cam ScoreCAM: activations of one forward, then one no-grad forward per channel mask."""
    with torch.no_grad():
        model(x)
        a = hooks.activation
        up = F.interpolate(a, size=x.shape[2:], mode="bilinear", align_corners=True)
        lo = up.amin(dim=(2, 3), keepdim=True)
        hi = up.amax(dim=(2, 3), keepdim=True)
        masks = (up - lo) / (hi - lo + 1e-8)
        k = a.shape[1]
        scores = []
        for i in range(0, k, batch_size):
            batch = x * masks[0, i:i + batch_size, None]
            scores.append(score(model(batch), c))
        w = torch.softmax(torch.cat(scores), 0)
        return F.relu((w.view(1, -1, 1, 1) * a).sum(1))


# ------------------------------------------------------------------------------------------------------------------
# timing

def measure(fn, warmup, reps):
    first = None
    times = []
    for i in range(warmup + reps):
        t0 = time.perf_counter()
        fn()
        dt = (time.perf_counter() - t0) * 1000
        if i == 0:
            first = dt
        if i >= warmup:
            times.append(dt)
    return dict(warmup=warmup, reps=reps, first=first, median=statistics.median(times), min=min(times),
                max=max(times))


def machine():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return cpu


def java_results(threads):
    """Medians of the Java run (bench/results-<N>t.csv), keyed by (model, item)."""
    f = REPO / "bench" / f"results-{threads}t.csv"
    out = {}
    if f.is_file():
        with open(f, newline="") as fh:
            for row in csv.DictReader(fh):
                if row["median_ms"] and row["section"].startswith("Steady state"):
                    out[(row["model"], row["item"])] = float(row["median_ms"])
    return out


def run(threads, args, models):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    rows = []
    for key, path, shape, layer_name, occ in models:
        ts = torch.jit.load(str(path)).eval()
        eager = eager_copy(key, ts)
        x = torch.rand(*shape, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            ref = ts(x)
            diff = float((eager(x) - ref).abs().max())
            c = int(ref[0].argmax()) if ref.dim() == 2 else int(ref[0].sum((1, 2)).argmax())
        layer = dict(eager.named_modules())[layer_name]
        hooks = ActivationsAndGradients(layer)
        W, R, SW, SR = args.warmup, args.reps, args.slow_warmup, args.slow_reps

        def fwd_ts():
            with torch.no_grad():
                ts(x)

        def fwd_eager():
            with torch.no_grad():
                eager(x)

        items = [
            ("forward, no grad (TorchScript): the reference", None, fwd_ts, W, R, ""),
            ("forward, no grad (eager copy)", None, fwd_eager, W, R,
             f"max |eager − TorchScript| = {diff:.1e}"),
            ("forward + backward to the input (TorchScript) = Saliency", "Saliency",
             lambda: saliency(ts, x, c), W, R, "Captum Saliency; also the lower bound of a Grad-CAM on TorchScript"),
            ("Input x Gradient (TorchScript)", "Input x Gradient", lambda: saliency(ts, x, c) * x, W, R, "Captum"),
            ("Grad-CAM (eager, hooks, pytorch-grad-cam)", "Grad-CAM", lambda: grad_cam(eager, hooks, x, c), W, R,
             f"layer {layer_name}; parameters require grad: full backward incl. weight gradients"),
            ("Guided Backprop (eager, hooks, Captum)", "Guided Backprop", lambda: guided_backprop(eager, x, c),
             W, R, "full backward hooks on every nn.ReLU"),
            ("SmoothGrad n=25 (TorchScript, one batch)", "SmoothGrad", lambda: smoothgrad(ts, x, c), SW, SR,
             "Captum NoiseTunnel, nt_samples_batch_size=None"),
            ("Integrated Gradients 50 steps (TorchScript, one batch)", "Integrated Gradients",
             lambda: integrated_gradients(ts, x, c), SW, SR, "Captum, internal_batch_size=None"),
            ("Occlusion (TorchScript, one forward per window)", "Occlusion",
             lambda: occlusion(ts, x, c, occ[0], occ[1]), SW, SR,
             f"Captum, window {occ[0]}, stride {occ[1]}, perturbations_per_eval=1"),
        ]
        if not args.no_scorecam:
            items.append(("Score-CAM (eager, hooks, pytorch-grad-cam, batch 16)", "Score-CAM",
                          lambda: score_cam(eager, hooks, x, c), args.scorecam_warmup, SR,
                          f"one forward per channel of {layer_name}; eager, so no warm-up needed beyond the ones "
                          f"above"))
        if key in args.skip_batched:
            items = [it for it in items if it[1] not in ("SmoothGrad", "Integrated Gradients", "Occlusion",
                                                         "Score-CAM")]
        base = None
        for name, java_item, fn, w, r, note in items:
            st = measure(fn, w, r)
            if base is None:
                base = st["median"]
            print(f"[python {threads}t] {key:9s} {name:60s} {st['median']:9.2f} ms  {st['median'] / base:6.2f}x",
                  file=sys.stderr, flush=True)
            rows.append(dict(model=key, item=name, note=note, x_forward=st["median"] / base, **st))
        hooks.remove()
    return rows


JAVA_ITEMS = [("forward, no grad (TorchScript)", "forward, no grad (forwardNoGrad): the reference"),
              ("forward + backward to the input", "Saliency"), ("Input x Gradient", "Input x Gradient"),
              ("Grad-CAM", "Grad-CAM"), ("Guided Backprop", "Guided Backprop"), ("SmoothGrad", "SmoothGrad"),
              ("Integrated Gradients", "Integrated Gradients"), ("Occlusion", "Occlusion"),
              ("Score-CAM", "Score-CAM")]


def java_item_of(item):
    """The row of the Java results that measures the same thing."""
    for prefix, java in JAVA_ITEMS:
        if item.startswith(prefix):
            return java
    return ""


def rows_from_csv(threads, out):
    """The measurements of an earlier run (bench/python-<N>t.csv), to rewrite the Markdown beside new Java results."""
    rows = []
    with open(Path(out) / f"python-{threads}t.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            rows.append(dict(model=r["model"], item=r["item"], note=r["note"], warmup=int(r["warmups"]),
                             reps=int(r["reps"]), first=float(r["first_ms"]), median=float(r["median_ms"]),
                             min=float(r["min_ms"]), max=float(r["max_ms"]), x_forward=float(r["x_forward"])))
    return rows


def fmt(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    a = abs(v)
    return f"{v:.0f}" if a >= 1000 else f"{v:.1f}" if a >= 100 else f"{v:.2f}" if a >= 10 else f"{v:.3f}"


def write(threads, rows, args, models, command):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    java = java_results(threads)
    java_fwd = {m: java.get((m, "forward, no grad (forwardNoGrad): the reference")) for m, *_ in models}
    lines = [f"# Python / PyTorch comparison, {threads} thread{'s' if threads != 1 else ''}", "",
             f"Command: `{command}`", "",
             f"Machine: nproc {os.cpu_count()}, CPU \"{machine()}\"; Python {platform.python_version()} "
             f"({sys.executable}), torch {torch.__version__}, numpy {np.__version__}; "
             f"torch.set_num_threads({threads}), get_num_interop_threads() = {torch.get_num_interop_threads()}.",
             "",
             "pytorch-grad-cam and Captum are not installed (no PyPI here) and torchvision is not either; the "
             "script runs what those libraries do per call, written out with plain torch (see its docstring). "
             "Hook-based methods run on an eager copy of the model with the same weights (hooks do not work on "
             "TorchScript); the others on the TorchScript file ExplainJ loads.", "",
             f"Inputs uniform random in [0, 1), batch 1. Median of {args.reps} repetitions after {args.warmup} "
             f"warm-ups; SmoothGrad, Integrated Gradients, Occlusion, Score-CAM: {args.slow_reps} after "
             f"{args.slow_warmup} (Score-CAM: after {args.scorecam_warmup}). × forward = / the TorchScript no-grad forward in this run. ExplainJ columns: "
             f"bench/results-{threads}t.csv (the Java run), same model, input size and thread count, "
             "its × forward relative to its own forward." if java else
             "(No bench/results-<N>t.csv yet: run the Java benchmark first for the ExplainJ columns.)", ""]
    for key, path, shape, layer, occ in models:
        lines += [f"## {key}: {path.name}, input {'×'.join(map(str, shape))}, layer {layer}", "",
                  "| item | warm-ups + reps | median ms | min – max ms | × forward | ExplainJ median ms | "
                  "ExplainJ × its forward | note |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for r in rows:
            if r["model"] != key:
                continue
            jitem = java_item_of(r["item"])
            jm = java.get((key, jitem)) if jitem else None
            jx = jm / java_fwd[key] if jm and java_fwd.get(key) else None
            lines.append(f"| {r['item']} | {r['warmup']} + {r['reps']} | **{fmt(r['median'])}** | "
                         f"{fmt(r['min'])} – {fmt(r['max'])} | {r['x_forward']:.2f}× | {fmt(jm)} | "
                         f"{'' if jx is None else f'{jx:.2f}×'} | {r['note']} |")
        lines.append("")
    (out / f"python-{threads}t.md").write_text("\n".join(lines))
    with open(out / f"python-{threads}t.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["threads", "model", "item", "warmups", "reps", "first_ms", "median_ms", "min_ms", "max_ms",
                    "x_forward", "note"])
        for r in rows:
            w.writerow([threads, r["model"], r["item"], r["warmup"], r["reps"], f"{r['first']:.4f}",
                        f"{r['median']:.4f}", f"{r['min']:.4f}", f"{r['max']:.4f}", f"{r['x_forward']:.4f}",
                        r["note"]])
    print(f"wrote {out / f'python-{threads}t.md'}", file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--slow-reps", type=int, default=3)
    p.add_argument("--slow-warmup", type=int, default=1)
    p.add_argument("--models", default="resnet18,unet")
    p.add_argument("--skip-batched", default="unet",
                   help="models for which SmoothGrad / IG / Occlusion / Score-CAM are skipped (time)")
    p.add_argument("--no-scorecam", action="store_true")
    p.add_argument("--scorecam-warmup", type=int, default=0)
    p.add_argument("--out", default=str(REPO / "bench"))
    p.add_argument("--relink", action="store_true",
                   help="no measuring: rewrite bench/python-<N>t.md from its .csv and the current Java results")
    p.add_argument("--relink-command", help="with --relink: the command of the original run, for the header")
    args = p.parse_args()
    args.skip_batched = [s for s in args.skip_batched.split(",") if s]
    command = " ".join([Path(sys.executable).as_posix()] + [a if " " not in a else f'"{a}"' for a in sys.argv])
    models = []
    for key in args.models.split(","):
        if key == "resnet18":
            f = find_resnet() or REPO / "src/test/resources/models/resnet18n_traced.pt"
            models.append((key, f, (1, 3, 224, 224), "layer4", (56, 28)))
        elif key == "unet":
            models.append((key, REPO / "src/test/resources/models/unet_traced.pt", (1, 1, 512, 512), "dec1",
                           (128, 64)))
    for t in args.threads:
        if args.relink:
            rows = rows_from_csv(t, args.out)
            command = args.relink_command or command
        else:
            rows = run(t, args, models)
        write(t, rows, args, models, command)


if __name__ == "__main__":
    main()
