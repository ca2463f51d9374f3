#!/usr/bin/python3
"""ARCM model-run cost (issue 9): runs the arcm_bench executable, prints its
table and the scaling exponents, and writes JSON. Numbers only; it judges
nothing.

For the baseline and a copy with twice the actors: median CPU time per run
(pinned to one core), RHS evaluations, accepted/rejected steps, time per RHS
evaluation, the share of time in market clearing / the rest of the RHS / the
stepper / output / driver, and the ratio to the tight-loop lower bound. The
baseline's summary is compared with the golden regression file. With
scaling, the cost for 5/10/20/40 actors x 1/3/6 resources and least-squares
exponents of cost against N, M and N*M, also for the cost of the accepted
steps alone (how a run would grow if no step failed and nothing outside the
right-hand side cost anything).

usage: bench_model.py [--bench PATH/arcm_bench] [--arcm PATH/arcm] [--quick] [--repeats K] [--json FILE]
Called by scripts/bench.py (`scripts/bench --only model`).
"""
import argparse
import datetime
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def bench_path_from_arcm(arcm):
    """arcm_bench sits in the same build tree as arcm: BUILD/model/cli/arcm -> BUILD/bench/arcm_bench."""
    build = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(arcm))))
    return os.path.join(build, "bench", "arcm_bench")


def slope(xs, ys):
    """Least-squares slope of log(ys) against log(xs)."""
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    sxx = sum((a - mx) ** 2 for a in lx)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sxx if sxx > 0 else float("nan")


def exponents(grid):
    """Cost exponents from the scaling grid: per resource count against N, per
    actor count against M, and overall against N*M (both run time and time per RHS evaluation)."""
    out = {"run_vs_actors": {}, "run_vs_resources": {}, "rhs_vs_actors": {}}
    for m in sorted({g["resources"] for g in grid}):
        rows = [g for g in grid if g["resources"] == m]
        out["run_vs_actors"]["M=%d" % m] = slope([g["actors"] for g in rows], [g["median_ms"] for g in rows])
        out["rhs_vs_actors"]["M=%d" % m] = slope([g["actors"] for g in rows], [g["us_per_rhs"] for g in rows])
    for n in sorted({g["actors"] for g in grid}):
        rows = [g for g in grid if g["actors"] == n]
        out["run_vs_resources"]["N=%d" % n] = slope([g["resources"] for g in rows], [g["median_ms"] for g in rows])
    size = [g["actors"] * g["resources"] for g in grid]
    out["run_vs_actors_x_resources"] = slope(size, [g["median_ms"] for g in grid])
    out["rhs_vs_actors_x_resources"] = slope(size, [g["us_per_rhs"] for g in grid])
    out["rhs_evaluations_vs_actors_x_resources"] = slope(size, [g["rhs_evaluations"] for g in grid])
    # RHS evaluations against the switches a run had to get past (investment
    # switches, provider changes, entries): a straight line by least squares.
    # (None when the bench did not count them, or they do not vary.)
    out["rhs_evaluations_per_switch"] = out["rhs_evaluations_without_switches"] = None
    out["switches_per_plant"] = None
    if all("switches" in g for g in grid):
        events = [sum(g["switches"][k] for k in ("investment", "provider", "entries")) for g in grid]
        evaluations = [g["rhs_evaluations"] for g in grid]
        me, mv = sum(events) / len(events), sum(evaluations) / len(evaluations)
        see = sum((e - me) ** 2 for e in events)
        if see > 0:
            per_switch = sum((e - me) * (v - mv) for e, v in zip(events, evaluations)) / see
            out["rhs_evaluations_per_switch"] = per_switch
            out["rhs_evaluations_without_switches"] = mv - per_switch * me
        # How the switches grow: per plant (actor x resource) in each case.
        out["switches_per_plant"] = {g["name"]: e / (g["actors"] * g["resources"]) for g, e in zip(grid, events)}
    # How the run would grow if no step failed: the accepted steps alone, 6 RHS
    # evaluations each (dopri5 reuses its last stage), at the tight loop's time
    # per evaluation; no rejected step, no location, no output, no driver.
    # Every kink or jump a plant brings still needs a step to end near it, so
    # the accepted steps grow with the plants; this is how far a single-rate
    # stepper that never failed a step could get (docs/performance.md).
    out["accepted_steps_only"] = None
    if all("accepted_steps" in g and "lower_bound_us_per_rhs" in g for g in grid):
        cost = [6 * g["accepted_steps"] * g["lower_bound_us_per_rhs"] / 1000.0 for g in grid]
        only = {"ms": {g["name"]: c for g, c in zip(grid, cost)}, "vs_actors": {}}
        for m in sorted({g["resources"] for g in grid}):
            rows = [(g["actors"], c) for g, c in zip(grid, cost) if g["resources"] == m]
            only["vs_actors"]["M=%d" % m] = slope([r[0] for r in rows], [r[1] for r in rows])
        only["vs_actors_x_resources"] = slope(size, cost)
        out["accepted_steps_only"] = only
    return out


