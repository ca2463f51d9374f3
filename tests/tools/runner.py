"""The runner of the end-to-end Python tests (tests/*/test_*_cli.py, tests/faults):
runs test functions in order, reports every failure rather than the first, and
gives ctest an exit status.

    from runner import Skip, run_tests
    sys.exit(run_tests(tests, wanted, work=WORK))
"""
import os
import shutil
import time


class Skip(Exception):
    """Raised by a test that cannot run on this machine: reported as SKIP, not FAIL."""


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
