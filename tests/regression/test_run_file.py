#!/usr/bin/python3
"""A single-run results file from `arcm run`, opened the ways users open it.

usage: test_run_file.py ARCM_BINARY WORKDIR

Runs the baseline, then: every group opens with xarray's netcdf4 and h5netcdf
engines without phony dimensions; `ncdump -h` lists no phony_dim; text
attributes read as str in h5py; every variable has units and long_name; the
numbers `arcm run` printed (final prices, extraction, shares, tension, debris)
equal the file's values; the resolved scenario inside the file runs again to
the same numbers. Closing line: 'N passed, M failed'.
"""
import os
import re
import shutil
import subprocess
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import arcm_io  # noqa: E402

ARCM, WORK = sys.argv[1], sys.argv[2]
FILE = os.path.join(WORK, "baseline.h5")
checks = []


def check(name):
    def register(function):
        checks.append((name, function))
        return function
    return register


@check("every group opens in both xarray engines with no phony dimension")
def _():
    for engine in ("netcdf4", "h5netcdf"):
        for group in ("trajectories", "summary", "runs"):
            ds = arcm_io.open_group(FILE, group, engine=engine)
            assert not [d for d in ds.dims if "phony" in d], (engine, group, ds.dims)
            for name, variable in ds.variables.items():
                assert "units" in variable.attrs and "long_name" in variable.attrs, (group, name)
        trajectories = arcm_io.open_group(FILE, "trajectories", engine=engine)
        assert trajectories.price.dims == ("run", "time", "resource")
        assert trajectories.capacity.dims == ("run", "time", "actor", "resource")
        assert list(trajectories.resource.values) == ["water", "pgm", "metals"]
        assert trajectories.time.values[0] == 2025 and trajectories.time.values[-1] == 2075


@check("ncdump -h lists no phony_dim")
def _():
    dump = subprocess.run(["ncdump", "-h", FILE], capture_output=True, text=True, check=True).stdout
    assert "phony_dim" not in dump and "run = UNLIMITED" in dump


@check("text attributes read as str in h5py")
def _():
    with h5py.File(FILE, "r") as f:
        for key in ("filetype", "Conventions", "resolved_yaml", "git_commit", "created_utc"):
            assert isinstance(f.attrs[key], str), (key, type(f.attrs[key]))
        assert f.attrs["filetype"] == "arcm-results"
        assert isinstance(f["trajectories/price"].attrs["units"], str)


@check("the printed summary equals the file's values")
def _():
    printed = open(os.path.join(WORK, "printed.txt")).read()
    summary = arcm_io.open_group(FILE, "summary")
    rows = re.findall(r"^  (water|pgm|metals)\s+([0-9.]+)\s+([0-9]+)\s+([0-9.]+)%\s+([0-9.]+)%", printed, re.M)
    assert len(rows) == 3, printed
    for resource, price, extracted, states, firms in rows:
        r = summary.sel(run=0, resource=resource)
        assert float(price) == round(float(r.price_final), 3), (resource, price, float(r.price_final))
        assert int(extracted) == round(float(r.extracted_total_final)), resource
        assert float(states) == round(100 * float(r.state_share_cumulative_final), 1), resource
    tension = float(re.search(r"tension ([0-9.]+)", printed).group(1))
    debris = float(re.search(r"debris ([0-9]+) objects", printed).group(1))
    assert tension == round(float(summary.tension_final[0]), 3)
    assert debris == round(float(summary.debris_final[0]))
    evaluations = int(re.search(r"([0-9]+) right-hand-side evaluations", printed).group(1))
    runs = arcm_io.open_group(FILE, "runs")
    assert evaluations == int(runs.rhs_evaluations[0])


@check("trajectory and summary agree, and the state conserves mass")
def _():
    t = arcm_io.open_group(FILE, "trajectories").isel(run=0)
    s = arcm_io.open_group(FILE, "summary").isel(run=0)
    np.testing.assert_array_equal(t.price.isel(time=-1).values, s.price_final.values)
    total = t.stock + t.extracted.sum("actor")
    np.testing.assert_allclose(total.values, np.broadcast_to(total.isel(time=0).values, total.shape), rtol=1e-6)


@check("the resolved scenario in the file runs again to the same numbers")
def _():
    again = os.path.join(WORK, "again.h5")
    subprocess.run([ARCM, "run", "--from", FILE, "--run", "0", "-o", again, "--quiet"], check=True,
                   capture_output=True)
    with h5py.File(FILE, "r") as a, h5py.File(again, "r") as b:
        for name in ("price", "capacity", "debris", "tension", "npv"):
            assert a["trajectories"][name][()].tobytes() == b["trajectories"][name][()].tobytes(), name


def main():
    if os.path.isdir(WORK):
        shutil.rmtree(WORK)
    os.makedirs(WORK)
    result = subprocess.run([ARCM, "run", os.path.join(ROOT, "config", "scenarios", "baseline.yaml"), "-o", FILE],
                            capture_output=True, text=True, check=True)
    with open(os.path.join(WORK, "printed.txt"), "w") as out:
        out.write(result.stdout)
    passed = failed = 0
    for name, function in checks:
        try:
            function()
            passed += 1
            print("PASS", name)
        except Exception as error:
            failed += 1
            print("FAIL %s: %r" % (name, error))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
