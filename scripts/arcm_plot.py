"""Shared style and plumbing of the ARCM figure scripts (trajectories, division, fan, ...).

One module so that every figure looks the same:
- colours: one fixed colour per actor id, bloc, actor kind, resource and scenario, from Paul
  Tol's colour-blind-safe schemes (muted, vibrant, high-contrast) and Okabe & Ito's palette;
  ids that are not in the tables get a colour from a hash of the id, so they too keep their
  colour from one figure to the next;
- sizes: one-column figures are 3.5 in wide, two-column figures 7.2 in; fonts are 8 pt;
- output: a vector PDF and a PNG at a fixed dpi; the PNG is exactly round(width x dpi) by
  round(height x dpi) pixels (the height is snapped to whole pixels);
- labels: "long_name [units]" from the attributes in the file;
- errors: a wrong file, a missing group or an unknown variable prints one line naming the
  file and exits with status 1, never a traceback (set ARCM_PLOT_DEBUG=1 to see one).

Every file is read through arcm_io. Run the scripts with /usr/bin/python3.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import textwrap
import zlib

import arcm_io

ONE_COLUMN = 3.5  #: inches, width of a one-column figure
TWO_COLUMN = 7.2  #: inches, width of a two-column figure
DEFAULT_DPI = 300
#: xarray engine for reading: netCDF4 opens an ARCM file about ten times faster than h5netcdf.
ENGINE = "netcdf4"

# Paul Tol's muted scheme (plus two of his vibrant colours), chosen so that Artemis actors
# get cool colours and ILRS actors warm ones. Every pair is distinguishable under the common
# colour-vision deficiencies when the plots also use order and labels, as ours do.
ACTOR_COLOURS = {
    "us": "#332288",            # indigo
    "spacex": "#88CCEE",        # cyan
    "blue_origin": "#44AA99",   # teal
    "eu": "#117733",            # green
    "eu_newspace": "#999933",   # olive
    "jp": "#DDCC77",            # sand
    "in": "#AA4499",            # purple
    "cn": "#CC6677",            # rose
    "ru": "#882255",            # wine
    "cn_commercial": "#EE7733",  # orange (Tol vibrant)
}
# Tol's high-contrast scheme for the two blocs; grey for actors without a bloc.
BLOC_COLOURS = {"artemis": "#004488", "ilrs": "#BB5566", "": "#BBBBBB", "none": "#BBBBBB"}
KIND_COLOURS = {"state": "#555555", "firm": "#DDAA33"}
RESOURCE_COLOURS = {"water": "#0077BB", "pgm": "#AA3377", "metals": "#777777"}
# Okabe & Ito for the scenarios, the baseline in black; line styles as a second cue.
SCENARIO_COLOURS = {
    "baseline": "#000000",
    "ost_ambiguity": "#E69F00",
    "national_property": "#56B4E9",
    "artemis_bloc": "#009E73",
    "moon_agreement": "#CC79A7",
    "two_bloc_fragmentation": "#D55E00",
    "competitive_cooperation": "#0072B2",
}
SCENARIO_STYLES = {
    "baseline": "-", "ost_ambiguity": "--", "national_property": "-.", "artemis_bloc": ":",
    "moon_agreement": "--", "two_bloc_fragmentation": "-.", "competitive_cooperation": ":",
}
# For names not in the tables: Tol's light scheme, then Okabe-Ito, chosen by a hash of the name.
FALLBACK = ["#77AADD", "#EE8866", "#EEDD88", "#FFAABB", "#99DDFF", "#44BB99", "#BBCC33", "#AAAA00",
            "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"]
TABLES = {"actor": ACTOR_COLOURS, "bloc": BLOC_COLOURS, "kind": KIND_COLOURS, "resource": RESOURCE_COLOURS,
          "scenario": SCENARIO_COLOURS, "actor_bloc": BLOC_COLOURS, "actor_kind": KIND_COLOURS}
DISPLAY_NAMES = {"us": "US", "cn": "China", "ru": "Russia", "eu": "EU", "in": "India", "jp": "Japan",
                 "spacex": "SpaceX", "blue_origin": "Blue Origin", "eu_newspace": "EU NewSpace",
                 "cn_commercial": "China commercial", "artemis": "Artemis", "ilrs": "ILRS", "": "no bloc",
                 "state": "states", "firm": "firms", "water": "water", "pgm": "PGM", "metals": "metals",
                 "rest_of_world": "rest of world"}


class PlotError(Exception):
    """A request the data cannot satisfy (unknown variable, bad selection, ...); one line."""


def colour(dimension, name):
    """The colour of `name` along `dimension` ("actor", "bloc", "kind", "resource", "scenario")."""
    name = str(name)
    table = TABLES.get(dimension, {})
    if name in table:
        return table[name]
    return FALLBACK[zlib.crc32(f"{dimension}:{name}".encode()) % len(FALLBACK)]


def line_style(dimension, name):
    if dimension == "scenario":
        return SCENARIO_STYLES.get(str(name), "-")
    return "-"


def display(name):
    """Readable label for an id (actor, bloc, kind, resource); unknown ids unchanged."""
    return DISPLAY_NAMES.get(str(name), str(name))


def _clean_long_name(long_name):
    # Drop parenthetical remarks such as "(0 when nothing is extracted)", which belong in the
    # docs, and a trailing model symbol ("extraction rate q", "launch cost paid ... c_L").
    text = re.sub(r"\s*\([^)]*\)", "", str(long_name)).strip()
    text = re.sub(r"\s+[A-Za-z\u0370-\u03ff](_[A-Za-z]+)?\*?$", "", text)
    return text[:1].upper() + text[1:]


def units_text(units):
    units = str(units or "").strip()
    return "–" if units in ("", "1") else units


def label(obj, name=None, width=None, suffix=""):
    """'Long name [units]' of a DataArray (or its attrs dict), wrapped to `width` characters."""
    attrs = getattr(obj, "attrs", obj) or {}
    long_name = attrs.get("long_name") or name or getattr(obj, "name", "") or ""
    text = f"{_clean_long_name(long_name)}{suffix} [{units_text(attrs.get('units'))}]"
    return textwrap.fill(text, width) if width else text


def title_text(obj, name=None):
    attrs = getattr(obj, "attrs", obj) or {}
    return _clean_long_name(attrs.get("long_name") or name or getattr(obj, "name", ""))


# --------------------------------------------------------------------------- command line

def parser(prog, description, epilog=None, default_columns=2, default_height=None):
    """An ArgumentParser with the options every figure script shares."""
    p = argparse.ArgumentParser(prog=prog, description=description, epilog=epilog,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    out = p.add_argument_group("output")
    out.add_argument("-o", "--output", metavar="PREFIX",
                     help="write PREFIX.pdf and PREFIX.png (default: in the current directory, named after "
                          f"the input file and the figure, e.g. baseline-{prog})")
    out.add_argument("--columns", type=int, choices=(1, 2), default=default_columns,
                     help=f"figure width: 1 = one journal column ({ONE_COLUMN} in), 2 = two columns "
                          f"({TWO_COLUMN} in); default {default_columns}")
    out.add_argument("--height", type=float, metavar="INCHES",
                     help="figure height in inches" + (f" (default {default_height})" if default_height else
                                                       " (default: chosen from the number of panels)"))
    out.add_argument("--dpi", type=int, default=DEFAULT_DPI,
                     help=f"resolution of the PNG (default {DEFAULT_DPI}); the PNG is width x dpi by height x dpi "
                          "pixels; the PDF is vector")
    out.add_argument("--title", help="a title above the figure (default: none, as journals set captions)")
    return p


def add_select(p, what="the variable"):
    p.add_argument("--select", "-s", action="append", default=[], metavar="DIM=VALUE",
                   help=f"pick one coordinate of {what}, e.g. resource=water, actor=spacex, bloc=artemis, "
                        "kind=state; repeat for several dimensions")


def parse_select(items):
    selection = {}
    for item in items:
        if "=" not in item:
            raise PlotError(f"--select '{item}': expected DIM=VALUE, e.g. resource=water")
        dim, value = item.split("=", 1)
        selection[dim.strip()] = value.strip()
    return selection


def apply_select(da, selection, path, name):
    """Selects coordinates of a DataArray by label, with errors naming the file and the choices."""
    for dim, value in selection.items():
        if dim not in da.dims:
            raise PlotError(f"{path}: '{name}' has no dimension '{dim}' (its dimensions: {', '.join(da.dims)})")
        labels = [str(v) for v in da[dim].values]
        if value in labels:
            da = da.isel({dim: labels.index(value)})
            continue
        try:
            number = float(value)
            values = da[dim].values.astype(float)
            index = int(abs(values - number).argmin())
            if abs(values[index] - number) <= 1e-9 * max(1.0, abs(number)):
                da = da.isel({dim: index})
                continue
        except (TypeError, ValueError):
            pass
        raise PlotError(f"{path}: no {dim} '{value}' in '{name}'; choose from {', '.join(labels)}")
    return da


def output_prefix(args, inputs, command):
    if args.output:
        return args.output[:-4] if args.output.endswith((".pdf", ".png")) else args.output
    stem = os.path.splitext(os.path.basename(os.fspath(inputs[0])))[0]
    return f"{stem}-{command}"


# --------------------------------------------------------------------------- figures

def setup():
    """Agg backend (headless) and the house style. Returns pyplot."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({
        "font.family": "DejaVu Sans", "font.size": 8, "axes.titlesize": 8, "axes.labelsize": 8,
        "xtick.labelsize": 7, "ytick.labelsize": 7, "legend.fontsize": 7, "legend.title_fontsize": 7,
        "figure.titlesize": 9, "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
        "grid.color": "#DDDDDD", "grid.linewidth": 0.5, "lines.linewidth": 1.3, "axes.linewidth": 0.6,
        "xtick.major.width": 0.6, "ytick.major.width": 0.6, "legend.frameon": False,
        "pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "none", "axes.titlelocation": "left",
        "axes.formatter.use_mathtext": False, "axes.formatter.limits": (-4, 5),
    })
    return plt


