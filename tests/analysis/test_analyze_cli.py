#!/usr/bin/python3
"""End-to-end tests of `arcm analyze` on real, small ARCM sweeps.

usage: test_analyze_cli.py ARCM_BINARY WORKDIR [TEST_NAME ...]

The Sobol and Morris numbers that arcm writes into /sensitivity are compared
with an independent numpy calculation (sobol_reference.py) on the same file;
the groups are opened with both xarray engines; refusals are checked for
their exit codes and messages, and rewriting /sensitivity for leaving the
rest of the file as it was. Each test prints PASS/FAIL; the closing line is
'N passed, M failed'.
"""
import json
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import xarray as xr
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sobol_reference as ref  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from runner import run_command, run_tests  # noqa: E402

ARCM = sys.argv[1]
WORK = sys.argv[2]
EXIT_USAGE, EXIT_CONFIG, EXIT_IO = 2, 3, 4
SOBOL_FILE = os.path.join(WORK, "sobol_small.h5")
MORRIS_FILE = os.path.join(WORK, "morris_small.h5")

# Same formulas, same data: the two calculations differ only in summation
# order, so they agree to rounding (sums of a few hundred terms of order 1).
RTOL, ATOL = 1e-9, 1e-12


def run(*args, check=None):
    return run_command([ARCM, *args], check)


def ensure_sweep(name, output):
    if not os.path.exists(output):
        run("sweep", os.path.join(HERE, "data", name), "-o", output, "--quiet", "--threads", "2", check=0)


def fresh_copy(source, name):
    target = os.path.join(WORK, name)
    shutil.copyfile(source, target)
    return target


def flat_summary(f):
    """Every element of every float64 /summary variable as {label: values
    over runs}, labels built as docs/output-format.md describes (name, or
    name[label,...] with the coordinate labels in dimension order)."""
    columns = {}
    for name, dataset in f["summary"].items():
        if dataset.dtype.kind != "f" or dataset.attrs.get("CLASS") == b"DIMENSION_SCALE":
            continue
        data = dataset[...]
        coords = [[s.decode() for s in dataset.dims[a][0][...]] for a in range(1, dataset.ndim)]
        flat = data.reshape(data.shape[0], -1)
        for k in range(flat.shape[1]):
            index = np.unravel_index(k, data.shape[1:]) if coords else ()
            label = name + ("[" + ",".join(c[i] for c, i in zip(coords, index)) + "]" if coords else "")
            columns[label] = flat[:, k]
    return columns


def sweep_parameters(name):
    """The swept parameters in the order the sweep file gives them (the
    design's column order), with their distributions."""
    with open(os.path.join(HERE, "data", name)) as stream:
        return yaml.safe_load(stream)["design"]["parameters"]


def outputs_of(group):
    labels = [s.decode() for s in group["output"][...]]
    return labels


def close(actual, expected, what):
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    same_nan = np.isnan(actual) == np.isnan(expected)
    if not same_nan.all():
        raise AssertionError("%s: NaN pattern differs:\n%s\n%s" % (what, actual, expected))
    ok = np.isnan(expected) | np.isclose(actual, expected, rtol=RTOL, atol=ATOL)
    if not ok.all():
        raise AssertionError("%s: arcm %s vs reference %s" % (what, actual[~ok], expected[~ok]))


def test_sobol_indices_match_an_independent_calculation():
    ensure_sweep("sobol_small.yaml", SOBOL_FILE)
    path = fresh_copy(SOBOL_FILE, "sobol_check.h5")
    result = run("analyze", "sobol", path, "--trajectory", "state_share_extraction", "--bootstrap", "200",
                 "--json", check=0)
    reported = json.loads(result.stdout)
    parameters = list(sweep_parameters("sobol_small.yaml"))
    d = len(parameters)
    with h5py.File(path, "r") as f:
        assert f.attrs["design"] == "sobol"
        columns = flat_summary(f)
        group = f["sensitivity/sobol"]
        labels = outputs_of(group)
        assert sorted(labels) == sorted(columns), "output labels differ:\n%s\n%s" % (labels, sorted(columns))
        assert [s.decode() for s in group["parameter"][...]] == parameters
        values = np.array([columns[label] for label in labels]).T  # (runs, outputs) in the group's order
        a, ab, b = ref.saltelli_blocks(values, d)
        nontrivial = 0
        for k, label in enumerate(labels):
            s1, st, used = ref.sobol_indices(a[:, k], ab[:, :, k], b[:, k])
            close(group["S1"][k], s1, "S1 of " + label)
            close(group["ST"][k], st, "ST of " + label)
            assert group["samples"][k] == used, (label, group["samples"][k], used)
            close(reported["outputs"][k]["S1"], s1, "JSON S1 of " + label)
            nontrivial += int(np.isfinite(s1).any())
        assert nontrivial >= 10, "too few outputs vary for the comparison to mean anything"
        # Per-year indices of state_share_extraction[water] against the trajectories.
        traj = f["trajectories/state_share_extraction"][...]  # (run, time, resource)
        resources = [s.decode() for s in f["trajectories/resource"][...]]
        timegroup = f["sensitivity/sobol_time"]
        toutputs = [s.decode() for s in timegroup["output"][...]]
        assert toutputs == ["state_share_extraction[%s]" % r for r in resources], toutputs
        np.testing.assert_array_equal(timegroup["time"][...], f["trajectories/time"][...])
        ta, tab, tb = ref.saltelli_blocks(traj, d)
        for r_index, resource in enumerate(resources):
            for t in range(0, traj.shape[1], 5):
                s1, st, _ = ref.sobol_indices(ta[:, t, r_index], tab[:, :, t, r_index], tb[:, t, r_index])
                close(timegroup["S1"][r_index, t], s1, "S1 of %s in year %d" % (resource, t))
                close(timegroup["ST"][r_index, t], st, "ST of %s in year %d" % (resource, t))


