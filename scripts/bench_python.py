"""The Python module's per-run overhead and threads (issue 26; a benchmark, not a test).

    /usr/bin/python3 scripts/bench_python.py --arcm build/model/cli/arcm [--runs N]

Times, per baseline run (median over N):
  - `arcm run` as a subprocess (what Python users did before the module);
  - the run itself, the integration's own wall_seconds;
  - arcm.run(scenario) -> xarray.Dataset and arcm.Model(...)(**params) -> dict, in process;
and the speed-up of N runs on 2 Python threads over 1 (the GIL is released
while a run integrates). Target: per-run overhead from Python <= 2 x the run.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_OVERHEAD = 2.0


def load_module(arcm_binary):
    build = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(arcm_binary))))
    sys.path.insert(0, os.path.join(build, "python"))
    import arcm
    return arcm


def median_time(function, repeats):
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(arcm_binary, runs=200):
    arcm = load_module(arcm_binary)
    baseline = os.path.join(ROOT, "config", "scenarios", "baseline.yaml")
    scenario = arcm.load_scenario(baseline)
    for _ in range(5):  # warm caches and the import of xarray
        arcm.run(scenario)
    inside = statistics.median(arcm._arcm.simulate(scenario)["wall_seconds"] for _ in range(runs))
    in_process = median_time(lambda: arcm.run(scenario), runs)
    model = arcm.Model(scenario, outcomes=["price_final.pgm", "tension_final", "gini_final"])
    ema = median_time(lambda: model(**{"legal.property_security": 0.5}), runs)
    with tempfile.TemporaryDirectory(prefix="arcm-bench-py-") as folder:
        counter = iter(range(10**9))
        cli = median_time(lambda: subprocess.run(
            [arcm_binary, "run", baseline, "-o", os.path.join(folder, f"r{next(counter)}.h5"), "--quiet"],
            check=True, capture_output=True), max(10, runs // 10))

    def batch(threads):
        share = runs // threads

        def work():
            for _ in range(share):
                arcm.run(scenario)

        workers = [threading.Thread(target=work) for _ in range(threads)]
        started = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        return time.perf_counter() - started

    one, two = batch(1), batch(2)
    return {"runs": runs, "run_itself_s": inside, "arcm_run_s": in_process, "model_call_s": ema,
            "cli_subprocess_s": cli, "overhead_arcm_run": (in_process - inside) / inside,
            "overhead_model_call": (ema - inside) / inside, "target_overhead": TARGET_OVERHEAD,
            "threads_1_s": one, "threads_2_s": two, "speedup_2_threads": one / two, "cpus": os.cpu_count()}


def print_report(r):
    print("Python module, baseline run (median of %d):" % r["runs"])
    print("  the run itself (integration)   %7.2f ms" % (1e3 * r["run_itself_s"]))
    print("  arcm.run -> xarray.Dataset     %7.2f ms   overhead %.2f x the run (target <= %.1f)"
          % (1e3 * r["arcm_run_s"], r["overhead_arcm_run"], r["target_overhead"]))
    print("  arcm.Model(...)(**params)      %7.2f ms   overhead %.2f x the run"
          % (1e3 * r["model_call_s"], r["overhead_model_call"]))
    print("  `arcm run` as a subprocess     %7.2f ms" % (1e3 * r["cli_subprocess_s"]))
    print("  %d runs on 1 Python thread %.2f s, on 2 %.2f s: speed-up %.2f (%d cores)"
          % (r["runs"], r["threads_1_s"], r["threads_2_s"], r["speedup_2_threads"], r["cpus"]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arcm", default=os.path.join(ROOT, "build", "model", "cli", "arcm"))
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    print_report(run(args.arcm, args.runs))
