#!/usr/bin/python3
"""Remove the debug records (``<archive>/code/**.py.debug_pkl``) from TorchScript files.

Why
---
``torch.jit.save`` writes, next to every serialized code file, a pickled table
of source ranges (``*.py.debug_pkl``).  For traced and scripted modules these
tables name the Python file that defined the model with its ABSOLUTE path on
the machine that exported it (e.g. ``/home/me/project/scripts/make_x.py(274):
forward``).  The repository must not carry paths of the build machine, and
those paths also make the .pt bytes depend on where the checkout lives.

libtorch does not need the tables: ``torch.jit.load`` (1.13 and 2.x) only
reads ``X.py.debug_pkl`` when it exists (it gives error messages a source
location); without it the code loads and runs the same.  ExplainJ's own
TapRewriter already writes copies without the tables of the code it replaces.

What
----
The archive is read with torch's own reader (``torch._C.PyTorchFileReader``)
and written again with torch's own writer (``torch._C.PyTorchFileWriter``),
record by record in the original order, leaving out every ``.debug_pkl``
record.  The writer adds the version record itself at the end
(``version``, or ``.data/version`` for format version >= 6), so the source's
version record is not copied; the writer is given the same minimum version
instead.  The archive's top folder (``<root>/``) is kept: torch's writer names
it after the output file, so the copy is first written as ``<root>.pt`` in a
temporary folder.  Every other record keeps its exact bytes; the layout
(64-byte alignment of the record data) is the one torch's writer produces.
The one difference besides the dropped records is that torch.jit.save deflates
the code records while the Python-visible writer stores every record
uncompressed (as torch.save does); readers see the same bytes.

The result is checked before it replaces anything: it is read back with
torch's reader and must hold exactly the expected records, in order, with
the original contents.  The output is deterministic (same input, same bytes).
Files without debug records (e.g. torch.save pickles) are left untouched.

Use
---
    /usr/bin/python3 scripts/strip_debug_info.py FILE.pt [FILE.pt ...]   # in place
    /usr/bin/python3 scripts/strip_debug_info.py --check FILE.pt ...     # exit 1 if any has debug records

From an export script::

    from strip_debug_info import strip_debug_info
    ts.save(str(path)); strip_debug_info(path)
"""

import argparse
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import torch

DEBUG_SUFFIX = ".debug_pkl"
VERSION_RECORDS = ("version", ".data/version")


def _root(path):
    """The archive's top folder name (every record lives under ``<root>/``)."""
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
    if not names:
        raise ValueError(f"{path}: empty zip archive")
    root = names[0].split("/", 1)[0]
    bad = [n for n in names if not n.startswith(root + "/")]
    if bad:
        raise ValueError(f"{path}: records outside {root}/: {bad[:3]}")
    return root


def _version(reader, path):
    present = [n for n in VERSION_RECORDS if reader.has_record(n)]
    if len(present) != 1:
        raise ValueError(f"{path}: expected one version record, found {present}")
    return int(bytes(reader.get_record(present[0])).decode("ascii").strip())


def debug_records(path):
    """Names (without the root folder) of the .debug_pkl records in a torch zip archive."""
    reader = torch._C.PyTorchFileReader(str(path))
    return [n for n in reader.get_all_records() if n.endswith(DEBUG_SUFFIX)]


def strip_debug_info(src, dst=None):
    """Rewrite the TorchScript archive ``src`` without its .debug_pkl records.

    Writes to ``dst`` (default: ``src``, replaced atomically).  Returns the number of
    records removed; 0 means the file had none and nothing was written (when dst is
    another path the file is copied unchanged).
    """
    src = Path(src)
    dst = Path(dst) if dst is not None else src
    root = _root(src)
    reader = torch._C.PyTorchFileReader(str(src))
    records = reader.get_all_records()
    dropped = [n for n in records if n.endswith(DEBUG_SUFFIX)]
    if not dropped:
        if dst != src:
            shutil.copyfile(src, dst)
        return 0
    version = _version(reader, src)
    keep = [n for n in records if not n.endswith(DEBUG_SUFFIX) and n not in VERSION_RECORDS]
    contents = {n: bytes(reader.get_record(n)) for n in keep}
    del reader

    tmpdir = Path(tempfile.mkdtemp(prefix=".strip-", dir=dst.parent))
    try:
        out = tmpdir / (root + ".pt")  # torch's writer names the top folder after the file
        writer = torch._C.PyTorchFileWriter(str(out))
        if writer.archive_name() != root:
            raise RuntimeError(f"writer archive name {writer.archive_name()!r} != {root!r}")
        for n in keep:
            data = contents[n]
            writer.write_record(n, data, len(data))
        writer.set_min_version(version)
        writer.write_end_of_file()
        del writer

        # verify: same records minus the debug ones, same order, same bytes, same version
        check = torch._C.PyTorchFileReader(str(out))
        got = check.get_all_records()
        expected = [n for n in records if not n.endswith(DEBUG_SUFFIX)]
        if got != expected:
            raise RuntimeError(f"{src}: rewritten records differ: {got} != {expected}")
        for n in keep:
            if bytes(check.get_record(n)) != contents[n]:
                raise RuntimeError(f"{src}: record {n} changed in the rewrite")
        if _version(check, out) != version:
            raise RuntimeError(f"{src}: version record changed in the rewrite")
        del check
        if _root(out) != root:
            raise RuntimeError(f"{src}: top folder changed in the rewrite")
        os.replace(out, dst)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return len(dropped)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+", help="TorchScript .pt files, rewritten in place")
    ap.add_argument("--check", action="store_true",
                    help="only report files that still have debug records (exit status 1 if any)")
    args = ap.parse_args(argv)
    status = 0
    for f in args.files:
        if args.check:
            n = len(debug_records(f))
            if n:
                print(f"{f}: {n} debug records")
                status = 1
            continue
        before = os.path.getsize(f)
        n = strip_debug_info(f)
        after = os.path.getsize(f)
        print(f"{f}: {'removed ' + str(n) + ' debug records' if n else 'no debug records, unchanged'}"
              f" ({before} -> {after} bytes)")
    return status


if __name__ == "__main__":
    sys.exit(main())
