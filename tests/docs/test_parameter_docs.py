#!/usr/bin/python3
"""Every number docs/parameters.md quotes for the baseline equals the resolved baseline.

usage: test_parameter_docs.py ARCM_BINARY

Reads the key tables of the economy, debris, tension and legal sections (`| key | sym | value |`),
the resource tables (`| key | water | pgm | metals |`) and the jurisdiction and actor tables
(`| id | θ_dom | ...`, `| actor | c₀ | ...`, columns by symbol), and compares each value with the
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
# The actor and jurisdiction tables name their columns by symbol (docs/model.md); the key of each.
# A column not listed (basis, a derived B₀, source) is prose or derived, and not compared.
ACTOR_COLUMNS = {"c₀ (M$/t)": "launch_cost", "floor": "launch_cost_floor", "p": "progress_ratio",
                 "X₀ (t)": "launch_experience", "L₀ (t/yr)": "base_launch_mass", "g_L": "base_launch_growth",
                 "markup": "launch_markup", "budget (M$/yr)": "budget", "share": "resource_budget_share",
                 "g_B": "budget_growth", "α": "profit_reinvestment", "r": "discount_rate",
                 "φ": "adjustment_speed", "σ": "strategic_value", "e": "cost_efficiency"}
JURISDICTION_COLUMNS = {"θ_dom": "domestic_property_security", "ℓ": "licensing_fee_share",
                        "τ_L (yr)": "licensing_delay", "party": "party_to_regime"}


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
        if parts and parts[0] in ("key", "actor", "id"):
            header = parts
            continue
        if header is None or set(line.replace("|", "").strip()) <= set("-: "):
            continue
        key = parts[0].split()[0]
        if header[0] in ("actor", "id") and section in ("actors", "jurisdictions"):
            columns = ACTOR_COLUMNS if section == "actors" else JURISDICTION_COLUMNS
            for owner in (o.strip() for o in parts[0].split(",")):  # "cn, ru, in": one row for three
                for column, text in zip(header[1:], parts[1:]):
                    if column in columns:
                        value = quoted_value(text)
                        if value in ("–", "-"):  # no markup: a state sells no launches, the default 0
                            value = 0.0
                        if value in ("no", "yes"):
                            value = "false" if value == "no" else "true"
                        yield f"{section}.{owner}.{columns[column]}", value, number
            continue
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
    if compared < 200:
        print(f"FAIL only {compared} values compared: has the document's table layout changed?")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
