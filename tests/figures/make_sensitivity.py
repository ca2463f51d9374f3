#!/usr/bin/python3
"""Inputs of the sobol, morris and prim figure tests: WORK/sobol.h5, morris.h5, prim.h5.

    make_sensitivity.py ARCM WORK [--synthetic]

With an arcm binary that has `arcm analyze`, runs the tiny sweeps figures_sobol.yaml and
figures_morris.yaml and analyses them for real (PRIM on a copy of the Sobol sweep, with the
median of the water state share as threshold). Otherwise, or with --synthetic, writes a
/sensitivity group into copies of WORK/grid.h5 that follows the layout of
docs/output-format.md (section /sensitivity) with made-up index values, and says so.
"""

import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "scripts"))
import arcm_io  # noqa: E402


def call(argv):
    result = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        print(f"FAIL: {' '.join(argv)} -> {result.returncode}\n{result.stdout}{result.stderr}")
        sys.exit(1)
    return result


def has_analyze(arcm):
    """Whether this arcm binary has the `analyze` command (its usage text lists it)."""
    result = subprocess.run([arcm, "--help"], capture_output=True, text=True, timeout=60)
    return "arcm analyze" in result.stdout + result.stderr


def real(arcm, work):
    for name in ("sobol", "morris"):
        call([arcm, "sweep", os.path.join(HERE, f"figures_{name}.yaml"), "-o", f"{work}/{name}.h5",
              "--threads", "1", "--quiet"])
    shutil.copyfile(f"{work}/sobol.h5", f"{work}/prim.h5")
    call([arcm, "analyze", "sobol", f"{work}/sobol.h5", "--bootstrap", "200", "--trajectory", "state_share_extraction"])
    call([arcm, "analyze", "morris", f"{work}/morris.h5", "--bootstrap", "200"])
    import numpy as np
    share = arcm_io.variable(f"{work}/prim.h5", "summary", "state_share_cumulative_final").sel(resource="water")
    threshold = float(np.nanmedian(share.values))
    call([arcm, "analyze", "prim", f"{work}/prim.h5", "--metric", "state_share_cumulative_final[water]",
          "--above", f"{threshold:.6g}"])
    print("sensitivity inputs: real sweeps analysed with arcm analyze")


