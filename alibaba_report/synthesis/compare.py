"""What changed between two scenarios: every key figure under both with the difference, and the
assumptions that differ with their reasons.

    python -m alibaba_report.synthesis.compare A B        (make compare A=base B=mine)

reads the ``key-figures.json`` each built site carries (``make book SCENARIO=<name>`` builds one), so
it compares what the two books show; it prints the table and writes it to ``_build/compare/``. A
custom scenario's own book gets the same comparison against base as a page.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

import pandas as pd

from alibaba_report import params, paths


class CompareError(RuntimeError):
    """A comparison that cannot be made: an unknown or unbuilt scenario, a damaged figures file."""


def site_of(root: Path, scenario: str) -> Path:
    return root / "_build" / ("html" if scenario == params.BASE else f"scenarios/{scenario}/html")


def built_figures(root: Path, scenario: str) -> dict[str, dict]:
    """The key figures a built site shows under its own scenario, by name."""
    if scenario not in params.known_scenarios():
        raise CompareError(f"unknown scenario {scenario[:60]!r}: there is no data/scenarios/{scenario[:60]}.yml. "
                           f"Known scenarios: {', '.join(params.known_scenarios())}")
    path = site_of(root, scenario) / "key-figures.json"
    if not path.is_file():
        cmd = "make book" if scenario == params.BASE else f"make book SCENARIO={scenario}"
        raise CompareError(f"scenario {scenario!r} has not been built: {path.relative_to(root)} is missing; run {cmd} first")
    where = path.relative_to(root)
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as exc:
        why = "nested too deeply" if isinstance(exc, RecursionError) else f"not JSON ({type(exc).__name__})"
        raise CompareError(f"{where}: {why}; expected the key-figures file a build writes: rebuild the site") from None
    return {r["name"]: r for r in check_rows(rows, str(where)) if r["scenario"] == scenario}


_FIELDS = {"name": str, "label": str, "unit": str, "scenario": str}


def check_rows(rows, where: str) -> list[dict]:
    """The rows of a key-figures file, checked: a list of objects, each with a text ``name``,
    ``label``, ``unit`` and ``scenario`` and a ``value`` that is a finite number or null. A
    CompareError names the row and the field otherwise."""
    if not isinstance(rows, list):
        raise CompareError(f"{where}: expected a list of key figures, got {_kind(rows)}; rebuild the site")
    for i, row in enumerate(rows):
        at = f"{where}: figure {i}"
        if not isinstance(row, dict):
            raise CompareError(f"{at}: expected an object, got {_kind(row)}; rebuild the site")
        for field, typ in _FIELDS.items():
            if not isinstance(row.get(field), typ):
                raise CompareError(f"{at}: field {field!r}: expected text, got {_kind(row.get(field))}; "
                                   "rebuild the site")
        v = row.get("value")
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)):
            raise CompareError(f"{at} ({printable(row['name'])}): field 'value': expected a number or null, "
                               f"got {_kind(v)}; rebuild the site")
    return rows


def _kind(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, (dict, list)):
        return f"{'an object' if isinstance(value, dict) else 'a list'} of {len(value)} items"
    return f"{type(value).__name__} {printable(repr(value))[:40]}"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` safe for a terminal: control characters (escape sequences, carriage returns,
    bidirectional overrides) shown as ``\\x1b``-style escapes, never sent raw."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def stale_note(root: Path, scenario: str) -> str | None:
    """A warning when the scenario's file (or base.yml, which it inherits from) changed after its
    site was built: the built figures are then older than the values the scenario now gives."""
    built = site_of(root, scenario) / "key-figures.json"
    files = {params.scenario_dir() / f"{scenario}.yml", params.scenario_dir() / f"{params.BASE}.yml"}
    newer = sorted(f.name for f in files if f.is_file() and f.stat().st_mtime > built.stat().st_mtime)
    if not newer:
        return None
    cmd = "make book" if scenario == params.BASE else f"make book SCENARIO={scenario}"
    return (f"warning: the {scenario} figures were built before data/scenarios/{' and '.join(newer)} last "
            f"changed; they may not be what the scenario now gives: run {cmd} to rebuild")


def figures_table(a: str, b: str, fa: dict[str, dict], fb: dict[str, dict]) -> pd.DataFrame:
    """One row per key figure: label, unit, the value under each scenario and the difference."""
    rows = []
    for name, ra in fa.items():
        rb = fb.get(name)
        if rb is None:
            continue
        va, vb = ra["value"], rb["value"]
        diff = None if va is None or vb is None else vb - va
        rows.append({"figure": ra["label"], "unit": ra["unit"], a: va, b: vb, "difference": diff})
    if not rows:
        raise CompareError(f"no key figure is shown under both {a!r} and {b!r}")
    return pd.DataFrame(rows)


def assumptions_table(a: str, b: str) -> pd.DataFrame:
    """Every assumption whose value differs between the two scenarios, with each side's reason."""
    from alibaba_report.synthesis import scenarios

    ta = scenarios.assumptions_table(a).set_index(["chapter", "parameter"])
    tb = scenarios.assumptions_table(b).set_index(["chapter", "parameter"])
    once = ~ta.index.get_level_values("parameter").duplicated()  # a shared parameter is one assumption
    moved = [i for i in ta.index[once] if ta.loc[i, "value"] != tb.loc[i, "value"]]
    return pd.DataFrame([{
        "chapter": i[0], "assumption": i[1], "unit": ta.loc[i, "unit"],
        a: ta.loc[i, "value"], b: tb.loc[i, "value"], f"reason ({b})": " ".join(str(tb.loc[i, "reason"]).split()),
    } for i in moved])