def test_the_sobol_table_names_constant_outputs_once_instead_of_a_table_each():
    ensure_sweep("sobol_small.yaml", SOBOL_FILE)
    path = fresh_copy(SOBOL_FILE, "sobol_table.h5")
    table = run("analyze", "sobol", path, "--bootstrap", "50", check=0).stdout
    with h5py.File(path, "r") as f:
        stop = f["summary/stop_time"][()]
    assert np.all(stop == stop[0])  # no Kessler stop: stop_time is the end year in every run
    assert "\nstop_time [" not in table, table  # no table of its own
    constant = [line for line in table.splitlines() if line.startswith("the same in every run")]
    assert len(constant) == 1 and "stop_time = %g" % stop[0] in constant[0], constant
    assert "\ntension_final [1]: mean" in table  # outputs that vary keep their tables


def test_sensitivity_groups_open_with_both_xarray_engines():
    path = fresh_copy(SOBOL_FILE, "sobol_xarray.h5")
    run("analyze", "sobol", path, "--trajectory", "state_share_extraction", "--bootstrap", "100", check=0)
    run("analyze", "prim", path, "--metric", "tension_final", "--above", "0.3", check=0)
    ensure_sweep("morris_small.yaml", MORRIS_FILE)
    morris = fresh_copy(MORRIS_FILE, "morris_xarray.h5")
    run("analyze", "morris", morris, "--bootstrap", "100", check=0)
    for file, group, dims in [(path, "sensitivity/sobol", {"output", "parameter"}),
                              (path, "sensitivity/sobol_time", {"output", "time", "parameter"}),
                              (path, "sensitivity/prim", {"step", "parameter"}),
                              (morris, "sensitivity/morris", {"output", "parameter"})]:
        for engine in ("h5netcdf", "netcdf4"):
            with xr.open_dataset(file, group=group, engine=engine) as ds:
                assert set(ds.dims) == dims, (group, engine, dict(ds.dims))
                for name in list(ds.data_vars) + list(ds.coords):
                    attrs = ds[name].attrs
                    assert "units" in attrs and "long_name" in attrs, (group, engine, name, attrs)
                for dim in dims:
                    assert dim in ds.coords and ds[dim].size > 0, (group, engine, dim)
                if "output" in dims:
                    assert "output_units" in ds.coords and "output_variable" in ds.coords, list(ds.coords)
                    # A plot-ready selection by label works.
                    ds.sel(output=str(ds.output.values[0]))
                assert ds.attrs["layout_version"].tolist() == [1, 0], ds.attrs
    with xr.open_dataset(path, group="sensitivity/sobol", engine="h5netcdf") as ds:
        water = ds.ST.sel(output="state_share_cumulative_final[water]")
        assert water.dims == ("parameter",), water.dims