def synthetic(work):
    """Copies of grid.h5 with a /sensitivity group laid out as docs/output-format.md says (values made up)."""
    import h5py
    import numpy as np
    import xarray as xr

    source = f"{work}/grid.h5"
    parameters = arcm_io.load_group(source, "parameters")
    names = list(parameters.data_vars)
    units = [parameters[n].attrs.get("units", "1") or "1" for n in names]
    outputs = ["tension_final", "state_share_cumulative_final[water]", "state_share_cumulative_final[pgm]",
               "price_final[water]"]
    out_vars = [o.split("[")[0] for o in outputs]
    out_units = ["1", "1", "1", "M$/t"]
    rng = np.random.default_rng(5)
    d, m = len(names), len(outputs)
    common = {"layout_version": np.array([1, 0], dtype=np.int32), "description": "synthetic (figure tests)",
              "confidence_level": np.array([0.95]), "bootstrap_resamples": np.array([200], dtype=np.int64),
              "bootstrap_seed": np.array([1], dtype=np.uint64), "failed_runs": np.array([0], dtype=np.int64),
              "source_file": source, "created_utc": "", "arcm_version": "", "git_commit": ""}

    def coords(extra=None):
        c = {"output": ("output", outputs), "parameter": ("parameter", names),
             "parameter_units": ("parameter", units), "output_variable": ("output", out_vars),
             "output_units": ("output", out_units)}
        c.update(extra or {})
        return c

    def var(values, dims, unit, long_name):
        return xr.Variable(dims, values, {"units": unit, "long_name": long_name})

    # sobol
    s1 = rng.uniform(0, 0.6, (m, d))
    st = np.minimum(s1 + rng.uniform(0, 0.3, (m, d)), 1.0)
    sobol = xr.Dataset({
        "S1": var(s1, ("output", "parameter"), "1", "first-order Sobol index"),
        "S1_conf_low": var(s1 - 0.1, ("output", "parameter"), "1", "lower confidence bound of S1"),
        "S1_conf_high": var(s1 + 0.1, ("output", "parameter"), "1", "upper confidence bound of S1"),
        "ST": var(st, ("output", "parameter"), "1", "total-order Sobol index"),
        "ST_conf_low": var(st - 0.08, ("output", "parameter"), "1", "lower confidence bound of ST"),
        "ST_conf_high": var(st + 0.08, ("output", "parameter"), "1", "upper confidence bound of ST"),
        "output_mean": var(rng.uniform(0, 1, m), ("output",), "output_units", "mean of the output"),
        "output_std": var(rng.uniform(0, 1, m), ("output",), "output_units", "standard deviation of the output"),
        "samples": var(np.full(m, 8, dtype=np.int64), ("output",), "1", "base samples used"),
    }, coords=coords(), attrs=dict(common, method="sobol", base_samples=np.array([8], dtype=np.int64)))
    time = arcm_io.variable(source, "trajectories", "time").values
    t = len(time)
    shape = np.linspace(0.2, 1.0, t)[None, :, None]
    s1t = np.clip(s1[:, None, :] * shape, 0, 1)
    stt = np.clip(st[:, None, :] * shape, 0, 1)
    dims3 = ("output", "time", "parameter")
    sobol_time = xr.Dataset({
        "S1": var(s1t, dims3, "1", "first-order Sobol index"),
        "S1_conf_low": var(s1t - 0.1, dims3, "1", "lower confidence bound of S1"),
        "S1_conf_high": var(s1t + 0.1, dims3, "1", "upper confidence bound of S1"),
        "ST": var(stt, dims3, "1", "total-order Sobol index"),
        "ST_conf_low": var(stt - 0.08, dims3, "1", "lower confidence bound of ST"),
        "ST_conf_high": var(stt + 0.08, dims3, "1", "upper confidence bound of ST"),
        "samples": var(np.full((m, t), 8, dtype=np.int64), ("output", "time"), "1", "base samples used"),
    }, coords=coords({"time": ("time", time, {"units": "year", "long_name": "calendar year"})}),
        attrs=dict(common, method="sobol", base_samples=np.array([8], dtype=np.int64)))
    # morris
    mu_star = rng.uniform(0, 1, (m, d))
    sigma = mu_star * rng.uniform(0.2, 1.5, (m, d))
    morris = xr.Dataset({
        "mu": var(mu_star * np.sign(rng.uniform(-1, 1, (m, d))), ("output", "parameter"), "output_units", "mean effect"),
        "mu_star": var(mu_star, ("output", "parameter"), "output_units", "mean absolute elementary effect"),
        "sigma": var(sigma, ("output", "parameter"), "output_units", "standard deviation of the effects"),
        "mu_star_conf_low": var(mu_star * 0.7, ("output", "parameter"), "output_units", "lower bound of mu_star"),
        "mu_star_conf_high": var(mu_star * 1.3, ("output", "parameter"), "output_units", "upper bound of mu_star"),
        "effects": var(np.full((m, d), 4, dtype=np.int64), ("output", "parameter"), "1", "elementary effects used"),
    }, coords=coords(), attrs=dict(common, method="morris", trajectories=np.array([4], dtype=np.int64),
                                  levels=np.array([4], dtype=np.int64), delta=np.array([2 / 3])))
    # prim: a peeling trajectory of 8 steps
    steps = 8
    coverage = np.linspace(1.0, 0.35, steps)
    density = np.linspace(0.3, 0.9, steps)
    lo = np.array([float(parameters[n].min()) for n in names])
    hi = np.array([float(parameters[n].max()) for n in names])
    box_low = np.tile(lo, (steps, 1))
    box_high = np.tile(hi, (steps, 1))
    for s in range(1, steps):
        box_low[s, 0] = lo[0] + (hi[0] - lo[0]) * 0.05 * s
    restricted = (box_low > lo) | (box_high < hi)
    prim = xr.Dataset({
        "coverage": var(coverage, ("step",), "1", "coverage"),
        "density": var(density, ("step",), "1", "density"),
        "mass": var(coverage * 0.3 / density, ("step",), "1", "mass"),
        "restricted_dimensions": var(restricted.sum(axis=1).astype(np.int64), ("step",), "1",
                                     "number of restricted parameters"),
        "box_low": var(box_low, ("step", "parameter"), "parameter_units", "lower bound of the box"),
        "box_high": var(box_high, ("step", "parameter"), "parameter_units", "upper bound of the box"),
        "chosen_low": var(box_low[5], ("parameter",), "parameter_units", "lower bound of the chosen box"),
        "chosen_high": var(box_high[5], ("parameter",), "parameter_units", "upper bound of the chosen box"),
        "chosen_restricted": var(restricted[5].astype(np.int8), ("parameter",), "1", "restricted by the chosen box"),
    }, coords={"step": ("step", np.arange(steps, dtype=np.int64)), "parameter": ("parameter", names),
               "parameter_units": ("parameter", units)},
        attrs=dict(common, method="prim", metric="state_share_cumulative_final[water]", direction="above",
                   threshold=np.array([0.2]), cases=np.array([4], dtype=np.int64),
                   cases_of_interest=np.array([2], dtype=np.int64), base_density=np.array([0.3]),
                   chosen_step=np.array([5], dtype=np.int64), chosen_coverage=np.array([coverage[5]]),
                   chosen_density=np.array([density[5]]), chosen_mass=np.array([0.2]),
                   peel_alpha=np.array([0.05]), paste_alpha=np.array([0.01]), min_mass=np.array([0.05]),
                   min_coverage=np.array([0.5])))
    for target, groups in (("sobol", {"sobol": sobol, "sobol_time": sobol_time}), ("morris", {"morris": morris}),
                           ("prim", {"prim": prim})):
        path = f"{work}/{target}.h5"
        shutil.copyfile(source, path)
        for name, ds in groups.items():
            ds.to_netcdf(path, mode="a", group=f"sensitivity/{name}", engine="h5netcdf")
        with h5py.File(path, "r+") as handle:
            handle["sensitivity"].attrs["description"] = "synthetic sensitivity results for the figure tests"
    print("sensitivity inputs: SYNTHETIC /sensitivity groups (this arcm has no `analyze` command)")


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        sys.exit(2)
    arcm, work = sys.argv[1], sys.argv[2]
    if "--synthetic" not in sys.argv and has_analyze(arcm):
        real(arcm, work)
    else:
        synthetic(work)


if __name__ == "__main__":
    main()