def width_of(args):
    return ONE_COLUMN if args.columns == 1 else TWO_COLUMN


def figure(args, height, minimum=None, what="these panels"):
    """A constrained-layout figure of the requested width; height in inches snapped to whole pixels.

    `minimum` is the least height [in] at which `what` still fit without overlapping text; a
    smaller --height is refused with what to do instead, rather than drawn illegibly."""
    plt = setup()
    if args.height and minimum and args.height < minimum:
        raise PlotError(f"--height {args.height:g}: {what} need at least {minimum:.1f} in to keep their labels "
                        f"apart; give a larger --height, or fewer outputs with --metric")
    height = args.height if args.height else height
    if not height or height <= 0 or height > 20:
        raise PlotError(f"--height {height}: expected a height in inches between 0 and 20")
    if args.dpi < 20 or args.dpi > 2400:
        raise PlotError(f"--dpi {args.dpi}: expected 20 to 2400")
    width = width_of(args)
    height = round(height * args.dpi) / args.dpi
    # Laid out at the output dpi, so that text measured for the layout is the text in the PNG.
    fig = plt.figure(figsize=(width, height), layout="constrained", dpi=args.dpi)
    fig.get_layout_engine().set(w_pad=0.04, h_pad=0.04, wspace=0.04, hspace=0.04)
    if args.title:
        fig.suptitle(args.title)
    return fig


