"""Editions: what the book said at a date, kept in ``editions/<name>.json``, and what changed since.

``make edition NAME=<name>`` writes the key figures under bear, base and bull, the signpost grades,
every assumption, the claims the model of value reads (with the values it read), the sources with
their checksums and the commit. When ``editions/`` holds one, the build adds a page "What changed
since <name>" (:func:`page_markdown`): every key figure before and now, a value bridge from the
previous base value to today's, the signposts whose grade changed and the new sources.

The bridge is computed by sequential substitution: start from the edition's inputs, replace one
changed claim or assumption at a time in a stated order (claims in the order the model reads them,
then assumptions by page and name) and value the shares after each; each step is the difference,
so the steps add up to the change exactly. A first step "the model itself" appears only when the
code values the edition's own inputs differently from what the edition recorded.
"""
from __future__ import annotations

import argparse
import contextlib
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
from alibaba_report.evidence import cite, ledger
from alibaba_report.evidence.appendix import md_escape

BRIDGE_FIGURE = "value_per_ads_usd"  # the key figure the bridge explains, under the base case
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
PAGE = "book/since_edition"  # the generated page, in the staging copy only
CHART = "_static/since-edition-bridge.png"


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


@contextlib.contextmanager
def _substituted(claims: dict[str, float], assumptions: dict[str, dict]):
    """Inside: the ledger and the base scenario as the model reads them, with ``claims`` (id -> value)
    and ``assumptions`` (page -> parameter -> value) in place of the files'. Yields what was read."""
    led = ledger.load_claims()
    reads = _Reads(led, claims)
    seen: dict[str, dict] = {}
    original_params, original_load = params.scenario_parameters, ledger.load_claims

    def scenario_parameters(name, notebook):
        values = dict(original_params(name, notebook))
        if name == params.BASE:
            values.update(assumptions.get(notebook, {}))
            seen.setdefault(notebook, {}).update(values)
        return values

    params.scenario_parameters = scenario_parameters
    ledger.load_claims = lambda *a, **k: reads
    try:
        yield reads, seen
    finally:
        params.scenario_parameters, ledger.load_claims = original_params, original_load


def value_with(claims: dict[str, float], assumptions: dict[str, dict]) -> tuple[float, dict, dict]:
    """The base case's bridge figure under the substituted inputs, and the claims and assumptions read."""
    from alibaba_report.synthesis import key_figures

    with _substituted(claims, assumptions) as (reads, seen):
        value = float(key_figures.BY_NAME[BRIDGE_FIGURE].compute(params.BASE))
    return value, dict(reads.read), copy.deepcopy(seen)


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


def _sources() -> list[dict]:
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
        "sources": _sources(),
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


# --- what changed -----------------------------------------------------------------------------------

def estimate_changes(previous: dict) -> list[dict]:
    """Every key figure under bear, base and bull: previous, now, change and % change."""
    from alibaba_report.synthesis import key_figures

    rows = []
    for s in key_figures.SCENARIOS:
        now = key_figures.figures(s)
        for k in key_figures.REGISTRY:
            before = previous["key_figures"].get(s, {}).get(k.name)
            after = _finite(now[k.name])
            change = None if before is None or after is None else after - before
            pct = None if change is None or before == 0 else 100.0 * change / abs(before)
            rows.append({"scenario": s, "figure": k.name, "label": k.label, "unit": k.unit,
                         "previous": before, "now": after, "change": change, "pct": pct})
    return rows


def _claim_label(led: ledger.Ledger, claim_id: str) -> str:
    from alibaba_report.evidence.pages import metric_words

    c = led.get(claim_id)
    newest = led.get(led.newest(claim_id))
    register = led.sources().set_index("seed")
    source = ledger.source_short(register.loc[newest.seed]) if newest.seed in register.index else "a new source"
    return f"{c.said_by}: {c.subject}, {metric_words(c.metric)} ({c.period}), now from {source}"


def _assumption_label(notebook: str, name: str) -> str:
    from alibaba_report.synthesis import scenarios

    words = scenarios.reader_name(name)
    if words == name:  # no reader name written: the specification's meaning, never the parameter's name
        spec = params.specs(notebook).get(name)
        words = (spec.meaning.split(";")[0].split(" (")[0].strip() if spec and spec.meaning else "an assumption")
    return f"assumption: {words}"


