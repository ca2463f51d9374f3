#!/usr/bin/python3
"""Compare an ARCM results file with the Python reference output (docs/model.md §11).

Usage:
    /usr/bin/python3 compare.py ARCM_FILE.h5 REFERENCE_OUTPUT.npz|.h5 [--run 0] [--slack 1]

ARCM_FILE is the C++ results file (HDF5, group /trajectories with datasets over
(run, time, ...); run index --run, default 0).  It may also be another reference output
(.npz, or .h5 written by arcm_reference.py), which is handy for convergence checks.

Tolerances: a point agrees when |arcm - ref| <= max(tol * |ref|, floor), floor = 1e-6 x the
largest |value| of that variable in the run (both files; never below --abs-floor, 1e-12);
--strict-floor uses |arcm - ref| <= tol * max(|ref|, floor) instead.  tol:
    1e-5: price demand fringe_supply backstop_supply debris stock launch_experience
          launched_mass launch_cost extracted extraction revenue
    1e-3: everything else (capacity, pipeline, investment, npv, cumulative_profit, tension,
          tension_target, receipts, royalties_paid, royalty, profit_rate, shares, hhi, gini)
Prints, per variable both files hold, the largest relative deviation |a-r|/max(|r|, floor),
the worst ratio deviation/allowance (> 1 = violation) with where it occurs, and exits 1 on
any violation (2 when a file cannot be read).
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

TIGHT = {"price", "demand", "fringe_supply", "backstop_supply", "debris", "stock",
         "launch_experience", "launched_mass", "launch_cost", "extracted", "extraction",
         "revenue"}

# dimensions after the time axis
DIMS = {
    "capacity": ("actor", "resource"), "pipeline": ("actor", "resource"),
    "launch_experience": ("actor",), "npv": ("actor",), "extracted": ("actor", "resource"),
    "stock": ("resource",), "cumulative_profit": ("actor",), "receipts": ("beneficiary",),
    "debris": (), "tension": (), "royalties_paid": ("actor",), "price": ("resource",),
    "demand": ("resource",), "fringe_supply": ("resource",), "backstop_supply": ("resource",),
    "extraction": ("actor", "resource"), "revenue": ("actor", "resource"),
    "royalty": ("actor", "resource"), "profit_rate": ("actor", "resource"),
    "investment": ("actor", "resource"), "launch_cost": ("actor",), "launched_mass": ("actor",),
    "tension_target": (), "state_share_extraction": ("resource",),
    "firm_share_extraction": ("resource",), "total_extraction": ("resource",),
    "cumulative_share_by_kind": ("kind", "resource"),
    "cumulative_share_by_bloc": ("bloc", "resource"), "hhi": ("resource",), "gini": (),
}
COORDS = ("time", "actor", "resource", "beneficiary", "bloc", "kind")
STATUS_CODES = {0: "ok", 1: "failed", 2: "kessler", -1: "not_run"}


def _strs(a):
    a = np.atleast_1d(np.asarray(a))
    return [x.decode() if isinstance(x, bytes) else str(x) for x in a.tolist()]


def read_h5(path, run, is_reference=None):
    import h5py
    out, coords, meta = {}, {}, {}
    with h5py.File(path, "r") as f:
        if is_reference is None:
            is_reference = bool(f.attrs.get("arcm_reference", False)) or (
                "trajectories" in f and "arcm_reference_format" in f.attrs)
        found = {}

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                base = name.split("/")[-1]
                found.setdefault(base, []).append(name)
        f.visititems(visit)

        def pick(base, prefer):
            names = found.get(base, [])
            for p in prefer:
                for n in names:
                    if n == (p + "/" + base if p else base):
                        return n
            return names[0] if names else None

        for c in COORDS:
            n = pick(c, ["", "trajectories", "coordinates", "coords"])
            if n is not None:
                v = f[n][()]
                coords[c] = np.asarray(v, float) if c == "time" else _strs(v)
        for name in DIMS:
            n = pick(name, ["trajectories", ""])
            if n is None:
                continue
            v = np.asarray(f[n][()], float)
            if not is_reference:
                nd = 1 + len(DIMS[name])
                if v.ndim == nd + 1:
                    v = v[run]
                elif v.ndim != nd:
                    meta.setdefault("shape_errors", []).append(f"{name}: shape {v.shape}")
                    continue
            out[name] = v
        for key in ("status", "stop_time"):
            n = pick(key, ["runs", "", "trajectories", "summary"])
            if n is not None:
                v = f[n][()]
                if isinstance(v, np.ndarray) and v.ndim >= 1 and not is_reference:
                    v = v[run] if v.shape[0] > run else v.flat[0]
                meta[key] = v
            elif key in f.attrs:
                meta[key] = f.attrs[key]
    return out, coords, meta


def read_npz(path):
    out, coords, meta = {}, {}, {}
    with np.load(path, allow_pickle=False) as z:
        for k in z.files:
            if k in DIMS:
                out[k] = np.asarray(z[k], float)
            elif k in COORDS:
                coords[k] = np.asarray(z[k], float) if k == "time" else _strs(z[k])
            elif k in ("status", "stop_time"):
                meta[k] = z[k][()]
    return out, coords, meta


def read_any(path, run, is_reference=None):
    if path.endswith(".npz"):
        return read_npz(path)
    return read_h5(path, run, is_reference)


def norm_status(v):
    if v is None:
        return None
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.ndarray):
        v = v.flat[0] if v.size else None
        return norm_status(v)
    if isinstance(v, (int, np.integer)):
        return STATUS_CODES.get(int(v), str(int(v)))
    if isinstance(v, (float, np.floating)):
        return STATUS_CODES.get(int(v), str(v))
    return str(v)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("arcm", help="ARCM C++ results file (.h5)")
    ap.add_argument("reference", help="reference output of arcm_reference.py (.npz or .h5)")
    ap.add_argument("--run", type=int, default=0, help="run index in the ARCM file (default 0)")
    ap.add_argument("--slack", type=float, default=1.0, help="multiply every tolerance by this")
    ap.add_argument("--abs-floor", type=float, default=1e-12)
    ap.add_argument("--strict-floor", action="store_true",
                    help="read the floor as a floor on the denominator (|a-r| <= tol*max(|r|, floor)) "
                         "instead of an absolute tolerance (|a-r| <= max(tol*|r|, floor))")
    ap.add_argument("--tight", type=float, default=1e-5)
    ap.add_argument("--loose", type=float, default=1e-3)
    args = ap.parse_args(argv)
    try:
        A, Ac, Am = read_any(args.arcm, args.run)
        R, Rc, Rm = read_any(args.reference, 0, is_reference=True)
    except Exception as exc:  # noqa: BLE001
        print(f"cannot read input: {exc}", file=sys.stderr)
        return 2

    failures = 0
    for err in Am.get("shape_errors", []):
        print(f"SHAPE MISMATCH in ARCM file: {err}")
        failures += 1

    # time alignment
    tr = Rc.get("time")
    ta = Ac.get("time")
    if tr is None:
        print("reference has no time coordinate", file=sys.stderr)
        return 2
    if ta is None:
        ta = tr
    ia, ir = [], []
    for n, t in enumerate(tr):
        m = np.where(np.abs(np.asarray(ta) - t) <= 1e-6 * max(1.0, abs(t)))[0]
        if len(m):
            ia.append(int(m[0]))
            ir.append(n)
    if len(ir) != len(tr):
        print(f"note: {len(tr) - len(ir)} reference output times are missing in the ARCM file")
    ia, ir = np.array(ia, int), np.array(ir, int)

    # name alignment for actor / resource / beneficiary / bloc axes
    perm = {}
    for dim in ("actor", "resource", "beneficiary", "bloc", "kind"):
        rn, an = Rc.get(dim), Ac.get(dim)
        if rn is not None and an is not None and list(rn) != list(an):
            if sorted(rn) != sorted(an):
                print(f"{dim} coordinates differ: ARCM {an} vs reference {rn}")
                failures += 1
                perm[dim] = None
            else:
                perm[dim] = [list(an).index(x) for x in rn]

    sa, sr = norm_status(Am.get("status")), norm_status(Rm.get("status"))
    print(f"status: ARCM {sa}  reference {sr}")
    if sa is not None and sr is not None and sa != sr:
        print("STATUS MISMATCH")
        failures += 1
    if Am.get("stop_time") is not None and Rm.get("stop_time") is not None:
        st_a = float(np.asarray(Am["stop_time"]).flat[0])
        st_r = float(np.asarray(Rm["stop_time"]).flat[0])
        span = max(1.0, float(np.nanmax(tr) - np.nanmin(tr)))
        bad = not (abs(st_a - st_r) <= 1e-5 * span * args.slack)
        print(f"stop time: ARCM {st_a!r}  reference {st_r!r}  diff {st_a - st_r:.3g}"
              f"{'  STOP TIME MISMATCH (> 1e-5 of the run length)' if bad else ''}")
        failures += 1 if bad else 0

    header = (f"{'variable':26s} {'tol':>7s} {'max rel dev':>12s} {'dev/allow':>9s} {'worst at':40s} "
              f"{'reference':>14s} {'arcm':>14s}  result")
    print(header)
    print("-" * len(header))
    missing = []
    for name, dims in DIMS.items():
        if name not in R:
            continue
        if name not in A:
            missing.append(name)
            continue
        r = R[name][ir]
        a = A[name]
        if a.shape[1:] != R[name].shape[1:]:
            print(f"{name:26s} shape mismatch: ARCM {a.shape} vs reference {R[name].shape}  FAIL")
            failures += 1
            continue
        a = a[ia]
        bad_perm = False
        for ax, dim in enumerate(dims, start=1):
            if dim in perm:
                if perm[dim] is None:
                    bad_perm = True
                else:
                    a = np.take(a, perm[dim], axis=ax)
        if bad_perm:
            continue
        tol = (args.tight if name in TIGHT else args.loose) * args.slack
        both = np.concatenate([np.abs(r[np.isfinite(r)]), np.abs(a[np.isfinite(a)])])
        vmax = both.max() if both.size else 0.0
        floor = max(1e-6 * vmax, args.abs_floor)
        with np.errstate(invalid="ignore", divide="ignore"):
            diff = np.abs(a - r)
            if args.strict_floor:   # floor on the denominator: |a - r| <= tol * max(|r|, floor)
                allow = tol * np.maximum(np.abs(r), floor)
            else:                   # floor on the allowance: |a - r| <= max(tol * |r|, floor)
                allow = np.maximum(tol * np.abs(r), floor)
            ratio = diff / allow
            reldev = diff / np.maximum(np.abs(r), floor)
        nan_r, nan_a = np.isnan(r), np.isnan(a)
        ratio = np.where(nan_r & nan_a, 0.0, ratio)
        ratio = np.where(nan_r ^ nan_a, np.inf, ratio)
        reldev = np.where(nan_r & nan_a, 0.0, np.where(nan_r ^ nan_a, np.inf, reldev))
        if ratio.size == 0:
            continue
        idx = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
        worst = float(ratio[idx])
        where = [f"t={tr[ir[idx[0]]]:g}"]
        for ax, dim in enumerate(dims, start=1):
            names = Rc.get(dim)
            where.append(f"{dim}={names[idx[ax]] if names is not None and idx[ax] < len(names) else idx[ax]}")
        ok = worst <= 1.0
        failures += 0 if ok else 1
        print(f"{name:26s} {tol:7.0e} {float(np.max(reldev)):12.3e} {worst:9.2e} {' '.join(where):40s} "
              f"{r[idx]:14.7g} {a[idx]:14.7g}  {'ok' if ok else 'FAIL'}")
    if missing:
        print("not in ARCM file (not compared): " + ", ".join(missing))
    print(f"{failures} violation(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
