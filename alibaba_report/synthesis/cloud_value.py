"""What the cloud adds to the model of value: the scenario's cloud programme against the one the
forecasts are taken to embed, and what the policy plan adds to the scenario's, by fiscal year.

Both programmes run through the cloud chapter's one model
(:func:`alibaba_report.chapters.cloud_ai.programme_years`); the plan is demand on the scenario's
programme (:func:`alibaba_report.chapters.policy_catalyst.plan_fiscal_years`, the call the policy page's
FY27 profit makes too). Amounts are RMB billions a year.
"""
from __future__ import annotations

import types

import numpy as np

from alibaba_report import params
from alibaba_report.synthesis.fiscal import years_to_fiscal_middle

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
    """The cloud programme by year under the valuation's inputs ``inp`` (``own``) and the one the forecasts
    are taken to embed (Citi's growth ``consensus_growth_pct``); ``run_rate`` is the cloud's annualised
    revenue in RMB bn."""
    from alibaba_report.chapters.cloud_ai import programme

    emb = dict(embedded_programme())
    own = own_programme(inp)
    args = (run_rate, *(getattr(own, k) for k in OWN))
    return {
        "own": programme.programme_years(*args, years=PROGRAMME_YEARS),
        "embedded": programme.programme_years(
            run_rate, consensus_growth_pct, emb["cloud_growth_fade_pp"], emb["capex_rmb_bn"],
            emb["capex_years"], emb["asset_life_years"], emb["capex_turnover"], emb["utilisation_pct"],
            np.asarray(inp.consensus_cloud_margin_pct, dtype=float), years=PROGRAMME_YEARS),
    }


def own_programme(inp) -> types.SimpleNamespace:
    """The programme's assumptions in the valuation's inputs, as arrays."""
    return types.SimpleNamespace(**{k: np.asarray(getattr(inp, k), dtype=float) for k in OWN})


def deltas(inp, run_rate, consensus_growth_pct: float, fys) -> dict[str, dict[int, np.ndarray]]:
    """By fiscal year (RMB bn): the programme's cash profit and EBITA against the embedded one, and what
    the policy plan adds (it buys no servers, so its cash profit and EBITA are equal). A programme
    year's figure is read at the middle of the fiscal year
    (:func:`alibaba_report.chapters.cloud_ai.at_time`); the plan's by
    :func:`alibaba_report.chapters.policy_catalyst.plan_fiscal_years`, the policy page's own call."""
    from alibaba_report.chapters import policy_catalyst
    from alibaba_report.chapters.cloud_ai import programme

    p = programmes(inp, run_rate, consensus_growth_pct)
    own, emb = p["own"], p["embedded"]
    plan = policy_catalyst.plan_fiscal_years(np.asarray(inp.policy_revenue_rmb_bn, dtype=float), run_rate,
                                             own_programme(inp), fys)["profit_rmb_bn"]
    out: dict[str, dict[int, np.ndarray]] = {"cash": {}, "ebita": {}, "policy": {}}
    for fy in fys:
        t = years_to_fiscal_middle(fy)
        out["cash"][fy] = programme.at_time(own["cash_profit_rmb_bn"] - emb["cash_profit_rmb_bn"], t)
        out["ebita"][fy] = programme.at_time(own["ebita_rmb_bn"] - emb["ebita_rmb_bn"], t)
        out["policy"][fy] = plan[fy]
    return out
