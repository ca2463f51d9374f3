#!/usr/bin/python3
"""End-to-end tests of shards, merge, status and MPI sweeps through the real binary.

usage: test_hpc_cli.py ARCM_BINARY WORKDIR GROUP [MPIEXEC]
GROUP: shards (shards, merge, status, refusals) or mpi (needs MPIEXEC, e.g. /usr/bin/mpiexec).

Every file is compared dataset by dataset, bit for bit, with a single-process
sweep by tests/tools/compare_datasets.py. Each test prints PASS/FAIL; the
closing line is 'N passed, M failed'.
"""
import glob
import os
import shutil
import signal
import subprocess
import sys
import time

os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")  # read partials while rank 0 writes them
import h5py  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from runner import run_command, run_tests, same_datasets  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SWEEP = os.path.join(HERE, "data", "hpc_lhs.yaml")
LONG_SWEEP = os.path.join(HERE, "data", "hpc_lhs_long.yaml")  # 3000 runs: ~2 s of one core
OTHER = os.path.join(HERE, "data", "hpc_other.yaml")
FAILING = os.path.join(HERE, "..", "data", "sweeps", "scenarios_with_failure.yaml")

ARCM = sys.argv[1]
WORK = sys.argv[2]
GROUP = sys.argv[3]
MPIEXEC = sys.argv[4] if len(sys.argv) > 4 else "mpiexec"
EXIT_RUN_FAILED, EXIT_USAGE, EXIT_IO, EXIT_INTERRUPTED = 1, 2, 4, 6
MPI_ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMP_NUM_THREADS="1")


def path(name):
    return os.path.join(WORK, name)


def run(command, check=None, env=None):
    return run_command(command, check, env=env)


def arcm(*args, check=None):
    return run([ARCM, *args], check=check)


def mpirun(ranks, *args, check=None):
    command = [MPIEXEC, "-n", str(ranks), "--oversubscribe", "--bind-to", "none", "-x", "OMP_NUM_THREADS",
               ARCM, *args]
    return run(command, check=check, env=MPI_ENV)


