#!/usr/bin/python3
"""ARCM benchmarks: sweep throughput and scaling, peak memory against the number
of runs, and the cost of storing full trajectories. Prints numbers; judges
nothing. Peak memory is measured from outside the process (the kernel's
maximum resident set size of the child, via getrusage).

usage: bench.py --arcm PATH [--quick] [--only sweep_scaling,memory,trajectories,model,accuracy,hpc] [--json FILE]
"""
import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASELINE = os.path.join(ROOT, "config", "scenarios", "baseline.yaml")
SHORT = os.path.join(ROOT, "tests", "data", "sweeps", "short_baseline.yaml")


def sweep_file(folder, name, scenario, runs, trajectories="none", ensemble="all", compression="deflate",
               precision="float64"):
    path = os.path.join(folder, name + ".yaml")
    with open(path, "w") as out:
        out.write("""name: %s
scenario: %s
seed: 1
design:
  type: latin_hypercube
  runs: %d
  parameters:
    actors.spacex.progress_ratio: {uniform: [0.75, 0.95]}
    resources.pgm.elasticity: {uniform: [0.2, 1.0]}
    legal.property_security: {uniform: [0.3, 1.0]}
    legal.benefit_sharing_rate: {uniform: [0.0, 0.07]}
output:
  trajectories: %s
  ensemble: %s
  compression: %s
  precision: %s
""" % (name, scenario, runs, trajectories, ensemble, compression, precision))
    return path


def measure(command):
    """Wall time [s] and peak resident memory [MiB] of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    # A fresh child per measurement: RUSAGE_CHILDREN's maximum is over all
    # children, so each measurement runs in its own grandchild via a shell.
    wrapper = [sys.executable, "-c",
               "import resource,subprocess,sys;"
               "r=subprocess.run(sys.argv[1:]);"
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);"
               "sys.exit(r.returncode)"] + command
    result = subprocess.run(wrapper, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError("%s failed:\n%s%s" % (" ".join(command), result.stdout, result.stderr))
    peak_kib = int(result.stdout.strip().splitlines()[-1])
    del before
    return elapsed, peak_kib / 1024.0


def run_sweep(arcm, yaml_path, output, threads):
    if os.path.exists(output):
        os.remove(output)
    return measure([arcm, "sweep", yaml_path, "-o", output, "--threads", str(threads), "--quiet"])


def bench_sweep_scaling(arcm, folder, quick):
    """1 and 2 threads, alternately, `repeats` times each: a shared virtual machine's speed
    drifts over seconds, so one pair of timings can be off by 20 %; the medians are reported
    and every timing is kept in the JSON. 4,000 runs (about 20 s on one thread) so that the
    ~0.2 s a sweep spends starting and finishing (process, file, final /ensemble) weighs
    little: with 1,000 runs it alone capped the speedup near 1.9."""
    runs = 400 if quick else 4000
    repeats = 3 if quick else 5
    path = sweep_file(folder, "scaling", BASELINE, runs)
    walls = {1: [], 2: []}
    peaks = {1: [], 2: []}
    for _ in range(repeats):
        for threads in (1, 2):
            wall, peak = run_sweep(arcm, path, os.path.join(folder, "scaling.h5"), threads)
            walls[threads].append(wall)
            peaks[threads].append(peak)
    results = {}
    for threads in (1, 2):
        wall = statistics.median(walls[threads])
        results[threads] = {"wall_s": wall, "runs_per_s": runs / wall, "peak_mib": max(peaks[threads]),
                            "wall_s_each": walls[threads]}
    speedup = results[1]["wall_s"] / results[2]["wall_s"]
    pairs = sorted(a / b for a, b in zip(walls[1], walls[2]))
    return {"runs": runs, "repeats": repeats, "scenario": "baseline (2025-2075)", "threads_1": results[1],
            "threads_2": results[2], "speedup_2_threads": speedup, "speedup_of_each_pair": pairs,
            "target_speedup": 1.8}


def bench_memory(arcm, folder, quick):
    sizes = (2000, 20000) if quick else (10000, 100000)
    out = {}
    for runs in sizes:
        path = sweep_file(folder, "memory_%d" % runs, SHORT, runs)
        wall, peak = run_sweep(arcm, path, os.path.join(folder, "memory.h5"), 2)
        out[str(runs)] = {"wall_s": wall, "peak_mib": peak, "runs_per_s": runs / wall}
    small, large = (out[str(s)]["peak_mib"] for s in sizes)
    return {"scenario": "baseline shortened to 2025-2045, summary only, ensemble of every variable",
            "runs": out, "peak_growth": large / small - 1.0, "target_growth": 0.10}


def bench_trajectories(arcm, folder, quick):
    runs = 200 if quick else 1000
    variants = {
        "summary_only": dict(trajectories="none"),
        "full_deflate_float64": dict(trajectories="all"),
        "full_deflate_float32": dict(trajectories="all", precision="float32"),
        "full_uncompressed_float64": dict(trajectories="all", compression="none"),
    }
    out = {"runs": runs, "scenario": "baseline (2025-2075), ensemble of every variable, 2 threads"}
    for name, options in variants.items():
        path = sweep_file(folder, name, BASELINE, runs, **options)
        target = os.path.join(folder, name + ".h5")
        wall, _ = run_sweep(arcm, path, target, 2)
        out[name] = {"wall_s": wall, "file_mib": os.path.getsize(target) / 2**20}
    base = out["summary_only"]["wall_s"]
    for name in variants:
        out[name]["extra_cost"] = out[name]["wall_s"] / base - 1.0
    out["target_extra_cost"] = 0.15
    return out


def bench_model(arcm, folder, quick):
    """One model run's cost and where it goes: scripts/bench_model.py (issue 9) prints its own table."""
    del folder
    import bench_model as model
    return model.run(model.bench_path_from_arcm(arcm), quick)


