"""Uncertainty around the model of value: the range each assumption is given, draws that agree with
the cases (a case picked with its probability, then every assumption around that case's value), and
the tornado (each assumption from one end of its range to the other, the others at base)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from alibaba_report.chapters import contract
from alibaba_report.synthesis.valuation import (LABELS, SCENARIOS, Inputs, replace_inputs, model, scenario_inputs,
                                                scenario_weights)

# Inputs the scenarios hold equal, with the range the uncertainty analysis gives them and why.
FIXED_RANGES = {
    "consensus_embedded_shrink_pct": (10.0, 30.0),  # what the forecasts embed is not stated anywhere
    "consensus_cloud_margin_pct": (30.0, 50.0),  # likewise: the scenarios' own cloud-margin span
    "tax_rate_pct": (15.0, 25.0),  # PRC high-tech rate to the statutory rate
}
CEILINGS = {"utilisation_pct": 100.0, "cash_margin_pct": 100.0}  # a share of capacity or of revenue: never past 100%
NO_RANGE = ("cost_of_equity_pct", "fy28_eps_growth_pct")  # move no value today: the rating's bar, the 12-month target


def ranges(claims) -> dict[str, tuple[float, float, float]]:
    """(low, mode, high) for every input that moves value: the scenarios' own spread (bear to bull,
    peaking at base) where they differ, else the fixed range around base."""
    per = {s: scenario_inputs(s).__dict__ for s in SCENARIOS}
    out = {}
    for name in Inputs.__dataclass_fields__:
        vals = [float(per[s][name]) for s in SCENARIOS]
        lo, hi = min(vals), max(vals)
        mode = float(per["base"][name])
        if name in FIXED_RANGES:
            lo, hi = FIXED_RANGES[name]
        if hi > lo and name not in NO_RANGE:
            out[name] = (lo, min(max(mode, lo), hi), hi)
    return out


def draw_bands(name: str) -> dict[str, tuple[float, float, float]] | None:
    """For an input the cases set differently, each case's (low, mode, high) in the draws: around the
    case's value, no further than halfway to the next case's (the outer cases as far beyond them);
    None for an input the cases hold equal."""
    vals = [float(getattr(scenario_inputs(s), name)) for s in SCENARIOS]
    if max(vals) == min(vals):
        return None
    mids = [(vals[0] + vals[1]) / 2, (vals[1] + vals[2]) / 2]
    edges = [(2 * vals[0] - mids[0], mids[0]), (mids[0], mids[1]), (mids[1], 2 * vals[2] - mids[1])]
    floor = 0.0 if min(vals) >= 0 else float("-inf")  # a revenue, a rate or a count never goes below zero
    ceiling = CEILINGS.get(name, float("inf"))
    return {s: (max(min(e), floor), v, min(max(e), ceiling)) for s, v, e in zip(SCENARIOS, vals, edges)}


def monte_carlo(claims, draws: int = 10_000, seed: int = 20260104, scenario: str = "base") -> pd.DataFrame:
    """Value per ADS under ``draws`` draws that agree with the cases (seeded, so the same every build).

    Each draw first picks bear, base or bull with ``scenario``'s probabilities; every input the cases
    set is then drawn from a triangular distribution around that case's value (:func:`draw_bands`), so
    the assumptions move together as the cases do; the inputs the cases hold equal are drawn over their
    stated ranges (:data:`FIXED_RANGES`), whatever the case. Returns one row per draw, with its case."""
    rng = np.random.default_rng(seed)
    w = scenario_weights(scenario)
    case = rng.choice(len(SCENARIOS), size=draws, p=[w[s] for s in SCENARIOS])
    base = scenario_inputs("base").__dict__
    sample, drawn = {}, []
    for name, value in base.items():
        bands = None if name in FIXED_RANGES or name in NO_RANGE else draw_bands(name)
        if name in FIXED_RANGES:
            lo, hi = FIXED_RANGES[name]
            sample[name] = rng.triangular(lo, min(max(float(value), lo), hi), hi, draws)
        elif bands is not None:
            out = np.empty(draws)
            for i, s in enumerate(SCENARIOS):
                lo, mode, hi = bands[s]
                n = int((case == i).sum())
                out[case == i] = rng.triangular(lo, mode, hi, n) if hi > lo else np.full(n, mode)
            sample[name] = out
        else:
            sample[name] = np.full(draws, float(value))
            continue
        drawn.append(name)
    sample["peak_quarters"] = np.maximum(np.rint(sample["peak_quarters"]), 1)  # whole quarters, at least one
    res = model(Inputs(**sample), claims)
    return pd.DataFrame({"case": np.asarray(SCENARIOS)[case], "value_per_ads_usd": res["value_per_ads_usd"],
                         "eps_fy27_usd": res["eps_fy27_usd"], **{k: sample[k] for k in drawn}})


def percentile_of(values: np.ndarray, x: float) -> float:
    """The share of ``values`` below ``x``, in percent."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        raise contract.ModelInputError("percentile_of needs at least one value")
    return float((values < x).mean() * 100.0)


def tornado(claims) -> pd.DataFrame:
    """Value per ADS with each input at the low and the high end of its range, the others at base,
    ranked by the swing."""
    base = scenario_inputs("base")
    centre = float(model(base, claims)["value_per_ads_usd"])
    rows = []
    for name, (lo, _mode, hi) in ranges(claims).items():
        at = {end: float(model(replace_inputs(base, **{name: x}), claims)["value_per_ads_usd"]) for end, x in (("low", lo), ("high", hi))}
        label, unit = LABELS[name]
        rows.append({"input": name, "assumption": label, "unit": unit, "low": lo, "high": hi,
                     "value_at_low": at["low"], "value_at_high": at["high"],
                     "swing": abs(at["high"] - at["low"]), "base_value": centre})
    return pd.DataFrame(rows).sort_values("swing", ascending=False).reset_index(drop=True)
