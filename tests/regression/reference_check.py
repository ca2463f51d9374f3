#!/usr/bin/python3
"""Run one scenario through ARCM and through the independent Python reference
(tests/reference), both at relative tolerance 1e-10, and compare them year by
year with the tolerances of docs/model.md §11. Exit status 0 when they agree.

usage: reference_check.py --arcm PATH/arcm --workdir DIR SCENARIO.yaml
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(HERE, "..", "reference")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arcm", required=True, help="the arcm executable")
    parser.add_argument("--workdir", required=True, help="folder for the tight scenario and both result files")
    parser.add_argument("--rtol", type=float, default=1e-10, help="relative tolerance of both integrations")
    parser.add_argument("scenario")
    args = parser.parse_args()

    os.makedirs(args.workdir, exist_ok=True)
    name = os.path.splitext(os.path.basename(args.scenario))[0]
    tight = os.path.join(args.workdir, name + "_tight.yaml")
    # A scenario that extends the one under test and only tightens the integrator.
    with open(tight, "w") as out:
        out.write("extends: %s\nname: %s_tight\nintegrator:\n  relative_tolerance: %g\n"
                  "  absolute_tolerance: %g\n  max_steps: 10000000\n"
                  % (os.path.abspath(args.scenario), name, args.rtol, args.rtol))
    arcm_file = os.path.join(args.workdir, name + "_arcm.h5")
    reference_file = os.path.join(args.workdir, name + "_reference.npz")

    def run(command):
        print("+", " ".join(command), flush=True)
        subprocess.run(command, check=True)

    # A results file left by an earlier run of this check: arcm run refuses to
    # replace an existing file, so the check removes its own first.
    if os.path.exists(arcm_file):
        os.remove(arcm_file)
    run([args.arcm, "run", tight, "-o", arcm_file, "--quiet"])
    # The reference reads the fully resolved scenario stored in the ARCM file,
    # so both sides integrate exactly the same parameters.
    run([sys.executable, os.path.join(REFERENCE, "arcm_reference.py"), arcm_file, "-o", reference_file,
         "--rtol", "%g" % args.rtol])
    result = subprocess.run([sys.executable, os.path.join(REFERENCE, "compare.py"), arcm_file, reference_file])
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
