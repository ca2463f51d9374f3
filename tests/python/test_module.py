#!/usr/bin/python3
"""Tests of the Python module `arcm` (docs/python.md) against the real binary
and real files: the same bits as the CLI, overrides and their errors, the GIL
released during a run, sweeps, open(), open_many() and the EMA interface.

usage: test_module.py ARCM_BINARY PYTHON_PACKAGE_DIR WORKDIR [TEST_NAME ...]
"""
import os
import subprocess
import sys
import signal
import threading
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
SCENARIOS = os.path.join(HERE, "..", "data", "scenarios")
SWEEPS = os.path.join(HERE, "..", "data", "sweeps")
BASELINE = os.path.join(ROOT, "config", "scenarios", "baseline.yaml")
HOTELLING = os.path.join(SCENARIOS, "hotelling_price_taker.yaml")
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
from runner import run_tests, same_datasets  # noqa: E402

ARCM = sys.argv[1]
sys.path.insert(0, sys.argv[2])
WORK = sys.argv[3]
import arcm  # noqa: E402


def path(name):
    return os.path.join(WORK, name)


def cli(*args, check=0):
    result = subprocess.run([ARCM, *args], capture_output=True, text=True)
    assert result.returncode == check, (args, result.returncode, result.stdout, result.stderr)
    return result


def raises(kind, function, *contains):
    try:
        function()
    except kind as error:
        for text in contains:
            assert text in str(error), (text, str(error))
        return error
    raise AssertionError(f"expected {kind.__name__}")


def assert_same_run(ds, results_file):
    """Every trajectory and summary variable of an in-process run equals run 0 of the file, bit for bit."""
    stored = arcm.open(results_file)
    compared = 0
    for group in ("trajectories", "summary"):
        data = stored[group].isel(run=0)
        for name in data.data_vars:
            a, b = ds[name].values, data[name].values
            assert a.shape == b.shape, (name, a.shape, b.shape)
            assert np.array_equal(a.view(np.uint64), b.view(np.uint64)), name  # the bits, NaN included
            compared += 1
    assert compared > 40, compared
    runs = stored["runs"].isel(run=0)
    for key in ("rhs_evaluations", "accepted_steps", "rejected_steps", "foresight_iterations"):
        assert int(runs[key]) == ds.attrs[key], key


def test_a_run_in_process_gives_the_bits_of_arcm_run():
    for scenario, name in ((BASELINE, "baseline"), (HOTELLING, "hotelling")):
        target = path(f"{name}.h5")
        cli("run", scenario, "-o", target, "--quiet")
        ds = arcm.run(scenario)
        assert ds.attrs["status"] == "ok", ds.attrs
        assert_same_run(ds, target)
    assert ds.attrs["foresight_iterations"] > 0  # the perfect-foresight case went through the fixed point


def test_overrides_set_keys_and_give_the_bits_of_a_file_that_says_the_same():
    s = arcm.load_scenario(BASELINE, {"legal.property_security": 0.35}, legal__regime_scope="universal",
                           **{"actors.spacex.progress_ratio": 0.9})
    assert s.get("legal.property_security") == 0.35
    assert s.get("legal.regime_scope") == "universal"
    assert s.get("actors.spacex.progress_ratio") == 0.9
    assert arcm.load_scenario(BASELINE).get("legal.property_security") != 0.35  # the file is left as it was
    text = open(BASELINE).read()
    edited = path("edited.yaml")
    with open(edited, "w") as out:  # the same change written in a scenario file
        out.write(f"extends: {BASELINE}\nlegal:\n  property_security: 0.35\n  regime_scope: universal\n"
                  "actors:\n  spacex:\n    progress_ratio: 0.9\n")
    assert "property_security" in text
    cli("run", edited, "-o", path("edited.h5"), "--quiet")
    assert_same_run(arcm.run(s), path("edited.h5"))
    # run() takes overrides too, and the result changes with them
    low = arcm.run(BASELINE, {"legal.property_security": 0.1})
    assert not np.array_equal(low["price"].values, arcm.run(BASELINE)["price"].values)