def legend_height(entries, ncol, title=False):
    """Inches a legend of `entries` in `ncol` columns needs (7 pt text)."""
    rows = -(-entries // max(ncol, 1))
    return 0.16 * rows + 0.08 + (0.16 if title else 0.0)


def panel_grid(fig, nrows, ncols, legend_in, legend_first=False, **kwargs):
    """A grid of nrows x ncols panels plus one legend row of legend_in inches (above or below them)."""
    panel = max((fig.get_figheight() - 0.12 - legend_in) / nrows, 0.3)
    ratios = [panel] * nrows
    ratios = [legend_in] + ratios if legend_first else ratios + [legend_in]
    return fig.add_gridspec(nrows + 1, ncols, height_ratios=ratios, **kwargs)


def legend_axis(ax, handles, labels, ncol=1, title=None, loc="center"):
    """Turns `ax` into a legend-only axis (for a legend shared by several panels)."""
    ax.axis("off")
    ax.legend(handles, labels, loc=loc, ncol=ncol, title=title, handlelength=1.6, columnspacing=1.0,
              borderaxespad=0.0)


def _drawn_texts(fig):
    """Every text the figure draws, with its extent in pixels: titles, axis labels, the tick
    labels of the ticks inside the view, legends and annotations (hidden and empty texts left out)."""
    renderer = fig.canvas.get_renderer()
    candidates = list(fig.texts) + [getattr(fig, name, None) for name in ("_suptitle", "_supxlabel", "_supylabel")]
    legends = list(fig.legends)
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        candidates += [ax.title, getattr(ax, "_left_title", None), getattr(ax, "_right_title", None)]
        candidates += list(ax.texts)
        if ax.axison:
            for axis in (ax.xaxis, ax.yaxis):
                if not axis.get_visible():
                    continue
                candidates.append(axis.label)
                for tick in axis._update_ticks():  # the ticks matplotlib draws (inside the view interval)
                    candidates += [tick.label1, tick.label2]  # hidden ones are dropped below
        if ax.get_legend() is not None:
            legends.append(ax.get_legend())
    for legend in legends:
        if legend.get_visible():
            candidates += list(legend.get_texts()) + [legend.get_title()]
    texts, seen = [], set()
    for text in candidates:
        if text is None or id(text) in seen:
            continue
        seen.add(id(text))
        if not text.get_visible() or not text.get_text().strip() or text.get_alpha() == 0:
            continue
        texts.append((text, text.get_window_extent(renderer)))
    return texts


def _slanted_overlap(box_a, box_b, degrees):
    """Overlap [px] along and across two parallel texts rotated by `degrees`, from their axis-aligned
    extents: an extent w x h of a text L long and t thick is w = L cos + t sin, h = L sin + t cos."""
    import math
    c, s = abs(math.cos(math.radians(degrees))), abs(math.sin(math.radians(degrees)))
    det = c * c - s * s

    def sides(box):
        if abs(det) < 1e-6:  # 45 degrees: assume a thickness of one line of 7 pt text
            thick = min(box.width, box.height) * 0.25
            return (box.width - thick * s) / c, thick
        return (box.width * c - box.height * s) / det, (box.height * c - box.width * s) / det

    (la, ta), (lb, tb) = sides(box_a), sides(box_b)
    dx = (box_b.x0 + box_b.x1 - box_a.x0 - box_a.x1) / 2
    dy = (box_b.y0 + box_b.y1 - box_a.y0 - box_a.y1) / 2
    sign = 1 if math.sin(math.radians(degrees)) * math.cos(math.radians(degrees)) >= 0 else -1
    along = abs(dx * c + sign * dy * s)
    across = abs(-sign * dx * s + dy * c)
    return (la + lb) / 2 - along, (abs(ta) + abs(tb)) / 2 - across


def layout_problems(fig, slack_px=1.0, gap_pt=1.0):
    """Texts that leave the canvas or overlap another text, as readable strings (empty: none).

    The figure tests call this through ARCM_CHECK_LAYOUT (tests/figures/test_figures.py): a text
    whose extent passes the canvas edge by more than `slack_px`, or two texts less than `gap_pt`
    points apart (or overlapping), is a figure that needs a hand fix before it goes in a paper.
    """
    width, height = fig.canvas.get_width_height()
    texts = _drawn_texts(fig)
    gap_px = gap_pt * fig.dpi / 72.0
    problems = []
    for text, box in texts:
        if box.x0 < -slack_px or box.y0 < -slack_px or box.x1 > width + slack_px or box.y1 > height + slack_px:
            problems.append(f"text {text.get_text()!r} leaves the canvas ({box.x0:.0f}, {box.y0:.0f}, "
                            f"{box.x1:.0f}, {box.y1:.0f} px; canvas {width} x {height})")
    for i in range(len(texts)):
        a, box_a = texts[i]
        for j in range(i + 1, len(texts)):
            b, box_b = texts[j]
            angle = a.get_rotation() % 180
            if angle % 90 and abs(angle - b.get_rotation() % 180) < 1e-6:
                # Two texts at the same slant (rotated tick labels): their axis-aligned extents overlap
                # although the texts do not, so compare them as the rotated rectangles they are.
                dx, dy = _slanted_overlap(box_a, box_b, angle)
            else:
                dx = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
                dy = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
                if angle % 90 or b.get_rotation() % 90:
                    # A slanted text's extent holds empty corners: only a real overlap counts.
                    dx, dy = dx - gap_px - slack_px, dy - gap_px - slack_px
            if dx > -gap_px and dy > -gap_px:  # overlapping, or closer than gap_pt: touching texts read as one
                problems.append(f"texts {a.get_text()!r} and {b.get_text()!r} overlap or touch "
                                f"({dx:.0f} x {dy:.0f} px)")
    return problems


def save(fig, prefix, dpi):
    """Writes PREFIX.pdf (vector) and PREFIX.png at `dpi`; prints both paths."""
    import matplotlib.pyplot as plt
    directory = os.path.dirname(prefix)
    if directory:
        os.makedirs(directory, exist_ok=True)
    written = []
    # Lay the figure out once, then keep those positions for both files (constrained layout
    # would otherwise run again for each format).
    fig.canvas.draw()
    fig.set_layout_engine("none")
    report = os.environ.get("ARCM_CHECK_LAYOUT")
    if report == "stderr":  # a look over many figures at once (scripts/gallery): warnings
        for problem in layout_problems(fig):
            print(f"layout: {prefix}: {problem}", file=sys.stderr)
    elif report:  # the figure tests: where texts overlap or leave the canvas, as drawn at `dpi`
        import json
        with open(report, "w") as out:
            json.dump({"figure": prefix, "problems": layout_problems(fig)}, out, indent=1)
    for extension in ("pdf", "png"):
        path = f"{prefix}.{extension}"
        metadata = {"Creator": "ARCM figure scripts"} if extension == "pdf" else {"Software": "ARCM figure scripts"}
        fig.savefig(path, dpi=dpi, metadata=metadata)
        written.append(path)
    plt.close(fig)
    for path in written:
        print(path)
    return written


def number(value, _position=None):
    """Tick label: thousands separators, no offset or exponent for the magnitudes ARCM produces."""
    if value == 0:
        return "0"
    if abs(value) >= 1e4:
        return f"{value:,.0f}"
    if abs(value) >= 1e-3:
        return f"{value:g}"
    return f"{value:.0e}"


def tidy(ax, log=False):
    """Readable tick labels on the y axis: plain numbers, 1-2-5 steps on log axes."""
    import matplotlib.ticker as ticker
    if log:
        low, high = ax.get_ylim()
        if low > 0 and high / low < 8:
            # Less than a decade: evenly spaced round numbers read better than 1-2-5 steps.
            ax.yaxis.set_major_locator(ticker.MaxNLocator(5, steps=[1, 2, 2.5, 5, 10]))
        else:
            ax.yaxis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_minor_locator(ticker.LogLocator(base=10, subs="auto"))
        ax.yaxis.set_minor_formatter(ticker.NullFormatter())
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(number))


