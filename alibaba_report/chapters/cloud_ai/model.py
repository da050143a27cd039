"""The cloud chapter's numbers: the claims it reads, what the reported quarter says, what the brokers'
forecasts imply together, and the model under the page's parameters (:func:`compute`,
:func:`key_outputs`).

:func:`annual_run_rate_rmb_bn` and :func:`margin_pct` are the book's one place for the cloud's
run-rate and margin; other chapters import them. The revenue path and the programme's payback are
in :mod:`.payback`.
"""
from __future__ import annotations

import re
import types
from typing import Any

from alibaba_report import params
from alibaba_report.chapters.cloud_ai import tables
from alibaba_report.chapters.cloud_ai.payback import (growth_path_pct, grid_with, horizon_years, implied_growth_pct,
                                                      project, revenue_path, with_changes)
from alibaba_report.chapters.contract import ModelInputError, check_number

NOTEBOOK = "cloud_ai"

# Ledger claims the chapter uses (data/claims.csv), by role.
CLAIMS = {
    # boerse-global.de (4 Jan 2026): the latest reported quarter, FY26Q2 (July-September 2025)
    "revenue_usd_bn": "cloud_revenue_fq2_fy26_s004",
    "revenue_growth": "cloud_revenue_growth_fq2_fy26_s004",
    "ebita_usd_m": "cloud_ebitda_fq2_fy26_s004",
    "ebita_growth": "cloud_ebitda_growth_fq2_fy26_s004",
    "capex_growth": "group_capex_growth_fq2_fy26_s004",
    "qwen_downloads_004": "qwen_downloads_s004",
    # the unsigned article (8 Jan 2026): brokers and the growth bar
    "citi_growth": "citi_cloud_revenue_growth_annual",
    "gs_capex": "gs_capex_fy26_fy28",
    "growth_bar": "cloud_revenue_growth_current_s000",
    "ai_growth_000": "ai_revenue_growth_s000",
    "ai_streak": "ai_revenue_triple_digit_streak_s000",
    # AInvest (12 Jan 2026, written by an AI agent)
    "growth_001": "cloud_revenue_growth_last_q_s001",
    "core_growth_001": "china_commerce_revenue_growth_last_q_s001",
    "qwen_downloads_001": "qwen_downloads_s001",
    # the unsigned article (14 Jan 2026)
    "exec_share_target": "exec_ai_cloud_incremental_share_target_s002",
    # the undated opinion post
    "growth_003": "cloud_revenue_growth_s003",
    "ai_growth_003": "ai_revenue_growth_s003",
    "ai_share": "ai_share_of_external_cloud_revenue_s003",
    "ai_share_target": "ai_share_of_external_cloud_revenue_target_s003",
    "capex_003": "capex_total_s003",
    "capex_ahead_years": "capex_ahead_of_monetisation_years_s003",
}

# Grids of the sensitivity tables (the scenario's own value is always added).
GROWTH_GRID_PCT = [20.0, 25.0, 30.0, 35.0, 40.0, 45.0]
MARGIN_GRID_PCT = [20.0, 30.0, 40.0, 50.0, 60.0]
UTILISATION_GRID_PCT = [50.0, 60.0, 70.0, 80.0, 90.0, 100.0]
TURNOVER_GRID = [0.3, 0.4, 0.5, 0.6, 0.8, 1.0]
LIFE_GRID_YEARS = [4, 5, 6, 7]

# One name for the segment profit on every page: boerse-global.de's word, and what Alibaba reports.
PROFIT_LABEL = "the segment profit boerse-global.de (4 January) calls EBITDA (Alibaba reports it as adjusted EBITA)"

# The scenarios compared at the end of the page, in the order the table shows them.
SCENARIOS = ("base", "bull", "bear")

EVIDENCE_IDS = [
    CLAIMS[k] for k in ("revenue_usd_bn", "revenue_growth", "ebita_usd_m", "ebita_growth", "growth_001",
                        "growth_003", "citi_growth", "growth_bar", "ai_growth_000", "ai_streak", "ai_growth_003",
                        "ai_share", "ai_share_target", "exec_share_target", "capex_growth", "gs_capex",
                        "capex_003", "capex_ahead_years", "qwen_downloads_004", "qwen_downloads_001")
]

# Claims whose values the page quotes in its prose (glued as c_<role>).
QUOTED_ROLES = ("revenue_usd_bn", "revenue_growth", "ebita_usd_m", "ebita_growth", "capex_growth", "citi_growth",
                "growth_bar", "growth_001", "core_growth_001", "growth_003", "ai_growth_000", "ai_streak", "ai_share",
                "ai_share_target", "exec_share_target", "gs_capex", "capex_003", "qwen_downloads_004",
                "qwen_downloads_001")