def test_bad_keys_and_values_raise_errors_that_name_them():
    raises(arcm.ConfigError, lambda: arcm.load_scenario(BASELINE, {"legal.propertysecurity": 0.5}),
           "legal.propertysecurity")
    raises(arcm.ConfigError, lambda: arcm.load_scenario(BASELINE, {"legal.property_security": 1.5}),
           "property_security", "1.5")
    raises(arcm.ConfigError, lambda: arcm.load_scenario(BASELINE, {"legal.regime_scope": "everyone"}),
           "regime_scope", "parties", "universal")
    raises(arcm.ConfigError, lambda: arcm.load_scenario(BASELINE, {"actors.nasa.discount_rate": 0.1}), "nasa")
    raises(arcm.ConfigError, lambda: arcm.load_scenario(BASELINE, {"legal.property_security": "high"}),
           "property_security")
    bad = os.path.join(ROOT, "tests", "data", "bad_configs", "elasticity_negative.yaml")
    raises(arcm.ConfigError, lambda: arcm.load_scenario(bad), "elasticity_negative.yaml", "elasticity")
    raises(FileNotFoundError, lambda: arcm.load_scenario(path("missing.yaml")), "missing.yaml")
    raises(TypeError, lambda: arcm.run(42))


def test_a_failed_run_returns_its_reason_instead_of_raising():
    ds = arcm.run(HOTELLING, {"economy.foresight_max_iterations": 2})
    assert ds.attrs["status"] == "failed", ds.attrs
    assert "did not converge" in ds.attrs["message"]
    assert np.isnan(ds["price"].values).all()


def test_runs_in_threads_give_the_bits_of_one_thread():
    # Runs release the GIL while they integrate; scripts/bench_python.py measures the speed-up.
    s = arcm.load_scenario(HOTELLING)
    serial = [arcm.run(s)["price"].values for _ in range(2)]
    assert np.array_equal(serial[0], serial[1])
    results = [None] * 4

    def work(i):
        results[i] = arcm.run(s)["price"].values

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        assert np.array_equal(r, serial[0])


def test_a_sweep_from_python_is_the_cli_sweep():
    target = path("grid_py.h5")
    results = arcm.sweep(os.path.join(SWEEPS, "grid.yaml"), output=target, threads=2)
    assert results.outcome["failed"] == 0 and results.outcome["done"] == results.attrs["total_runs"]
    cli("sweep", os.path.join(SWEEPS, "grid.yaml"), "-o", path("grid_cli.h5"), "--threads", "1", "--quiet")
    same_datasets(target, path("grid_cli.h5"))
    # the overwrite rule of every writing command
    raises(arcm.IoError, lambda: arcm.sweep(os.path.join(SWEEPS, "grid.yaml"), output=target), target)
    again = arcm.sweep(os.path.join(SWEEPS, "grid.yaml"), output=target, force=True)
    assert again.outcome["done"] == results.outcome["done"]
    # a failing run is recorded, not raised
    failing = arcm.sweep(os.path.join(SWEEPS, "foresight_grid.yaml"), output=path("fg.h5"), threads=2)
    assert failing.outcome["failed"] == 1
    assert list(failing["summary"].status.values).count("failed") == 1


def test_ctrl_c_stops_a_sweep_resumably_and_resume_finishes_it():
    target = path("interrupted.h5")
    sweep_file = os.path.join(SWEEPS, "kill_target.yaml")

    def interrupt():
        while not os.path.exists(target + ".partial"):
            time.sleep(0.002)
        os.kill(os.getpid(), signal.SIGINT)  # as soon as the sweep writes, long before it ends

    killer = threading.Thread(target=interrupt)
    killer.start()
    error = raises(KeyboardInterrupt, lambda: arcm.sweep(sweep_file, output=target, threads=2), ".partial")
    killer.join()
    assert os.path.exists(target + ".partial") and not os.path.exists(target), error
    finished = arcm.sweep(sweep_file, output=target, threads=2, resume=True)
    assert finished.outcome["done"] == finished.attrs["total_runs"]
    cli("sweep", sweep_file, "-o", path("uninterrupted.h5"), "--quiet")
    same_datasets(target, path("uninterrupted.h5"))


def test_open_attaches_parameters_and_status_to_every_run_group():
    results = arcm.open(path("fg.h5"))
    assert "summary" in results and "trajectories" in results
    summary = results["summary"]
    for coordinate in ("economy.expectations", "economy.foresight_max_iterations", "status"):
        assert coordinate in summary.coords, list(summary.coords)
        assert summary[coordinate].dims == ("run",)
    assert results["trajectories"]["status"].dims == ("run",)
    ok = summary.where(summary.status == "ok", drop=True)
    assert ok.sizes["run"] == 3
    by = summary["price_final"].groupby("economy.foresight_max_iterations").count()
    assert by.sizes["economy.foresight_max_iterations"] == 2
    assert "name: " in results.scenario_yaml() and results.attrs["design"] == "grid"
    raises(arcm.ArcmFileError, lambda: arcm.open(path("nothing.h5")), "nothing.h5")
    single = arcm.open(path("baseline.h5"))
    assert single["summary"].status.values.tolist() == ["ok"]