def bridge(previous: dict) -> list[dict]:
    """The value bridge from the edition's base value to today's: one step per changed input."""
    from alibaba_report.synthesis import key_figures

    led = ledger.load_claims()
    start = previous["key_figures"]["base"][BRIDGE_FIGURE]
    old_claims = previous["model_inputs"]["claims"]
    old_assumptions = previous["model_inputs"]["assumptions"]
    end = float(key_figures.figures(params.BASE)[BRIDGE_FIGURE])
    _, claims_now, assumptions_now = value_with({}, {})
    changes = [("claim", cid, None, old_claims[cid], claims_now[cid]) for cid in claims_now
               if cid in old_claims and not math.isclose(old_claims[cid], claims_now[cid], rel_tol=1e-12)]
    for nb in sorted(assumptions_now):
        for p in sorted(assumptions_now[nb]):
            old = old_assumptions.get(nb, {}).get(p)
            if old is not None and old != assumptions_now[nb][p]:
                changes.append(("assumption", p, nb, old, assumptions_now[nb][p]))
    claims, assumptions = dict(old_claims), copy.deepcopy(old_assumptions)
    value = value_with(claims, assumptions)[0]
    steps = []
    if not math.isclose(value, start, rel_tol=1e-9, abs_tol=1e-9):
        steps.append({"step": "the model itself (its code valued the edition's own inputs differently)",
                      "before": None, "after": None, "change": value - start})
    for kind, key, nb, old, new in changes:
        if kind == "claim":
            claims[key] = new
            label = _claim_label(led, key)
        else:
            assumptions.setdefault(nb, {})[key] = new
            label = _assumption_label(nb, key)
        after = value_with(claims, assumptions)[0]
        steps.append({"step": label, "before": old, "after": new, "change": after - value})
        value = after
    if not math.isclose(value, end, rel_tol=1e-9, abs_tol=1e-9):
        steps.append({"step": "inputs the model did not read at the edition", "before": None, "after": None,
                      "change": end - value})
    return [{"step": "value at the edition", "before": None, "after": None, "change": start, "total": True},
            *steps, {"step": "value now", "before": None, "after": None, "change": end, "total": True}]


def changed_signposts(previous: dict, grades: list[dict] | None = None) -> list[dict]:
    from alibaba_report.synthesis import signposts

    grades = grades if grades is not None else signposts.grade()
    before = {r["key"]: r["grade"] for r in previous["signposts"]}
    return [{**r, "before": before.get(r["key"], "not watched")} for r in grades if before.get(r["key"]) != r["grade"]]


def new_sources(previous: dict) -> list[dict]:
    """Sources added since the edition (or whose file changed), as publisher and date."""
    before = {s["seed"]: s["sha256"] for s in previous["sources"]}
    return [s for s in _sources() if before.get(s["seed"]) != s["sha256"]]


# --- the page ---------------------------------------------------------------------------------------

def _num(x: float | None, digits: int = 2) -> str:
    if x is None:
        return "—"
    return f"{x:,.{digits}f}"


def _signed(x: float | None, digits: int = 2, suffix: str = "") -> str:
    if x is None:
        return "—"
    return f"{x:+,.{digits}f}{suffix}"


def bridge_chart(steps: list[dict], out: Path) -> str:
    """Draw the bridge as a waterfall into ``out`` (PNG); return its alt text."""
    from alibaba_report.charts import style

    fig, ax = style.figure()
    labels, bottoms, heights, colours = [], [], [], []
    level = 0.0
    for i, s in enumerate(steps):
        labels.append(f"{i}")
        if s.get("total"):
            bottoms.append(0.0)
            heights.append(s["change"])
            colours.append(style.GREY)
            level = s["change"]
        else:
            bottoms.append(level if s["change"] >= 0 else level + s["change"])
            heights.append(abs(s["change"]))
            colours.append(style.PALETTE[2] if s["change"] >= 0 else style.PALETTE[4])
            level += s["change"]
    bars = ax.bar(range(len(steps)), heights, bottom=bottoms, color=colours, edgecolor="black", linewidth=0.6)
    for bar, s in zip(bars, steps):  # a fall is hatched too, so that a grey print still reads
        if not s.get("total") and s["change"] < 0:
            bar.set_hatch("//")
        ax.annotate(_num(s["change"]) if s.get("total") else _signed(s["change"]),
                    (bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height()),
                    xytext=(0, 3), textcoords="offset points", ha="center", va="bottom", fontsize=10)
    ax.set_xticks(range(len(steps)), ["edition"] + [f"step {i}" for i in range(1, len(steps) - 1)] + ["now"])
    ax.set_ylabel("USD per ADS")
    start, end = steps[0]["change"], steps[-1]["change"]
    title = f"The base value moved from USD {start:,.2f} to USD {end:,.2f} per ADS"
    style.finish(fig, title, "Source: model of value under the base case; each step one changed input (table below)")
    fig.savefig(out, dpi=110)
    import matplotlib.pyplot as plt

    plt.close(fig)
    moves = "; ".join(f"step {i}: {_signed(s['change'])}" for i, s in enumerate(steps[1:-1], start=1))
    return f"Waterfall from USD {start:,.2f} at the edition to USD {end:,.2f} now per ADS. {moves or 'no step'}."


