#!/usr/bin/python3
"""How accurate the baseline run is, and how much of its result is numerical noise
(issue 9: a speed-up is kept only if it changes no result beyond tolerance).

1. A reference: the baseline at relative and absolute tolerance 1e-12.
2. The baseline as shipped (rtol = atol = 1e-6), and P copies whose relative tolerance
   differs by j * 1e-9 relative (j = 1..P): a change no user could care about, which
   only moves the step controller's accept/reject decisions.
3. For each trajectory variable, the largest error against the reference relative to
   max(|reference|, 1e-6 x the variable's largest |value|) (the floor of docs/model.md §11);
   per run, the geometric mean of these over the variables.
4. The same for the summary in tests/regression/golden/baseline_summary.txt, so a
   golden file written by an earlier integrator can be judged against the same band.

A change of the numerics (step control, arithmetic) keeps the results "within
tolerance" when the shipped baseline's errors lie inside the band the perturbed runs
span. Numbers only; it judges nothing.

usage: bench_accuracy.py --arcm PATH [--perturbations P] [--golden FILE] [--json FILE]
Called by scripts/bench.py (`scripts/bench --only accuracy`).
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASELINE = os.path.join(ROOT, "config", "scenarios", "baseline.yaml")
GOLDEN = os.path.join(ROOT, "tests", "regression", "golden", "baseline_summary.txt")


def run(arcm, folder, name, integrator):
    scenario = os.path.join(folder, name + ".yaml")
    with open(scenario, "w") as out:
        out.write("extends: %s\nname: %s\nintegrator:\n" % (BASELINE, name))
        for key, value in integrator.items():
            out.write("  %s: %r\n" % (key, value))
    target = os.path.join(folder, name + ".h5")
    subprocess.run([arcm, "run", scenario, "-o", target, "--quiet", "--force"], check=True,
                   stdout=subprocess.DEVNULL)  # replaces the previous bench's file
    return target


def relative_errors(values, reference):
    """Largest error relative to max(|ref|, 1e-6 max|ref|), NaN-safe."""
    values = np.asarray(values, dtype=float)
    reference = np.asarray(reference, dtype=float)
    finite = np.isfinite(reference)
    if not finite.any():
        return 0.0
    floor = 1e-6 * np.max(np.abs(reference[finite]))
    with np.errstate(invalid="ignore", divide="ignore"):
        error = np.abs(values - reference) / np.maximum(np.abs(reference), floor)
    error = error[np.isfinite(error)]
    return float(error.max()) if error.size else 0.0


def trajectory_errors(path, reference):
    out = {}
    with h5py.File(path, "r") as run_file:
        for name, dataset in reference["trajectories"].items():
            if dataset.ndim < 2 or dataset.dtype.kind != "f":
                continue
            out[name] = relative_errors(run_file["trajectories"][name][0], dataset[0])
        counts = {key: int(run_file["runs"][key][0]) for key in ("rhs_evaluations", "accepted_steps", "rejected_steps")}
    return out, counts


def read_golden(path):
    values = {}
    with open(path) as lines:
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            key, value = line.split()
            name, index = key[:-1].split("[")
            values.setdefault(name, {})[int(index)] = float(value)
    return {name: np.array([v[i] for i in sorted(v)]) for name, v in values.items()}


def summary_errors(values, reference):
    """values: name -> flat array; reference: the /summary group of the reference file."""
    out = {}
    for name, flat in values.items():
        if name not in reference or name in ("stop_time", "firm_overtake_year"):
            continue
        out[name] = relative_errors(flat, reference[name][0].ravel())
    return out


def geometric_mean(errors):
    return math.exp(sum(math.log(max(e, 1e-16)) for e in errors) / len(errors))


def run_all(arcm, perturbations=20, golden=GOLDEN):
    with tempfile.TemporaryDirectory(prefix="arcm-accuracy-") as folder:
        reference_path = run(arcm, folder, "reference",
                             {"relative_tolerance": 1e-12, "absolute_tolerance": 1e-12, "max_steps": 10000000})
        reference = h5py.File(reference_path, "r")
        rows = []
        for j in range(perturbations + 1):
            rtol = 1e-6 * (1 + j * 1e-9)
            path = run(arcm, folder, "perturbed_%d" % j, {"relative_tolerance": rtol})
            errors, counts = trajectory_errors(path, reference)
            with h5py.File(path, "r") as f:
                summary = {name: f["summary"][name][0].ravel() for name in f["summary"]
                           if f["summary"][name].ndim >= 1 and f["summary"][name].shape[0] == 1
                           and f["summary"][name].dtype.kind == "f"}
            rows.append({"relative_tolerance": rtol, "trajectory_errors": errors,
                         "trajectory_geomean": geometric_mean(errors.values()),
                         "summary_geomean": geometric_mean(summary_errors(summary, reference["summary"]).values()),
                         **counts})
        golden_errors = summary_errors(read_golden(golden), reference["summary"]) if os.path.exists(golden) else {}
        reference.close()
    band = rows[1:] or rows
    result = {
        "perturbations": perturbations,
        "baseline": rows[0],
        "band": {key: {"min": min(r[key] for r in band), "median": float(np.median([r[key] for r in band])),
                       "max": max(r[key] for r in band)}
                 for key in ("trajectory_geomean", "summary_geomean", "rhs_evaluations", "rejected_steps")},
        "golden_summary_geomean": geometric_mean(golden_errors.values()) if golden_errors else None,
        "runs": rows,
    }
    return result


def print_report(result):
    b, band = result["baseline"], result["band"]
    print("accuracy of the baseline against a 1e-12 reference (error relative to max(|ref|, 1e-6 max|ref|)),")
    print("and the band of %d runs whose relative tolerance differs by j x 1e-9 relative:" % result["perturbations"])
    print("%-34s %12s %12s %12s %12s" % ("", "baseline", "band min", "median", "max"))
    for key, label, fmt in (("trajectory_geomean", "trajectories: geo-mean of max error", "%12.3g"),
                            ("summary_geomean", "summary: geo-mean of max error", "%12.3g"),
                            ("rhs_evaluations", "RHS evaluations", "%12d"),
                            ("rejected_steps", "rejected steps", "%12d")):
        print("%-34s " % label + fmt % b[key] + "".join((fmt % band[key][s]) if "d" not in fmt
                                                        else "%12.0f" % band[key][s] for s in ("min", "median", "max")))
    if result["golden_summary_geomean"] is not None:
        print("golden summary file: geo-mean of max error %.3g" % result["golden_summary_geomean"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arcm", required=True)
    parser.add_argument("--perturbations", type=int, default=20)
    parser.add_argument("--golden", default=GOLDEN)
    parser.add_argument("--json")
    args = parser.parse_args()
    result = run_all(args.arcm, args.perturbations, args.golden)
    print_report(result)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=2)


if __name__ == "__main__":
    sys.exit(main())
