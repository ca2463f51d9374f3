#!/usr/bin/python3
"""End-to-end tests of `arcm sweep` through the real binary and real files.

usage: test_sweep_cli.py ARCM_BINARY WORKDIR [TEST_NAME ...]

Each test prints PASS/FAIL; the closing line is 'N passed, M failed'.
"""
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data", "sweeps")
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
import arcm_io  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from runner import run_command, run_tests, same_datasets  # noqa: E402

ARCM = sys.argv[1]
WORK = sys.argv[2]
EXIT_RUN_FAILED, EXIT_CONFIG, EXIT_IO, EXIT_INTERRUPTED = 1, 3, 4, 6


def sweep(name, output, *options, check=None):
    # Not --quiet: the tests read the closing summary line (progress goes to stderr as log lines).
    return run_command([ARCM, "sweep", os.path.join(DATA, name), "-o", output, *options], check)


def path(name):
    return os.path.join(WORK, name)


def own(text):
    """What arcm itself printed: without the banner Archer (the TSan tool of scripts/sanitize thread,
    ARCHER_OPTIONS=verbose=1) prints at start-up."""
    return "".join(line for line in text.splitlines(True) if not line.startswith("Archer detected OpenMP"))


def test_threads_and_batches_give_identical_datasets():
    sweep("grid.yaml", path("t1.h5"), "--threads", "1", check=0)
    sweep("grid.yaml", path("t2.h5"), "--threads", "2", "--batch-size", "3", check=0)
    sweep("grid.yaml", path("t2b.h5"), "--threads", "2", "--batch-size", "7", check=0)
    # More threads than cores: the threads that wait for room in the window take
    # element ranges of the writer's ensemble update (any split gives the same bits).
    sweep("grid.yaml", path("t4.h5"), "--threads", "4", "--batch-size", "2", check=0)
    same_datasets(path("t1.h5"), path("t2.h5"))
    same_datasets(path("t1.h5"), path("t2b.h5"))
    same_datasets(path("t1.h5"), path("t4.h5"))
    with h5py.File(path("t2.h5"), "r") as f:
        assert f.attrs["threads"][0] == 2 and f.attrs["yaml_kind"] == "sweep"
        assert f["runs/status"].shape == (12,)
        assert (f["runs/status"][()] == 0).all()
        assert f["trajectories/price"].dtype == np.float32


def test_failed_runs_are_recorded_and_the_rest_complete():
    result = sweep("scenarios_with_failure.yaml", path("failed_runs.h5"), check=EXIT_RUN_FAILED)
    assert "2 failed" in result.stdout, result.stdout
    with h5py.File(path("failed_runs.h5"), "r") as f:
        status = f["runs/status"][()]
        message = [m.decode() if isinstance(m, bytes) else m for m in f["runs/message"][()]]
        assert list(status) == [0, 0, 1, 1], status
        assert all("step limit" in m for m in message[2:]), message
        assert np.isfinite(f["summary/tension_final"][0:2]).all()
        assert list(f["parameters/scenario"][()]) == [0, 0, 1, 1]


def test_a_fixed_point_that_does_not_converge_fails_its_run_and_the_sweep_goes_on():
    result = sweep("foresight_grid.yaml", path("foresight.h5"), "--threads", "2", check=EXIT_RUN_FAILED)
    assert "1 failed" in result.stdout, result.stdout
    sweep("foresight_grid.yaml", path("foresight_1.h5"), "--threads", "1", check=EXIT_RUN_FAILED)
    same_datasets(path("foresight.h5"), path("foresight_1.h5"))  # any thread count, the same bits
    with h5py.File(path("foresight.h5"), "r") as f:
        status = list(f["runs/status"][()])
        iterations = list(f["runs/foresight_iterations"][()])
        residual = f["runs/foresight_residual"][()]
        message = [m.decode() if isinstance(m, bytes) else m for m in f["runs/message"][()]]
        expectations = list(f["parameters/economy.expectations"][()])
        limit = list(f["parameters/economy.foresight_max_iterations"][()])
        for run in range(4):
            if expectations[run] == 0:  # myopic: the limit does not apply
                assert status[run] == 0 and iterations[run] == 0 and np.isnan(residual[run]), run
            elif limit[run] == 2:
                assert status[run] == 1 and iterations[run] == 2, (run, status, iterations)
                assert "did not converge" in message[run], message[run]
                assert np.isnan(f["trajectories/price"][run]).all()
            else:
                assert status[run] == 0 and iterations[run] > 2 and residual[run] <= 1e-7, (run, iterations)
                assert np.isfinite(f["trajectories/price"][run]).all()