def bench_accuracy(arcm, folder, quick):
    """The baseline's error against a 1e-12 reference and the noise band of its step control:
    scripts/bench_accuracy.py (issue 9)."""
    del folder
    import bench_accuracy as accuracy
    result = accuracy.run_all(arcm, 8 if quick else 20)
    accuracy.print_report(result)
    return result


def bench_hpc(arcm, folder, quick):
    """Ranks x threads, shards and merge on one sweep: scripts/bench_hpc.py (issue 7)."""
    del folder
    import bench_hpc as hpc
    result = hpc.run_all(arcm, 300 if quick else 1000, 1 if quick else 3)
    hpc.print_report(result)
    return result


BENCHES = {"sweep_scaling": bench_sweep_scaling, "memory": bench_memory, "trajectories": bench_trajectories,
           "model": bench_model, "accuracy": bench_accuracy, "hpc": bench_hpc}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arcm", required=True)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (minutes instead of ~10 min)")
    parser.add_argument("--only", default=",".join(BENCHES), help="comma-separated subset of " + ", ".join(BENCHES))
    parser.add_argument("--json", help="where to write the results (default runs/bench-<UTC>.json)")
    args = parser.parse_args()
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    report = {"created_utc": stamp, "machine": {"cpus": os.cpu_count(), "uname": " ".join(os.uname())},
              "arcm": subprocess.run([args.arcm, "--version"], capture_output=True, text=True).stdout.strip()}
    with tempfile.TemporaryDirectory(prefix="arcm-bench-") as folder:
        for name in args.only.split(","):
            print("running %s ..." % name, file=sys.stderr, flush=True)
            report[name] = BENCHES[name](args.arcm, folder, args.quick)
    print("\nARCM benchmarks (%s)" % report["arcm"])
    if "sweep_scaling" in report:
        s = report["sweep_scaling"]
        print("sweep of %d baseline runs (median of %d): %.1f runs/s on 1 thread, %.1f runs/s on 2, speedup %.2f "
              "(target >= %.1f; pairs %s)"
              % (s["runs"], s["repeats"], s["threads_1"]["runs_per_s"], s["threads_2"]["runs_per_s"],
                 s["speedup_2_threads"], s["target_speedup"], " ".join("%.2f" % p for p in s["speedup_of_each_pair"])))
    if "memory" in report:
        m = report["memory"]
        for runs, row in m["runs"].items():
            print("summary-only sweep of %7s runs: peak %.1f MiB, %.0f runs/s" % (runs, row["peak_mib"],
                                                                                row["runs_per_s"]))
        print("peak memory growth from the smaller to the larger sweep: %+.1f %% (target within %.0f %%)"
              % (100 * m["peak_growth"], 100 * m["target_growth"]))
    if "trajectories" in report:
        t = report["trajectories"]
        print("%d baseline runs on 2 threads (target: full trajectories <= %+.0f %% over summary only):"
              % (t["runs"], 100 * t["target_extra_cost"]))
        for name in ("summary_only", "full_deflate_float64", "full_deflate_float32", "full_uncompressed_float64"):
            row = t[name]
            print("  %-27s %7.2f s  %+6.1f %%  file %7.1f MiB" % (name, row["wall_s"], 100 * row["extra_cost"],
                                                                  row["file_mib"]))
    path = args.json or os.path.join(ROOT, "runs", "bench-%s.json" % stamp)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as out:
        json.dump(report, out, indent=2)
    print("written to %s" % path)


if __name__ == "__main__":
    main()
