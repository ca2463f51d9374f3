"""The runner of the end-to-end Python tests (tests/*/test_*_cli.py, tests/faults):
runs test functions in order, reports every failure rather than the first, and
gives ctest an exit status; and the two helpers every one of them needs.

    from runner import Skip, run_command, run_tests, same_datasets
    sys.exit(run_tests(tests, wanted, work=WORK))
"""
import os
import shutil
import subprocess
import sys
import time

COMPARE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compare_datasets.py")


class Skip(Exception):
    """Raised by a test that cannot run on this machine: reported as SKIP, not FAIL."""


def run_command(command, check=None, **kwargs):
    """Run `command` capturing its output; with `check`, fail unless it exits with that status."""
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if check is not None and result.returncode != check:
        raise AssertionError("%s exited %d, expected %d\nstdout: %s\nstderr: %s"
                             % (" ".join(command), result.returncode, check, result.stdout[-3000:], result.stderr))
    return result


def same_datasets(a, b):
    """Fail unless every dataset of the two results files is equal, bit for bit
    (compare_datasets.py); returns its report."""
    result = subprocess.run([sys.executable, COMPARE, a, b], capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError("datasets of %s and %s differ:\n%s%s" % (a, b, result.stdout, result.stderr))
    return result.stdout


def run_tests(tests, wanted=(), work=None, fresh=True, before=None):
    """Run the (name, function) pairs in the order given, only those named in
    `wanted` when it is not empty. `work` is created first (emptied when
    `fresh`); `before` is called once after that. Prints PASS, FAIL or SKIP per
    test and a total line; returns 1 when a test failed, else 0."""
    if work:
        if fresh and os.path.isdir(work):
            shutil.rmtree(work)
        os.makedirs(work, exist_ok=True)
    if before:
        before()
    passed = failed = skipped = 0
    for name, function in tests:
        if wanted and name not in wanted:
            continue
        started = time.time()
        try:
            function()
            passed += 1
            print("PASS %s (%.1f s)" % (name, time.time() - started), flush=True)
        except Skip as reason:
            skipped += 1
            print("SKIP %s: %s" % (name, reason), flush=True)
        except Exception as error:  # report every failing test, not just the first
            failed += 1
            print("FAIL %s: %s" % (name, repr(error)[:4000]), flush=True)
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0