def year_axis(ax, time, panel_width=2.0):
    """Calendar years on the x axis, with a tick step that leaves room between the labels."""
    import matplotlib.ticker as ticker
    first, last = float(time[0]), float(time[-1])
    ax.set_xlim(first, last)
    span = max(last - first, 1.0)
    # About one 4-digit label per 0.36 in of axis at 7 pt.
    most = max(2, int(panel_width / 0.36))
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500) if span / s <= most)
    ax.xaxis.set_major_locator(ticker.MultipleLocator(step))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _p: f"{v:.0f}"))


def wrapped_title(ax, text, panel_width):
    """A panel title wrapped to the panel's width (about 15 characters per inch at 8 pt)."""
    ax.set_title("\n".join(textwrap.wrap(text, max(16, int(panel_width * 15)))))


def panel_letter(ax, index):
    """(a), (b), ... above the panel's top-left corner, clear of the top y tick label (which reaches
    half its height above the corner) and left of the title."""
    from matplotlib.transforms import offset_copy
    place = offset_copy(ax.transAxes, fig=ax.figure, x=-2, y=5, units="points")
    ax.text(0.0, 1.0, f"({chr(ord('a') + index)})", transform=place, ha="right", va="bottom",
            fontweight="bold", fontsize=8)


# --------------------------------------------------------------------------- data

