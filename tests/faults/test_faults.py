#!/usr/bin/python3
"""Fault tests of `arcm sweep` and `arcm run` through the real binary and real files
(docs/reliability.md): repeated SIGKILL then --resume, a full disk, an unwritable
output path, a sweep edited between a kill and --resume.

usage: test_faults.py ARCM_BINARY WORKDIR [TEST_NAME ...]
Environment: ARCM_FAULT_KILLS (kill-and-resume cycles, default 12),
ARCM_FAULT_SEED (seed of the kill moments, default: random, printed).

Each test prints PASS/FAIL/SKIP; the closing line is 'N passed, M failed, K skipped'.
"""
import contextlib
import hashlib
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from runner import Skip, run_command, run_tests, same_datasets  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ARCM = sys.argv[1]
WORK = os.path.abspath(sys.argv[2])
EXIT_OK, EXIT_RUN_FAILED, EXIT_CONFIG, EXIT_IO, EXIT_INTERRUPTED = 0, 1, 3, 4, 6
KILL_SWEEP = os.path.join(HERE, "kill_sweep.yaml")
SMALL_SWEEP = os.path.join(HERE, "small_sweep.yaml")


def path(name):
    return os.path.join(WORK, name)


def arcm(*args, check=None, **kwargs):
    return run_command([ARCM, *args], check, **kwargs)