def test_quiet_prints_nothing_but_errors():
    result = run_command([ARCM, "sweep", os.path.join(DATA, "grid.yaml"), "-o", path("quiet.h5"), "--quiet"], 0)
    assert own(result.stdout) == "" and own(result.stderr) == "", (result.stdout, result.stderr)
    failing = run_command([ARCM, "sweep", os.path.join(DATA, "scenarios_with_failure.yaml"), "-o",
                           path("quiet_failing.h5"), "--quiet"], EXIT_RUN_FAILED)
    assert own(failing.stdout) == "", failing.stdout
    assert "2 of 4 runs failed" in failing.stderr and "/runs/message" in failing.stderr, failing.stderr
    single = run_command([ARCM, "run", os.path.join(DATA, "short_baseline.yaml"), "-o", path("quiet_run.h5"),
                          "--quiet"], 0)
    assert own(single.stdout) == "" and own(single.stderr) == "", (single.stdout, single.stderr)
    merged = run_command([ARCM, "merge", path("quiet.h5"), "-o", path("quiet_merged.h5"), "--quiet"], None)
    assert own(merged.stdout) == "", merged.stdout
    bad = run_command([ARCM, "run", os.path.join(DATA, "missing.yaml"), "--quiet"], EXIT_CONFIG)
    assert "missing.yaml" in bad.stderr, bad.stderr  # errors still reach stderr


def test_retry_failed_recovers_runs_and_keeps_the_others():
    original = path("retry_before.h5")
    sweep("scenarios_with_failure.yaml", original, check=EXIT_RUN_FAILED)
    target = path("retry.h5")
    shutil.copy(original, target)
    result = subprocess.run([ARCM, "sweep", "--retry-failed", target], capture_output=True, text=True)
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    assert "2 failed runs; 2 now succeed" in result.stdout, result.stdout
    assert not os.path.exists(target + ".partial")
    with h5py.File(original, "r") as before, h5py.File(target, "r") as after:
        assert list(after["runs/status"][()]) == [0, 0, 0, 0]
        messages = [m.decode() if isinstance(m, bytes) else m for m in after["runs/message"][()]]
        assert all(m.startswith("retried with dopri5 with rtol 1e-08") for m in messages[2:]), messages
        assert all("first attempt: " in m and "step limit" in m for m in messages[2:]), messages
        for name in ("price", "capacity", "npv"):  # untouched runs stay bit for bit
            assert before["trajectories"][name][0:2].tobytes() == after["trajectories"][name][0:2].tobytes()
            assert np.isfinite(after["trajectories"][name][2:, -1]).all()
        count_before = before["ensemble/price"][0]  # statistic 0 = count
        count_after = after["ensemble/price"][0]
        np.testing.assert_array_equal(count_after, count_before + 2)
        assert after["checkpoint"].attrs["next_run"] == 4
    # Nothing left to retry: the file stays as it is.
    again = subprocess.run([ARCM, "sweep", "--retry-failed", target], capture_output=True, text=True)
    assert again.returncode == 0 and "0 failed runs" in again.stdout, again.stdout


def test_a_run_repeats_alone_bit_for_bit():
    if not os.path.exists(path("fail.h5")):
        sweep("scenarios_with_failure.yaml", path("fail.h5"), check=EXIT_RUN_FAILED)
    single = path("run1.h5")
    subprocess.run([ARCM, "run", "--from", path("fail.h5"), "--run", "1", "-o", single, "--quiet"], check=True,
                   capture_output=True)
    with h5py.File(path("fail.h5"), "r") as s, h5py.File(single, "r") as r:
        names = list(s["trajectories"].keys())
        compared = 0
        for name in names:
            if name in ("run", "time", "actor", "resource", "beneficiary", "bloc", "kind", "actor_kind", "actor_bloc"):
                continue
            a, b = s["trajectories"][name][1], r["trajectories"][name][0]
            assert a.tobytes() == b.tobytes(), name
            compared += 1
        assert compared > 20, compared