def test_morris_measures_match_an_independent_calculation():
    ensure_sweep("morris_small.yaml", MORRIS_FILE)
    path = fresh_copy(MORRIS_FILE, "morris_check.h5")
    run("analyze", "morris", path, "--bootstrap", "100", check=0)
    bounds = sweep_parameters("morris_small.yaml")
    names = list(bounds)
    with h5py.File(path, "r") as f:
        x = np.array([f["parameters"][p][...] for p in names]).T
        low = np.array([bounds[p]["uniform"][0] for p in names])
        high = np.array([bounds[p]["uniform"][1] for p in names])
        unit = np.round((x - low) / (high - low) * 3) / 3  # 4 levels: 0, 1/3, 2/3, 1
        columns = flat_summary(f)
        group = f["sensitivity/morris"]
        labels = outputs_of(group)
        assert sorted(labels) == sorted(columns)
        assert [s.decode() for s in group["parameter"][...]] == names
        values = np.array([columns[label] for label in labels]).T
        for k, label in enumerate(labels):
            if not np.isfinite(values[:, k]).all():
                continue
            mu, mu_star, sigma = ref.morris_measures(values[:, k], unit, len(names))
            close(group["mu"][k], mu, "mu of " + label)
            close(group["mu_star"][k], mu_star, "mu* of " + label)
            close(group["sigma"][k], sigma, "sigma of " + label)


def test_prim_box_statistics_match_the_runs():
    path = fresh_copy(SOBOL_FILE, "prim_check.h5")
    with h5py.File(path, "r") as f:
        water = f["summary/state_share_cumulative_final"][:, 0]
    threshold = float(np.nanmedian(water))
    result = run("analyze", "prim", path, "--metric", "state_share_cumulative_final[water]", "--above",
                 repr(threshold), "--json", check=0)
    reported = json.loads(result.stdout)
    with h5py.File(path, "r") as f:
        group = f["sensitivity/prim"]
        names = [s.decode() for s in group["parameter"][...]]
        x = np.array([f["parameters"][p][...] for p in names]).T
        low, high = group["chosen_low"][...], group["chosen_high"][...]
        inside = np.all((x >= low) & (x <= high), axis=1)
        interest = water > threshold
        assert group.attrs["cases"][0] == len(water)
        assert group.attrs["cases_of_interest"][0] == interest.sum()
        np.testing.assert_allclose(group.attrs["chosen_coverage"][0], (inside & interest).sum() / interest.sum())
        np.testing.assert_allclose(group.attrs["chosen_density"][0], (inside & interest).sum() / inside.sum())
        np.testing.assert_allclose(reported["chosen"]["density"], group.attrs["chosen_density"][0])
        # Coverage never rises along the peeling trajectory; step 0 is everything.
        coverage = group["coverage"][...]
        assert coverage[0] == 1.0 and np.all(np.diff(coverage) <= 1e-15), coverage
        assert group["density"][group.attrs["chosen_step"][0]] >= group.attrs["base_density"][0]


def test_rerunning_replaces_only_its_own_subgroups():
    path = fresh_copy(SOBOL_FILE, "rerun.h5")
    run("analyze", "sobol", path, "--trajectory", "state_share_extraction", "--bootstrap", "50", check=0)
    run("analyze", "prim", path, "--metric", "tension_final", "--above", "0.3", check=0)
    with h5py.File(path, "r") as f:
        summary_before = {k: v[...] for k, v in f["summary"].items()}
        prim_before = f["sensitivity/prim/chosen_low"][...]
    run("analyze", "sobol", path, "--bootstrap", "60", check=0)
    with h5py.File(path, "r") as f:
        assert "sobol_time" not in f["sensitivity"], "a rerun without --trajectory keeps stale per-year indices"
        assert f["sensitivity/sobol"].attrs["bootstrap_resamples"][0] == 60
        np.testing.assert_array_equal(f["sensitivity/prim/chosen_low"][...], prim_before)
        for k, v in summary_before.items():
            np.testing.assert_array_equal(f["summary"][k][...], v)
    assert not os.path.exists(path + ".partial")


def test_a_file_of_format_1_1_is_analysed_and_gains_the_1_2_columns():
    """A results file written before perfect foresight (format 1.1, no
    /runs/foresight_*) is analysed; the writer adds the two columns, filled
    as for myopic runs (docs/output-format.md, history of 1.2)."""
    path = fresh_copy(SOBOL_FILE, "format_1_1.h5")
    with h5py.File(path, "r+") as f:
        runs = len(f["runs/run"])
        del f["runs/foresight_iterations"]
        del f["runs/foresight_residual"]
        f.attrs.modify("format_version", np.array([1, 1], dtype=np.int32))  # in place, as a 1.1 writer left it
    run("analyze", "sobol", path, "--bootstrap", "20", check=0)
    with h5py.File(path, "r") as f:
        assert list(f.attrs["format_version"]) == [1, 2], list(f.attrs["format_version"])
        np.testing.assert_array_equal(f["runs/foresight_iterations"][...], np.zeros(runs))
        assert np.isnan(f["runs/foresight_residual"][...]).all()
        assert "sobol" in f["sensitivity"]


