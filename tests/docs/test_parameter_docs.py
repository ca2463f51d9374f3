#!/usr/bin/python3
"""Every number docs/parameters.md quotes for the baseline equals the resolved baseline.

usage: test_parameter_docs.py ARCM_BINARY

Reads the key tables of the economy, debris, tension and legal sections (`| key | sym | value |`)
and the resource tables (`| key | water | pgm | metals |`), and compares each value with the
fully resolved config/scenarios/baseline.yaml (`arcm check --resolved`): numbers to 1e-9
relative, words (myopic, parties, false, null) as written. A row whose key the resolved
scenario does not have fails too, so a renamed key cannot leave a stale row behind.
"""
import os
import re
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
DOC = os.path.join(ROOT, "docs", "parameters.md")
BASELINE = os.path.join(ROOT, "config", "scenarios", "baseline.yaml")
SECTIONS = ("economy", "debris", "tension", "legal")


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def quoted_value(text):
    """A table value as a number, a word, or None for null; the unit after a number is dropped."""
    text = text.replace("`", "").strip()
    if text.startswith("null"):
        return None
    number = re.match(r"^[-+]?(?:\d[\d,]*)?\.?\d+(?:[eE][-+]?\d+)?", text)
    if number:
        return float(number.group(0).replace(",", ""))
    return text.split()[0] if text else text


def rows(doc):
    """(key path, quoted value, line number) for every checked row of the document."""
    section = None
    header = None
    for number, line in enumerate(doc.splitlines(), 1):
        heading = re.match(r"^##+ .*\(`(\w+)`\)", line)
        if heading:
            section, header = heading.group(1), None
            continue
        if line.startswith("## "):
            section, header = None, None
            continue
        if not line.startswith("|"):
            header = None
            continue
        parts = cells(line)
        if parts and parts[0] == "key":
            header = parts
            continue
        if header is None or set(line.replace("|", "").strip()) <= set("-: "):
            continue
        key = parts[0].split()[0]
        if section in SECTIONS and "value" in header:
            yield f"{section}.{key}", quoted_value(parts[header.index("value")]), number
        elif section == "resources" and header[1:4] == ["water", "pgm", "metals"]:
            for resource, text in zip(header[1:4], parts[1:4]):
                yield f"resources.{resource}.{key}", quoted_value(text), number


def lookup(resolved, path):
    node = resolved
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(path)
        node = node[part]
    return node


def main():
    arcm = sys.argv[1]
    resolved = yaml.safe_load(subprocess.run([arcm, "check", "--resolved", BASELINE], capture_output=True, text=True,
                                             check=True).stdout)
    with open(DOC) as handle:
        doc = handle.read()
    problems, compared = [], 0
    for path, quoted, line in rows(doc):
        where = f"docs/parameters.md:{line}: {path}"
        try:
            actual = lookup(resolved, path)
        except KeyError:
            if isinstance(quoted, float) or quoted is None:
                problems.append(f"{where}: the resolved baseline has no such key")
            continue  # a non-numeric row that is not a key (a backstop summary, say)
        if isinstance(actual, dict) and path.endswith("backstop"):
            continue  # summarised in words in the table, checked by its own keys
        compared += 1
        if isinstance(actual, str):  # YAML 1.1 reads 1e-05 (no dot) as text
            try:
                actual = float(actual)
            except ValueError:
                pass
        if quoted is None:
            if actual is not None:
                problems.append(f"{where}: the document says null, the baseline has {actual!r}")
        elif isinstance(quoted, float):
            if isinstance(actual, bool) or not isinstance(actual, (int, float)) or \
                    abs(float(actual) - quoted) > 1e-9 * max(1.0, abs(quoted)):
                problems.append(f"{where}: the document says {quoted:g}, the baseline has {actual!r}")
        else:
            written = str(actual).lower() if isinstance(actual, bool) else str(actual)
            if written != quoted:
                problems.append(f"{where}: the document says {quoted!r}, the baseline has {actual!r}")
    print(f"{compared} values of docs/parameters.md compared with the resolved baseline")
    for problem in problems:
        print("FAIL " + problem)
    if compared < 60:
        print(f"FAIL only {compared} values compared: has the document's table layout changed?")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
