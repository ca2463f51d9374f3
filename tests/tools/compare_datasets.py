#!/usr/bin/python3
"""Compare every dataset of two ARCM results files, bit for bit.

usage: compare_datasets.py A.h5 B.h5 [--ignore PATH ...]

Datasets are compared by their raw bytes (so NaN == NaN when the bits agree)
after decoding to numpy arrays; variable-length strings by value. Attributes
are not compared (creation time, thread counts and the like differ by design).
/runs/wall_seconds is always ignored: wall time is measured, not computed.
Exit status 0 when every dataset matches, 1 otherwise, 2 on a usage or file error.
"""
import argparse
import sys

import h5py
import numpy as np

ALWAYS_IGNORED = {"/runs/wall_seconds"}


def datasets(f):
    found = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            found["/" + name] = obj

    f.visititems(visit)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--ignore", action="append", default=[], help="dataset path to skip (repeatable)")
    args = parser.parse_args()
    ignored = ALWAYS_IGNORED | set(args.ignore)
    try:
        fa, fb = h5py.File(args.a, "r"), h5py.File(args.b, "r")
    except OSError as error:
        print("compare_datasets: %s" % error, file=sys.stderr)
        return 2
    da, db = datasets(fa), datasets(fb)
    problems = []
    for name in sorted(set(da) | set(db)):
        if name in ignored:
            continue
        if name not in da or name not in db:
            problems.append("%s only in %s" % (name, args.a if name in da else args.b))
            continue
        a, b = da[name][()], db[name][()]
        if isinstance(a, np.ndarray) and a.dtype.kind == "O":
            same = a.shape == b.shape and all(x == y for x, y in zip(a.ravel(), b.ravel()))
        else:
            a, b = np.asarray(a), np.asarray(b)
            same = a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()
        if not same:
            detail = ""
            if isinstance(a, np.ndarray) and a.shape == b.shape and a.dtype.kind == "f":
                diff = np.nanmax(np.abs(a.astype(float) - b.astype(float))) if a.size else 0
                detail = " (max abs difference %g)" % diff
            problems.append("%s differs%s" % (name, detail))
    compared = len((set(da) & set(db)) - ignored)
    for p in problems:
        print("DIFF", p)
    print("%d datasets compared, %d differ" % (compared, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
