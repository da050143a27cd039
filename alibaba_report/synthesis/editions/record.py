"""Writing and reading an edition (``editions/<name>.json``), and the value of the shares under an
edition's inputs: the claims and assumptions the model of value read, substituted for today's."""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import hashlib
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

from alibaba_report import params, paths
from alibaba_report.evidence import ledger
from alibaba_report.synthesis import valuation

BRIDGE_FIGURE = "value_per_ads_usd"  # the key figure the bridge explains, under the base case
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


class EditionError(ValueError):
    """A bad edition name or file; the message names it and what was expected."""


def editions_dir() -> Path:
    return paths.root() / "editions"


def load(file: Path) -> dict:
    """One edition file, checked for the fields the page reads."""
    try:
        data = json.loads(Path(file).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EditionError(f"{file}: expected a JSON edition written by make edition ({exc})") from None
    missing = [k for k in ("name", "date", "written_at", "key_figures", "signposts", "assumptions",
                           "model_inputs", "sources", "commit") if k not in data]
    if missing:
        raise EditionError(f"{file}: expected the fields {', '.join(missing)} (written by make edition)")
    if not isinstance(data["name"], str) or not NAME.fullmatch(data["name"]):
        raise EditionError(f"{file}: field 'name': expected lower-case letters, digits, - or _, got {str(data['name'])[:40]!r}")
    return data


def latest() -> Path | None:
    """The newest edition (by when it was written), or None when editions/ holds none."""
    folder = editions_dir()
    if not folder.is_dir():
        os.listdir(folder.parent)  # a listing the build's execution cache records: it sees editions/ appear
        return None
    files = sorted(folder.glob("*.json"))
    if not files:
        return None
    return max(files, key=lambda f: (load(f)["written_at"], f.name))


# --- valuing the shares under substituted inputs -------------------------------------------------

class _Reads:
    """The ledger as the model sees it, with some values replaced; records what the model reads."""

    def __init__(self, led: ledger.Ledger, overrides: dict[str, float] | None = None):
        self._led, self.overrides, self.read = led, dict(overrides or {}), {}

    def value(self, claim_id: str) -> float:
        v = self.overrides[claim_id] if claim_id in self.overrides else self._led.value(claim_id)
        self.read.setdefault(claim_id, v)
        return v

    def __getattr__(self, name):
        return getattr(self._led, name)


def value_with(claims: dict[str, float], assumptions: dict[str, dict]) -> tuple[float, dict, dict]:
    """The base case's bridge figure valued with ``claims`` (id -> value) and ``assumptions`` (page ->
    parameter -> value) in place of the ledger's and the base scenario's, and the claims and the
    assumptions (every parameter of each page the model reads) it was valued with."""
    reads = _Reads(ledger.load_claims(), claims)
    sections = {nb: {**params.scenario_parameters(params.BASE, nb), **assumptions.get(nb, {})}
                for nb in valuation.INPUT_NOTEBOOKS}
    value = float(valuation.model(valuation.inputs_from(sections), reads)[BRIDGE_FIGURE])
    return value, dict(reads.read), copy.deepcopy(sections)


# --- writing an edition ---------------------------------------------------------------------------

def _commit(root: Path) -> str:
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    if out.returncode != 0:
        return "unknown"
    dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, timeout=20).stdout.strip()
    return out.stdout.strip() + ("+uncommitted changes" if dirty else "")


def sources_now() -> list[dict]:
    led = ledger.load_claims()
    files = led.seed_files()
    out = []
    for _, row in ledger.load_sources().iterrows():
        f = files.get(row["seed"])
        out.append({"seed": row["seed"], "publisher": row["publisher"], "date": row["date"], "title": row["title"],
                    "source": ledger.source_short(row),
                    "sha256": hashlib.sha256(f.read_bytes()).hexdigest() if f else None})
    return out


def _finite(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def snapshot(name: str) -> dict:
    """Everything an edition records (see the module's docstring)."""
    from alibaba_report.synthesis import key_figures, signposts

    led = ledger.load_claims()
    grades = signposts.grade(led)
    dates = [d for d in ledger.load_sources()["date"] if d != "undated"]
    _, claims_read, assumptions_read = value_with({}, {})
    return {
        "name": name,
        "date": max(dates) if dates else None,
        "written_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "commit": _commit(paths.root()),
        "key_figures": {s: {k: _finite(v) for k, v in key_figures.figures(s).items()} for s in key_figures.SCENARIOS},
        "key_figure_labels": {k.name: [k.label, k.unit] for k in key_figures.REGISTRY},
        "signposts": [{**{k: r[k] for k in ("key", "name", "grade", "value_text", "claim", "supports")},
                       "date": r["date"].isoformat() if r["date"] else None} for r in grades],
        "assumptions": {s: {nb: params.scenario_parameters(s, nb) for nb in params.notebooks_with_specs()
                            if not params.is_scenario_page(nb)} for s in key_figures.SCENARIOS},
        "model_inputs": {"claims": claims_read, "assumptions": assumptions_read},
        "sources": sources_now(),
    }


def write(name: str) -> Path:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise EditionError(f"NAME {str(name)[:40]!r}: expected lower-case letters, digits, - or _ (at most 64), "
                           "starting with a letter or digit")
    out = editions_dir() / f"{name}.json"
    if out.exists():
        raise EditionError(f"NAME {name!r}: editions/{name}.json exists already; an edition is never overwritten, "
                           "choose another name")
    data = snapshot(name)
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="make edition", description="Record this edition of the book in editions/<NAME>.json.")
    ap.add_argument("name", help="the edition's name: lower-case letters, digits, - or _")
    args = ap.parse_args(argv)
    try:
        out = write(args.name)
    except (EditionError, ledger.LedgerError, params.ParameterError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    data = json.loads(out.read_text(encoding="utf-8"))
    from alibaba_report.synthesis import signposts

    c = signposts.counts([{"grade": r["grade"]} for r in data["signposts"]])
    base = data["key_figures"]["base"][BRIDGE_FIGURE]
    n_assumptions = sum(len(v) for v in data["assumptions"]["base"].values())
    print(f"wrote editions/{args.name}.json (commit {data['commit'][:12]})\n"
          f"  key figures: {len(data['key_figures']['base'])} under bear, base and bull; base value USD {base:,.2f} per ADS\n"
          f"  signposts: {len(data['signposts'])} ({c['met']} met, {c['missed']} missed, {c['not settled']} not settled, "
          f"{c['not yet reported']} not yet reported)\n"
          f"  assumptions: {n_assumptions} per case; sources: {len(data['sources'])} with their checksums")
    return 0
