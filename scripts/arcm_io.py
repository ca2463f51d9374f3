"""Reader for ARCM results files (see docs/output-format.md).

Every ARCM script opens results through this module, so a file of the wrong
kind or of an incompatible format version is refused with one clear message
instead of a KeyError deep inside a plot.

    import arcm_io
    runs = arcm_io.open_group("results.h5", "runs")       # xarray.Dataset
    groups = arcm_io.open_all("results.h5")              # {"summary": Dataset, ...}
    info = arcm_io.check_file("results.h5")              # root attributes as Python values
    median = arcm_io.ensemble("results.h5", "capacity").sel(statistic="q50")

Run with Debian's /usr/bin/python3 (it has h5py, xarray, h5netcdf, netCDF4).
"""

from __future__ import annotations

import os

FILETYPE = "arcm-results"
#: The format major version this reader understands. A file with a newer
#: minor version only adds fields and is accepted.
SUPPORTED_MAJOR = 1
#: Data groups in the order the writer creates them; /trajectories is absent
#: from summary-only files, /ensemble from single runs and 1.0 files.
GROUPS = ("trajectories", "summary", "parameters", "runs", "ensemble")
#: Sweep-resume state, only in unfinished NAME.partial files (format 1.1).
#: open_group() opens it; open_all() leaves it out.
CHECKPOINT_GROUP = "checkpoint"
#: Results of `arcm analyze`, one subgroup per method (/sensitivity/sobol, ...); not in GROUPS,
#: so open_all() leaves them out: open them with sensitivity().
SENSITIVITY_GROUP = "sensitivity"
SENSITIVITY_METHODS = ("sobol", "sobol_time", "morris", "prim")
#: The /sensitivity layout_version major this reader understands.
SENSITIVITY_LAYOUT_MAJOR = 1
#: Values of /runs/status (CF flag_values / flag_meanings).
STATUS_NAMES = {0: "ok", 1: "failed", 2: "kessler", -1: "not_run"}

__all__ = ["ArcmFileError", "check_file", "open_group", "open_all", "load_group", "variable", "ensemble",
           "sensitivity", "status_names", "FILETYPE", "SUPPORTED_MAJOR", "GROUPS", "CHECKPOINT_GROUP",
           "SENSITIVITY_GROUP", "SENSITIVITY_METHODS", "STATUS_NAMES"]


class ArcmFileError(Exception):
    """The file is missing, not HDF5, not an ARCM results file, or of an unsupported format version."""


def _as_text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _as_scalar(value):
    # Numeric attributes are stored as 1-element arrays (netCDF style).
    try:
        return value.item() if getattr(value, "size", 1) == 1 else value
    except AttributeError:
        return value


def check_file(path) -> dict:
    """Checks filetype and format version and returns the root attributes.

    Text attributes come back as str, numbers as Python scalars, and
    format_version as a (major, minor) tuple; "groups" lists the data groups
    present and "has_checkpoint" says whether /checkpoint is. Raises
    ArcmFileError.
    """
    import h5py  # imported here so `import arcm_io` stays cheap for --help

    path = os.fspath(path)
    if not os.path.exists(path):
        raise ArcmFileError(f"{path}: no such file")
    try:
        handle = h5py.File(path, "r")
    except OSError as error:
        raise ArcmFileError(f"{path}: not a readable HDF5 file ({error})") from None
    with handle:
        attrs = handle.attrs
        if "filetype" not in attrs:
            raise ArcmFileError(f"{path}: not an ARCM results file (no 'filetype' attribute)")
        filetype = _as_text(attrs["filetype"])
        if filetype != FILETYPE:
            raise ArcmFileError(f"{path}: not an ARCM results file (filetype '{filetype}', expected '{FILETYPE}')")
        version = attrs.get("format_version")
        if version is None or len(version) != 2:
            raise ArcmFileError(f"{path}: 'format_version' is missing or not [major, minor]")
        major, minor = int(version[0]), int(version[1])
        if major != SUPPORTED_MAJOR:
            relation = "newer" if major > SUPPORTED_MAJOR else "older"
            raise ArcmFileError(
                f"{path}: results format version {major}.{minor} is {relation} than this reader supports "
                f"({SUPPORTED_MAJOR}.x); use the arcm_io.py of the ARCM version that wrote it "
                f"({_as_text(attrs.get('arcm_version', 'unknown'))})")
        info = {}
        for name, value in attrs.items():
            if isinstance(value, (str, bytes)):
                info[name] = _as_text(value)
            else:
                info[name] = _as_scalar(value)
        info["format_version"] = (major, minor)
        info["groups"] = [name for name in GROUPS if name in handle]
        info["has_checkpoint"] = CHECKPOINT_GROUP in handle
        analyses = handle.get(SENSITIVITY_GROUP)
        info["sensitivity"] = list(analyses.keys()) if isinstance(analyses, h5py.Group) else []
        return info


