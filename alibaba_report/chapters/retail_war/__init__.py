"""The instant-retail war: what the losses cost, and what "loss convergence" would have to look like.

The model is deliberately small. From the peak quarter (FQ3 FY2026, the calendar fourth quarter of
2025, where Nomura and UBS put the peak; the 8 January 2026 article) the quarterly loss stays at its
peak for ``peak_quarters`` quarters, then shrinks by a constant share each quarter::

    L(i) = peak                                  for i < peak_quarters
    L(i) = peak * (1 - shrink) ** (i - peak_quarters + 1)   after

where ``i`` counts quarters from FQ3 FY2026. From the path follow the cumulative cost over the
quarters modelled, the first quarter at or below the loss counted as "converged", and what the
path does to the analysts' full-year adjusted-EBITDA forecasts (AInvest, 12 January): the forecast
plus the losses it is assumed to embed (a named assumption, as a path of the same form) minus the
losses modelled. The reported quarter's margin bridge reads boerse-global.de (4 January).

Alibaba's fiscal year ends on 31 March: FY2026 runs from April 2025 to March 2026, so FQ1 is the
calendar second quarter of the year before, FQ4 the calendar first quarter of the fiscal year.

The package follows the chapter contract (:mod:`alibaba_report.chapters.contract`): :mod:`.model`
holds the numbers (``CLAIMS``, the model functions, ``compute``, ``key_outputs``), :mod:`.text`
the words (``prose``, ``signposts``, ``headline``), :mod:`.tables` the page's tables and
:mod:`.charts` its figures. Amounts are RMB billions, rates percentages (15 means 15 %).
"""
from alibaba_report.chapters.retail_war.model import (  # noqa: F401
    CLAIMS, NOTEBOOK, NUMERIC_ROLES, SCENARIOS, START_FISCAL_QUARTER, START_FISCAL_YEAR, Quarter, _namespace,
    brokers_peak, compute, convergence_index, convergence_label, cumulative_cost, ebitda_under_path, figures,
    first_shrink_band, first_shrink_losses, key_outputs, loss_path, losses_by_fiscal_year, margin_bridge, quarter,
    quarter_index, required_shrink_pct, run, scenario_match, scenario_result,
)
from alibaba_report.chapters.retail_war.tables import (  # noqa: F401
    BOUND_SIGN, ESTIMATE_ROLES, bridge_table, deadline_frame, estimates_frame, estimates_table, grid_around,
    path_frame, run_label, scenario_table, sensitivity, sensitivity_grids, short_period,
)
from alibaba_report.chapters.retail_war.text import (  # noqa: F401
    PATH_ASSUMPTIONS, bridge_alt, bridge_title, brokers_range, case_name, converges_text, converges_when,
    cost_to_convergence_sentence, peak_reading,
    convergence_words, count_words, ebitda27_range, ebitda27_sentence, estimates_alt, estimates_title,
    first_shrink_signpost, headline, horizon_label, next_ceiling_text, next_path_sentence, next_reading_sentence,
    outlook_signposts, paths_alt, paths_title, peak_signpost, plural, prose, required_pace_sentence, required_text,
    results_signposts, scenario_summary, signposts, verdict,
)
from alibaba_report.chapters.retail_war.charts import (  # noqa: F401
    bridge_data, chart_bridge, chart_estimates, chart_paths, paths_data,
)