def single_run(ds, run, path, group):
    """Selects one run of a group by its run index (sweep-wide), with a clear error."""
    runs = [int(r) for r in ds["run"].values]
    if run is None:
        if len(runs) != 1:
            ok = ""
            raise PlotError(f"{path}: holds {len(runs)} runs ({runs[0]}..{runs[-1]}); choose one with --run N{ok}")
        run = runs[0]
    if run not in runs:
        raise PlotError(f"{path}: no run {run} in /{group} (runs {runs[0]}..{runs[-1]})")
    return ds.sel(run=run)


def require(ds, name, path, group):
    if name not in ds.data_vars:
        raise PlotError(f"{path}: no variable '{name}' in /{group}; present: {', '.join(ds.data_vars)}")
    return ds[name]


def run_name(path, info=None):
    """The scenario name of a single-run file (`name:` of its resolved YAML), else the file name."""
    info = info or arcm_io.check_file(path)
    match = re.search(r'^name:\s*"?([^"\n]+?)"?\s*$', info.get("resolved_yaml", ""), re.MULTILINE)
    return match.group(1) if match else os.path.splitext(os.path.basename(os.fspath(path)))[0]


def scenario_labels(parameters):
    """{index: name} from the long_name of /parameters/scenario of a `scenarios` sweep."""
    if "scenario" not in parameters.data_vars:
        return {}
    long_name = parameters["scenario"].attrs.get("long_name", "")
    return {int(i): name.strip() for i, name in re.findall(r"(\d+)\s*=\s*([^,()]+)", long_name)}


