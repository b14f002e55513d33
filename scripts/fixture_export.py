"""Helpers shared by the fixture scripts (``scripts/make_*_models.py``, ``make_demo_model.py``).

Not a script: the fixture scripts import it (``scripts/`` is on ``sys.path``: Python puts the directory of the
script it runs there, and the scripts insert it too, so that they can be imported from elsewhere).

Exporting TorchScript in a fresh interpreter
--------------------------------------------
Every script exports its models in a child interpreter, the script itself re-invoked as
``sys.executable <script> --export ARGS...`` with ``PYTHONHASHSEED=0`` (``run_export``): tracing and scripting
the same classes in one process would mangle class names (``___torch_mangle_N``), and PYTHONHASHSEED fixes the
order of the constants ``torch.jit.script`` writes, so the archives are byte-for-byte reproducible.  The parent
pipes what the child needs (usually a ``state_dict``, as ``torch_bytes``) to the child's standard input; the child
reads it with ``read_payload``, builds the model, loads the weights (``load_eval``), traces or scripts it
(``trace_or_script``) and saves it with ``save_torchscript``, which removes the ``.debug_pkl`` records (they hold
this machine's absolute paths; see ``strip_debug_info.py``).

Fixture conventions
-------------------
``save_npy`` (little-endian float32, C order), ``gradcam_raw``, ``input_gradient``, ``maxdiff``, ``module_at``,
``write_json``; ``accuracy`` and ``train_epochs`` for the scripts that train a small classifier.

Running
-------
``argument_parser`` (``--check-only`` and the hidden ``--export``), ``deterministic_torch`` (threads,
deterministic algorithms), ``log``, ``versions`` and ``check_only``: regenerate into a temporary directory and
compare byte for byte with the files in place (``--check-only``).
"""

import argparse
import filecmp
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
    from strip_debug_info import strip_debug_info
except ImportError:  # a driver that only starts --export children (make_robust_models.py) needs no torch
    np = torch = F = strip_debug_info = None

REPO = Path(__file__).resolve().parent.parent


# ==========================================================================
# Export in a fresh interpreter
# ==========================================================================
def torch_bytes(obj):
    """``torch.save(obj)`` as bytes (the payload piped to an --export child)."""
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def run_export(script, args, stdin=None, **run_kwargs):
    """Run ``sys.executable script --export ARGS...`` in a fresh interpreter with ``PYTHONHASHSEED=0``.

    ``stdin``: bytes for the child's standard input (``torch_bytes(...)``; None: inherited).  ``run_kwargs`` go
    to ``subprocess.run`` (default ``check=True``); returns its CompletedProcess.
    """
    env = dict(os.environ, PYTHONHASHSEED="0")
    run_kwargs.setdefault("check", True)
    return subprocess.run([sys.executable, str(Path(script).resolve()), "--export", *(str(a) for a in args)],
                          input=stdin, env=env, **run_kwargs)


def read_payload():
    """In the --export child: the object the parent piped in (``torch.load`` of standard input)."""
    return torch.load(io.BytesIO(sys.stdin.buffer.read()))


def load_eval(model, state_dict):
    """``model`` with ``state_dict`` loaded, in eval mode."""
    model.load_state_dict(state_dict)
    return model.eval()


def trace_or_script(model, traced, example, no_grad=True, **trace_kwargs):
    """``torch.jit.trace(model, example, **trace_kwargs)`` if ``traced`` (under ``torch.no_grad()`` unless
    ``no_grad`` is false), else ``torch.jit.script(model)``."""
    if not traced:
        return torch.jit.script(model)
    if no_grad:
        with torch.no_grad():
            return torch.jit.trace(model, example, **trace_kwargs)
    return torch.jit.trace(model, example, **trace_kwargs)


def save_torchscript(ts, path):
    """Save a traced or scripted module and drop its .debug_pkl records (they hold this machine's absolute
    paths and make the bytes depend on the checkout's location)."""
    ts.save(str(path))
    strip_debug_info(path)