def test_open_many_aligns_actor_sets_and_keeps_each_files_bloc_labels():
    base = os.path.join(SCENARIOS, "base.yaml")
    with open(base) as source:
        text = source.read()
    other = path("other.yaml")
    # The same scenario with the firm renamed and in the other bloc; its actors are not the first file's.
    assert "spacex" in text
    head, firm = text.split("  spacex:", 1)
    with open(other, "w") as out:
        out.write((head + "  ispace:" + firm.replace("bloc: artemis", "bloc: ilrs", 1)).replace("spacex", "ispace"))
    cli("run", base, "-o", path("base.h5"), "--quiet")
    cli("run", other, "-o", path("other.h5"), "--quiet")
    both = arcm.open_many({"base": path("base.h5"), "other": path("other.h5")})
    assert list(both.scenario.values) == ["base", "other"]
    actors = list(both.actor.values)
    assert actors[:3] == list(arcm.open(path("base.h5"))["summary"].actor.values)
    assert "ispace" in actors and "spacex" in actors
    bloc = both["actor_bloc"]
    assert bloc.dims == ("scenario", "actor")
    assert bloc.sel(scenario="base", actor="spacex").item() == "artemis"
    assert bloc.sel(scenario="other", actor="spacex").item() == ""
    other_bloc = arcm.open(path("other.h5"))["summary"].actor_bloc
    assert bloc.sel(scenario="other", actor="ispace").item() == other_bloc.sel(actor="ispace").item()
    assert bool(both.actor_present.sel(scenario="other", actor="ispace"))
    assert not bool(both.actor_present.sel(scenario="base", actor="ispace"))
    npv = both["npv_final"]
    assert np.isnan(npv.sel(scenario="base", actor="ispace").values).all()
    assert np.isfinite(npv.sel(scenario="base", actor="spacex").values).all()
    # sweeps of different sizes: runs aligned by index, status "not_run" where a file has fewer
    mixed = arcm.open_many([path("fg.h5"), path("baseline.h5")], names=["grid", "single"])
    assert mixed.sizes["run"] == 4
    assert mixed.status.sel(scenario="single").values.tolist() == ["ok", "not_run", "not_run", "not_run"]
    raises(ValueError, lambda: arcm.open_many([path("base.h5"), path("base.h5")]), "names")


def test_the_ema_interface_returns_named_outcomes():
    model = arcm.Model(BASELINE, outcomes=["price_final.pgm", "tension_final", "capacity_final.spacex.water",
                                           "price.water"])
    out = model(**{"legal.property_security": 0.35}, legal__regime_scope="universal")
    ds = arcm.run(BASELINE, {"legal.property_security": 0.35, "legal.regime_scope": "universal"})
    assert out["price_final.pgm"] == float(ds["price_final"].sel(resource="pgm"))
    assert out["tension_final"] == float(ds["tension_final"])
    assert out["capacity_final.spacex.water"] == float(ds["capacity_final"].sel(actor="spacex", resource="water"))
    assert np.array_equal(out["price.water"], ds["price"].sel(resource="water").values)
    assert len(model.time) == ds.sizes["time"]
    every = arcm.Model(BASELINE)
    assert "price_final.water" in every.outcomes and "stop_time" in every.outcomes
    assert all(isinstance(v, float) for v in every().values())
    raises(arcm.ConfigError, lambda: arcm.Model(BASELINE, outcomes=["price_final.gold"]), "gold", "pgm")
    raises(arcm.ConfigError, lambda: arcm.Model(BASELINE, outcomes=["happiness"]), "happiness")
    raises(arcm.ConfigError, lambda: model(**{"legal.property_security": 3.0}), "property_security")
    failing = arcm.Model(HOTELLING, outcomes=["price_final.ore"])
    assert np.isnan(failing(**{"economy.foresight_max_iterations": 2})["price_final.ore"])
    assert failing.last_status == "failed" and "did not converge" in failing.last_message


def main():
    tests = [(n, f) for n, f in globals().items() if n.startswith("test_") and callable(f)]
    return run_tests(tests, sys.argv[4:], work=WORK)


if __name__ == "__main__":
    sys.exit(main())
