"""What the cloud adds to the model of value: the scenario's cloud programme against the one the
forecasts are taken to embed, and what the policy plan adds to the scenario's, by fiscal year.

Both programmes run through the cloud chapter's one model
(:func:`alibaba_report.chapters.cloud_ai.programme_years`); the plan is demand on the scenario's
programme (:func:`alibaba_report.chapters.policy_catalyst.plan_cloud_profit_rmb_bn`). Amounts are RMB
billions a year.
"""
from __future__ import annotations

import types

import numpy as np

from alibaba_report import params
from alibaba_report.synthesis.fiscal import PLAN_START, years_since_reported_quarter, years_to_fiscal_middle

PROGRAMME_YEARS = 4  # programme years 1..4 cover every fiscal year the model reads (FY26 to FY28)
OWN = ("cloud_growth_pct", "cloud_growth_fade_pp", "capex_rmb_bn", "capex_years", "asset_life_years",
       "capex_turnover", "utilisation_pct", "cash_margin_pct")


def embedded_programme() -> tuple[tuple[str, float], ...]:
    """The cloud programme the forecasts are taken to embed: the ``consensus`` scenario's capex, years
    of spending, server life, turnover, utilisation and growth slowdown (its growth is Citi's and its
    margin ``consensus_cloud_margin_pct``, both passed to :func:`programmes`)."""
    c = params.scenario_parameters("consensus", "cloud_ai")
    return tuple((k, float(c[k])) for k in ("capex_rmb_bn", "capex_years", "asset_life_years", "capex_turnover",
                                            "utilisation_pct", "cloud_growth_fade_pp"))


def programmes(inp, run_rate, consensus_growth_pct: float) -> dict[str, np.ndarray | dict[str, np.ndarray]]:
    """The cloud programme by year under the valuation's inputs ``inp``, the one the forecasts are taken
    to embed (Citi's growth ``consensus_growth_pct``), and what the policy plan adds to the first;
    ``run_rate`` is the cloud's annualised revenue in RMB bn."""
    from alibaba_report.chapters import policy_catalyst
    from alibaba_report.chapters.cloud_ai import programme

    emb = dict(embedded_programme())
    own = types.SimpleNamespace(**{k: np.asarray(getattr(inp, k), dtype=float) for k in OWN})
    args = (run_rate, *(getattr(own, k) for k in OWN))
    return {
        "own": programme.programme_years(*args, years=PROGRAMME_YEARS),
        "embedded": programme.programme_years(
            run_rate, consensus_growth_pct, emb["cloud_growth_fade_pp"], emb["capex_rmb_bn"],
            emb["capex_years"], emb["asset_life_years"], emb["capex_turnover"], emb["utilisation_pct"],
            np.asarray(inp.consensus_cloud_margin_pct, dtype=float), years=PROGRAMME_YEARS),
        "policy": policy_catalyst.plan_cloud_profit_rmb_bn(
            np.asarray(inp.policy_revenue_rmb_bn, dtype=float), run_rate, own,
            years_since_reported_quarter(PLAN_START), PROGRAMME_YEARS),
    }


def deltas(inp, run_rate, consensus_growth_pct: float, fys) -> dict[str, dict[int, np.ndarray]]:
    """By fiscal year (RMB bn): the programme's cash profit and EBITA against the embedded one, and what
    the policy plan adds (it buys no servers, so its cash profit and EBITA are equal). A programme
    year's figure is read at the middle of the fiscal year
    (:func:`alibaba_report.chapters.cloud_ai.at_time`)."""
    from alibaba_report.chapters.cloud_ai import programme

    p = programmes(inp, run_rate, consensus_growth_pct)
    own, emb = p["own"], p["embedded"]
    out: dict[str, dict[int, np.ndarray]] = {"cash": {}, "ebita": {}, "policy": {}}
    for fy in fys:
        t = years_to_fiscal_middle(fy)
        out["cash"][fy] = programme.at_time(own["cash_profit_rmb_bn"] - emb["cash_profit_rmb_bn"], t)
        out["ebita"][fy] = programme.at_time(own["ebita_rmb_bn"] - emb["ebita_rmb_bn"], t)
        out["policy"][fy] = programme.at_time(p["policy"], t)
    return out