def run(bench, quick=False, repeats=None, scaling=True):
    repeats = repeats or (7 if quick else 21)
    with tempfile.TemporaryDirectory(prefix="arcm-bench-model-") as folder:
        out = os.path.join(folder, "model.json")
        command = [bench, "--repeats", str(repeats), "--json", out,
                   "--scenario", os.path.join(ROOT, "config", "scenarios", "baseline.yaml"),
                   "--golden", os.path.join(ROOT, "tests", "regression", "golden", "baseline_summary.txt")]
        if scaling:
            command.append("--scaling")
        # One core, so "ms of one core" means what it says; CPU time is measured inside.
        if shutil.which("taskset"):
            command = ["taskset", "-c", str(os.cpu_count() - 1)] + command
        with open("/proc/loadavg") as f:
            load_before = f.read().split()[:3]
        subprocess.run(command, check=True, cwd=ROOT)
        with open("/proc/loadavg") as f:
            load_after = f.read().split()[:3]
        with open(out) as f:
            report = json.load(f)
    report["load_average_before"] = [float(v) for v in load_before]
    report["load_average_after"] = [float(v) for v in load_after]
    report["targets"] = {"baseline_ms": 2.0, "ratio_to_lower_bound": 1.5, "growth": "at most linear in actors x resources",
                         "foresight_ratio": 20.0}
    if report.get("scaling"):
        report["exponents"] = exponents(report["scaling"])
        e = report["exponents"]
        print("\ncost exponents (least squares on log-log): run time ~ (N*M)^%.2f, time per RHS ~ (N*M)^%.2f, "
              "RHS evaluations ~ (N*M)^%.2f" % (e["run_vs_actors_x_resources"], e["rhs_vs_actors_x_resources"],
                                               e["rhs_evaluations_vs_actors_x_resources"]))
        if e["rhs_evaluations_per_switch"] is not None:
            print("  RHS evaluations ~ %.0f + %.1f per switch (investment, provider, entry)"
                  % (e["rhs_evaluations_without_switches"], e["rhs_evaluations_per_switch"]))
        if e["switches_per_plant"] is not None:
            print("  switches per plant: " + ", ".join("%s %.2f" % kv for kv in e["switches_per_plant"].items()))
        print("  run time vs N: " + ", ".join("%s %.2f" % kv for kv in e["run_vs_actors"].items()))
        print("  run time vs M: " + ", ".join("%s %.2f" % kv for kv in e["run_vs_resources"].items()))
        only = e["accepted_steps_only"]
        if only is not None:
            print("  accepted steps only (6 RHS each at the tight loop's time; no failed step, output or driver): "
                  "~ (N*M)^%.2f; vs N: %s" % (only["vs_actors_x_resources"],
                                              ", ".join("%s %.2f" % kv for kv in only["vs_actors"].items())))
    print("load average before/after: %s / %s" % (" ".join(load_before), " ".join(load_after)))
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", help="the arcm_bench executable")
    parser.add_argument("--arcm", help="the arcm executable (arcm_bench is looked up in the same build tree)")
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--repeats", type=int, help="runs per case (default 21, quick 7)")
    parser.add_argument("--no-scaling", action="store_true", help="skip the actors x resources grid")
    parser.add_argument("--json", help="where to write the results (default runs/bench-model-<UTC>.json)")
    args = parser.parse_args()
    bench = args.bench or bench_path_from_arcm(args.arcm or os.path.join(ROOT, "build", "model", "cli", "arcm"))
    report = run(bench, args.quick, args.repeats, not args.no_scaling)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = args.json or os.path.join(ROOT, "runs", "bench-model-%s.json" % stamp)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as out:
        json.dump(report, out, indent=2)
    print("written to %s" % path)


if __name__ == "__main__":
    sys.exit(main())
