#!/usr/bin/python3
"""Figure scripts, headless, on small real ARCM outputs (ctest: figures_*).

    test_figures.py inputs ARCM WORKDIR          make the inputs (a run of the baseline and of
                                                 moon_agreement, a 2 x 2 grid sweep, bad files)
    test_figures.py plot COMMAND WORKDIR         run COMMAND's cases: PDF and PNG exist, are
                                                 non-empty, of their type, and the PNG has the
                                                 pixel size the options ask for
    test_figures.py errors WORKDIR               wrong inputs: exit status != 0, one line, no traceback
    test_figures.py help                         --help of every command

Nothing here knows what a figure should contain; it checks what a figure file must be.
"""

import os
import shutil
import struct
import json
import subprocess
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
SCRIPTS = os.path.join(SOURCE, "scripts")
COMMANDS = ("trajectories", "division", "fan", "heatmap", "compare", "sobol", "morris", "prim")
ENV = dict(os.environ, MPLBACKEND="Agg", MPLCONFIGDIR=os.path.join("/tmp", f"arcm-figures-mpl-{os.getuid()}"))
ENV.pop("DISPLAY", None)
ENV.pop("ARCM_PLOT_DEBUG", None)


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def run(argv, env=None, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, env=env or ENV, timeout=300, **kwargs)


def png_size(path):
    with open(path, "rb") as handle:
        head = handle.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        fail(f"{path}: not a PNG file")
    return struct.unpack(">II", head[16:24])


def check_outputs(prefix, width_in, height_in, dpi):
    for extension in ("pdf", "png"):
        path = f"{prefix}.{extension}"
        if not os.path.isfile(path) or os.path.getsize(path) == 0:
            fail(f"{path}: missing or empty")
    with open(f"{prefix}.pdf", "rb") as handle:
        if handle.read(5) != b"%PDF-":
            fail(f"{prefix}.pdf: not a PDF file")
    width, height = png_size(f"{prefix}.png")
    if width != round(width_in * dpi):
        fail(f"{prefix}.png: {width} px wide, expected {width_in} in x {dpi} dpi = {round(width_in * dpi)}")
    if height_in is not None and height != round(height_in * dpi):
        fail(f"{prefix}.png: {height} px high, expected {height_in} in x {dpi} dpi = {round(height_in * dpi)}")
    if height_in is None and not 0.5 * dpi <= height <= 20 * dpi:
        fail(f"{prefix}.png: implausible height {height} px at {dpi} dpi")
    return width, height


def make_inputs(arcm, work):
    if os.path.isdir(work):
        shutil.rmtree(work)
    os.makedirs(work)
    steps = [
        [arcm, "run", os.path.join(SOURCE, "config/scenarios/baseline.yaml"), "-o", f"{work}/baseline.h5"],
        [arcm, "run", os.path.join(SOURCE, "config/scenarios/moon_agreement.yaml"), "-o",
         f"{work}/moon_agreement.h5"],
        [arcm, "sweep", os.path.join(HERE, "figures_sweep.yaml"), "-o", f"{work}/grid.h5", "--threads", "1",
         "--quiet"],
        [arcm, "sweep", os.path.join(HERE, "figures_scenarios.yaml"), "-o", f"{work}/scenarios.h5", "--threads",
         "1", "--quiet"],
    ]
    for argv in steps:
        result = run(argv)
        if result.returncode != 0:
            fail(f"{' '.join(argv)} -> {result.returncode}\n{result.stdout}{result.stderr}")
    # Bad inputs: a text file, an HDF5 file that is not an ARCM file, an ARCM file of format 2.0.
    with open(f"{work}/notes.txt", "w") as handle:
        handle.write("not a results file\n")
    import h5py
    with h5py.File(f"{work}/foreign.h5", "w") as handle:
        handle["x"] = [1, 2, 3]
    shutil.copyfile(f"{work}/baseline.h5", f"{work}/future.h5")
    with h5py.File(f"{work}/future.h5", "r+") as handle:
        handle.attrs["format_version"] = [2, 0]
    sensitivity = os.path.join(HERE, "make_sensitivity.py")
    if os.path.isfile(sensitivity):
        result = run([sys.executable, sensitivity, arcm, work])
        if result.returncode != 0:
            fail(f"make_sensitivity.py -> {result.returncode}\n{result.stdout}{result.stderr}")
        print(result.stdout, end="")
    print(f"inputs in {work}")


