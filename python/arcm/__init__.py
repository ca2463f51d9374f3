"""ARCM from Python (docs/python.md).

    import arcm
    s = arcm.load_scenario("config/scenarios/baseline.yaml", {"legal.property_security": 0.8})
    ds = arcm.run(s)                                   # xarray.Dataset, in process
    res = arcm.sweep("config/sweeps/legal_regime_grid.yaml", threads=2)
    res = arcm.open("runs/legal_regime_grid.h5")       # any results file
    res["summary"]                                     # parameters and status as run coordinates
    both = arcm.open_many({"artemis": a, "moon": b})   # along a new `scenario` dimension
    model = arcm.Model("config/scenarios/baseline.yaml", outcomes=["price_final.pgm"])
    model(**{"legal.benefit_sharing_rate": 0.1})       # EMA Workbench's function interface

Runs in process give the same bits as `arcm run`; `arcm.run` releases the GIL
while it integrates, so Python threads run scenarios in parallel.
"""

from __future__ import annotations

import os
import threading

import numpy as np

from . import _arcm
from . import arcm_io
from ._arcm import ConfigError, IoError, Scenario

__version__ = _arcm.__version__
__all__ = ["Scenario", "ConfigError", "IoError", "ArcmFileError", "load_scenario", "scenario_from_yaml", "run",
           "sweep", "open", "open_many", "Results", "Model", "__version__"]

ArcmFileError = arcm_io.ArcmFileError

#: Summary coordinates every run Dataset has, besides time.
_LABEL_DIMS = ("actor", "resource", "beneficiary", "bloc", "kind")


def _key(name: str) -> str:
    # Keyword arguments cannot hold dots: resources__pgm__stock is resources.pgm.stock.
    return name.replace("__", ".")


def _apply(scenario: Scenario, overrides: dict | None, keywords: dict) -> Scenario:
    changes = dict(overrides or {})
    changes.update({_key(k): v for k, v in keywords.items()})
    if not changes:
        return scenario
    changed = scenario.copy()
    for key, value in changes.items():
        changed.set(key, value)
    try:
        changed.validate()
    except ConfigError as error:
        given = ", ".join(f"{k} = {v!r}" for k, v in changes.items())
        raise ConfigError(f"{error} (after setting {given})") from None
    return changed


def load_scenario(path, overrides: dict | None = None, **keywords) -> Scenario:
    """A scenario file, loaded and validated, with sweepable keys set.

    Keys are the dotted paths of sweep files (config/README.md), given as a
    dict or as keywords with "__" for ".": ``load_scenario(p,
    legal__property_security=0.8)``. Choices take their words
    (``"legal.regime_scope": "universal"``), booleans True/False. A bad file,
    key or value raises ConfigError naming the file, line and key.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such scenario file")
    return _apply(_arcm.load_scenario(path), overrides, keywords)


def scenario_from_yaml(text: str, name: str = "<yaml>") -> Scenario:
    """A scenario from YAML text (``name`` labels it in error messages)."""
    return _arcm.scenario_from_yaml(text, name)


def _as_scenario(scenario) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, (str, os.PathLike)):
        return load_scenario(scenario)
    raise TypeError(f"expected an arcm.Scenario or a scenario file's path, got {type(scenario).__name__}")


def _layout(raw: dict):
    """What a run's Dataset looks like apart from its numbers: coordinates, variable names, dims."""
    coords = raw["coords"]
    labels = tuple(tuple(coords[d]) for d in _LABEL_DIMS + ("actor_kind", "actor_bloc"))
    shapes = tuple((name, dims, units, data.shape) for name, dims, units, _, data in
                   raw["trajectories"] + raw["summary"])
    return labels, np.asarray(coords["time"]).tobytes(), shapes


def _new_dataset(raw: dict):
    import xarray as xr

    coords = raw["coords"]
    variables = {}
    for name, dims, units, long_name, data in raw["trajectories"] + raw["summary"]:
        variables[name] = xr.Variable(dims, data, {"units": units, "long_name": long_name})
    coordinates = {"time": xr.Variable(("time",), coords["time"], {"units": "yr", "long_name": "year"})}
    for dim in _LABEL_DIMS:
        coordinates[dim] = xr.Variable((dim,), np.array(coords[dim], dtype=object))
    coordinates["actor_kind"] = xr.Variable(("actor",), np.array(coords["actor_kind"], dtype=object))
    coordinates["actor_bloc"] = xr.Variable(("actor",), np.array(coords["actor_bloc"], dtype=object))
    return xr.Dataset(variables, coords=coordinates)


