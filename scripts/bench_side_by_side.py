#!/usr/bin/env python3
"""The Python side of bench/side-by-side.sh: Captum and pytorch-grad-cam on the same weights and input as
ExplainJ's macro path, and the report that puts both sides together.

    bench_side_by_side.py prepare --model resnet18.pt --input x.npy        # the input (and a model if none)
    bench_side_by_side.py run --model resnet18.pt --input x.npy --threads 2 --out python.csv
    bench_side_by_side.py report --threads 2 --rounds DIR --out bench/side-by-side-2t.md

Captum and pytorch-grad-cam are imported from their sources (fetched by bench/side-by-side.sh outside the
repository: CAPTUM_SRC, GRADCAM_SRC, TTACH_SRC); nothing is vendored. The eager model is torchvision's ResNet-18 with
the TorchScript file's weights (checked equal on the input), because hooks do not work on TorchScript.
"""

import argparse
import csv
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parent.parent


def sources():
    for var in ("CAPTUM_SRC", "GRADCAM_SRC", "TTACH_SRC"):
        p = os.environ.get(var)
        if not p or not Path(p).is_dir():
            sys.exit(f"{var} must name the folder with the library's sources (bench/side-by-side.sh sets it)")
        sys.path.insert(0, p)


def eager(model_file):
    import torchvision
    ts = torch.jit.load(str(model_file)).eval()
    m = torchvision.models.resnet18(num_classes=ts.state_dict()["fc.weight"].shape[0])
    m.load_state_dict(ts.state_dict())
    return ts, m.eval()


def prepare(args):
    if not Path(args.model).exists():
        import torchvision
        torch.manual_seed(0)
        m = torchvision.models.resnet18().eval()
        traced = torch.jit.trace(m, torch.rand(1, 3, args.size, args.size))
        torch.jit.save(traced, args.model)
        subprocess.run([sys.executable, str(REPO / "scripts" / "strip_debug_info.py"), args.model], check=True)
    g = torch.Generator().manual_seed(1)
    x = torch.rand(1, 3, args.size, args.size, generator=g)
    np.save(args.input, x.numpy())


def timed(f, reps, warmup):
    for _ in range(warmup):
        f()
    t = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        t.append(1000 * (time.perf_counter() - t0))
    return t


def run(args):
    sources()
    import captum
    from captum.attr import GuidedBackprop, IntegratedGradients, LayerAttribution, LayerGradCam, Saliency
    from pytorch_grad_cam import GradCAM

    torch.set_num_threads(args.threads)
    ts, m = eager(args.model)
    x = torch.from_numpy(np.load(args.input))
    with torch.no_grad():
        diff = (m(x) - ts(x)).abs().max().item()
        top = int(m(x).argmax())
    if diff > 1e-4:
        sys.exit(f"the eager ResNet-18 differs from {args.model} by {diff}")
    size = tuple(x.shape[2:])
    gc = LayerGradCam(m, m.layer4)
    sal = Saliency(m)
    gb = GuidedBackprop(m)
    ig = IntegratedGradients(m)
    cam = GradCAM(model=m, target_layers=[m.layer4[-1]])

    def forward():
        with torch.no_grad():
            m(x)

    # each returns what a user would look at: a map at the input's size, as a numpy array
    items = [
        ("forward (torch, no grad)", forward, "eager torchvision ResNet-18, same weights"),
        ("Grad-CAM", lambda: LayerAttribution.interpolate(
            gc.attribute(x, target=top, relu_attributions=True), size, "bilinear").detach().numpy(),
         "Captum LayerGradCam(layer4) + LayerAttribution.interpolate (bilinear) to the input size"),
        ("Saliency", lambda: sal.attribute(x, target=top).numpy(), "Captum Saliency (abs=True)"),
        ("Guided Backprop", lambda: gb.attribute(x, target=top).numpy(), "Captum GuidedBackprop"),
        ("Integrated Gradients", lambda: ig.attribute(x, target=top, n_steps=50).numpy(),
         "Captum IntegratedGradients, n_steps=50 (gausslegendre), zero baseline, one batch"),
        ("Grad-CAM (pytorch-grad-cam)", lambda: cam(input_tensor=x, targets=None),
         "pytorch-grad-cam GradCAM(layer4[-1]), target = top class; resized and min-max scaled"),
    ]
    with open(args.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["side", "item", "reps", "median_ms", "min_ms", "max_ms", "note"])
        for name, fn, note in items:
            slow = name.startswith("Integrated")
            t = timed(fn, args.ig_reps if slow else args.reps, 1 if slow else args.warmup)
            side = "pytorch-grad-cam" if "pytorch-grad-cam" in name else "python"
            w.writerow([side, name, len(t), f"{statistics.median(t):.2f}", f"{min(t):.2f}", f"{max(t):.2f}", note])
            f.flush()
            print(f"{name:28s} median {statistics.median(t):7.1f} ms (min {min(t):.1f})", flush=True)
    print(f"captum {captum.__version__}, torch {torch.__version__}, threads {torch.get_num_threads()}")