# --- what the reported quarter says ----------------------------------------------------------

def annual_run_rate_rmb_bn(quarter_revenue_usd_bn: float, usd_rmb: float) -> float:
    """A quarter's revenue (USD bn) annualised (x4) and converted to RMB bn.

    The book's one computation of the cloud's run-rate: other chapters import it.
    """
    check_number("quarter_revenue_usd_bn", quarter_revenue_usd_bn, low=0, low_open=True, unit="USD bn")
    check_number("usd_rmb", usd_rmb, low=0, low_open=True, unit="RMB per USD")
    return 4.0 * quarter_revenue_usd_bn * usd_rmb


def margin_pct(profit: float, revenue: float) -> float:
    """Profit as a percentage of revenue (same units for both).

    The book's one computation of the cloud's margin: other chapters import it.
    """
    check_number("profit", profit)
    check_number("revenue", revenue, low=0, low_open=True)
    return 100.0 * float(profit) / revenue


def incremental_margin_pct(revenue: float, revenue_growth_pct: float, profit: float, profit_growth_pct: float) -> float:
    """Year-on-year change in profit over change in revenue, from the current values and growth rates.

    With revenue ``R`` up ``g`` % and profit ``P`` up ``h`` %, last year's were ``R/(1+g)`` and
    ``P/(1+h)``; the incremental margin is ``(P - P/(1+h)) / (R - R/(1+g))``.
    """
    check_number("revenue", revenue, low=0, low_open=True)
    check_number("revenue_growth_pct", revenue_growth_pct, low=0, low_open=True, unit="%")
    check_number("profit_growth_pct", profit_growth_pct, low=-100, low_open=True, unit="%")
    d_rev = revenue - revenue / (1 + revenue_growth_pct / 100)
    d_profit = profit - profit / (1 + profit_growth_pct / 100)
    return 100.0 * d_profit / d_rev


def reported(p: Any, claims) -> dict[str, float]:
    """What the reported quarter says: revenue in RMB, margin, incremental margin."""
    rev_usd = claims.value(CLAIMS["revenue_usd_bn"])
    ebita_usd_m = claims.value(CLAIMS["ebita_usd_m"])
    return {
        "quarter_revenue_usd_bn": rev_usd,
        "quarter_revenue_rmb_bn": rev_usd * p.usd_rmb,
        "run_rate_rmb_bn": annual_run_rate_rmb_bn(rev_usd, p.usd_rmb),
        "margin_pct": margin_pct(ebita_usd_m / 1000, rev_usd),
        "incremental_margin_pct": incremental_margin_pct(
            rev_usd, claims.value(CLAIMS["revenue_growth"]), ebita_usd_m / 1000, claims.value(CLAIMS["ebita_growth"])),
    }


def base_run_rate(p: Any, claims) -> float:
    """The reported quarter's cloud revenue annualised, in RMB bn (through ``p.usd_rmb``)."""
    return annual_run_rate_rmb_bn(claims.value(CLAIMS["revenue_usd_bn"]), p.usd_rmb)


def implied_turnover(base_rmb_bn: float, growth_pct: float, years: int, capex_rmb_bn: float) -> float:
    """Revenue added per yuan of capex if growth ``growth_pct`` holds for ``years`` while ``capex`` is spent.

    ``base x ((1 + g) ** years - 1) / capex``: what two forecasts made separately (a growth rate
    and a capex total) imply together about the capital turnover of the spending.
    """
    check_number("capex_rmb_bn", capex_rmb_bn, low=0, low_open=True, unit="RMB bn")
    g = growth_path_pct(growth_pct, 0, years)
    return float(revenue_path(base_rmb_bn, g)[-1] - base_rmb_bn) / capex_rmb_bn


def fiscal_years_in(period: str) -> int:
    """Number of fiscal years a ledger period such as 'FY2026-FY2028' spans (3)."""
    m = re.fullmatch(r"\s*FY(\d{4})\s*-\s*FY(\d{4})\s*", period or "")
    if not m or int(m.group(2)) < int(m.group(1)):
        raise ModelInputError(f"expected a period like 'FY2026-FY2028', got {period!r}")
    return int(m.group(2)) - int(m.group(1)) + 1