# Building an xarray.Dataset costs more than a baseline run, so each layout's
# Dataset is built once and later runs of it are shallow copies with their own
# arrays (Dataset.copy(data=...)): the same Dataset at a quarter of the cost.
_TEMPLATES = {}
_TEMPLATES_LOCK = threading.Lock()
_TEMPLATES_KEPT = 32


def _dataset(raw: dict, scenario: Scenario):
    key = _layout(raw)
    with _TEMPLATES_LOCK:
        template = _TEMPLATES.get(key)
    if template is None:
        template = _new_dataset(raw)
        with _TEMPLATES_LOCK:
            if len(_TEMPLATES) >= _TEMPLATES_KEPT:
                _TEMPLATES.pop(next(iter(_TEMPLATES)))
            _TEMPLATES[key] = template
    data = template.copy(deep=False, data={name: array for name, _, _, _, array in
                                           raw["trajectories"] + raw["summary"]})
    attrs = {key: raw[key] for key in ("status", "message", "stop_time", "wall_seconds", "rhs_evaluations",
                                       "accepted_steps", "rejected_steps", "foresight_iterations",
                                       "foresight_residual")}
    attrs["scenario"] = scenario.name
    attrs["arcm_version"] = __version__
    attrs["git_commit"] = _arcm.git_commit
    data.attrs = attrs
    return data


def run(scenario, overrides: dict | None = None, **keywords):
    """One run in process, as an xarray.Dataset.

    ``scenario`` is an arcm.Scenario or a file's path; overrides as in
    load_scenario. Data variables are the trajectories over (time, ...) and
    the summary metrics (the variables of a results file's /trajectories and
    /summary without the run dimension); attributes hold how the run ended
    (status "ok", "failed" or "kessler", message, costs, foresight
    iterations). A failed run returns its NaN arrays and the reason; it does
    not raise. The same bits as `arcm run` of the same scenario.
    """
    chosen = _apply(_as_scenario(scenario), overrides, keywords)
    return _dataset(_arcm.simulate(chosen), chosen)


def sweep(path, output=None, threads: int = 0, resume: bool = False, force: bool = False,
          progress: bool = False) -> "Results":
    """Run a sweep file as `arcm sweep` does and open its results file.

    output defaults to runs/<sweep name>.h5 (relative to the working
    directory). threads = 0 uses every core. An existing output is refused
    unless force=True (the rule of every writing command); resume=True
    continues NAME.partial. Failed runs are recorded in the file, not raised.
    """
    outcome = _arcm.run_sweep(os.fspath(path), os.fspath(output) if output else "", int(threads), bool(resume),
                              bool(force), bool(progress))
    if outcome["interrupted"]:
        raise KeyboardInterrupt(f"sweep interrupted; resume with arcm.sweep(..., resume=True): "
                                f"{outcome['output_path']}.partial")
    results = open(outcome["output_path"])
    results.outcome = outcome
    return results


