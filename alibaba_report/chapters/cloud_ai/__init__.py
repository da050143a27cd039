"""Cloud and AI: how fast the cloud grows, and whether the AI capital expenditure can pay back.

Two small models, both yearly, counted from the quarter boerse-global.de (4 January) reports (year 0 is that quarter's
revenue annualised; year 1 is the four quarters after it, and so on).

**Revenue path.** The annualised run-rate ``R(0) = 4 x quarterly revenue`` (converted to RMB with
the shared ``usd_rmb`` rate) grows at ``g(1)`` in year 1, and growth fades by ``fade`` percentage
points each later year, never below zero::

    g(t) = max(g(1) - fade * (t - 1), 0)        R(t) = R(t-1) * (1 + g(t))

``R(t)`` is the run-rate at the end of year ``t``. The AI share of it moves in a straight line from
its start to its target over ``ai_share_years`` years, then stays at the target.

**Payback of the capex programme.** The programme (RMB ``capex``) is spent in equal tranches over
``capex_years`` years. Each tranche goes into service through the year it is bought (half a year
on average), serves ``asset_life`` years and is depreciated straight-line over them (the
half-year convention: half a year's depreciation in the first and in the last calendar year).
In year ``t``:

* demand: the revenue above the year-0 run-rate that the growth path brings, ``D(t)``, the average
  of the increments at the start and at the end of the year (a year earns about the average of its
  opening and closing run-rates);
* capacity: what the programme's assets in service could earn,
  ``K(t) x turnover x utilisation``, where ``turnover`` is the yearly revenue one yuan of capex
  earns when fully used and ``utilisation`` the share of capacity that can be sold;
* revenue the programme earns: ``E(t) = min(D(t), capacity)`` -- it cannot earn more than the
  demand growth brings, nor more than its servers can serve;
* cash profit ``E(t) x cash_margin`` (before the programme's depreciation), programme EBITA after
  depreciation, and the cumulative cash position (cash profit less capex).

Revenue from the policy plan (the policy chapter) is cloud revenue: in the model of value it is extra
demand on the same programme (:func:`plan_demand_path`), earning the cash margin only where capacity
has room (:func:`programme_years`, the vectorised form the model of value calls).

The cash margin at which the programme only earns back its cost follows from the assumptions: with
the servers full it is about ``1 / (turnover x life x utilisation)`` (:func:`breakeven_margin_formula_pct`);
the model's figure is higher where demand, not capacity, limits the early years.

The programme pays back in the first year its cumulative cash position reaches zero, or not within
the horizon, which ends when the last tranche is fully depreciated (beyond it the servers are worn
out and would need new capex). The return is the internal rate of return of the yearly cash flows
(pre-tax, no terminal value) and the cash multiple (cash profit over the assets' life / capex).

Sources: boerse-global.de (4 January 2026) for the reported quarter; the unsigned article of
8 January for Citi's growth forecast, Goldman Sachs' capex forecast and the growth bar; AInvest
(12 January, written by an AI agent); the unsigned article of 14 January for an executive's share
target; the undated opinion post for the AI share, its target and a smaller capex total.

The chapter follows the contract of :mod:`alibaba_report.chapters.contract`, in five modules:

* :mod:`.model` -- the numbers: :data:`CLAIMS`, the reported quarter, :func:`compute` (every number
  and table the page shows) and :func:`key_outputs`. :func:`annual_run_rate_rmb_bn` and
  :func:`margin_pct` are the book's one place for the cloud's run-rate and margin; other chapters
  import them.
* :mod:`.payback` -- the model functions: the revenue path and the programme's payback, pure
  (numbers in, numbers out, no I/O) and vectorised.
* :mod:`.text` -- the words: :func:`prose`, :func:`signposts`, :func:`headline` and the small
  sentence functions they use.
* :mod:`.tables` and :mod:`.charts` -- what the page shows.

Amounts are RMB billions, rates are percentages (35 means 35 %).
"""
from alibaba_report.chapters.cloud_ai.model import (
    NOTEBOOK, CLAIMS, GROWTH_GRID_PCT, MARGIN_GRID_PCT, UTILISATION_GRID_PCT, TURNOVER_GRID, LIFE_GRID_YEARS,
    PROFIT_LABEL, SCENARIOS, EVIDENCE_IDS, QUOTED_ROLES, annual_run_rate_rmb_bn, margin_pct,
    incremental_margin_pct, reported, base_run_rate, implied_turnover, fiscal_years_in, brokers_turnover,
    scenario_parameters, chart_years, model_results, key_outputs, page_numbers, page_tables, compute,
)
from alibaba_report.chapters.cloud_ai.payback import (
    growth_path_pct, revenue_path, ai_share_path_pct, revenue_table, implied_growth_pct, horizon_years,
    capex_schedule, in_service, payback_arrays, payback_table, payback_year, payback_label, irr_pct, npv_rmb_bn,
    cash_multiple, breakeven_margin_pct, breakeven_utilisation_pct, breakeven_turnover, with_changes, project,
    DETAIL_ONLY, sensitivity_grids, sensitivity, grid_with, breakeven_margin_formula_pct,
)
from alibaba_report.chapters.cloud_ai.programme import at_time, plan_demand_path, programme_years
from alibaba_report.chapters.cloud_ai.text import (
    years_text, payback_phrase, irr_text, ebita_phrase, breakeven_utilisation_phrase, breakeven_margin_phrase,
    breakeven_margin_sentence, life_effect_phrase, breakeven_turnover_phrase, describe, calibration_phrase,
    compare_phrase, ai_pace_phrase, other_phrase, other_meaning, util_effect_phrase, ai_share_title,
    ai_share_alt, capex_title, capex_alt, cash_title, cash_alt, prose, signposts, capacity_unit,
    breakeven_utilisation_clause, headline, headline_figure, headline_meaning, breakeven_formula_phrase,
)
from alibaba_report.chapters.cloud_ai.tables import (
    evidence_table, revenue_display, payback_display, grid_cell, payback_return_grid, margin_cell,
    breakeven_margin_display, scenario_table,
)
from alibaba_report.chapters.cloud_ai.charts import (
    chart_ai_share, chart_capex_vs_revenue, chart_cumulative_cash,
)