def interrupted(command, partial):
    """Starts an arcm sweep and sends SIGTERM as soon as its NAME.partial exists; returns its exit code."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline and process.poll() is None and not os.path.exists(partial):
        time.sleep(0.002)
    # At once: a shard of these short runs takes only ~0.1 s of one core. The
    # stop flag is armed before NAME.partial is created, so the signal is never lost.
    process.send_signal(signal.SIGTERM)
    process.communicate()
    return process.returncode


def reference(sweep=SWEEP):
    """The single-process sweep every other file of `sweep` is compared with."""
    target = path("reference-%s.h5" % os.path.splitext(os.path.basename(sweep))[0])
    if not os.path.exists(target):
        arcm("sweep", sweep, "-o", target, "--threads", "1", "--quiet", check=0)
    return target


def shard_files(directory, sweep=SWEEP, count=5, threads="2"):
    """The shards of `sweep` in `directory`, made once."""
    found = sorted(glob.glob(os.path.join(directory, "*.shard-*.h5")))
    if len(found) == count:
        return found
    os.makedirs(directory, exist_ok=True)
    for i in range(count):
        arcm("sweep", sweep, "--shard", "%d/%d" % (i, count), "--runs-dir", directory, "--threads", threads,
             "--quiet", check=0)
    return sorted(glob.glob(os.path.join(directory, "*.shard-*.h5")))


# ---- shards, merge, status --------------------------------------------------------------------------------

def test_shards_merge_to_the_single_process_file():
    files = shard_files(path("shards"))
    assert [os.path.basename(f) for f in files] == ["hpc_lhs.shard-%04d-of-0005.h5" % i for i in range(5)], files
    with h5py.File(files[1], "r") as f:  # shard 1 of 5 holds runs 60..119 with sweep-wide indices
        assert list(f["runs/run"][[0, -1]]) == [60, 119]
        assert f["trajectories/capacity"].dtype == "float64"  # the float64 copy merge rebuilds /ensemble from
    merged = path("merged.h5")
    result = arcm("merge", *reversed(files), "-o", merged, check=0)  # any order
    assert "merged 5 shards, 300 runs" in result.stdout, result.stdout
    assert not os.path.exists(merged + ".partial")
    report = same_datasets(reference(), merged)
    assert " 0 differ" in report and int(report.split()[0]) > 50, report
    with h5py.File(merged, "r") as f:
        assert "capacity" not in f["trajectories"] and f["trajectories/price"].dtype == "float32"
        assert f["checkpoint"].attrs["next_run"][0] == 300
        assert f.attrs["processes"][0] == 5


def test_failed_runs_survive_sharding():
    directory = path("failing")
    os.makedirs(directory)
    for i in range(3):
        arcm("sweep", FAILING, "--shard", "%d/3" % i, "--runs-dir", directory, "--quiet")
    single = path("failing_single.h5")
    arcm("sweep", FAILING, "-o", single, "--quiet", check=EXIT_RUN_FAILED)
    merged = path("failing_merged.h5")
    result = arcm("merge", *glob.glob(os.path.join(directory, "*.h5")), "-o", merged, check=0)
    assert "(2 failed)" in result.stdout, result.stdout
    same_datasets(single, merged)
    status = arcm("status", directory, check=EXIT_RUN_FAILED).stdout
    assert "2 failed runs" in status and "--retry-failed" in status and "--array=" not in status, status


def test_merge_refuses_another_definition():
    files = shard_files(path("shards"))
    other = path("other")
    os.makedirs(other)
    arcm("sweep", OTHER, "--shard", "2/5", "--runs-dir", other, "--quiet", check=0)
    mixed = files[:2] + glob.glob(os.path.join(other, "*.h5")) + files[3:]
    result = arcm("merge", *mixed, "-o", path("never.h5"), check=EXIT_IO)
    assert "different sweep definitions" in result.stderr, result.stderr
    assert not os.path.exists(path("never.h5")) and not os.path.exists(path("never.h5.partial"))


def test_merge_refuses_a_duplicated_shard():
    files = shard_files(path("shards"))
    duplicate = path("copy-of-shard-2.h5")
    shutil.copy(files[2], duplicate)
    result = arcm("merge", *files, duplicate, "-o", path("never.h5"), check=EXIT_IO)
    assert "runs 120..179 are in both" in result.stderr and "duplicated" in result.stderr, result.stderr
    assert not os.path.exists(path("never.h5")) and not os.path.exists(path("never.h5.partial"))


def test_merge_refuses_gaps():
    files = shard_files(path("shards"))
    result = arcm("merge", files[0], files[1], files[3], "-o", path("never.h5"), check=EXIT_IO)
    assert "runs 120..179 are in no shard" in result.stderr and "runs 240..299" in result.stderr, result.stderr
    assert not os.path.exists(path("never.h5")) and not os.path.exists(path("never.h5.partial"))


def test_merge_refuses_unfinished_and_unsharded_files():
    files = shard_files(path("shards"))
    partial = path("unfinished.h5.partial")
    shutil.copy(files[4], partial)
    result = arcm("merge", *files[:4], partial, "-o", path("never.h5"), check=EXIT_IO)
    assert "unfinished shard" in result.stderr, result.stderr
    # A whole sweep written without --shard keeps float32 trajectories only: no exact /ensemble from it.
    result = arcm("merge", reference(), "-o", path("never.h5"), check=EXIT_IO)
    assert "not written with --shard" in result.stderr, result.stderr
    assert not os.path.exists(path("never.h5"))


def test_status_lists_missing_shards_and_the_array_to_resubmit():
    files = shard_files(path("shards"))
    directory = path("incomplete")
    os.makedirs(directory)
    for i in (0, 2):
        shutil.copy(files[i], directory)
    # Shard 3 was interrupted: a resumable partial.
    code = interrupted([ARCM, "sweep", SWEEP, "--shard", "3/5", "--runs-dir", directory, "--threads", "1",
                        "--checkpoint-every", "0", "--batch-size", "8", "--quiet"],
                       os.path.join(directory, "hpc_lhs.shard-0003-of-0005.h5.partial"))
    assert code == EXIT_INTERRUPTED, code
    status = arcm("status", directory, check=EXIT_RUN_FAILED).stdout
    assert "missing shards (no file): 1,4" in status, status
    assert "resubmit: --array=1,3-4" in status, status
    assert "hpc_lhs.shard-0003-of-0005.h5.partial" in status and "unfinished" in status, status
    # Resume shard 3, run 1 and 4: complete, and the merge equals the single-process file.
    arcm("sweep", SWEEP, "--shard", "3/5", "--runs-dir", directory, "--resume", "--quiet", check=0)
    for i in (1, 4):
        arcm("sweep", SWEEP, "--shard", "%d/5" % i, "--runs-dir", directory, "--quiet", check=0)
    status = arcm("status", directory, check=0).stdout
    assert "complete" in status and "--array" not in status, status
    arcm("merge", *glob.glob(os.path.join(directory, "*.h5")), "-o", path("resumed_merge.h5"), "--quiet", check=0)
    same_datasets(reference(), path("resumed_merge.h5"))


def test_resume_refuses_another_shard():
    directory = path("wrong_shard")
    os.makedirs(directory)
    target = path("wrong_shard/shard.h5")
    code = interrupted([ARCM, "sweep", SWEEP, "--shard", "0/2", "-o", target, "--threads", "1",
                        "--checkpoint-every", "0", "--batch-size", "8", "--quiet"], target + ".partial")
    assert code == EXIT_INTERRUPTED and os.path.exists(target + ".partial"), code
    result = arcm("sweep", SWEEP, "--shard", "1/2", "-o", target, "--resume", check=EXIT_IO)
    assert "another shard" in result.stderr, result.stderr


def test_bad_shard_arguments_are_usage_errors():
    for bad in ("3/3", "1", "a/4", "-1/4", "0/0"):
        result = arcm("sweep", SWEEP, "--shard", bad, "-o", path("never.h5"), check=EXIT_USAGE)
        assert "--shard" in result.stderr, (bad, result.stderr)
    result = arcm("sweep", SWEEP, "--shard", "400/500", "-o", path("never.h5"), check=EXIT_USAGE)
    assert "would be empty" in result.stderr, result.stderr


# ---- MPI ----------------------------------------------------------------------------------------------------

def test_mpi_two_and_three_ranks_give_the_single_process_file():
    for ranks in (2, 3):
        target = path("mpi%d.h5" % ranks)
        result = mpirun(ranks, "sweep", SWEEP, "-o", target, check=0)
        assert "on %d MPI ranks" % ranks in result.stdout, result.stdout
        same_datasets(reference(), target)
        with h5py.File(target, "r") as f:
            assert f.attrs["processes"][0] == ranks


def test_mpi_sweep_of_a_shard_with_failures():
    single = path("failing_single.h5")
    if not os.path.exists(single):
        arcm("sweep", FAILING, "-o", single, "--quiet", check=EXIT_RUN_FAILED)
    target = path("mpi_failing.h5")
    mpirun(3, "sweep", FAILING, "-o", target, "--quiet", check=EXIT_RUN_FAILED)
    same_datasets(single, target)


def worker_pids(mpirun_pid):
    """PIDs of the arcm processes under mpirun, by MPI rank (from their environment)."""
    ranks = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/environ" % entry, "rb") as env:
                variables = dict(v.split(b"=", 1) for v in env.read().split(b"\0") if b"=" in v)
            with open("/proc/%s/cmdline" % entry, "rb") as cmd:
                argv = cmd.read().split(b"\0")
            with open("/proc/%s/stat" % entry) as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == mpirun_pid and argv and argv[0].endswith(b"/arcm") and b"OMPI_COMM_WORLD_RANK" in variables:
            ranks[int(variables[b"OMPI_COMM_WORLD_RANK"])] = int(entry)
    return ranks


def test_a_killed_worker_rank_leaves_a_resumable_file():
    # The long sweep: the 300 runs of SWEEP took 0.15 s on two worker ranks, and
    # a fast machine finished them before this loop saw the first checkpoint.
    target = path("mpi_killed.h5")
    command = [MPIEXEC, "-n", "3", "--oversubscribe", "--bind-to", "none", "-x", "OMP_NUM_THREADS", ARCM, "sweep",
               LONG_SWEEP, "-o", target, "--checkpoint-every", "0", "--batch-size", "8", "--quiet"]
    process = subprocess.Popen(command, env=MPI_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killed = False
    deadline = time.time() + 60
    while time.time() < deadline and process.poll() is None:
        ranks = worker_pids(process.pid)
        if 2 in ranks and os.path.exists(target + ".partial"):
            try:
                with h5py.File(target + ".partial", "r") as f:
                    written = "checkpoint" in f and "next_run" in f["checkpoint"].attrs
            except OSError:  # rank 0 is writing it
                written = False
            if written:
                os.kill(ranks[2], signal.SIGKILL)
                killed = True
                break
        time.sleep(0.01)
    process.communicate(timeout=60)
    assert killed, "the sweep ended before a worker could be killed"
    assert process.returncode != 0 and not os.path.exists(target), process.returncode
    assert os.path.exists(target + ".partial")
    with h5py.File(target + ".partial", "r") as f:
        next_run = f["checkpoint"].attrs["next_run"][0]
    assert 0 < next_run < 3000, next_run
    # Resume under MPI once more, and compare.
    mpirun(2, "sweep", LONG_SWEEP, "-o", target, "--resume", "--quiet", check=0)
    same_datasets(reference(LONG_SWEEP), target)


def test_mpi_sigterm_stops_resumably_and_a_single_process_resumes():
    target = path("mpi_terminated.h5")
    command = [MPIEXEC, "-n", "2", "--oversubscribe", "--bind-to", "none", "-x", "OMP_NUM_THREADS", ARCM, "sweep",
               SWEEP, "-o", target, "--batch-size", "8", "--quiet"]
    process = subprocess.Popen(command, env=MPI_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and not os.path.exists(target + ".partial"):
        time.sleep(0.002)
    process.send_signal(signal.SIGUSR1)  # what Slurm's --signal=B:USR1 makes the job script forward
    out, err = process.communicate(timeout=60)
    assert process.returncode == EXIT_INTERRUPTED, (process.returncode, out, err)
    assert "--resume" in err and os.path.exists(target + ".partial") and not os.path.exists(target), err
    arcm("sweep", SWEEP, "-o", target, "--resume", "--quiet", check=0)
    same_datasets(reference(), target)


def main():
    prefix = {"shards": ("test_shards", "test_failed", "test_merge", "test_status", "test_resume", "test_bad"),
              "mpi": ("test_mpi", "test_a_killed")}[GROUP]
    tests = [(n, f) for n, f in globals().items() if n.startswith(prefix) and callable(f)]
    return run_tests(tests, sys.argv[5:], work=WORK)

if __name__ == "__main__":
    sys.exit(main())