class Results:
    """A results file's groups as xarray Datasets, loaded on first use.

    ``results["summary"]``, ``results["trajectories"]``, ``["runs"]``,
    ``["parameters"]``, ``["ensemble"]`` (sweeps), or ``results.sensitivity("sobol")``.
    Every run-indexed group carries the swept parameters (``legal.regime_scope``
    ...) and the run's ``status`` as coordinates along ``run``, so
    ``res["summary"].where(res["summary"].status == "ok")`` and
    ``.groupby("legal.regime_scope")`` work directly. ``attrs`` are the file's
    root attributes (the resolved scenario or sweep YAML among them).
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        self.attrs = arcm_io.check_file(self.path)
        self.groups = list(self.attrs["groups"])
        self._cache = {}
        self._run_coords = None  # the swept parameters and statuses, read once for every group
        self._lock = threading.Lock()
        self.outcome = None

    def __repr__(self):
        return (f"<arcm.Results {self.path}: {self.attrs.get('design')} design, {self.attrs.get('total_runs')} "
                f"runs, groups {', '.join(self.groups)}>")

    def __contains__(self, group):
        return group in self.groups

    def __iter__(self):
        return iter(self.groups)

    def keys(self):
        return list(self.groups)

    def __getitem__(self, group):
        with self._lock:
            if group not in self._cache:
                self._cache[group] = self._load(group)
            return self._cache[group]

    def _run_coordinates(self):
        if self._run_coords is None:
            params = arcm_io.load_group(self.path, "parameters")
            runs = arcm_io.load_group(self.path, "runs")
            coords = dict(params.data_vars.items())
            coords["status"] = ("run", np.array(arcm_io.status_names(runs), dtype=object))
            self._run_coords = coords
        return self._run_coords

    def _load(self, group):
        data = arcm_io.load_group(self.path, group)
        if group == "ensemble" or "run" not in data.dims:
            data.attrs.update({"file": self.path, "design": self.attrs.get("design")})
            return data
        coords = self._run_coordinates()
        if group == "parameters":
            data = data.assign_coords(status=coords["status"])
        elif group == "runs":
            data = data.assign_coords({k: v for k, v in coords.items() if k != "status"})
        else:
            data = data.assign_coords(coords)
        data.attrs.update({"file": self.path, "design": self.attrs.get("design"),
                           "name": _definition_name(self.attrs)})
        return data

    def sensitivity(self, method):
        """/sensitivity/METHOD written by `arcm analyze` (sobol, sobol_time, morris, prim)."""
        return arcm_io.sensitivity(self.path, method)

    def scenario_yaml(self) -> str:
        """The fully resolved scenario or sweep the file was made from."""
        return self.attrs.get("resolved_yaml", "")


def _definition_name(attrs) -> str:
    for line in attrs.get("resolved_yaml", "").splitlines():
        if line.startswith("name:"):
            return line.split(":", 1)[1].strip().strip('"')
    return ""


def open(path) -> Results:  # noqa: A001 (arcm.open mirrors xarray.open_dataset)
    """Any ARCM results file (a run, a sweep, a shard, a merge; format 1.x)."""
    return Results(path)


def open_many(paths, group: str = "summary", names=None):
    """Several results files along a new ``scenario`` dimension, as one Dataset.

    ``paths`` is a list of files or a {name: file} dict (names default to
    each file's scenario or sweep name, then its file name). Actor sets are
    aligned explicitly: the ``actor`` axis is the union of the files' actors
    in order of first appearance, an actor a file lacks is NaN there, and
    ``actor_kind`` / ``actor_bloc`` become (scenario, actor) coordinates, so a
    bloc label is never lost or taken from another file; ``actor_present``
    says which actors each file has. The same holds for blocs, resources and
    beneficiaries. Runs are aligned by index (NaN and status "not_run" where
    a file has fewer), parameters stay run coordinates per scenario.
    """
    import xarray as xr

    if isinstance(paths, dict):
        names, paths = list(paths.keys()), list(paths.values())
    paths = [os.fspath(p) for p in paths]
    if not paths:
        raise ValueError("open_many: no files given")
    opened = [open(p)[group] for p in paths]
    if names is None:
        names = [d.attrs.get("name") or os.path.splitext(os.path.basename(p))[0] for d, p in zip(opened, paths)]
    names = [str(n) for n in names]
    if len(set(names)) != len(names):
        raise ValueError(f"open_many: scenario names must differ, got {names}; pass names=[...] or a dict")
    # The union of each label axis, in order of first appearance.
    union = {}
    for dim in _LABEL_DIMS:
        seen = []
        for data in opened:
            if dim in data.dims:
                seen += [v for v in data[dim].values.tolist() if v not in seen]
        union[dim] = seen
    aligned = []
    for data in opened:
        labels = {}
        for per_actor in ("actor_kind", "actor_bloc"):
            if per_actor in data.coords:
                value = dict(zip(data["actor"].values.tolist(), data[per_actor].values.tolist()))
                labels[per_actor] = np.array([value.get(a, "") for a in union["actor"]], dtype=object)
        present = np.array([a in set(data["actor"].values.tolist()) for a in union["actor"]]) \
            if "actor" in data.dims else None
        data = data.drop_vars([c for c in ("actor_kind", "actor_bloc") if c in data.coords])
        data = data.reindex({dim: union[dim] for dim in _LABEL_DIMS if dim in data.dims})
        for name, values in labels.items():
            data = data.assign_coords({name: ("actor", values)})
        if present is not None:
            data = data.assign_coords(actor_present=("actor", present))
        aligned.append(data)
    # A variable or run coordinate one file lacks (a parameter only one sweep varies) is NaN in the others.
    every = {}
    for data in aligned:
        for name, variable in data.variables.items():
            if name not in data.dims:
                every.setdefault(name, variable)
    for i, data in enumerate(aligned):
        missing = {}
        for name, variable in every.items():
            if name not in data.variables and all(d in data.dims for d in variable.dims):
                shape = tuple(data.sizes[d] for d in variable.dims)
                filler = np.full(shape, np.nan) if variable.dtype.kind in "fiub" else np.full(shape, "", object)
                missing[name] = (variable.dims, filler, variable.attrs)
        coords = {k: v for k, v in missing.items()  # a run coordinate in another file stays one here
                  if k not in opened[0].data_vars and any(k in d.coords for d in aligned)}
        aligned[i] = data.assign_coords(coords).assign({k: v for k, v in missing.items() if k not in coords})
    combined = xr.concat(aligned, dim="scenario", join="outer", coords="different", compat="equals",
                         combine_attrs="drop_conflicts")
    combined = combined.assign_coords(scenario=("scenario", np.array(names, dtype=object)),
                                      file=("scenario", np.array(paths, dtype=object)))
    if "status" in combined.coords:
        status = combined["status"].values.astype(object)
        status[np.vectorize(lambda flag: not isinstance(flag, str), otypes=[bool])(status)] = "not_run"
        combined = combined.assign_coords(status=(combined["status"].dims, status))
    return combined


class Model:
    """ARCM as a function of keyword parameters, the interface EMA Workbench's
    ``Model(name, function=...)`` calls: ``model(**{"legal.property_security":
    0.7, ...})`` returns ``{outcome: value}``.

    ``scenario`` is the base scenario (file or Scenario). ``outcomes`` names
    what to return: a summary metric such as ``"tension_final"``, one element
    of it by its labels joined with dots (``"price_final.pgm"``,
    ``"capacity_final.spacex.water"``), or a trajectory over time with the same
    labels (``"price.pgm"``: a numpy array over ``model.time``). By default
    every element of every summary metric. A failed run gives NaN outcomes
    (and its reason in ``model.last_message``); parameters that are not the
    scenario's sweepable keys raise ConfigError.
    """

    def __init__(self, scenario, outcomes=None):
        self.scenario = _as_scenario(scenario)
        probe = _arcm.simulate(self.scenario)
        self.time = np.asarray(probe["coords"]["time"])
        self._coords = probe["coords"]
        self._shapes = {name: dims for name, dims, *_ in probe["trajectories"] + probe["summary"]}
        self._summary_names = [name for name, *_ in probe["summary"]]
        self.outcomes = list(outcomes) if outcomes is not None else self._every_summary_element(probe)
        self._plan = [self._locate(name) for name in self.outcomes]
        self.last_status = None
        self.last_message = ""

    def _every_summary_element(self, raw):
        names = []
        for name, dims, _, _, data in raw["summary"]:
            for index in np.ndindex(*data.shape):
                labels = [str(self._coords[d][i]) for d, i in zip(dims, index)]
                names.append(".".join([name] + labels))
        return names

    def _locate(self, outcome):
        for name in sorted(self._shapes, key=len, reverse=True):
            if outcome == name or outcome.startswith(name + "."):
                dims = self._shapes[name]
                labels = outcome[len(name) + 1:].split(".") if outcome != name else []
                label_dims = [d for d in dims if d != "time"]
                if len(labels) != len(label_dims):
                    raise ConfigError(f"outcome '{outcome}': {name} is over ({', '.join(dims)}); give "
                                      f"{len(label_dims)} label(s) after the name, e.g. "
                                      f"{'.'.join([name] + [str(self._coords[d][0]) for d in label_dims])}")
                index = []
                it = iter(labels)
                for dim in dims:
                    if dim == "time":
                        index.append(slice(None))
                        continue
                    label = next(it)
                    known = [str(v) for v in self._coords[dim]]
                    if label not in known:
                        raise ConfigError(f"outcome '{outcome}': no {dim} '{label}' (has {', '.join(known)})")
                    index.append(known.index(label))
                return name, tuple(index), "time" in dims
        raise ConfigError(f"outcome '{outcome}': not a summary metric or trajectory of ARCM "
                          f"(summary: {', '.join(self._summary_names)})")

    def __call__(self, **parameters):
        chosen = _apply(self.scenario, None, parameters)
        raw = _arcm.simulate(chosen)
        self.last_status, self.last_message = raw["status"], raw["message"]
        arrays = {name: data for name, _, _, _, data in raw["trajectories"] + raw["summary"]}
        out = {}
        for outcome, (name, index, over_time) in zip(self.outcomes, self._plan):
            value = arrays[name][index]
            out[outcome] = np.array(value) if over_time else float(value)
        return out
