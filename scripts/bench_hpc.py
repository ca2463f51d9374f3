#!/usr/bin/python3
"""Scaling of one sweep over ranks x threads, job-array shards and the merge (issue 7,
docs/hpc.md "Measured here"). Numbers only; it judges nothing, except that every
configuration's file must hold the same datasets as the one-process file.

The sweep is config/sweeps/launch_cost_lhs.yaml (full baseline 2025-2075, 14 parameters,
summary only, ensemble of every trajectory variable) cut to RUNS runs. Each configuration
runs `repeats` times and the median wall time is reported, with the CPU time (user +
system of every process) of that run; the load average before and after is printed
because a shared machine's wall times mean little.

usage: bench_hpc.py --arcm PATH [--runs N] [--repeats K] [--json FILE]
Called by scripts/bench.py (`scripts/bench --only hpc`).
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SWEEP = os.path.join(ROOT, "config", "sweeps", "launch_cost_lhs.yaml")
COMPARE = os.path.join(ROOT, "tests", "tools", "compare_datasets.py")
MPI_ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def cut_sweep(folder, runs):
    """launch_cost_lhs.yaml with `runs` runs and its scenario path made absolute."""
    with open(SWEEP) as source:
        text = source.read()
    text = text.replace("runs: 2000", "runs: %d" % runs)
    text = text.replace("scenario: ../scenarios/baseline.yaml",
                        "scenario: " + os.path.join(ROOT, "config", "scenarios", "baseline.yaml"))
    path = os.path.join(folder, "scaling.yaml")
    with open(path, "w") as out:
        out.write(text)
    return path


def timed(commands, env=None):
    """Run the commands one after the other; wall time and CPU time of all children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    for command in commands:
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError("%s failed (%d):\n%s%s" % (" ".join(command), result.returncode, result.stdout,
                                                          result.stderr))
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def same_datasets(a, b):
    return subprocess.run([sys.executable, COMPARE, a, b], capture_output=True).returncode == 0


def configurations(arcm, sweep, folder, mpiexec):
    """name -> (description, function(output) -> list of commands, env)."""
    def single(threads):
        return lambda out: [[arcm, "sweep", sweep, "-o", out, "--threads", str(threads), "--quiet", "--force"]]

    def mpi(ranks, threads):
        return lambda out: [[mpiexec, "-n", str(ranks), "--oversubscribe", "--bind-to", "none", "-x",
                             "OMP_NUM_THREADS", arcm, "sweep", sweep, "-o", out, "--threads", str(threads),
                             "--quiet", "--force"]]

    def shards(count, threads):
        def commands(out):
            shard_dir = os.path.join(folder, "shards")
            shutil.rmtree(shard_dir, ignore_errors=True)
            os.makedirs(shard_dir)
            made = [[arcm, "sweep", sweep, "--shard", "%d/%d" % (i, count), "--runs-dir", shard_dir, "--threads",
                     str(threads), "--quiet"] for i in range(count)]
            # The merge needs the shard names, known only once they exist: a small shell step.
            merge = ["/bin/sh", "-c", '"$0" merge "$1"/*.shard-*.h5 -o "$2" --quiet --force', arcm, shard_dir, out]
            return made + [merge]
        return commands

    table = [("1x1", "arcm sweep --threads 1", single(1), None),
             ("1x2", "arcm sweep --threads 2", single(2), None)]
    if mpiexec:
        table += [("2x1", "mpirun -n 2, 1 thread each", mpi(2, 1), dict(MPI_ENV, OMP_NUM_THREADS="1")),
                  ("3x1", "mpirun -n 3 (oversubscribed)", mpi(3, 1), dict(MPI_ENV, OMP_NUM_THREADS="1")),
                  ("2x2", "mpirun -n 2, 2 threads each (oversubscribed)", mpi(2, 2),
                   dict(MPI_ENV, OMP_NUM_THREADS="2"))]
    table += [("4 shards x1 + merge", "4 shards one after the other, 1 thread each, then arcm merge",
               shards(4, 1), None)]
    return table


def run_all(arcm, runs=1000, repeats=3):
    mpiexec = shutil.which("mpiexec") or shutil.which("mpirun")
    version = subprocess.run([arcm, "--version"], capture_output=True, text=True).stdout
    with tempfile.TemporaryDirectory(prefix="arcm-bench-hpc-") as folder:
        sweep = cut_sweep(folder, runs)
        load_before = os.getloadavg()
        rows = []
        reference = os.path.join(folder, "reference.h5")
        for name, how, commands, env in configurations(arcm, sweep, folder, mpiexec):
            walls, cpus = [], []
            identical = True
            for _ in range(repeats):
                out = os.path.join(folder, "out.h5")
                if os.path.exists(out):
                    os.remove(out)
                wall, cpu = timed(commands(out), env)
                walls.append(wall)
                cpus.append(cpu)
                if name == "1x1" and not os.path.exists(reference):
                    shutil.copy(out, reference)
                else:
                    identical = identical and same_datasets(reference, out)
            middle = sorted(range(repeats), key=lambda i: walls[i])[repeats // 2]
            rows.append({"configuration": name, "how": how, "wall_s": walls[middle], "cpu_s": cpus[middle],
                         "runs_per_s": runs / walls[middle], "cpu_ms_per_run": 1000 * cpus[middle] / runs,
                         "walls_s": walls, "datasets_identical_to_1x1": identical})
        load_after = os.getloadavg()
    base = rows[0]["wall_s"]
    for row in rows:
        row["speedup_vs_1x1"] = base / row["wall_s"]
    return {"runs": runs, "repeats": repeats, "sweep": "launch_cost_lhs cut to %d runs" % runs,
            "mpiexec": mpiexec, "arcm": version.strip(), "load_average_before": load_before,
            "load_average_after": load_after, "configurations": rows}


def print_report(result):
    print("sweep scaling: %s, median of %d; load average %.2f %.2f %.2f before, %.2f %.2f %.2f after"
          % ((result["sweep"], result["repeats"]) + tuple(result["load_average_before"])
             + tuple(result["load_average_after"])))
    print("%-22s %9s %9s %9s %12s %8s  %s" % ("ranks x threads", "wall s", "runs/s", "CPU s", "CPU ms/run",
                                               "speedup", "datasets = 1x1"))
    for row in result["configurations"]:
        print("%-22s %9.2f %9.1f %9.2f %12.2f %8.2f  %s" % (row["configuration"], row["wall_s"], row["runs_per_s"],
                                                            row["cpu_s"], row["cpu_ms_per_run"],
                                                            row["speedup_vs_1x1"],
                                                            "yes" if row["datasets_identical_to_1x1"] else "NO"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arcm", required=True)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args()
    result = run_all(args.arcm, args.runs, args.repeats)
    print_report(result)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=2)
    return 0 if all(r["datasets_identical_to_1x1"] for r in result["configurations"]) else 1


if __name__ == "__main__":
    sys.exit(main())