def test_ensemble_matches_the_stored_trajectories():
    if not os.path.exists(path("fail.h5")):
        sweep("scenarios_with_failure.yaml", path("fail.h5"), check=EXIT_RUN_FAILED)
    for engine in ("netcdf4", "h5netcdf"):
        ensemble = arcm_io.open_group(path("fail.h5"), "ensemble", engine=engine)
        trajectories = arcm_io.open_group(path("fail.h5"), "trajectories", engine=engine)
        assert list(ensemble.statistic.values) == ["count", "mean", "std", "min", "q05", "q25", "q50", "q75", "q95",
                                                   "max"]
        status = arcm_io.open_group(path("fail.h5"), "runs", engine=engine).status.values
        for name in ("price", "capacity", "tension"):
            runs = trajectories[name].values[status != 1]  # failed runs stay out of the ensemble
            mean = ensemble[name].sel(statistic="mean").values
            count = ensemble[name].sel(statistic="count").values
            with np.errstate(all="ignore"):
                expected_mean = np.nanmean(runs, axis=0)
                expected_median = np.nanquantile(runs, 0.5, axis=0)
            np.testing.assert_array_equal(count, np.isfinite(runs).sum(axis=0))
            np.testing.assert_allclose(mean, expected_mean, rtol=1e-12, atol=0)
            # Fewer than 13 runs: the quantiles are exact (numpy's default rule).
            np.testing.assert_allclose(ensemble[name].sel(statistic="q50").values, expected_median, rtol=1e-12)


def test_all_groups_open_in_both_engines():
    sweep("monte_carlo.yaml", path("mc.h5"), check=0)
    for engine in ("netcdf4", "h5netcdf"):
        for group in ("summary", "parameters", "runs", "ensemble"):
            ds = arcm_io.open_group(path("mc.h5"), group, engine=engine)
            assert not [d for d in ds.dims if d.startswith("phony")], (group, ds.dims)
        parameters = arcm_io.open_group(path("mc.h5"), "parameters", engine=engine)
        assert parameters["legal.benefit_sharing_rate"].attrs["units"] == "1"
        assert set(np.unique(parameters["legal.benefit_sharing_rate"].values)) <= {0.0, 0.02, 0.05}
    dump = subprocess.run(["ncdump", "-h", path("mc.h5")], capture_output=True, text=True, check=True).stdout
    assert "phony_dim" not in dump


def test_bad_sweep_file_writes_nothing():
    bad = os.path.join(HERE, "..", "data", "bad_sweeps", "grid_value_out_of_range.yaml")
    out = path("never.h5")
    result = subprocess.run([ARCM, "sweep", bad, "-o", out], capture_output=True, text=True)
    assert result.returncode == EXIT_CONFIG, result.returncode
    assert "grid_value_out_of_range.yaml:7:" in result.stderr and "progress_ratio" in result.stderr, result.stderr
    assert not os.path.exists(out) and not os.path.exists(out + ".partial")


def test_check_validates_sweep_files_as_sweeps():
    """`arcm check` takes sweep files too: it says what each is, refuses a bad one with
    the sweep's own message, and --resolved prints a resolved sweep that loads again."""
    shipped = os.path.join(HERE, "..", "..", "config", "sweeps", "legal_regime_grid.yaml")
    scenario = os.path.join(DATA, "short_baseline.yaml")
    result = run_command([ARCM, "check", shipped, scenario], 0)
    assert "legal_regime_grid.yaml: ok (sweep, grid design, 2002 runs, 4 parameters)" in result.stdout, result.stdout
    assert "short_baseline.yaml: ok (10 actors" in result.stdout, result.stdout
    bad = os.path.join(HERE, "..", "data", "bad_sweeps", "unknown_top_key.yaml")
    result = run_command([ARCM, "check", bad], EXIT_CONFIG)
    assert "unknown_top_key.yaml:3:1: key 'desing'" in result.stderr and "did you mean 'design'" in result.stderr
    resolved = run_command([ARCM, "check", "--resolved", os.path.join(DATA, "grid.yaml")], 0).stdout
    assert resolved.startswith("# ARCM sweep, fully resolved"), resolved[:80]
    again = path("resolved_grid.yaml")
    with open(again, "w") as f:
        f.write(resolved)
    assert "ok (sweep, grid design, 12 runs" in run_command([ARCM, "check", again], 0).stdout


