"""What the summary and the scenarios page glue: numbers from the key-figure registry, the sources and
the chapters, and their sentences. The value's sentences, tables and charts live beside this module
(:mod:`.value_words`, :mod:`.value_tables`, :mod:`.summary_charts`; the calendar and the outside risks
in :mod:`.outlook`) and are re-exported here, so the notebooks call ``summary.<name>``."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from alibaba_report import params
from alibaba_report.evidence.ledger import seed_label
from alibaba_report.synthesis import key_figures, scenarios, valuation
from alibaba_report.synthesis.outlook import DATED_EVENTS, OUTSIDE, catalyst_calendar, outside_risks, quarter_end  # noqa: F401
from alibaba_report.synthesis.summary_charts import (SCENARIO_COLOURS, comparison_chart, distribution_chart,  # noqa: F401
                                                     tornado_chart, valuation_grid_chart)
from alibaba_report.synthesis.value_tables import (CALIBRATION, assumed_eur_usd, bridge_display, key_data_table,  # noqa: F401
                                                   monte_carlo, price_13jan_usd, price_day, quoted_price_percentiles,
                                                   quoted_prices_by_label, uncertainty_table, valuation_text,
                                                   verdict_prices, weights_table)
from alibaba_report.synthesis.value_words import (FAIR_BAND_PCT, breakeven_sentence, calibration_sentence,  # noqa: F401
                                                  distribution_sentence, drivers_sentence, funding_sentence,
                                                  target_sentence, uncertainty_sentence, usd, verdict_sentence,
                                                  view_phrase)


# Figures the sources state that the summary quotes, by the name it glues them under.
SEED_FIGURES = {
    "loss_low": "nomura_ebita_loss_peak_fq3_fy26", "loss_high": "ubs_commerce_loss_fq3_fy26",
    "gs_drop": "gs_group_ebitda_yoy_fq3_fy26", "cloud_growth": "cloud_revenue_growth_fq2_fy26_s004",
    "cloud_growth_003": "cloud_revenue_growth_s003", "capex_growth": "group_capex_growth_fq2_fy26_s004",
    "hstech_weight": "hstech_alibaba_weight_s000", "us_gain": "us_shares_daily_gain_s000",
    "target": "consensus_price_target_s004", "price_now": "us_share_price_s004",
    "factories": "ai_manufacturing_factories_s001", "session_gain": "overseas_shares_session_gain_s002",
    "meitu_face": "meitu_bond_amount_s004", "gs_capex": "gs_capex_fy26_fy28",
    "ebitda_fy27": "consensus_adj_ebitda_fy27_s001", "eps_fy27_consensus": "consensus_eps_fy27_s004",
    "pe_forward": "pe_forward_s004",
}


def seed_values(claims) -> dict[str, float]:
    """The source figures the summary quotes (magnitudes: the sentences carry the sign in words)."""
    return {name: abs(claims.value(cid)) for name, cid in SEED_FIGURES.items()}


def chapter_values(scenario: str) -> dict[str, float]:
    """The chapters' results the summary quotes under ``scenario`` (numbers only)."""
    c = scenarios.chapter_outputs(scenario, "cloud_ai")
    h = scenarios.chapter_outputs(scenario, "hk_vs_us")
    pol = scenarios.chapter_outputs(scenario, "policy_catalyst")
    m = scenarios.chapter_outputs(scenario, "meitu_deal")
    return {
        "cloud_irr": c["return_on_capex_pct"], "cloud_capex_x": c["capex_to_revenue_x"],
        "cloud_margin_assumed": scenarios.chapter_params(scenario, "cloud_ai").cash_margin_pct,
        **cloud_breakeven_terms(scenarios.chapter_params(scenario, "cloud_ai")),
        "upside_computed": h["upside_to_target_pct"], "upside_gap": abs(h["stated_upside_gap_pp"]),
        "hstech_move": h["hstech_move_from_jan8_pp"], "rally_added": pol["value_added_usd_bn"],
        "plan_covers": pol["plan_covers_pct"],
        "meitu_value": m["bond_value_usd_m"], "meitu_cloud_share": m["cloud_share_of_cloud_year_pct"],
        "bear_peak": scenarios.chapter_params("bear", "retail_war").peak_loss_rmb_bn,
        **{f"{s}__cloud_irr": scenarios.chapter_outputs(s, "cloud_ai")["return_on_capex_pct"] for s in valuation.SCENARIOS},
    }


