#!/usr/bin/python3
"""Write the seed corpus and dictionary of a loader fuzz target.

usage: make_seeds.py scenario|sweep OUT_DIR

Seeds are the project's own YAML: config/, the test scenarios and sweeps, the
bad-config and bad-sweep fixtures and the committed fuzz regressions. The fuzz
targets load their input as a file in config/scenarios/ (scenario) or
config/sweeps/ (sweep), so relative file names in a seed (extends:, scenario:)
are rewritten relative to that folder when the file they name exists. The
dictionary (OUT_DIR/dict) holds every key and keyword the seeds use.
"""
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SOURCES = {
    "scenario": ["config/scenarios", "tests/data/scenarios", "tests/data/bad_configs", "tests/data/sweeps",
                 "tests/data/fuzz_regressions/scenario"],
    "sweep": ["config/sweeps", "tests/data/sweeps", "tests/data/bad_sweeps", "tests/data/fuzz_regressions/sweep"],
}
HOME = {"scenario": "config/scenarios", "sweep": "config/sweeps"}
NAME = re.compile(r"[A-Za-z0-9_./-]+\.yaml")


def rewrite(text, source_dir, home_dir):
    def fix(match):
        name = match.group(0)
        target = os.path.normpath(os.path.join(source_dir, name))
        if not os.path.isabs(name) and os.path.isfile(target):
            return os.path.relpath(target, home_dir)
        return name
    return NAME.sub(fix, text)


def main():
    kind, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    words = set()
    count = 0
    for folder in SOURCES[kind]:
        directory = os.path.join(ROOT, folder)
        for name in sorted(os.listdir(directory)):
            if not name.endswith(".yaml"):
                continue
            with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as f:
                text = f.read()
            text = rewrite(text, directory, os.path.join(ROOT, HOME[kind]))
            words.update(re.findall(r"([A-Za-z_][A-Za-z0-9_]*):", text))
            with open(os.path.join(out, folder.replace("/", "_") + "_" + name), "w", encoding="utf-8") as f:
                f.write(text)
            count += 1
    with open(os.path.join(out, "dict"), "w") as f:
        for word in sorted(words):
            f.write('"%s:"\n' % word)
        for token in ["extends:", "!append", "scenario:", "design:", "type:", "~", "null", ".inf", "-.inf", ".nan",
                      "1e308", "-0", "0x10", "&a", "*a", "<<:", "{", "}", "[", "]", "- ", "? ", "---", "...", "\"\\u0000\""]:
            f.write('"%s"\n' % token.replace("\\", "\\\\").replace('"', '\\"'))
    print("make_seeds: %d seeds, %d dictionary words in %s" % (count, len(words), out))


if __name__ == "__main__":
    main()