def test_bad_input_is_refused_with_a_clear_message():
    ensure_sweep("morris_small.yaml", MORRIS_FILE)
    sobol = fresh_copy(SOBOL_FILE, "refuse.h5")
    with open(sobol, "rb") as stream:
        original = stream.read()
    cases = [
        (("analyze", "morris", sobol), EXIT_CONFIG, "needs a morris design"),
        (("analyze", "sobol", MORRIS_FILE), EXIT_CONFIG, "needs a sobol design"),
        (("analyze", "sobol", os.path.join(WORK, "no_such_file.h5")), EXIT_IO, "no_such_file.h5"),
        (("analyze", "prim", sobol, "--metric", "price_final", "--above", "1"), EXIT_CONFIG,
         "price_final[water]"),
        (("analyze", "prim", sobol, "--metric", "no_such_metric", "--below", "1"), EXIT_CONFIG,
         "no summary output 'no_such_metric'"),
        (("analyze", "sobol", sobol, "--trajectory", "capacity"), EXIT_CONFIG, "no trajectory variable 'capacity'"),
        (("analyze", "prim", sobol, "--metric", "tension_final"), EXIT_USAGE, "--above X or --below X"),
        (("analyze", "anova", sobol), EXIT_USAGE, "unknown analysis 'anova'"),
        (("analyze", "sobol", sobol, "--confidence", "95"), EXIT_USAGE, "--confidence"),
    ]
    for args, code, message in cases:
        result = run(*args)
        assert result.returncode == code, (args, result.returncode, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    # An unfinished NAME.partial (a sweep, a retry or an analysis) is never touched.
    with open(sobol + ".partial", "wb") as stream:
        stream.write(b"unfinished")
    result = run("analyze", "sobol", sobol)
    assert result.returncode == EXIT_IO and "already exists" in result.stderr, result.stderr
    with open(sobol + ".partial", "rb") as stream:
        assert stream.read() == b"unfinished"
    os.remove(sobol + ".partial")
    with open(sobol, "rb") as stream:
        assert stream.read() == original, "a refused analysis changed the file"


def test_help_after_a_command_prints_that_commands_usage():
    commands = ("analyze", "sweep", "run", "merge", "status", "check", "keys")
    for command in commands:
        result = run(command, "--help")
        assert result.returncode == 0, (command, result.returncode, result.stderr)
        assert "arcm %s " % command in result.stdout, result.stdout
        for other in commands:
            if other != command:
                assert "  arcm %s " % other not in result.stdout, (command, other, result.stdout)
        assert "unknown option" not in result.stderr, result.stderr
    assert run("help", "analyze").stdout == run("analyze", "--help").stdout
    # A usage error is one line and a pointer to the command's usage.
    result = run("analyze", "--no-such-option")
    assert result.returncode == 2, result.returncode
    assert result.stderr.count("\n") == 1 and "see `arcm analyze --help`" in result.stderr, result.stderr


def test_a_killed_analysis_leaves_the_file_whole():
    # SIGKILL at moments spread over the analysis (reading, computing,
    # copying, writing, renaming): the file must afterwards be either the
    # original, byte for byte, or the complete new one, never a mix.
    import signal
    import time
    path = fresh_copy(SOBOL_FILE, "killed.h5")
    with open(path, "rb") as stream:
        original = stream.read()
    start = time.monotonic()
    run("analyze", "sobol", path, "--trajectory", "state_share_extraction", "--bootstrap", "300", check=0)
    full = time.monotonic() - start
    outcomes = set()
    for attempt in range(12):
        with open(path, "wb") as stream:
            stream.write(original)
        process = subprocess.Popen([ARCM, "analyze", "sobol", path, "--trajectory", "state_share_extraction",
                                    "--bootstrap", "300"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(full * (attempt + 0.5) / 12)
        process.send_signal(signal.SIGKILL)
        process.wait()
        with open(path, "rb") as stream:
            now = stream.read()
        if now == original:
            outcomes.add("original")
        else:
            with h5py.File(path, "r") as f:
                assert f["sensitivity/sobol/S1"].shape == (len(f["sensitivity/sobol/output"]), 4)
                assert f["sensitivity/sobol_time/S1"].shape[1] == len(f["trajectories/time"])
                for name in ("summary", "parameters", "runs"):
                    assert name in f
            outcomes.add("complete")
        if os.path.exists(path + ".partial"):
            os.remove(path + ".partial")  # what a user does after a kill (docs/output-format.md)
    print("    outcomes after kills:", sorted(outcomes))


def main():
    tests = [(name, fn) for name, fn in globals().items() if name.startswith("test_") and callable(fn)]
    return run_tests(tests, sys.argv[3:], work=WORK, fresh=False,
                     before=lambda: ensure_sweep("sobol_small.yaml", SOBOL_FILE))

if __name__ == "__main__":
    sys.exit(main())