# --------------------------------------------------------------------------- sensitivity (/sensitivity/*)

HEADLINE_OUTPUTS = ("state_share_cumulative_final[water]", "state_share_cumulative_final[pgm]", "tension_final",
                    "bloc_share_cumulative_final[artemis,water]", "debris_final", "price_final[water]")
# Paul Tol's light scheme (without its pale grey), distinct from the actor and scenario colours,
# then his vibrant scheme; bars and markers get a dark edge so the light colours stay visible.
PARAMETER_PALETTE = ["#77AADD", "#EE8866", "#44BB99", "#FFAABB", "#BBCC33", "#222222", "#AAAA00", "#99DDFF",
                     "#EEDD88", "#0077BB", "#EE3377", "#009988"]


def add_output_options(p):
    p.add_argument("--metric", "-m", action="append", default=[], metavar="OUTPUT",
                   help="an output label as stored in the file, e.g. 'state_share_cumulative_final[water]', "
                        "or a variable name for all its elements; repeatable (default: up to four headline "
                        "outputs present in the file)")


def pick_outputs(ds, wanted, path, limit=4):
    """Output labels to draw: the requested ones (labels or variable names) or headline outputs."""
    labels = [str(o) for o in ds["output"].values]
    variables = [str(v) for v in ds["output_variable"].values] if "output_variable" in ds.coords else \
        [o.split("[")[0] for o in labels]
    if wanted:
        chosen = []
        for item in wanted:
            if item in labels:
                chosen.append(item)
            elif item in variables:
                chosen += [o for o, v in zip(labels, variables) if v == item]
            else:
                close = sorted({v for v in variables if item.split("[")[0] in v})[:6]
                hint = f"; variables like it: {', '.join(close)}" if close else f"; variables: {', '.join(sorted(set(variables))[:12])}"
                raise PlotError(f"{path}: no output '{item}' in the analysis{hint}")
        if len(chosen) > 12:
            raise PlotError(f"{path}: {len(chosen)} outputs selected; at most 12 panels, name single elements")
        return chosen
    first_index = next(iter(set(ds.data_vars) & {"ST", "mu_star"}), None)
    usable = labels
    if first_index:
        import numpy as np
        values = ds[first_index]
        other = [d for d in values.dims if d not in ("output",)]
        finite = np.isfinite(values.values).reshape(len(labels), -1).any(axis=1) if other else \
            np.isfinite(values.values)
        usable = [o for o, ok in zip(labels, finite) if ok]
    chosen = [o for o in HEADLINE_OUTPUTS if o in usable][:limit]
    if not chosen:
        chosen = usable[:limit]
    if not chosen:
        raise PlotError(f"{path}: the analysis has no output with defined indices")
    return chosen