def open_group(path, group, engine="h5netcdf", **kwargs):
    """Opens one group of a checked results file as an xarray.Dataset.

    engine is "h5netcdf" (default) or "netcdf4"; both read the file without
    phony dimensions. Extra keyword arguments go to xarray.open_dataset.
    """
    info = check_file(path)  # before importing xarray, so a wrong file is refused quickly
    present = info["groups"] + ([CHECKPOINT_GROUP] if info["has_checkpoint"] else [])
    if group not in present:
        hints = {"trajectories": " (a summary-only file)", "ensemble": " (a single run or a format 1.0 file)",
                 CHECKPOINT_GROUP: " (NAME.partial files, and finished sweep files, which keep the final ensemble state)"}
        hint = hints.get(group, "")
        raise ArcmFileError(f"{os.fspath(path)}: no group '{group}'{hint}; present: {', '.join(present)}")
    import xarray as xr

    return xr.open_dataset(path, group=group, engine=engine, **kwargs)


def open_all(path, engine="h5netcdf", **kwargs) -> dict:
    """Every group present in a checked results file, as {name: xarray.Dataset}."""
    info = check_file(path)
    return {name: open_group(path, name, engine=engine, **kwargs) for name in info["groups"]}


def load_group(path, group, engine="h5netcdf"):
    """One group of a checked results file, loaded into memory; the file is closed before returning."""
    with open_group(path, group, engine=engine) as ds:
        return ds.load()


def variable(path, group, name, engine="h5netcdf"):
    """One variable of a group as a loaded xarray.DataArray, with an error listing the variables present."""
    with open_group(path, group, engine=engine) as ds:
        if name not in ds.variables:
            raise ArcmFileError(f"{os.fspath(path)}: no variable '{name}' in /{group}; "
                                f"present: {', '.join(ds.data_vars)}")
        return ds[name].load()


def ensemble(path, variable, engine="h5netcdf"):
    """One /ensemble variable as a loaded xarray.DataArray over (statistic, time, ...).

    Select a statistic by name, e.g. .sel(statistic="q50"); the values of the
    statistic coordinate are str. The file is closed before returning.
    """
    with open_group(path, "ensemble", engine=engine) as ds:
        if variable not in ds.data_vars:
            raise ArcmFileError(f"{os.fspath(path)}: no ensemble variable '{variable}'; "
                                f"present: {', '.join(ds.data_vars)}")
        return ds[variable].load()


def sensitivity(path, method, engine="h5netcdf"):
    """One analysis of `arcm analyze` (/sensitivity/METHOD) as a loaded xarray.Dataset.

    method is "sobol", "sobol_time", "morris" or "prim" (docs/output-format.md,
    section /sensitivity). Refuses a subgroup whose layout_version major differs
    from SENSITIVITY_LAYOUT_MAJOR. The file is closed before returning.
    """
    info = check_file(path)
    import xarray as xr

    path = os.fspath(path)
    if method not in info["sensitivity"]:
        if info["sensitivity"]:
            present = f"present: {', '.join(info['sensitivity'])}"
        else:
            present = "the file has no /sensitivity group"
        raise ArcmFileError(f"{path}: no analysis '/{SENSITIVITY_GROUP}/{method}' ({present}; "
                            f"run `arcm analyze {method.split('_')[0]} {path}` on a finished sweep first)")
    with xr.open_dataset(path, group=f"{SENSITIVITY_GROUP}/{method}", engine=engine) as ds:
        version = ds.attrs.get("layout_version")
        try:
            major = int(version[0]) if version is not None else None
        except (TypeError, IndexError, ValueError):
            major = None
        if major != SENSITIVITY_LAYOUT_MAJOR:
            raise ArcmFileError(f"{path}: /{SENSITIVITY_GROUP}/{method} has layout_version {version}, "
                                f"this reader supports {SENSITIVITY_LAYOUT_MAJOR}.x")
        return ds.load()


def status_names(runs):
    """The /runs status flags of a runs Dataset as a list of names ("ok", "failed", ...)."""
    return [STATUS_NAMES.get(int(flag), f"unknown({int(flag)})") for flag in runs["status"].values]