def page_markdown(previous: dict, chart: str | None = None, alt: str = "") -> str:
    """The page "What changed since <edition>" (Markdown; text from data escaped)."""
    from alibaba_report.synthesis import signposts

    led = ledger.load_claims()
    name = md_escape(previous["name"])
    when = dt.date.fromisoformat(previous["date"]) if previous.get("date") else None
    steps = bridge(previous)
    grades = signposts.grade(led)
    parts = [f"# What changed since {name}", "",
             f"The edition *{name}* was made from sources up to {when.day} {when.strftime('%b %Y')}. "
             if when else f"The edition *{name}*. ",
             "Every key figure of the book then and now, the value bridge between the two base values, "
             "the signposts whose grade changed and the sources added since.", "",
             "## Estimate changes", "",
             "| case | key figure | unit | previous | now | change | % |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in estimate_changes(previous):
        parts.append(f"| {r['scenario']} | {md_escape(r['label'])} | {md_escape(r['unit'])} | {_num(r['previous'])} | "
                     f"{_num(r['now'])} | {_signed(r['change'])} | {_signed(r['pct'], 1, '%')} |")
    parts += ["", "## Value bridge, base case", "",
              "From the edition's value per ADS to today's, one changed figure or assumption at a time, in the "
              "order listed: each step values the shares with that input changed and the ones above it, so the "
              "steps add up to the change.", ""]
    if chart:
        parts += [f"![{md_escape(alt)}]({chart})", ""]
    parts += ["| step | what changed | before | after | effect on value (USD per ADS) |", "| --- | --- | --- | --- | --- |"]
    for i, s in enumerate(steps):
        label = "edition" if i == 0 else "now" if i == len(steps) - 1 else f"step {i}"
        effect = _num(s["change"]) if s.get("total") else _signed(s["change"])
        parts.append(f"| {label} | {md_escape(s['step'])} | {_num(s['before'])} | {_num(s['after'])} | {effect} |")
    changed = changed_signposts(previous, grades)
    parts += ["", "## Signposts whose grade changed", ""]
    if not changed:
        parts.append("None: every signpost has the grade it had at the edition.")
    else:
        register = led.sources().set_index("seed")
        parts += ["| signpost | then | now | newest figure | source | supports |", "| --- | --- | --- | --- | --- | --- |"]
        for r in changed:
            seed = led.get(r["claim"]).seed if r["claim"] else None
            source = ledger.source_short(register.loc[seed]) if seed in register.index else "—"
            fig = f"{md_escape(r['value_text'])} {cite.claim(r['claim'])}" if r["claim"] else "—"
            parts.append(f"| {md_escape(r['name'])} | {md_escape(r['before'])} | **{md_escape(r['grade'])}** | {fig} | "
                         f"{md_escape(source)} | {md_escape(r['supports'])} |")
    added = new_sources(previous)
    parts += ["", "## New sources", ""]
    if not added:
        parts.append("None: the book rests on the sources it had at the edition.")
    else:
        parts += [f"- {md_escape(s['source'])}: *{md_escape(s['title'])}*" for s in added]
    return "\n".join(parts) + "\n"


def stage_page(stage: Path) -> bool:
    """In a staging copy of the book: when editions/ holds one, write the page "What changed since
    <edition>" and its chart and list it after the signposts page. Returns whether it did."""
    last = latest()
    if last is None:
        return False
    previous = load(last)
    steps = bridge(previous)
    chart = stage / "book" / CHART
    chart.parent.mkdir(parents=True, exist_ok=True)
    alt = bridge_chart(steps, chart)
    (stage / f"{PAGE}.md").write_text(page_markdown(previous, CHART, alt), encoding="utf-8")
    toc = params.read_yaml(stage / "_toc.yml")
    for part in toc.get("parts", []):
        files = [c.get("file") for c in part.get("chapters", [])]
        if "book/signposts" in files:
            part["chapters"].insert(files.index("book/signposts") + 1, {"file": PAGE})
            break
    else:
        raise EditionError("_toc.yml lists no book/signposts page to put the page after")
    import yaml

    (stage / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")
    return True


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


if __name__ == "__main__":
    sys.exit(main())