def test_more_threads_than_cores_are_warned_about():
    cores = os.cpu_count() or 1
    result = sweep("grid.yaml", path("many_threads.h5"), "--threads", str(cores + 3), "--force", check=0)
    assert "warning: --threads %d is more than the %d cores" % (cores + 3, cores) in result.stderr, result.stderr
    quiet = sweep("grid.yaml", path("cores_threads.h5"), "--threads", str(cores), "--force", check=0)
    assert "warning" not in quiet.stderr, quiet.stderr


def start(name, output, *options):
    command = [ARCM, "sweep", os.path.join(DATA, name), "-o", output, "--quiet", *options]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


_reference_seconds = []


def kill_reference():
    """The uninterrupted kill_target sweep, and how long it took (wall seconds). The
    kill tests time their signals as fractions of it: a fixed delay would let a faster
    build or machine finish the sweep before the signal arrives."""
    reference = path("kill_reference.h5")
    if not _reference_seconds:
        started = time.monotonic()
        sweep("kill_target.yaml", reference, check=0)
        _reference_seconds.append(time.monotonic() - started)
    return reference, _reference_seconds[0]


def started_writing(process, target, timeout=30.0):
    """Waits until the sweep has created NAME.partial (or has ended), so that a
    signal timed from here finds the sweep running rather than starting up."""
    deadline = time.monotonic() + timeout
    while not os.path.exists(target + ".partial") and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)


def test_sigkill_at_random_moments_then_resume_gives_identical_datasets():
    reference, seconds = kill_reference()
    target = path("killed.h5")
    rng = random.Random(20261130)
    kills = 0
    resume = []
    for attempt in range(6):
        process = start("kill_target.yaml", target, "--checkpoint-every", "0.3", *resume)
        started_writing(process, target)
        # At most a quarter of the sweep per attempt, so the first two attempts cannot
        # finish it even if the machine runs 1.7 times faster than for the reference.
        time.sleep(rng.uniform(0.1, 0.25) * seconds)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.communicate()
        resume = ["--resume"]
        if os.path.exists(target):
            break
    if not os.path.exists(target):
        sweep("kill_target.yaml", target, "--resume", check=0)
    assert kills >= 2, "the sweep finished before it could be killed twice"
    same_datasets(reference, target)


def test_sigterm_leaves_a_resumable_file():
    reference, seconds = kill_reference()
    target = path("terminated.h5")
    process = start("kill_target.yaml", target)
    started_writing(process, target)
    time.sleep(0.4 * seconds)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate()
    assert process.returncode == EXIT_INTERRUPTED, (process.returncode, out, err)
    assert os.path.exists(target + ".partial") and not os.path.exists(target)
    assert "--resume" in err and own(out) == "", (out, err)  # --quiet: only the interruption, on stderr
    sweep("kill_target.yaml", target, "--resume", check=0)
    same_datasets(reference, target)


def test_resume_refuses_an_edited_sweep():
    _, seconds = kill_reference()
    target = path("edited.h5")
    process = start("kill_target.yaml", target)
    started_writing(process, target)
    time.sleep(0.3 * seconds)
    process.send_signal(signal.SIGTERM)
    process.communicate()
    assert os.path.exists(target + ".partial")
    edited = path("kill_target_edited.yaml")
    with open(os.path.join(DATA, "kill_target.yaml")) as source:
        text = source.read().replace("seed: 99", "seed: 100").replace("short_baseline.yaml",
                                                                      os.path.join(DATA, "short_baseline.yaml"))
    with open(edited, "w") as out:
        out.write(text)
    result = subprocess.run([ARCM, "sweep", edited, "-o", target, "--resume", "--quiet"], capture_output=True,
                            text=True)
    assert result.returncode == EXIT_IO, (result.returncode, result.stderr)
    assert "definition changed" in result.stderr and "seed: 99" in result.stderr and "seed: 100" in result.stderr, \
        result.stderr


def main():
    tests = [(n, f) for n, f in sorted(globals().items()) if n.startswith("test_") and callable(f)]
    return run_tests(tests, sys.argv[3:], work=WORK)

if __name__ == "__main__":
    sys.exit(main())