def brokers_turnover(p: Any, claims) -> dict[str, float]:
    """What Citi's growth and Goldman Sachs' capex imply together about capital turnover.

    Citi's yearly growth held over the fiscal years of Goldman Sachs' forecast, from the reported
    run-rate: the yearly revenue it adds, and that revenue per yuan of Goldman Sachs' capex.
    """
    gs = claims.get(CLAIMS["gs_capex"])
    years = fiscal_years_in(gs.period)
    base = base_run_rate(p, claims)
    turnover = implied_turnover(base, claims.value(CLAIMS["citi_growth"]), years, gs.value)
    return {"years": years, "added_rmb_bn": turnover * gs.value, "turnover": turnover}


# --- the model under the page's parameters -------------------------------------------------

def scenario_parameters(name: str) -> types.SimpleNamespace:
    """The chapter's parameters under scenario ``name`` as the notebook's ``P`` holds them: read by
    :func:`alibaba_report.params.scenario_parameters` (the one reader of a scenario), typed by its spec."""
    return params.check_values(NOTEBOOK, params.scenario_parameters(name, NOTEBOOK), origin=f"scenario {name!r}")


def chart_years(p: Any) -> int:
    """The last year the AI-share chart shows: a year past the later of the spending and the AI ramp
    (never past the horizon)."""
    return min(max(p.capex_years, p.ai_share_years) + 1, horizon_years(p.capex_years, p.asset_life_years))


def model_results(p: Any, claims) -> dict[str, Any]:
    """Every model result the page reads (no display tables): the base for :func:`compute` and :func:`prose`."""
    rep = reported(p, claims)
    base = rep["run_rate_rmb_bn"]
    res = project(p, base)
    rev = res["revenue"]
    scenarios = {}
    for name in SCENARIOS:
        sp = scenario_parameters(name)
        srep = reported(sp, claims)
        sres = project(sp, srep["run_rate_rmb_bn"], detail=False)
        scenarios[name] = {"outputs": _key_outputs(sp, srep, sres), "result": sres}
    return {
        "reported": rep,
        "base_rmb_bn": base,
        "result": res,
        "revenue": rev,
        "payback": res["payback"],
        "ai_growth_y1_pct": implied_growth_pct(rev, "ai_revenue_rmb_bn"),
        "other_growth_y1_pct": implied_growth_pct(rev, "other_revenue_rmb_bn"),
        "brokers": brokers_turnover(p, claims),
        # the undated post's smaller programme, one more year of server life, every server sold
        "smaller": project(with_changes(p, capex_rmb_bn=claims.value(CLAIMS["capex_003"])), base, detail=False),
        "longer_life": project(with_changes(p, asset_life_years=p.asset_life_years + 1), base, detail=False),
        "full_use": project(with_changes(p, utilisation_pct=100.0), base, detail=False),
        "scenarios": scenarios,
    }


def _key_outputs(p: Any, rep: dict[str, float], res: dict[str, Any]) -> dict[str, Any]:
    base = rep["run_rate_rmb_bn"]
    return {
        "cloud_run_rate_rmb_bn": base,
        "cloud_margin_pct": rep["margin_pct"],
        "capex_to_revenue_x": p.capex_rmb_bn / base,
        "revenue_end_of_programme_rmb_bn": float(res["revenue_rmb_bn"][p.capex_years]),
        "payback": res["payback_label"],
        "payback_year": res["payback_year"],
        "return_on_capex_pct": res["irr_pct"],
        "cash_multiple_x": res["cash_multiple"],
        "breakeven_margin_pct": res["breakeven_margin_pct"],
    }


def key_outputs(p: Any, claims) -> dict[str, Any]:
    """The few numbers the summary and the scenario comparison show."""
    rep = reported(p, claims)
    return _key_outputs(p, rep, project(p, rep["run_rate_rmb_bn"], detail=False))


