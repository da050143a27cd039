"""What changed since an edition: every key figure then and now, the value bridge from the edition's
base value to today's (sequential substitution, one changed input at a time), the signposts whose
grade changed and the sources added since."""
from __future__ import annotations

import copy
import math

from alibaba_report import params
from alibaba_report.evidence import ledger
from alibaba_report.synthesis.editions.record import BRIDGE_FIGURE, _finite, sources_now, value_with

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
    return [s for s in sources_now() if before.get(s["seed"]) != s["sha256"]]