def read(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def report(args):
    rounds = sorted(Path(args.rounds).glob("round*"))
    if not rounds:
        sys.exit(f"no round* folders in {args.rounds}")
    methods = ["Grad-CAM", "Saliency", "Guided Backprop", "Integrated Gradients"]
    per = []
    for r in rounds:
        j = {row["item"]: row for row in read(r / "explainj.csv")}
        p = {row["item"]: row for row in read(r / "python.csv")}
        per.append((r.name, j, p))
    import torch as t
    lines = [f"# Side by side: the macro path against Captum and pytorch-grad-cam, {args.threads} thread(s)", ""]
    lines += [f"Command: `{args.command}`", ""]
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    lines += [f"Machine: nproc {os.cpu_count()}, CPU \"{cpu}\"; Python {platform.python_version()}, torch "
              f"{t.__version__}; ExplainJ: libtorch 2.7.1 through DJL, explainj.threads={args.threads}; Python: "
              f"torch.set_num_threads({args.threads}). Java and Python run one after the other in each round "
              f"(never at the same time), {len(per)} rounds.", ""]
    lines += ["Model: ResNet-18 (torchvision topology), TorchScript file for ExplainJ, the same weights in torchvision's "
              "eager ResNet-18 for Captum / pytorch-grad-cam (outputs checked equal). Input: 1×3×224×224, uniform "
              "[0, 1), the same numbers on both sides (ExplainJ: a 3-channel 32-bit image, scale=none). Target: "
              "ExplainJ target=top (the top class from its own forward); Captum gets the top class as a number "
              "(computed before timing), pytorch-grad-cam finds it itself.", ""]
    lines += ["ExplainJ = `run(\"Explain Image...\", ...)` in an ImageJ batch macro (the heatmap: a 32-bit image at "
              "the input's size with LUT and Info; closed after each call, not timed). Captum = `attribute(...)` "
              "plus `.numpy()` (Grad-CAM also upsampled to the input size). Medians over the repetitions after "
              "warm-ups; ratio = ExplainJ / Captum in the same round.", ""]
    head = "| method | " + " | ".join(f"ExplainJ ms ({n}) | Captum ms ({n}) | ratio ({n})" for n, _, _ in per) + " |"
    lines += [head, "|" + " --- |" * (1 + 3 * len(per))]
    for mth in ["forward"] + methods:
        cells = []
        for _, j, p in per:
            jk = "forward (libtorch, no grad)" if mth == "forward" else mth
            pk = "forward (torch, no grad)" if mth == "forward" else mth
            a, b = float(j[jk]["median_ms"]), float(p[pk]["median_ms"])
            cells += [f"{a:.1f}", f"{b:.1f}", f"**{a / b:.2f}×**"]
        label = "plain forward, no grad (libtorch vs torch)" if mth == "forward" else mth
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "pytorch-grad-cam GradCAM (same rounds): " + ", ".join(
        f"{float(p['Grad-CAM (pytorch-grad-cam)']['median_ms']):.1f} ms (ExplainJ Grad-CAM "
        f"{float(j['Grad-CAM']['median_ms']) / float(p['Grad-CAM (pytorch-grad-cam)']['median_ms']):.2f}×)"
        for _, j, p in per) + ".", ""]
    lines += ["Repetitions: " + "; ".join(f"{row['item']}: {row['reps']}" for row in read(rounds[0] / "explainj.csv"))
              + " (ExplainJ); " + "; ".join(f"{row['item']}: {row['reps']}" for row in read(rounds[0] / "python.csv"))
              + " (Python).", ""]
    mem = Path(args.rounds) / "memory.csv"
    if mem.exists():
        lines += ["## Memory: one batch macro, Grad-CAM again and again", "",
                  "| item | value |", "| --- | --- |"]
        for row in read(mem):
            lines.append(f"| {row['item']} | {row['median_ms']} {row['note']} |")
        lines.append("")
    Path(args.out).write_text("\n".join(lines))
    print("wrote", args.out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--model", required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--size", type=int, default=224)
    r = sub.add_parser("run")
    r.add_argument("--model", required=True)
    r.add_argument("--input", required=True)
    r.add_argument("--threads", type=int, default=2)
    r.add_argument("--reps", type=int, default=20)
    r.add_argument("--warmup", type=int, default=30)
    r.add_argument("--ig-reps", type=int, default=3)
    r.add_argument("--out", required=True)
    q = sub.add_parser("report")
    q.add_argument("--threads", type=int, required=True)
    q.add_argument("--rounds", required=True)
    q.add_argument("--out", required=True)
    q.add_argument("--command", default="bench/side-by-side.sh")
    a = ap.parse_args()
    {"prepare": prepare, "run": run, "report": report}[a.cmd](a)


if __name__ == "__main__":
    main()