def page_numbers(p: Any, claims, m: dict[str, Any]) -> dict[str, float | int]:
    """Every number the page's prose quotes, by the name it is glued under."""
    v = claims.value
    rep, res, pay, rev, brokers = m["reported"], m["result"], m["payback"], m["revenue"], m["brokers"]
    base = m["base_rmb_bn"]
    end = rev.iloc[p.capex_years]
    q004, q001 = claims.get(CLAIMS["qwen_downloads_004"]), claims.get(CLAIMS["qwen_downloads_001"])
    return {
        **{f"c_{role}": float(v(CLAIMS[role])) for role in QUOTED_ROLES},
        **{k: float(rep[k])
           for k in ("quarter_revenue_rmb_bn", "run_rate_rmb_bn", "margin_pct", "incremental_margin_pct")},
        "gs_x_revenue": v(CLAIMS["gs_capex"]) / rep["run_rate_rmb_bn"],
        "growth_gap_pp": v(CLAIMS["growth_003"]) - v(CLAIMS["revenue_growth"]),
        "qwen_gap_m": q001.value - q004.value,
        "qwen_days": (q001.as_of - q004.as_of).days,
        "p_growth": p.cloud_growth_pct, "p_fade": p.cloud_growth_fade_pp, "p_capex": p.capex_rmb_bn,
        "p_capex_years": p.capex_years, "p_util": p.utilisation_pct, "p_margin": p.cash_margin_pct,
        "p_life": p.asset_life_years, "p_turnover": p.capex_turnover, "p_ai_start": p.ai_share_start_pct,
        "p_ai_target": p.ai_share_target_pct, "p_usd_rmb": p.usd_rmb,
        "capex_x_revenue": p.capex_rmb_bn / base,
        "rev_end_rmb_bn": float(end["revenue_rmb_bn"]),
        "rev_end_usd_bn": float(end["revenue_usd_bn"]),
        "rev_end_x": float(end["revenue_rmb_bn"] / base),
        "ai_growth_y1_pct": float(m["ai_growth_y1_pct"]),
        "other_growth_y1_pct": float(m["other_growth_y1_pct"]),
        "horizon": float(res["horizon_years"]),
        "capex_per_year": float(p.capex_rmb_bn / p.capex_years),
        "needed_peak_rmb_bn": float(pay["needed_rmb_bn"].max()),
        "earned_peak_rmb_bn": float(res["peak_earned_rmb_bn"]),
        "citi_added_rmb_bn": float(brokers["added_rmb_bn"]),
        "implied_turnover": float(brokers["turnover"]),
        "gs_years": float(brokers["years"]),
        "cash_multiple_pct": float(100 * res["cash_multiple"]),
        "cloud_breakeven_margin_pct": float(res["breakeven_margin_pct"]),  # the key figure's name (one number per quantity)
        "final_cash_rmb_bn": float(pay["cumulative_cash_rmb_bn"].iloc[-1]),
        "alt_multiple_pct": float(100 * m["smaller"]["cash_multiple"]),
    }


def page_tables(p: Any, claims, m: dict[str, Any]) -> dict[str, Any]:
    """The tables the page shows, from :func:`model_results`' ``m``: the sources' figures, the paths by
    year, the sensitivity grids (each with the page's own value in its grid) and the scenarios."""
    base = m["base_rmb_bn"]
    utilisations = grid_with(UTILISATION_GRID_PCT, p.utilisation_pct)
    return {
        "evidence": tables.evidence_table(claims, EVIDENCE_IDS),
        "revenue": tables.revenue_display(m["revenue"]),
        "payback": tables.payback_display(m["payback"]),
        "breakeven_margin": tables.breakeven_margin_display(
            p, base, grid_with(TURNOVER_GRID, p.capex_turnover), utilisations,
        ).rename_axis(index="turnover (yuan a year per yuan)", columns="utilisation (%)"),
        "growth_margin": tables.payback_return_grid(
            p, base, ("cloud_growth_pct", grid_with(GROWTH_GRID_PCT, p.cloud_growth_pct)),
            ("cash_margin_pct", grid_with(MARGIN_GRID_PCT, p.cash_margin_pct)),
        ).rename_axis(index="year-1 growth (%)", columns="cash margin (%)"),
        "life_utilisation": tables.payback_return_grid(
            p, base, ("asset_life_years", sorted({*LIFE_GRID_YEARS, p.asset_life_years})),
            ("utilisation_pct", utilisations),
        ).rename_axis(index="asset life (years)", columns="utilisation (%)"),
        "scenarios": tables.scenario_table({name: s["outputs"] for name, s in m["scenarios"].items()}),
    }


def compute(p: Any, claims) -> dict[str, Any]:
    """The chapter under parameters ``p``: the model's results, the numbers the prose quotes
    (``numbers``), the tables the page shows (``tables``) and the data under each chart (``chart_data``)."""
    m = model_results(p, claims)
    rev, pay = m["revenue"], m["payback"]
    chart_data = {"ai_share": rev.iloc[: chart_years(p) + 1], "capex_vs_revenue": pay, "cumulative_cash": pay}
    return {**m, "numbers": page_numbers(p, claims, m), "tables": page_tables(p, claims, m), "chart_data": chart_data}