def parameter_order(ds, index, outputs, top=0):
    """Parameters sorted by their largest `index` over the chosen outputs (most important first)."""
    import numpy as np
    params = [str(p) for p in ds["parameter"].values]
    values = ds[index].sel(output=outputs).values
    values = values.reshape(len(outputs), -1, len(params)) if values.ndim > 2 else values[:, None, :]
    with np.errstate(all="ignore"):
        score = np.nan_to_num(np.nanmax(np.nanmax(np.abs(values), axis=1), axis=0), nan=-1.0) \
            if np.isfinite(values).any() else np.zeros(len(params))
    order = [params[i] for i in np.argsort(-score, kind="stable")]
    return order[:top] if top and top > 0 else order


def parameter_colours(ds):
    """One colour per parameter, by its position in /parameters order (the same in every figure of a file)."""
    params = [str(p) for p in ds["parameter"].values]
    return {p: PARAMETER_PALETTE[i] if i < len(PARAMETER_PALETTE) else colour("parameter", p)
            for i, p in enumerate(params)}


def bound_text(value):
    """A parameter bound as a reader writes it: years and other values of 100 or more without an
    exponent (2031, not 2.03e+03), smaller ones to three significant digits."""
    value = float(value)
    if value != value:
        return "–"
    if abs(value) >= 100:
        return f"{value:.1f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:.0f}"
    return f"{value:.3g}"


def parameter_name(path):
    """'actors.spacex.progress_ratio' -> 'SpaceX progress ratio'; 'legal.property_security' -> 'property security';
    'schedule[2].year' -> 'year of event 3'; 'schedule[2].set.benefit_sharing_rate' -> 'benefit sharing rate,
    event 3'."""
    event = re.match(r"schedule\[(\d+)\]\.(?:set\.)?(.*)$", str(path))
    if event:
        number, key = int(event.group(1)) + 1, event.group(2).split(".")[-1]
        return f"year of event {number}" if key == "year" else f"{key.replace('_', ' ')}, event {number}"
    parts = str(path).split(".")
    key = parts[-1].replace("_", " ")
    owners = [display(p) for p in parts[1:-1]] if parts[0] in ("actors", "resources", "jurisdictions") else []
    if parts[0] in ("economy", "debris", "tension") and len(parts) == 2:
        owners = [parts[0]] if parts[0] != "economy" else []
    return " ".join(owners + [key])


def output_title(ds, output, samples=None, symbol="N"):
    """'States' share of cumulative extraction, water' from an output label and the /summary long names."""
    name, _, rest = str(output).partition("[")
    elements = [display(e) for e in rest.rstrip("]").split(",")] if rest else []
    text = SUMMARY_TITLES.get(name, name.replace("_", " "))
    text = f"{text}, {', '.join(elements)}" if elements else text
    if "output_units" in ds.coords:
        units = str(ds["output_units"].sel(output=output).values)
        if units not in ("", "1"):
            text += f" [{units}]"
    if samples is not None:
        text += f" ({symbol} = {samples})"
    return text


SUMMARY_TITLES = {
    "state_share_cumulative_final": "State share of cumulative extraction",
    "bloc_share_cumulative_final": "Bloc share of cumulative extraction",
    "tension_final": "Final tension", "tension_peak": "Peak tension", "debris_final": "Final debris",
    "gini_final": "Final Gini of gains", "price_final": "Final price", "extracted_total_final": "Total extracted",
    "npv_final": "NPV", "cumulative_profit_final": "Cumulative profit", "capacity_final": "Final capacity",
    "royalties_total_final": "Royalties paid", "firm_overtake_year": "Year firms overtake states",
    "stop_time": "Stop time", "state_share_extraction": "State share of extraction",
    "firm_share_extraction": "Firm share of extraction",
}


def main(function):
    """Runs function() and turns expected errors into one line on stderr and exit status 1."""
    prog = os.path.basename(sys.argv[0])
    try:
        status = function()
    except (arcm_io.ArcmFileError, PlotError) as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        status = 130
    except Exception as error:  # noqa: BLE001 - a figure script must not end in a traceback
        if os.environ.get("ARCM_PLOT_DEBUG"):
            raise
        text = " ".join(str(error).split())
        print(f"{prog}: error: {type(error).__name__}: {text} (ARCM_PLOT_DEBUG=1 shows the traceback)",
              file=sys.stderr)
        status = 1
    sys.exit(status or 0)