def _fmt(x) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):  # no value (a table holds it as NaN)
        return "—"
    if isinstance(x, float):
        return f"{x:,.2f}" if abs(x) < 100 else f"{x:,.0f}"
    return str(x)


def as_text(a: str, b: str, figs: pd.DataFrame, assumptions: pd.DataFrame) -> str:
    """Both tables as plain text for the terminal."""
    f = figs.copy()
    for col in (a, b, "difference"):
        f[col] = f[col].map(_fmt)
    for col in ("figure", "unit"):  # text from the built file: one line each, nothing raw
        f[col] = f[col].map(lambda t: printable(t).replace("\n", "\\n").replace("\t", "\\t"))
    out = [f"What changed from {a} to {b}", "", "Key figures:", f.to_string(index=False), ""]
    if assumptions.empty:
        out.append("The two scenarios share every assumption.")
    else:
        out += ["Assumptions that differ:", assumptions.to_string(index=False)]
    return printable("\n".join(out)) + "\n"


def as_markdown(a: str, b: str, figs: pd.DataFrame, assumptions: pd.DataFrame) -> str:
    """Both tables as a MyST page; every text from data escaped."""
    from alibaba_report.evidence.appendix import md_escape

    def row(cells) -> str:
        return "| " + " | ".join(md_escape(_fmt(c)) for c in cells) + " |"

    parts = [f"# What changed: {md_escape(b)} against {md_escape(a)}", "",
             f"Every key figure of the book under the {md_escape(a)} case and under {md_escape(b)}, and the "
             "assumptions that differ, each with its reason.", "",
             "| figure | unit | " + md_escape(a) + " | " + md_escape(b) + " | difference |",
             "| --- | --- | --- | --- | --- |"]
    parts += [row([r["figure"], r["unit"], r[a], r[b], r["difference"]]) for _, r in figs.iterrows()]
    parts += ["", "## Assumptions that differ", ""]
    if assumptions.empty:
        parts.append("None: the two share every assumption.")
    else:
        cols = list(assumptions.columns)
        parts += ["| " + " | ".join(md_escape(c) for c in cols) + " |", "|" + " --- |" * len(cols)]
        parts += [row([r[c] for c in cols]) for _, r in assumptions.iterrows()]
    return "\n".join(parts) + "\n"


def computed_figures(scenario: str) -> dict[str, dict]:
    """The key figures computed by the package (what a build is about to show), in the JSON's shape."""
    from alibaba_report.synthesis import key_figures

    vals = key_figures.figures(scenario)
    return {k.name: {"name": k.name, "label": k.label, "unit": k.unit, "scenario": scenario,
                     "value": vals[k.name] if math.isfinite(vals[k.name]) else None} for k in key_figures.REGISTRY}


def page_for(scenario: str, against: str = params.BASE) -> str:
    """The "What changed" page of a custom scenario's book."""
    figs = figures_table(against, scenario, computed_figures(against), computed_figures(scenario))
    return as_markdown(against, scenario, figs, assumptions_table(against, scenario))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="make compare", description="Compare the key figures of two built scenarios.")
    ap.add_argument("a", nargs="?", default=params.BASE)
    ap.add_argument("b", nargs="?", default="bear")
    args = ap.parse_args(argv)
    root = paths.root()
    try:
        fa, fb = built_figures(root, args.a), built_figures(root, args.b)
        figs = figures_table(args.a, args.b, fa, fb)
        assumptions = assumptions_table(args.a, args.b)
    except (CompareError, params.ParameterError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for scenario in dict.fromkeys((args.a, args.b)):
        note = stale_note(root, scenario)
        if note:
            print(note, file=sys.stderr)
    text = as_text(args.a, args.b, figs, assumptions)
    from alibaba_report.charts.style import safe_csv_frame  # text from data never becomes a spreadsheet formula
    from alibaba_report.pipeline import safety

    stem = f"{args.a}-vs-{args.b}"
    try:  # real folders only, and each file replaced, never written through a planted link
        out = safety.real_dir(root, root / "_build" / "compare")
        for name, body in ((f"{stem}.txt", text), (f"{stem}.md", as_markdown(args.a, args.b, figs, assumptions)),
                           (f"{stem}-figures.csv", safe_csv_frame(figs).to_csv(index=False)),
                           (f"{stem}-assumptions.csv", safe_csv_frame(assumptions).to_csv(index=False))):
            safety.write_atomic(safety.real_file(root, out / name), body)
    except safety.BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 5
    print(text, end="")
    print(f"written: {(out / stem).relative_to(root)}.txt, .md and two CSVs", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