def digest(name):
    with open(name, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def reference(sweep_file, name):
    """The uninterrupted sweep, computed once per work directory."""
    target = path(name)
    if not os.path.exists(target):
        arcm("sweep", sweep_file, "-o", target, "--quiet", check=EXIT_OK)
    return target


def test_repeated_sigkill_at_random_moments_then_resume():
    """SIGKILL at a random moment, again and again (also during file creation,
    resume's rebuild and the final rename), then --resume to the end: the
    datasets equal an uninterrupted sweep's, bit for bit."""
    expected = reference(KILL_SWEEP, "kill_reference.h5")
    started = time.time()
    arcm("sweep", KILL_SWEEP, "-o", path("timing.h5"), "--quiet", check=EXIT_OK)
    duration = time.time() - started
    cycles = int(os.environ.get("ARCM_FAULT_KILLS", "12"))
    seed = int(os.environ.get("ARCM_FAULT_SEED", str(random.randrange(1 << 30))))
    print("  kill cycles %d, seed %d, uninterrupted sweep %.1f s" % (cycles, seed, duration), flush=True)
    rng = random.Random(seed)
    target = path("killed.h5")
    kills = resumed_from_partial = 0
    for cycle in range(cycles):
        options = ["--resume"] if os.path.exists(target + ".partial") else []
        resumed_from_partial += bool(options)
        process = subprocess.Popen([ARCM, "sweep", KILL_SWEEP, "-o", target, "--quiet", "--checkpoint-every", "0",
                                    "--threads", str(rng.choice([1, 2])), *options],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # Mostly anywhere in the sweep; one kill in four in its first 50 ms
        # (creating NAME.partial, or resume rebuilding it).
        moment = rng.uniform(0, 0.05) if rng.random() < 0.25 else rng.uniform(0, duration / 3)
        time.sleep(moment)
        if process.poll() is None:
            process.kill()
            kills += 1
        _, err = process.communicate()
        assert process.returncode in (-signal.SIGKILL, EXIT_OK), (process.returncode, err)
        if os.path.exists(target):
            os.remove(target)  # finished before the kill: start over, to kill it more
    final = arcm("sweep", KILL_SWEEP, "-o", target, "--quiet",
                 *(["--resume"] if os.path.exists(target + ".partial") else []))
    assert final.returncode == EXIT_OK, (final.returncode, final.stderr)
    assert kills >= cycles // 2, "only %d of %d cycles were killed" % (kills, cycles)
    print("  %d kills, %d restarts from NAME.partial" % (kills, resumed_from_partial), flush=True)
    same_datasets(expected, target)
    assert not os.path.exists(target + ".partial")


def test_a_second_writer_on_a_file_in_use_is_refused():
    """While one sweep writes NAME.partial, a second sweep on the same output (plain,
    --resume or --force) and a run onto it are refused with exit 4 and a message that
    another ARCM process holds the file, and the first sweep finishes with the
    datasets of an uninterrupted one."""
    expected = reference(KILL_SWEEP, "kill_reference.h5")
    target = path("in_use.h5")
    for name in (target, target + ".partial"):
        if os.path.exists(name):
            os.remove(name)
    first = subprocess.Popen([ARCM, "sweep", KILL_SWEEP, "-o", target, "--quiet", "--threads", "1"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    while not os.path.exists(target + ".partial") and first.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    scenario = os.path.join(HERE, "..", "data", "sweeps", "short_baseline.yaml")
    seen = 0
    for second in (["sweep", KILL_SWEEP, "-o", target], ["sweep", KILL_SWEEP, "-o", target, "--resume"],
                   ["sweep", KILL_SWEEP, "-o", target, "--force"], ["run", scenario, "-o", target],
                   ["run", scenario, "-o", target, "--force"]):
        if first.poll() is not None:
            break  # the first finished already (a very fast machine): nothing left to collide with
        result = arcm(*second, "--quiet")
        assert result.returncode == EXIT_IO, (second, result.returncode, result.stderr)
        assert "another ARCM process" in result.stderr and target in result.stderr, (second, result.stderr)
        seen += 1
    _, err = first.communicate()
    assert first.returncode == EXIT_OK, (first.returncode, err)
    assert seen >= 3, "the first sweep ended before the second writers could try (%d tried)" % seen
    same_datasets(expected, target)


def run_with_file_size_limit(limit_bytes, *args):
    """`arcm ARGS` with RLIMIT_FSIZE = limit_bytes and SIGXFSZ ignored, so a
    write past the limit fails with EFBIG as on a full disk."""
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
    return subprocess.run([ARCM, *args], capture_output=True, text=True, preexec_fn=limit)


def check_full_disk_outcome(result, target, earlier, earlier_digest):
    assert result.returncode == EXIT_IO, (result.returncode, result.stdout, result.stderr)
    assert "error:" in result.stderr and target in result.stderr, result.stderr
    assert not os.path.exists(target), "a file under its final name after a failed write"
    assert digest(earlier) == earlier_digest, "the earlier complete results file changed"
    assert os.path.exists(target + ".partial"), "nothing left to resume"


def test_file_size_limit_then_resume():
    """RLIMIT_FSIZE (works without root): the sweep stops with a clear I/O error
    once its file reaches the limit, an earlier complete file in the same
    folder is untouched, and --resume without the limit completes to the
    uninterrupted datasets."""
    expected = reference(SMALL_SWEEP, "small_reference.h5")
    earlier = path("earlier_complete.h5")
    shutil.copy(expected, earlier)
    earlier_digest = digest(earlier)
    target = path("fsize.h5")
    size = os.path.getsize(expected)
    result = run_with_file_size_limit(size // 2, "sweep", SMALL_SWEEP, "-o", target, "--quiet",
                                      "--checkpoint-every", "0", "--threads", "2")
    print("  stderr: %s" % result.stderr.strip().splitlines()[-1:], flush=True)
    check_full_disk_outcome(result, target, earlier, earlier_digest)
    assert "File too large" in result.stderr or "limit" in result.stderr or "space" in result.stderr, result.stderr
    arcm("sweep", SMALL_SWEEP, "-o", target, "--quiet", "--resume", check=EXIT_OK)
    same_datasets(expected, target)
    assert digest(earlier) == earlier_digest


@contextlib.contextmanager
def small_filesystem(name, size):
    if os.geteuid() != 0 or not shutil.which("mount"):
        raise Skip("mounting a tmpfs needs root")
    mount_point = path(name)
    os.makedirs(mount_point, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % size, "tmpfs", mount_point],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        raise Skip("cannot mount a tmpfs here: %s" % mounted.stderr.strip())
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", mount_point], check=True)


def fill(filesystem_path, leave_bytes):
    """Fill a filesystem up to `leave_bytes` of free space with one file."""
    filler = os.path.join(filesystem_path, "filler")
    stat = os.statvfs(filesystem_path)
    free = stat.f_bavail * stat.f_frsize
    with open(filler, "wb") as f:
        f.write(b"\0" * max(0, free - leave_bytes))
    return filler


def test_disk_full_then_space_back_then_resume():
    """A real full disk (a small tmpfs, root only): an earlier complete file on
    it stays byte-identical, the sweep fails with a clear message and exit
    code 4, and once space is freed --resume completes to the uninterrupted
    datasets."""
    expected = reference(SMALL_SWEEP, "small_reference.h5")
    size = os.path.getsize(expected)
    with small_filesystem("tmpfs_full", "%dk" % (4 * size // 1024 + 256)) as disk:
        earlier = os.path.join(disk, "earlier_complete.h5")
        shutil.copy(expected, earlier)
        earlier_digest = digest(earlier)
        filler = fill(disk, size // 2)
        target = os.path.join(disk, "full.h5")
        result = arcm("sweep", SMALL_SWEEP, "-o", target, "--quiet", "--checkpoint-every", "0")
        print("  stderr: %s" % result.stderr.strip().splitlines()[-1:], flush=True)
        check_full_disk_outcome(result, target, earlier, earlier_digest)
        assert "No space left on device" in result.stderr or "space" in result.stderr, result.stderr
        # Still full: resume must fail the same clean way, keeping what it has.
        again = arcm("sweep", SMALL_SWEEP, "-o", target, "--quiet", "--resume")
        check_full_disk_outcome(again, target, earlier, earlier_digest)
        os.remove(filler)
        arcm("sweep", SMALL_SWEEP, "-o", target, "--quiet", "--resume", check=EXIT_OK)
        same_datasets(expected, target)
        assert digest(earlier) == earlier_digest
        # A single run on a full disk: a clear error, nothing under the final name.
        filler = fill(disk, 4096)
        single = os.path.join(disk, "single.h5")
        scenario = os.path.join(HERE, "..", "data", "sweeps", "short_baseline.yaml")
        result = arcm("run", scenario, "-o", single, "--quiet")
        assert result.returncode == EXIT_IO and single in result.stderr, (result.returncode, result.stderr)
        assert not os.path.exists(single)
        assert digest(earlier) == earlier_digest


def test_unwritable_output_path():
    """Output paths that cannot be written: exit code 4, a message naming the
    path, nothing created, before any run is computed."""
    blocker = path("a_file")
    with open(blocker, "w") as f:
        f.write("not a directory\n")
    targets = [path("missing_dir/out.h5"), os.path.join(blocker, "out.h5")]
    if os.geteuid() == 0:
        with contextlib.suppress(Skip):
            with small_filesystem("tmpfs_ro", "1m") as disk:
                subprocess.run(["mount", "-o", "remount,ro", disk], check=True)
                check_unwritable(os.path.join(disk, "out.h5"))
    else:
        read_only = path("read_only")
        os.makedirs(read_only, exist_ok=True)
        os.chmod(read_only, 0o555)
        targets.append(os.path.join(read_only, "out.h5"))
    for target in targets:
        check_unwritable(target)


def check_unwritable(target):
    scenario = os.path.join(HERE, "..", "data", "sweeps", "short_baseline.yaml")
    for command in (["sweep", SMALL_SWEEP, "-o", target, "--quiet"], ["run", scenario, "-o", target, "--quiet"]):
        started = time.time()
        result = arcm(*command)
        assert result.returncode == EXIT_IO, (command, result.returncode, result.stderr)
        assert result.stderr.startswith("error: ") and target in result.stderr, result.stderr
        assert not os.path.exists(target) and not os.path.exists(target + ".partial")
        assert time.time() - started < 5, "the error came only after computing"


def killed_partial(sweep_file, target, size):
    """SIGKILL a sweep once its NAME.partial holds about a quarter of the
    final file's `size` (many checkpointed batches)."""
    process = subprocess.Popen([ARCM, "sweep", sweep_file, "-o", target, "--quiet", "--checkpoint-every", "0",
                                "--threads", "1", "--batch-size", "8"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and process.poll() is None:
        time.sleep(0.02)
        with contextlib.suppress(OSError):
            if os.path.getsize(target + ".partial") > size // 4:
                break
    process.kill()
    process.wait()
    assert os.path.exists(target + ".partial") and not os.path.exists(target), "the sweep ended before the kill"


def edited_copy(source, name, replacements):
    with open(source) as f:
        text = f.read()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    # Keep relative paths working from the work directory.
    text = text.replace("../data/sweeps/", os.path.join(HERE, "..", "data", "sweeps") + "/")
    with open(path(name), "w") as f:
        f.write(text)
    return path(name)


def existing_outputs(folder, results_file):
    """One existing file of every kind an output path can meet, by name, made anew in `folder`."""
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    kinds = {}
    results = os.path.join(folder, "results.h5")
    shutil.copyfile(results_file, results)
    kinds["an ARCM results file"] = results
    text = os.path.join(folder, "notes.txt")
    with open(text, "w") as f:
        f.write("a user's notes, not written by ARCM\n")
    kinds["a text file"] = text
    empty = os.path.join(folder, "empty.h5")
    open(empty, "w").close()
    kinds["an empty file"] = empty
    target = os.path.join(folder, "link_target.txt")
    with open(target, "w") as f:
        f.write("what the link points to\n")
    link = os.path.join(folder, "link.h5")
    os.symlink(target, link)
    kinds["a symbolic link"] = link
    directory = os.path.join(folder, "directory.h5")
    os.makedirs(directory, exist_ok=True)
    kinds["a directory"] = directory
    return kinds


def fingerprint(name):
    if os.path.isdir(name) and not os.path.islink(name):
        return ("directory", sorted(os.listdir(name)))
    return (os.path.islink(name), digest(name))


def test_existing_outputs_are_never_replaced_without_force():
    """Every command that writes a results file (run, run --from, sweep, merge) refuses
    an output that exists, whatever it holds, with exit code 4 and a message that names
    it and --force, and leaves it byte for byte as it was; with --force it is replaced
    by the results (a directory still is not)."""
    folder = path("existing")
    source = path("existing_source.h5")
    shards = [path("existing_shard_0.h5"), path("existing_shard_1.h5")]
    for leftover in [source] + shards:
        for name in (leftover, leftover + ".partial"):
            if os.path.exists(name):
                os.remove(name)
    scenario = os.path.join(HERE, "..", "data", "sweeps", "short_baseline.yaml")
    arcm("run", scenario, "-o", source, "--quiet", check=EXIT_OK)
    for index, shard_file in enumerate(shards):
        arcm("sweep", SMALL_SWEEP, "--shard", "%d/2" % index, "-o", shard_file, "--quiet", check=EXIT_OK)
    commands = {
        "run": lambda target: ["run", scenario, "-o", target, "--quiet"],
        "run --from": lambda target: ["run", "--from", source, "--run", "0", "-o", target, "--quiet"],
        "sweep": lambda target: ["sweep", SMALL_SWEEP, "-o", target, "--quiet"],
        "merge": lambda target: ["merge", *shards, "-o", target, "--quiet"],
    }
    for command, arguments in commands.items():
        for kind, target in existing_outputs(folder, source).items():
            before = fingerprint(target)
            result = arcm(*arguments(target))
            assert result.returncode == EXIT_IO, (command, kind, result.returncode, result.stderr)
            assert target in result.stderr and "--force" in result.stderr, (command, kind, result.stderr)
            assert fingerprint(target) == before, (command, kind, "changed")
            assert not os.path.exists(target + ".partial"), (command, kind)
        kinds = existing_outputs(folder, source)
        for kind, target in kinds.items():
            before = fingerprint(target)
            forced = arcm(*arguments(target), "--force")
            if kind == "a directory":
                # --force replaces files, never a directory.
                assert forced.returncode == EXIT_IO and "directory" in forced.stderr, (command, forced.stderr)
                assert fingerprint(target) == before and not os.path.exists(target + ".partial")
                continue
            assert forced.returncode in (EXIT_OK, EXIT_RUN_FAILED), (command, kind, forced.stderr)
            with h5py.File(target, "r") as f:
                assert f.attrs["filetype"] == "arcm-results", (command, kind)
            if kind == "a symbolic link":
                assert not os.path.islink(target)  # the link is replaced, not the file it points to
                with open(os.path.join(folder, "link_target.txt")) as f:
                    assert f.read() == "what the link points to\n", command
    # The commands that change a file in place (analyze adds /sensitivity,
    # --retry-failed reruns failed runs) touch only ARCM results files.
    for kind, target in existing_outputs(folder, source).items():
        if kind == "an ARCM results file":
            continue
        before = fingerprint(target)
        for arguments in (["analyze", "sobol", target], ["sweep", "--retry-failed", target]):
            result = arcm(*arguments)
            assert result.returncode in (EXIT_CONFIG, EXIT_IO), (arguments, kind, result.stderr)
            assert fingerprint(target) == before and not os.path.exists(target + ".partial"), (arguments, kind)
    # Results files given as input are read only when they are regular files:
    # a FIFO would block the open forever.
    fifo = os.path.join(folder, "fifo.h5")
    os.mkfifo(fifo)
    for arguments in (["status", fifo], ["analyze", "sobol", fifo], ["run", "--from", fifo, "--run", "0"],
                      ["merge", fifo, "-o", os.path.join(folder, "merged.h5")], ["sweep", "--retry-failed", fifo]):
        result = arcm(*arguments, timeout=20)
        assert result.returncode != 0 and "not a regular file" in result.stdout + result.stderr, (arguments, result)
    shutil.rmtree(folder)


def test_sweep_edited_between_kill_and_resume():
    """After a SIGKILL, --resume of an edited sweep is refused (exit 4, the
    partial untouched) with a message naming what changed: a distribution of
    the design, and a value of the base scenario; an edit that changes nothing
    (a comment) is accepted and completes to the uninterrupted datasets."""
    expected = reference(KILL_SWEEP, "kill_reference.h5")
    target = path("edited.h5")
    killed_partial(KILL_SWEEP, target, os.path.getsize(expected))
    before = digest(target + ".partial")
    design = edited_copy(KILL_SWEEP, "edited_design.yaml", [("{uniform: [0.0, 0.1]}", "{uniform: [0.0, 0.2]}")])
    message = arcm("sweep", design, "-o", target, "--resume", "--quiet", check=EXIT_IO).stderr
    assert "definition changed" in message, message
    assert "`design.parameters.legal.benefit_sharing_rate.uniform: [0, 0.1" in message, message
    assert "is now `design.parameters.legal.benefit_sharing_rate.uniform: [0, 0.2" in message, message
    assert digest(target + ".partial") == before

    scenario = path("edited_base.yaml")
    with open(scenario, "w") as f:
        f.write("extends: %s\ndebris: {collision_rate: 0.5}\n"
                % os.path.join(HERE, "..", "data", "sweeps", "short_baseline.yaml"))
    base = edited_copy(KILL_SWEEP, "edited_scenario.yaml", [("../data/sweeps/short_baseline.yaml", scenario)])
    message = arcm("sweep", base, "-o", target, "--resume", "--quiet", check=EXIT_IO).stderr
    assert "scenario_yaml.debris.collision_rate" in message and "0.5`" in message, message
    assert digest(target + ".partial") == before

    comment = edited_copy(KILL_SWEEP, "edited_comment.yaml", [("seed: 7", "seed: 7  # same seed")])
    arcm("sweep", comment, "-o", target, "--resume", "--quiet", check=EXIT_OK)
    same_datasets(expected, target)


def test_non_finite_runs_fail_and_the_rest_complete():
    """Runs whose parameters overflow an output to +inf are marked failed
    with a message naming the output; the other runs of the sweep complete
    with finite values, and the ensemble counts only them."""
    target = path("nonfinite.h5")
    result = arcm("sweep", os.path.join(HERE, "nonfinite_sweep.yaml"), "-o", target, check=EXIT_RUN_FAILED)
    assert "2 failed" in result.stdout, result.stdout
    with h5py.File(target, "r") as f:
        status = list(f["runs/status"][()])
        messages = [m.decode() if isinstance(m, bytes) else m for m in f["runs/message"][()]]
        growth = f["parameters/resources.water.demand_growth"][()]
        assert status == [0, 0, 1, 1, 0, 0], status
        for run in (2, 3):
            assert growth[run] == 40
            assert "non-finite value (+inf) in output 'demand' [resource water] at year" in messages[run], messages
        ok = [run for run in range(6) if status[run] == 0]
        for name in ("demand", "price"):
            assert np.isfinite(f["trajectories"][name][ok]).all(), name
        for name in ("tension_final", "price_final", "capacity_final"):
            assert np.isfinite(f["summary"][name][ok]).all(), name
        assert (f["ensemble/price"][0] == 4).all()  # statistic 0 = count: the four finished runs


def main():
    tests = [(n, f) for n, f in sorted(globals().items()) if n.startswith("test_") and callable(f)]
    return run_tests(tests, sys.argv[3:], work=WORK)

if __name__ == "__main__":
    sys.exit(main())