# ==========================================================================
# Fixture conventions
# ==========================================================================
def save_npy(path, t):
    """Tensor -> little-endian float32 C-order .npy (parent folders created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    arr = np.ascontiguousarray(t.detach().cpu().numpy().astype("<f4"))
    with open(path, "wb") as f:
        np.save(f, arr, allow_pickle=False)


def write_json(path, obj):
    """``obj`` as JSON, indent 2, newline at the end."""
    path.write_text(json.dumps(obj, indent=2) + "\n")


def gradcam_raw(act, grad):
    """act, grad: (K, *spatial) -> sum_k mean_spatial(grad_k) * A_k, shape (*spatial), in the inputs' dtype
    (pass float64 tensors for a float64 map); no ReLU, no upsampling."""
    dims = tuple(range(1, act.dim()))
    w = grad.mean(dim=dims)
    return (w[(slice(None),) + (None,) * len(dims)] * act).sum(0)


def input_gradient(model, x, score):
    """d score(model(x)) / dx (x itself is not modified)."""
    xg = x.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(score(model(xg)), xg)
    return g.detach()


def maxdiff(a, b):
    return float((a - b).abs().max())


def module_at(model, path):
    """The submodule at a dotted path ("blocks.1.0"): integer index into Sequential / ModuleList, key into
    ModuleDict, attribute otherwise (reaches a module instance under every name it has)."""
    m = model
    for p in path.split("."):
        if isinstance(m, (torch.nn.Sequential, torch.nn.ModuleList)):
            m = m[int(p)]
        elif isinstance(m, torch.nn.ModuleDict):
            m = m[p]
        else:
            m = getattr(m, p)
    return m


# ==========================================================================
# Training a small classifier
# ==========================================================================
def accuracy(model, x, y, bs):
    """Eval-mode top-1 accuracy over (x, y), in batches of bs, without autograd."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), bs):
            correct += (model(x[i:i + bs]).argmax(1) == y[i:i + bs]).sum().item()
    return correct / len(x)


def train_epochs(model, xtr, ytr, augment, seed, lr, weight_decay, batch, epochs):
    """Train with cross-entropy, Adam (lr, weight_decay) and a one-cycle schedule (max_lr = lr, pct_start 0.2);
    each epoch visits the training set in a random order, batch by batch through augment(xb, gen); one
    torch.Generator(seed) draws the orders and the augmentation.

    Yields (epoch, start time, mean loss, running accuracy on the augmented batches) after each epoch (the
    caller may evaluate the model there; the next epoch puts it back in train mode).
    """
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    steps_per_epoch = (len(xtr) + batch - 1) // batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * steps_per_epoch,
                                                pct_start=0.2)
    for epoch in range(1, epochs + 1):
        t0 = time.time()
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        tot_loss, tot_correct = 0.0, 0
        for i in range(0, len(xtr), batch):
            idx = perm[i:i + batch]
            xb = augment(xtr[idx], gen)
            yb = ytr[idx]
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot_loss += loss.item() * len(idx)
            tot_correct += (logits.argmax(1) == yb).sum().item()
        yield epoch, t0, tot_loss / len(xtr), tot_correct / len(xtr)


# ==========================================================================
# Running a fixture script
# ==========================================================================
def argument_parser(doc, export_args, check_only=True):
    """The fixture scripts' command line: description = the first line of ``doc``, ``--check-only`` (unless
    check_only is false) and the internal ``--export EXPORT_ARGS...`` (hidden: the child-interpreter call; none
    when EXPORT_ARGS is empty).
    Add further options to the returned parser."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    if check_only:
        ap.add_argument("--check-only", action="store_true",
                        help="regenerate into a temporary directory and compare byte for byte with the files in place")
    if export_args:
        ap.add_argument("--export", nargs=len(export_args), metavar=tuple(export_args), help=argparse.SUPPRESS)
    return ap


def log(s):
    print(s, flush=True)


def versions(**more):
    """'torch X, numpy Y, python Z' for the log; ``more`` (name=version) are listed after torch."""
    parts = [f"torch {torch.__version__}"] + [f"{k} {v}" for k, v in more.items()]
    return ", ".join(parts + [f"numpy {np.__version__}", f"python {platform.python_version()}"])


def deterministic_torch(threads):
    """``threads`` intra-op threads and deterministic algorithms (what the byte-identical fixtures assume)."""
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False


def compare_trees(a, b, only_b=False):
    """Relative paths that differ between two directory trees (content or
    presence); only_b: consider only the files of b (other files may share a)."""
    fb = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    fa = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    if only_b:
        fa &= fb
    bad = sorted(str(p) for p in fa ^ fb)
    bad += sorted(str(p) for p in fa & fb if not filecmp.cmp(a / p, b / p, shallow=False))
    return bad


def check_only(generate, rels, only_b=()):
    """--check-only: ``generate(root)`` into a temporary directory, then compare each folder of ``rels``
    (relative to the repository root) byte for byte with the one in place (for the folders in ``only_b`` only
    the generated files, the folder holds others too).  Exits with the differing paths, or logs that all are
    identical; writes nothing to the repository."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        generate(tmp)
        bad = []
        for rel in rels:
            bad += [str(rel / p) for p in compare_trees(REPO / rel, tmp / rel, only_b=rel in only_b)]
        if bad:
            sys.exit("DIFFERENT: " + ", ".join(bad))
        log("byte-identical to the files in place")
