"""The "AI Plus Manufacturing" policy catalyst: what the rally priced in, and what the plan must bring.

The question is one of scale. The single session credited to the plan added a market value that can
be computed (market value before the session × the session's move). The plan can only justify that
value through the cloud business it brings Alibaba: factories adopting × yearly cloud and AI spend per
factory × Alibaba's share is new cloud revenue, which earns the cloud's cash margin only where the cloud
programme's servers have capacity left (the cloud chapter's own model, the one the model of value reads);
its FY27 profit after tax × the multiple the market pays for profit is its value. Setting the two equal
gives the yearly spend per factory the rally implicitly assumes (the break-even), which a reader can hold
against what a factory plausibly spends, or shows that no spend gets there because the servers bind.

Sources: the unsigned article of 14 January 2026 (the single session, the week's gain, the close in
euros, an executive's share target); AInvest (12 January, written by an AI agent: the factories the
plan "will compel", the start of the rally, a resistance level); boerse-global.de (4 January: the
price, the October high, the forward P/E and the cloud quarter); the unsigned article of 8 January
(the US gain); the undated opinion post (a spike after a call).

The chapter follows the contract of :mod:`alibaba_report.chapters.contract`, in four modules:

* :mod:`.model` -- the numbers: :data:`CLAIMS`, the model functions, :func:`compute` and
  :func:`key_outputs`;
* :mod:`.tables` -- the evidence: the timeline of the days the sources cover, the statements the
  chapter weighs and who makes them, and the tables the page shows;
* :mod:`.text` -- the words (the sentences on the plan's value in :mod:`.value_text`): :func:`page_values` (every number the text quotes), :func:`prose`,
  :func:`signposts` and :func:`headline`;
* :mod:`.charts` -- the figures.

The notebook only glues and shows what they return. Units are in the names: ``_usd_bn`` US dollars,
billions; ``_rmb_m`` renminbi, millions; ``_pct`` per cent (9 means 9%).
"""
from alibaba_report.chapters.policy_catalyst.model import (
    NOTEBOOK, CLAIMS, value_added_usd_bn, week_value_added_usd_bn, compound_pct, factory_spend_usd_bn,
    plan_revenue_usd_bn, plan_revenue_rmb_bn, PLAN_FY, CLOUD_PROGRAMME, cloud_programme, plan_share_of_fiscal_year,
    plan_fiscal_years, plan_fy, after_tax_value_usd_bn, plan_value_usd_bn, UNLIMITED_RMB_BN,
    capacity_value_usd_bn, required_plan_revenue_rmb_bn, filling_revenue_rmb_bn, needed_profit_rmb_bn, break_even_spend_rmb_m, break_even_factories, sensitivity,
    grid_around, cloud_run_rate_usd_bn, cloud_margin_pct, plan_figures, compute,
    KEY_OUTPUT_KEYS, key_outputs, scenario_parameters, sensitivity_grid,
)
from alibaba_report.chapters.policy_catalyst.tables import (
    AI_SOURCE_KIND, seed_labels, ai_written_seeds, undated_seeds, datelines, Event, event_seeds,
    timeline_frame, timeline_events, trading_days_in_window, timeline_span, price_points, Statement,
    reliability_frame, reliability_statements, source_names, timeline_table, reliability_table,
    disagreements_found, disagreements_table, scenario_table, sensitivity_table,
)
from alibaba_report.chapters.policy_catalyst.text import (
    QUOTED, SHOWN, page_values, day_words, weekend_price_note, compound_vs_week, high_agreement,
    resistance_vs_close, factories_text, factories_reading, share_source, served_text, break_even_text, believe_text, break_even_detail, break_even_vs_assumption, verdict,
    rest_sentence, sensitivity_sentence, scenarios_sentence, timeline_title, timeline_alt, break_even_title, break_even_alt,
    revenue_title, revenue_alt, prose, signposts, headline,
)
from alibaba_report.chapters.policy_catalyst.charts import (
    LANE_STYLE, timeline_chart, draw_timeline, BREAK_EVEN_FACTORS, BREAK_EVEN_DATA_SPEND, break_even_data,
    break_even_chart, revenue_bars, revenue_data, revenue_chart,
)

__all__ = [
    "NOTEBOOK", "CLAIMS", "value_added_usd_bn", "week_value_added_usd_bn", "compound_pct",
    "factory_spend_usd_bn", "plan_revenue_usd_bn", "plan_revenue_rmb_bn", "PLAN_FY", "CLOUD_PROGRAMME",
    "cloud_programme", "plan_share_of_fiscal_year", "plan_fiscal_years", "plan_fy",
    "after_tax_value_usd_bn", "plan_value_usd_bn", "UNLIMITED_RMB_BN", "capacity_value_usd_bn",
    "required_plan_revenue_rmb_bn", "filling_revenue_rmb_bn", "needed_profit_rmb_bn", "break_even_spend_rmb_m", "break_even_factories", "sensitivity", "grid_around",
    "cloud_run_rate_usd_bn", "cloud_margin_pct", "plan_figures", "compute", "KEY_OUTPUT_KEYS", "key_outputs",
    "scenario_parameters", "sensitivity_grid", "AI_SOURCE_KIND", "seed_labels", "ai_written_seeds",
    "undated_seeds", "datelines", "Event", "event_seeds", "timeline_frame", "timeline_events",
    "trading_days_in_window", "timeline_span", "price_points", "Statement", "reliability_frame",
    "reliability_statements", "source_names", "timeline_table", "reliability_table", "disagreements_found",
    "disagreements_table", "scenario_table", "sensitivity_table", "QUOTED", "SHOWN", "page_values",
    "day_words", "weekend_price_note", "compound_vs_week", "high_agreement",
    "resistance_vs_close", "factories_text", "factories_reading", "share_source", "served_text", "break_even_text", "believe_text", "break_even_detail", "break_even_vs_assumption",
    "verdict", "rest_sentence", "sensitivity_sentence", "scenarios_sentence", "timeline_title", "timeline_alt", "break_even_title",
    "break_even_alt", "revenue_title", "revenue_alt", "prose", "signposts", "headline", "LANE_STYLE",
    "timeline_chart", "draw_timeline", "BREAK_EVEN_FACTORS", "BREAK_EVEN_DATA_SPEND", "break_even_data",
    "break_even_chart", "revenue_bars", "revenue_data", "revenue_chart",
]