__all__ = [
    "NOTEBOOK", "CLAIMS", "GROWTH_GRID_PCT", "MARGIN_GRID_PCT", "UTILISATION_GRID_PCT", "TURNOVER_GRID",
    "LIFE_GRID_YEARS", "PROFIT_LABEL", "SCENARIOS", "EVIDENCE_IDS", "QUOTED_ROLES", "annual_run_rate_rmb_bn",
    "margin_pct", "incremental_margin_pct", "reported", "base_run_rate", "implied_turnover",
    "fiscal_years_in", "brokers_turnover", "scenario_parameters", "chart_years", "model_results",
    "key_outputs", "page_numbers", "page_tables", "compute", "growth_path_pct", "revenue_path",
    "ai_share_path_pct", "revenue_table", "implied_growth_pct", "horizon_years", "capex_schedule",
    "in_service", "payback_arrays", "payback_table", "payback_year", "payback_label", "irr_pct", "npv_rmb_bn",
    "cash_multiple", "breakeven_margin_pct", "breakeven_utilisation_pct", "breakeven_turnover",
    "with_changes", "project", "DETAIL_ONLY", "sensitivity_grids", "sensitivity", "grid_with", "years_text",
    "payback_phrase", "irr_text", "ebita_phrase", "breakeven_utilisation_phrase", "breakeven_margin_phrase",
    "breakeven_margin_sentence", "life_effect_phrase", "breakeven_turnover_phrase", "describe",
    "calibration_phrase", "compare_phrase", "ai_pace_phrase", "other_phrase", "other_meaning",
    "util_effect_phrase", "ai_share_title", "ai_share_alt", "capex_title", "capex_alt", "cash_title",
    "cash_alt", "prose", "signposts", "capacity_unit", "breakeven_utilisation_clause", "headline",
    "headline_figure", "headline_meaning", "evidence_table", "revenue_display", "payback_display",
    "grid_cell", "payback_return_grid", "margin_cell", "breakeven_margin_display", "scenario_table",
    "chart_ai_share", "chart_capex_vs_revenue", "chart_cumulative_cash",
    "programme_years", "plan_demand_path", "at_time", "breakeven_margin_formula_pct", "breakeven_formula_phrase",
]
