#!/usr/bin/python3
"""Tiny TorchScript models for the bad-input survey (``src/test/java/org/explainj/robust/``).

=============================  ===========================================================================
file in ``robust/models/``     what it is for
=============================  ===========================================================================
``flat_output_scripted.pt``    forward returns the logits as a 1-D tensor [3] (no batch dimension)
``seq_output_traced.pt``       forward returns a 3-D tensor [1, 3, 5] (neither [1, classes] nor an image)
``deep_pool_traced.pt``        1 channel, four conv-ReLU-MaxPool(2) blocks, GAP + Linear(2): rejects inputs
                               smaller than 16x16 (8x8 reaches the fourth pooling at 1x1)
``state_dict.pt``              not TorchScript: ``torch.save(model.state_dict())`` of DeepPool
``eager_pickle.pt``            not TorchScript: ``torch.save(model)`` (a pickled eager module)
=============================  ===========================================================================

Weights are random (``torch.manual_seed(7)``), no training.  Each model is exported in a fresh interpreter
(this script re-invoked with ``--export NAME PATH``, ``PYTHONHASHSEED=0``), so class names are not mangled and
the archives are reproducible.

Run from the repository root (torch 1.13 CPU is enough)::

    /usr/bin/python3 scripts/make_robust_models.py
"""

import sys
from pathlib import Path

sys.dont_write_bytecode = True          # no scripts/__pycache__ from the import below
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixture_export import run_export, save_torchscript  # noqa: E402  (neither needs torch in the driver)

OUT = Path("src/test/resources/robust/models")
MODELS = {
    "flat_output": "flat_output_scripted.pt",
    "seq_output": "seq_output_traced.pt",
    "deep_pool": "deep_pool_traced.pt",
    "state_dict": "state_dict.pt",
    "eager_pickle": "eager_pickle.pt",
}


try:
    import torch
    from torch import nn
except ImportError:  # the driver part (main) needs no torch
    torch = None

if torch is not None:

    class FlatOutput(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3, padding=1)
            self.relu = nn.ReLU()
            self.gap = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(4, 3)

        def forward(self, x):
            a = self.relu(self.conv(x))
            return self.fc(torch.flatten(self.gap(a), 1))[0]

    class SeqOutput(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 3, 3, padding=1)
            self.relu = nn.ReLU()
            self.pool = nn.AdaptiveAvgPool2d((1, 5))

        def forward(self, x):
            return self.pool(self.relu(self.conv(x))).squeeze(2)

    class DeepPool(nn.Module):
        def __init__(self):
            super().__init__()
            layers = []
            c = 1
            for i in range(4):
                layers += [nn.Conv2d(c, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
                c = 8
            self.features = nn.Sequential(*layers)
            self.gap = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(8, 2)

        def forward(self, x):
            return self.fc(torch.flatten(self.gap(self.features(x)), 1))


def export(name, path):
    """In the --export child: save one file; TorchScript without its .debug_pkl records."""
    torch.manual_seed(7)
    if name == "flat_output":
        save_torchscript(torch.jit.script(FlatOutput().eval()), path)
    elif name == "seq_output":
        save_torchscript(torch.jit.trace(SeqOutput().eval(), torch.rand(1, 1, 32, 32)), path)
    elif name == "deep_pool":
        save_torchscript(torch.jit.trace(DeepPool().eval(), torch.rand(1, 1, 64, 64)), path)
    elif name == "state_dict":
        torch.save(DeepPool().state_dict(), path)
    elif name == "eager_pickle":
        torch.save(DeepPool().eval(), path)
    else:
        raise SystemExit("unknown model " + name)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--export":
        export(sys.argv[2], sys.argv[3])
        return
    OUT.mkdir(parents=True, exist_ok=True)
    for name, file in MODELS.items():
        run_export(__file__, (name, OUT / file))
        print("wrote", OUT / file, (OUT / file).stat().st_size, "bytes")


if __name__ == "__main__":
    main()
