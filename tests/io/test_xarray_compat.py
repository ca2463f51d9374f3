#!/usr/bin/python3
"""Checks that ARCM results files open directly in xarray (netcdf4 and
h5netcdf engines), h5py, netCDF4 and ncdump, and that values round-trip.

Usage: /usr/bin/python3 test_xarray_compat.py SAMPLE_DIR
SAMPLE_DIR holds the files written by tests/io/write_sample_results; the
expected values follow the formula in tests/io/synthetic_results.hpp.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import warnings

# Debian's netCDF4 wheel warns about a numpy ABI size on import; harmless here.
warnings.filterwarnings("ignore", message="numpy.ndarray size changed")

import h5py  # noqa: E402
import netCDF4  # noqa: E402,F401  (imported under the filter above; xarray would import it later)
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import arcm_io  # noqa: E402

SAMPLE_DIR = None  # set from argv in main
ENGINES = ("netcdf4", "h5netcdf")
YEARS = list(range(2030, 2041))
ACTORS = ["nasa", "spacex", "cnsa"]
TRAJECTORY_ORDER = ["capacity", "launch_experience", "stock", "receipts", "debris", "cumulative_share_by_kind",
                    "cumulative_share_by_bloc"]
SUMMARY_ORDER = ["final_npv", "total_extracted", "final_debris", "share_by_bloc"]
ROOT_TEXT_ATTRIBUTES = ["filetype", "Conventions", "arcm_version", "git_commit", "build_type", "created_utc",
                        "resolved_yaml", "yaml_kind", "definition_hash", "design"]
STATISTICS = ["count", "mean", "std", "min", "q05", "q25", "q50", "q75", "q95", "max"]
KILLED = "killed_sweep.h5.partial"
RETRIED = "retried_sweep.h5"  # finished with its checkpoint kept, then updated as --retry-failed does


def sample(name):
    return os.path.join(SAMPLE_DIR, name)


def expected_run(run, variable_index, shape):
    """synthetic_value() of tests/io/synthetic_results.hpp for one run of a variable."""
    flat = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    return 1000.0 * run + 10.0 * variable_index + 0.25 * flat


def all_samples():
    return [sample(n) for n in ("single_run.h5", "sweep.h5", "summary_only.h5", KILLED, RETRIED)]


def groups_of(path):
    """Data groups plus /checkpoint where present: every one must open cleanly."""
    info = arcm_io.check_file(path)
    return info["groups"] + ([arcm_io.CHECKPOINT_GROUP] if info["has_checkpoint"] else [])


# The leading dimension of every data variable, by group.
LEADING_DIM = {"ensemble": "statistic", "checkpoint": "checkpoint_element"}


class OpensEverywhere(unittest.TestCase):
    def test_every_group_opens_with_both_engines_without_phony_dims(self):
        for path in all_samples():
            for group in groups_of(path):
                for engine in ENGINES:
                    with self.subTest(file=os.path.basename(path), group=group, engine=engine):
                        with xr.open_dataset(path, group=group, engine=engine) as ds:
                            leading = LEADING_DIM.get(group, "run")
                            self.assertFalse([d for d in ds.dims if str(d).startswith("phony_dim")])
                            self.assertIn(leading, ds.coords)
                            if group == "ensemble":
                                self.assertNotIn("run", ds.dims)  # statistics across runs have no run axis
                                self.assertEqual(list(ds["statistic"].values), STATISTICS)
                                self.assertTrue(all(type(v) is str for v in ds["statistic"].values))
                            for name, variable in ds.variables.items():
                                self.assertIsInstance(variable.attrs.get("units"), str, name)
                                self.assertIsInstance(variable.attrs.get("long_name"), str, name)
                            for name, variable in ds.data_vars.items():
                                self.assertEqual(variable.dims[0], leading, name)
                                for dim in variable.dims:
                                    self.assertIn(dim, ds.coords, f"{name}: no coordinate for {dim}")
                                if "actor" in variable.dims:
                                    self.assertEqual(list(variable.coords["actor_kind"].values),
                                                     ["state", "firm", "state"])

    def test_both_engines_read_the_same_values(self):
        for path in all_samples():
            for group in groups_of(path):
                with self.subTest(file=os.path.basename(path), group=group):
                    with xr.open_dataset(path, group=group, engine="netcdf4") as a, \
                         xr.open_dataset(path, group=group, engine="h5netcdf") as b:
                        xr.testing.assert_identical(a, b)

    def test_ncdump_lists_no_phony_dim(self):
        for path in all_samples():
            with self.subTest(file=os.path.basename(path)):
                header = subprocess.run(["ncdump", "-h", path], check=True, capture_output=True, text=True).stdout
                self.assertNotIn("phony_dim", header)
                self.assertIn("run = UNLIMITED", header)
                if "group: ensemble" in header:
                    self.assertIn("statistic = 10 ;", header)
                if path.endswith(".partial") or path.endswith(RETRIED):
                    self.assertIn("checkpoint_element = UNLIMITED", header)

    def test_netcdf4_can_open_for_append(self):
        for name in ("sweep.h5", KILLED, RETRIED):
            with self.subTest(file=name), tempfile.TemporaryDirectory() as scratch:
                copy = os.path.join(scratch, "copy.h5")
                shutil.copy(sample(name), copy)
                with netCDF4.Dataset(copy, mode="a") as ds:
                    ds.setncattr("touched_by_test", "yes")  # needs creation order tracking
                with netCDF4.Dataset(copy) as ds:
                    self.assertEqual(ds.getncattr("touched_by_test"), "yes")

    def test_h5py_reads_text_attributes_as_str(self):
        for path in all_samples():
            with self.subTest(file=os.path.basename(path)), h5py.File(path, "r") as f:
                for name in ROOT_TEXT_ATTRIBUTES:
                    self.assertIsInstance(f.attrs[name], str, name)
                self.assertEqual(list(f.attrs["format_version"]), [arcm_io.SUPPORTED_MAJOR, 2])

                def check(name, item):
                    if isinstance(item, h5py.Dataset):
                        self.assertIsInstance(item.attrs["units"], str, name)
                        self.assertIsInstance(item.attrs["long_name"], str, name)
                f.visititems(check)


class RoundTrip(unittest.TestCase):
    def test_single_run(self):
        info = arcm_io.check_file(sample("single_run.h5"))
        self.assertEqual(info["format_version"], (1, 2))
        self.assertEqual((info["definition_hash"], info["design"], info["total_runs"]), ("", "single_run", 1))
        self.assertFalse(info["has_checkpoint"])
        self.assertEqual(info["Conventions"], "CF-1.10")
        self.assertIn("name: synthetic", info["resolved_yaml"])
        self.assertEqual(info["yaml_kind"], "scenario")
        self.assertEqual((info["master_seed"], info["threads"], info["processes"]), (20300101, 2, 1))
        groups = arcm_io.open_all(sample("single_run.h5"))
        self.assertEqual(list(groups), ["trajectories", "summary", "parameters", "runs"])  # no ensemble for one run
        traj = groups["trajectories"]
        self.assertEqual(list(traj.data_vars), TRAJECTORY_ORDER)
        self.assertEqual(list(traj["time"].values), YEARS)
        self.assertEqual(list(traj["actor"].values), ACTORS)
        self.assertEqual(list(traj["actor_bloc"].values), ["west", "west", "east"])
        self.assertEqual(traj["capacity"].dims, ("run", "time", "actor", "resource"))
        self.assertEqual(traj["capacity"].dtype, np.float64)
        self.assertEqual(traj["capacity"].attrs["units"], "t/yr")
        for index, name in enumerate(TRAJECTORY_ORDER):
            np.testing.assert_array_equal(traj[name].values[0], expected_run(0, index, traj[name].shape[1:]))
        summary = groups["summary"]
        for index, name in enumerate(SUMMARY_ORDER):
            np.testing.assert_array_equal(summary[name].values[0], expected_run(0, index, summary[name].shape[1:]))
        self.assertEqual(summary["final_debris"].dims, ("run",))
        runs = groups["runs"]
        self.assertEqual(arcm_io.status_names(runs), ["ok"])
        self.assertEqual(runs["status"].dtype, np.int8)
        self.assertEqual(list(runs["seed"].values), [1000])
        self.assertEqual(list(runs["message"].values), [""])
        self.assertEqual(list(groups["parameters"].data_vars), [])

    def test_sweep(self):
        groups = arcm_io.open_all(sample("sweep.h5"), engine="netcdf4")
        traj, summary, runs, params = (groups[g] for g in ("trajectories", "summary", "runs", "parameters"))
        self.assertEqual(list(traj["run"].values), [0, 1, 2, 3, 4])
        self.assertEqual(traj["capacity"].dtype, np.float32)  # float32 on request
        self.assertEqual(summary["final_npv"].dtype, np.float64)
        self.assertEqual(arcm_io.status_names(runs), ["ok", "ok", "failed", "ok", "kessler"])
        self.assertEqual(list(runs["seed"].values), [1000, 1001, 1002, 1003, 1004])
        self.assertIn("non-finite", str(runs["message"].values[2]))
        self.assertEqual(list(runs["rhs_evaluations"].values), [1000, 1001, 1002, 1003, 1004])
        np.testing.assert_array_equal(params["demand_elasticity"].values, [-0.5 - 0.125 * r for r in range(5)])
        np.testing.assert_array_equal(params["royalty_rate"].values, [0.0625 * r for r in range(5)])
        for index, name in enumerate(TRAJECTORY_ORDER):
            values = traj[name].values
            for run in (0, 1, 3):  # complete runs, written in two out-of-order batches
                np.testing.assert_array_equal(values[run], expected_run(run, index, values.shape[1:]))
            self.assertTrue(np.isnan(values[2]).all(), f"{name}: failed run should be NaN")
            # run 4 stopped after 6 output years: that prefix, then NaN
            np.testing.assert_array_equal(values[4][:6], expected_run(4, index, values.shape[1:])[:6])
            self.assertTrue(np.isnan(values[4][6:]).all())
        self.assertTrue(np.isnan(summary["final_npv"].values[2]).all())
        np.testing.assert_array_equal(summary["final_npv"].values[4], expected_run(4, 0, (3,)))

    def test_sweep_identity_and_no_checkpoint_once_finished(self):
        info = arcm_io.check_file(sample("sweep.h5"))
        self.assertEqual((info["definition_hash"], info["design"], info["total_runs"]),
                         ("f00dfeedcafe0123", "grid", 5))
        self.assertIsInstance(info["total_runs"], int)
        self.assertFalse(info["has_checkpoint"])
        with h5py.File(sample("sweep.h5"), "r") as f:
            self.assertNotIn("checkpoint", f)
        with self.assertRaisesRegex(arcm_io.ArcmFileError, "no group .checkpoint. .NAME.partial files"):
            arcm_io.open_group(sample("sweep.h5"), "checkpoint")

    def test_sweep_ensemble_matches_numpy(self):
        """/ensemble of the sample holds exact statistics over the finite values of the 5 runs."""
        traj = arcm_io.open_group(sample("sweep.h5"), "trajectories", engine="netcdf4")
        ens = arcm_io.open_group(sample("sweep.h5"), "ensemble", engine="netcdf4")
        self.assertEqual(list(ens.data_vars), TRAJECTORY_ORDER)  # every trajectory variable
        self.assertEqual(list(ens["time"].values), YEARS)
        for name in TRAJECTORY_ORDER:
            with self.subTest(variable=name):
                stats = ens[name]
                self.assertEqual(stats.dims, ("statistic",) + traj[name].dims[1:])
                self.assertEqual(stats.dtype, np.float64)
                self.assertEqual(stats.attrs["units"], traj[name].attrs["units"])
                self.assertEqual(stats.attrs["long_name"], traj[name].attrs["long_name"])
                self.assertIn("count", stats.attrs["statistic_units_note"])
                runs = traj[name].values.astype(np.float64)  # synthetic values are exact in float32
                count = np.isfinite(runs).sum(axis=0)
                np.testing.assert_array_equal(stats.sel(statistic="count").values, count)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices never occur here
                    expected = {
                        "mean": np.nanmean(runs, axis=0), "min": np.nanmin(runs, axis=0),
                        "max": np.nanmax(runs, axis=0),
                        "std": np.where(count > 1, np.nanstd(runs, axis=0, ddof=1), np.nan)}
                    for level in (5, 25, 50, 75, 95):
                        expected[f"q{level:02d}"] = np.nanquantile(runs, level / 100, axis=0)
                for statistic, values in expected.items():
                    np.testing.assert_allclose(stats.sel(statistic=statistic).values, values, rtol=1e-12,
                                               err_msg=statistic)
        # Run 4 stopped after 6 years and run 2 failed: later years have 3 contributing runs.
        self.assertEqual(list(ens["debris"].sel(statistic="count").values), [4] * 6 + [3] * 5)
        traj.close()
        ens.close()

    def test_ensemble_helper(self):
        median = arcm_io.ensemble(sample("sweep.h5"), "capacity")
        self.assertEqual(median.dims, ("statistic", "time", "actor", "resource"))
        self.assertEqual(list(median["statistic"].values), STATISTICS)
        self.assertEqual(list(median["actor_kind"].values), ["state", "firm", "state"])
        q50 = median.sel(statistic="q50", actor="spacex", resource="water")
        self.assertEqual(q50.dims, ("time",))
        with self.assertRaisesRegex(arcm_io.ArcmFileError, "no ensemble variable 'capacty'"):
            arcm_io.ensemble(sample("sweep.h5"), "capacty")
        with self.assertRaisesRegex(arcm_io.ArcmFileError, "no group 'ensemble'"):
            arcm_io.ensemble(sample("single_run.h5"), "capacity")

    def test_killed_sweep_partial(self):
        path = sample(KILLED)
        info = arcm_io.check_file(path)
        self.assertTrue(info["has_checkpoint"])
        self.assertEqual(info["groups"], ["summary", "parameters", "runs", "ensemble"])
        self.assertEqual((info["design"], info["total_runs"]), ("monte_carlo", 8))
        for engine in ENGINES:
            with self.subTest(engine=engine):
                with arcm_io.open_group(path, "checkpoint", engine=engine) as checkpoint:
                    self.assertEqual(checkpoint["state"].dims, ("checkpoint_element",))
                    np.testing.assert_array_equal(checkpoint["state"].values, 0.5 * np.arange(7))
                    self.assertEqual(list(checkpoint["checkpoint_element"].values), list(range(7)))
                    self.assertEqual(int(checkpoint.attrs["next_run"]), 5)
                with arcm_io.open_group(path, "runs", engine=engine) as runs:
                    # The run axis holds the runs written so far; total_runs says 3 are missing.
                    self.assertEqual(list(runs["run"].values), list(range(5)))
                    self.assertEqual(arcm_io.status_names(runs), ["ok"] * 5)
                with arcm_io.open_group(path, "summary", engine=engine) as summary:
                    self.assertTrue(np.isfinite(summary["final_npv"].values).all())
                # The declared ensemble is a NaN placeholder until the sweep finishes.
                debris = arcm_io.ensemble(path, "debris", engine=engine)
                self.assertEqual(debris.dims, ("statistic", "time"))
                self.assertEqual(list(debris["time"].values), YEARS)
                self.assertTrue(np.isnan(debris.values).all())

    def test_retried_sweep_keeps_its_checkpoint_and_holds_the_retried_runs(self):
        path = sample(RETRIED)
        info = arcm_io.check_file(path)
        self.assertTrue(info["has_checkpoint"])  # finish(keep_checkpoint=true)
        self.assertEqual(info["groups"], ["summary", "parameters", "runs", "ensemble"])
        for engine in ENGINES:
            with self.subTest(engine=engine):
                with arcm_io.open_group(path, "checkpoint", engine=engine) as checkpoint:
                    np.testing.assert_array_equal(checkpoint["state"].values, 0.25 * np.arange(5))
                    self.assertEqual(int(checkpoint.attrs["next_run"]), 6)
                with arcm_io.open_group(path, "runs", engine=engine) as runs:
                    self.assertEqual(arcm_io.status_names(runs), ["ok"] * 6)
                    self.assertEqual(list(runs["seed"].values), [1000, 2001, 1002, 1003, 2004, 1005])
                    self.assertEqual(list(runs["message"].values), [""] * 6)
                with arcm_io.open_group(path, "summary", engine=engine) as summary:
                    for index, name in enumerate(SUMMARY_ORDER):
                        for run in range(6):
                            np.testing.assert_array_equal(summary[name].values[run],
                                                          expected_run(run, index, summary[name].shape[1:]))
                debris = arcm_io.ensemble(path, "debris", engine=engine)
                np.testing.assert_array_equal(debris.values, np.tile(6.0 + 0.5 * np.arange(len(YEARS)), (10, 1)))

    def test_summary_only(self):
        info = arcm_io.check_file(sample("summary_only.h5"))
        self.assertEqual(info["groups"], ["summary", "parameters", "runs"])
        with self.assertRaisesRegex(arcm_io.ArcmFileError, "no group 'trajectories'"):
            arcm_io.open_group(sample("summary_only.h5"), "trajectories")


class Refusals(unittest.TestCase):
    def setUp(self):
        self.scratch = tempfile.TemporaryDirectory()
        self.copy = os.path.join(self.scratch.name, "copy.h5")
        shutil.copy(sample("single_run.h5"), self.copy)

    def tearDown(self):
        self.scratch.cleanup()

    def set_root(self, name, value):
        with h5py.File(self.copy, "r+") as f:
            f.attrs[name] = value

    def test_newer_major_is_refused(self):
        self.set_root("format_version", np.array([arcm_io.SUPPORTED_MAJOR + 1, 0], dtype=np.int32))
        with self.assertRaisesRegex(arcm_io.ArcmFileError, r"version 2\.0 is newer"):
            arcm_io.open_group(self.copy, "summary")

    def test_newer_minor_is_accepted(self):
        self.set_root("format_version", np.array([arcm_io.SUPPORTED_MAJOR, 7], dtype=np.int32))
        with arcm_io.open_group(self.copy, "summary") as ds:
            self.assertIn("final_npv", ds)

    def test_format_1_0_is_accepted(self):
        self.set_root("format_version", np.array([1, 0], dtype=np.int32))
        with h5py.File(self.copy, "r+") as f:
            for name in ("definition_hash", "design", "total_runs"):  # added in 1.1
                del f.attrs[name]
        info = arcm_io.check_file(self.copy)
        self.assertEqual(info["format_version"], (1, 0))
        self.assertNotIn("design", info)
        with arcm_io.open_group(self.copy, "trajectories") as ds:
            self.assertIn("capacity", ds)

    def test_wrong_filetype_is_refused(self):
        self.set_root("filetype", "openmc-statepoint")
        with self.assertRaisesRegex(arcm_io.ArcmFileError, "not an ARCM results file"):
            arcm_io.open_all(self.copy)

    def test_not_hdf5_and_missing_are_refused(self):
        text = os.path.join(self.scratch.name, "notes.txt")
        with open(text, "w") as f:
            f.write("not hdf5\n")
        with self.assertRaisesRegex(arcm_io.ArcmFileError, "not a readable HDF5 file"):
            arcm_io.check_file(text)
        with self.assertRaisesRegex(arcm_io.ArcmFileError, "no such file"):
            arcm_io.check_file(os.path.join(self.scratch.name, "absent.h5"))


def main():
    global SAMPLE_DIR
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    SAMPLE_DIR = sys.argv[1]
    program = unittest.main(argv=[sys.argv[0], "-v"], exit=False)
    return 0 if program.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