def chapter_text(scenario: str) -> dict[str, str]:
    """The summary's sentences about the chapters under ``scenario``."""
    r = scenarios.chapter_outputs(scenario, "retail_war")
    c = scenarios.chapter_outputs(scenario, "cloud_ai")
    return {
        "scenario_name": scenario,
        "retail_when": converges_text(r["convergence_quarter"], r["quarters_to_converge"]),
        "cloud_payback": c["payback"] if c["payback_year"] is None else f"payback in year {c['payback_year']}",
        **cloud_breakeven_words(key_figures.figures(scenario)["cloud_breakeven_margin_pct"],
                                scenarios.chapter_params(scenario, "cloud_ai").cash_margin_pct, scenario),
    }


def cloud_breakeven_words(breakeven_pct: float, assumed_pct: float, scenario: str) -> dict[str, str]:
    """The cloud's break-even margin in words, for the thesis (``cloud_be_model``) and the risks
    (``cloud_be_risk``): a margin when there is one; when the programme adds no revenue (no growth to
    serve) there is none, and the sentence says so instead of printing an infinite percentage."""
    if math.isfinite(breakeven_pct) and breakeven_pct <= 100:
        return {"cloud_be_model": f"{breakeven_pct:.0f}% with the ramp-up the chapter models",
                "cloud_be_risk": f"the programme pays back only at a {breakeven_pct:.0f}% cash margin, against the "
                                 f"{assumed_pct:.0f}% the {scenario} case assumes"}
    why = ("it adds no revenue to earn on" if not math.isfinite(breakeven_pct)
           else "even a 100% margin on the revenue it adds falls short")
    return {"cloud_be_model": f"with the ramp-up the chapter models it never pays back: {why}",
            "cloud_be_risk": f"the programme does not pay back at any cash margin in the {scenario} case: {why}"}


def converges_text(quarter_label: str, index) -> str:
    """"converges in FQ1 FY28 (CY Q2 2027)", or "does not converge by …" when it never does."""
    return f"converges in {quarter_label}" if index is not None else f"does not converge by {quarter_label.removeprefix('not by ')}"


def period_label(sources: pd.DataFrame) -> str:
    """The month of the latest dated source ("January 2026")."""
    dated = sorted(d for d in sources["date"] if d != "undated")
    if not dated:
        raise valuation.contract.ModelInputError("the source register has no dated source")
    return dt.date.fromisoformat(dated[-1]).strftime("%B %Y")


def summary_numbers(scenario: str, claims, sources) -> dict[str, float]:
    """Every number the summary glues: key figures, seed figures, chapter results, counts."""
    return {**key_figures.glue_names(scenario), **seed_values(claims), **chapter_values(scenario),
            "n_seeds": float(len(sources)), "n_claims": float(len(claims)),
            "eur_close_usd": price_13jan_usd(claims),
            # the war alone in the bear case: the analysts' FY27 EBITDA moved by the bear loss path only
            "bear_war_only_ebitda": claims.value(valuation.CLAIMS["ebitda_fy27"])
            + valuation.scenario_value("bear", claims)["retail_delta_fy27_rmb_bn"]}


def summary_text(scenario: str, claims, sources) -> dict[str, str]:
    return {**valuation_text(scenario, claims), **chapter_text(scenario), "period_label": period_label(sources),
            **{f"risk_outside_{i}": text for i, text in enumerate(outside_risks())},
            "divergence_seed": seed_label(claims.get(SEED_FIGURES["us_gain"]).seed)}


def signposts_first(scenario: str) -> pd.DataFrame:
    """The first signpost of every chapter, for the summary."""
    return scenarios.signposts_table(scenario, first_only=True)


def scenarios_numbers(scenario: str, claims) -> dict[str, float]:
    """Every number the scenarios page glues."""
    moved, total = scenarios.changed_assumptions(params.compared(scenario))
    return {**key_figures.glue_names(scenario), **seed_values(claims),
            "n_changed": float(len(moved)), "n_params": float(total)}


def cloud_breakeven_terms(p) -> dict[str, float]:
    """The terms of the cloud's break-even margin, which follows from three assumptions: a yuan of capex
    earns ``capex_turnover`` of revenue a year, for ``asset_life_years``, at ``utilisation_pct``; it pays
    back when the margin times all that revenue is one yuan, about 1 / (turnover x life x utilisation)."""
    from alibaba_report.chapters import cloud_ai

    return {"cloud_turnover": float(p.capex_turnover), "cloud_life": float(p.asset_life_years),
            "cloud_util": float(p.utilisation_pct),
            "cloud_be_formula_pct": cloud_ai.breakeven_margin_formula_pct(p.capex_turnover, p.asset_life_years,
                                                                          p.utilisation_pct)}