# Each case: arguments after the command, then (columns, height in inches or None, dpi).
def cases(work):
    w = work
    return {
        "trajectories": [
            ([f"{w}/baseline.h5"], 2, None, 60),
            ([f"{w}/grid.h5", "--run", "3", "--columns", "1", "--panels", "extraction,tension,price", "--resource",
              "water"], 1, 3.2, 100),
        ],
        "division": [
            ([f"{w}/baseline.h5"], 2, 6.0, 60),
            ([f"{w}/baseline.h5", "--resource", "pgm", "--columns", "1", "--share"], 1, None, 100),
        ],
        "fan": [
            ([f"{w}/grid.h5", "state_share_extraction"], 2, 2.5, 80),
            ([f"{w}/grid.h5", "capacity", "--select", "actor=spacex", "--select", "resource=water", "--columns",
              "1", "--mean"], 1, 2.6, 120),
        ],
        "heatmap": [
            ([f"{w}/grid.h5", "state_share_extraction", "--year", "2060", "--select", "resource=water",
              "--x", "legal.property_security", "--y", "legal.benefit_sharing_rate"], 1, 3.0, 100),
            ([f"{w}/grid.h5", "tension_final", "--x", "legal.benefit_sharing_rate", "--y",
              "legal.property_security", "--columns", "2"], 2, 4.0, 50),
        ],
        "compare": [
            (["price", f"{w}/baseline.h5", f"{w}/moon_agreement.h5"], 2, 2.4, 80),
            (["state_share_cumulative_final", f"{w}/baseline.h5", f"{w}/moon_agreement.h5", "--select",
              "resource=water", "--columns", "1"], 1, None, 100),
            # a scenarios sweep: runs told apart by their parameter values, four distinct colours
            (["price", f"{w}/scenarios.h5", "--select", "resource=pgm"], 2, None, 80),
            (["tension", f"{w}/scenarios.h5", "--columns", "1"], 1, None, 100),
        ],
        "sobol": [
            ([f"{w}/sobol.h5"], 2, None, 80),
            ([f"{w}/sobol.h5", "--columns", "1", "--metric", "tension_final", "--metric", "price_final[pgm]"], 1,
             3.0, 100),
            ([f"{w}/sobol.h5", "--time"], 2, 3.0, 60),
        ],
        "morris": [
            ([f"{w}/morris.h5"], 2, None, 80),
            ([f"{w}/morris.h5", "--columns", "1", "--metric", "price_final[pgm]"], 1, 3.4, 100),
        ],
        "prim": [
            ([f"{w}/prim.h5"], 2, 3.0, 80),
            ([f"{w}/prim.h5", "--columns", "1"], 1, None, 100),
        ],
    }


def plot(command, work):
    all_cases = cases(work)[command]
    out = os.path.join(work, "out")
    os.makedirs(out, exist_ok=True)
    for number, (arguments, columns, height, dpi) in enumerate(all_cases):
        prefix = os.path.join(out, f"{command}-{number}")
        argv = [os.path.join(SCRIPTS, command)] + arguments + ["-o", prefix, "--dpi", str(dpi)]
        if height is not None:
            argv += ["--height", str(height)]
        for stale in (f"{prefix}.pdf", f"{prefix}.png"):
            if os.path.exists(stale):
                os.remove(stale)
        # The scripts report where texts overlap or leave the canvas (arcm_plot.layout_problems).
        report = f"{prefix}.layout.json"
        if os.path.exists(report):
            os.remove(report)
        result = run(argv, env=dict(ENV, ARCM_CHECK_LAYOUT=report))
        if result.returncode != 0:
            fail(f"{' '.join(argv)} -> exit {result.returncode}\n{result.stderr}")
        if "Traceback" in result.stderr:
            fail(f"{' '.join(argv)}: traceback on stderr\n{result.stderr}")
        with open(report) as layout:
            problems = json.load(layout)["problems"]
        if problems:
            fail(f"{' '.join(argv)}: {len(problems)} text layout problems:\n  " + "\n  ".join(problems[:20]))
        size = check_outputs(prefix, 3.5 if columns == 1 else 7.2, height, dpi)
        print(f"ok {command} case {number}: {size[0]} x {size[1]} px")


def errors(work):
    w = work
    expect = [
        (["trajectories", f"{w}/notes.txt"], "notes.txt"),
        (["trajectories", f"{w}/foreign.h5"], "not an ARCM results file"),
        (["division", f"{w}/future.h5"], "version 2.0"),
        (["compare", "price", f"{w}/baseline.h5", f"{w}/future.h5"], "future.h5"),
        (["fan", f"{w}/baseline.h5", "tension"], "ensemble"),
        (["fan", f"{w}/grid.h5", "no_such_variable"], "no_such_variable"),
        (["heatmap", f"{w}/grid.h5", "tension_final", "--x", "legal.property_security", "--y", "no.such"],
         "no.such"),
        (["heatmap", f"{w}/baseline.h5", "tension", "--x", "a", "--y", "b"], "baseline.h5"),
        (["trajectories", f"{w}/grid.h5"], "--run"),
        (["trajectories", f"{w}/missing.h5"], "no such file"),
        (["sobol", f"{w}/baseline.h5"], "sensitivity"),
        (["morris", f"{w}/grid.h5"], "sensitivity"),
        (["prim", f"{w}/foreign.h5"], "not an ARCM results file"),
        (["prim", f"{w}/future.h5"], "version 2.0"),
        (["sobol", f"{w}/sobol.h5", "--columns", "1", "--height", "2"], "--height 2"),  # too small to be legible
        (["morris", f"{w}/morris.h5", "--height", "1.5"], "need at least"),
    ]
    for argv, needle in expect:
        command = [os.path.join(SCRIPTS, argv[0])] + argv[1:] + ["-o", os.path.join(w, "out", "error")]
        result = run(command)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        shown = " ".join(argv)
        if result.returncode == 0:
            fail(f"{shown}: exit status 0 on a wrong input")
        if "Traceback" in result.stderr:
            fail(f"{shown}: traceback\n{result.stderr}")
        if len(lines) != 1:
            fail(f"{shown}: expected one line on stderr, got {len(lines)}:\n{result.stderr}")
        if needle not in lines[0]:
            fail(f"{shown}: message does not mention '{needle}': {lines[0]}")
        print(f"ok {shown}: {lines[0]}")


def help_all():
    for command in COMMANDS + ("gallery",):
        path = os.path.join(SCRIPTS, command)
        if not os.access(path, os.X_OK):
            fail(f"{path}: missing or not executable")
        result = run([path, "--help"])
        if result.returncode != 0 or "usage:" not in result.stdout or "Traceback" in result.stderr:
            fail(f"{command} --help -> {result.returncode}\n{result.stdout}{result.stderr}")
        print(f"ok {command} --help")


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "inputs":
        make_inputs(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "plot":
        plot(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "errors":
        errors(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "help":
        help_all()
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
