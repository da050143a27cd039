"""The retail chapter's words: the page's computed and conditional sentences, the charts' titles
and alt texts, the signposts and the summary's headline. No matplotlib."""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from alibaba_report import params
from alibaba_report.messages import count_words
from alibaba_report.chapters.contract import Signpost, case_phrase
from alibaba_report.chapters.retail_war.model import (
    CLAIMS, NOTEBOOK, SCENARIOS, _namespace, compute, first_shrink_band, first_shrink_losses, margin_bridge, quarter,
    run, scenario_match,
)


# --- the page's sentences -----------------------------------------------------------------------

def plural(n: int, word: str) -> str:
    """``1 quarter``, ``2 quarters``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def case_name(match: str | None) -> str:
    """What the page's parameters are called: ``the base case``, or what they are when no scenario."""
    return "the case these parameters model" if match is None else f"the {match} case"


def horizon_label(quarters: int) -> str:
    """``12 quarters to FQ2 FY29 (CY Q3 2028)``."""
    return f"{plural(quarters, 'quarter')} to {quarter(quarters - 1).label}"


def required_text(need_pct: float | None) -> str:
    """The required quarterly shrink, ``22.4%``, or a dash when no rate reaches the deadline."""
    return "—" if need_pct is None else f"{need_pct:.1f}%"


def verdict(need_pct: float | None, shrink_pct: float) -> str:
    """Whether the modelled shrink reaches the pace the deadline requires (ends a sentence)."""
    if need_pct is None:
        return "which no shrink rate can do, because the loss is still at its peak then"
    if shrink_pct >= need_pct:
        return "a pace this path reaches"
    return f"faster than the {shrink_pct:g}% this path assumes"


def next_ceiling_text(ceiling_rmb_bn: float | None) -> str:
    """The most the first quarter after the peak can lose for convergence by the deadline."""
    return "— (no shrink rate can reach the deadline)" if ceiling_rmb_bn is None else f"RMB {ceiling_rmb_bn:.1f}bn"


def next_path_sentence(ceiling_rmb_bn: float | None, path_loss_rmb_bn: float) -> str:
    """The loss the path puts in the first quarter after the peak, against that ceiling."""
    said = f"This page's path puts it at RMB {path_loss_rmb_bn:.1f}bn"
    band = first_shrink_band(ceiling_rmb_bn, path_loss_rmb_bn)
    if band == "out of reach":
        return f"{said}."
    if band == "misses":
        return f"{said}, above that ceiling: a loss exactly as modelled would be on the path and still miss the deadline."
    return f"{said}, within that ceiling."


def required_pace_sentence(need_pct: float | None) -> str:
    """What the required shrink means: how often it halves the loss, or why there is none."""
    if need_pct is None:
        return "No shrink rate can meet that deadline: the loss is still at its peak then."
    if need_pct == 0:
        return "The peak is already at or below the converged level: no shrink is needed."
    return f"At {need_pct:.1f}% a quarter the loss halves every {math.log(0.5) / math.log(1 - need_pct / 100):.1f} quarters."


def scenario_summary(scenarios: Mapping[str, Mapping[str, Any]]) -> str:
    """How the scenarios differ: ``bull: peak RMB 35bn for 1 quarter, shrinking 25% a quarter; ...``."""
    return "; ".join(f"{s}: peak RMB {v['peak_loss_rmb_bn']:g}bn for {plural(v['peak_quarters'], 'quarter')}, "
                     f"shrinking {v['shrink_pct']:g}% a quarter" for s, v in scenarios.items())


def cost_to_convergence_sentence(r: Mapping[str, Any]) -> str:
    """What the war has cost when the loss reaches the converged level, or that it does not (``r``
    from :func:`scenario_result`)."""
    if r["convergence_index"] is None:
        return ("The loss does not reach the converged level within the horizon: the cost keeps growing beyond "
                f"RMB {r['cumulative_cost_rmb_bn']:.0f}bn.")
    return (f"By the time the loss reaches the converged level, in {r['convergence_quarter']}, the war has cost "
            f"RMB {r['cost_to_convergence_rmb_bn']:.0f}bn.")


def ebitda27_sentence(ebitda_rmb_bn: float, forecast_rmb_bn: float) -> str:
    """FY27 EBITDA on the path against the analysts' forecast: the forecast itself, below or above it."""
    gap = ebitda_rmb_bn - forecast_rmb_bn
    if abs(gap) < 0.5:  # the same once rounded to the RMB bn the page shows
        return (f"RMB {ebitda_rmb_bn:.0f}bn, the analysts' forecast itself, because this page assumes the forecast "
                "embeds its path")
    return (f"RMB {ebitda_rmb_bn:.0f}bn with the war's path alone, RMB {abs(gap):.0f}bn {'below' if gap < 0 else 'above'} "
            f"the analysts' RMB {forecast_rmb_bn:.0f}bn forecast (the book's model of value adds the cloud's and the "
            "policy's drivers)")


def ebitda27_range(bear_rmb_bn: float, bull_rmb_bn: float) -> str:
    """FY27 EBITDA under the bear and bull war paths: this chapter's driver only, so named."""
    return f"the war alone, bear case: RMB {bear_rmb_bn:.0f}bn; bull case: RMB {bull_rmb_bn:.0f}bn"


def next_reading_sentence(first_shrink: str, deadline: str, ceiling_rmb_bn: float | None,
                          path_loss_rmb_bn: float, match: str | None) -> str:
    """How to read the loss reported for the first quarter after the peak (ends the conclusion):
    three ways when the path itself misses the deadline, two when it is on track, none when the
    deadline is out of reach."""
    band = first_shrink_band(ceiling_rmb_bn, path_loss_rmb_bn)
    if band == "out of reach":
        return (f"no loss in {first_shrink} can put convergence by {deadline} on track: "
                "the loss is still at its peak then.")
    if band == "misses":
        slower = "worse than the bear case" if match == "bear" else "the bear case"
        return (f"a loss in {first_shrink} at or below RMB {ceiling_rmb_bn:.1f}bn would put convergence by {deadline} "
                f"on track (the bull case); one above that but at or below RMB {path_loss_rmb_bn:.1f}bn, the loss this "
                f"path itself puts there, would mean the path holds but the deadline slips ({case_name(match)}); a "
                f"higher one would say the loss shrinks more slowly than modelled ({slower}).")
    return (f"a loss in {first_shrink} at or below RMB {ceiling_rmb_bn:.1f}bn (this path puts "
            f"RMB {path_loss_rmb_bn:.1f}bn there) would keep convergence by {deadline} on track (the bull case); "
            "a higher one would say it slips.")


def estimates_title(v: Mapping[str, float], brokers_peak_rmb_bn: float) -> str:
    """The estimates chart's finding (``v``: the ledger figures by role)."""
    return (f"Brokers put the peak-quarter loss at RMB {v['nomura_peak']:g}–{v['ubs_loss']:g}bn; "
            f"one sentence of the 8 January article says 'hundreds of billions', at least "
            f"{v['hundreds_of_billions'] / brokers_peak_rmb_bn:.1f} times as much")


def estimates_alt(v: Mapping[str, float], peak_loss_rmb_bn: float) -> str:
    return (f"Horizontal bars of the instant-retail loss figures in the sources: Nomura {v['nomura_peak']:g} and UBS "
            f"{v['ubs_loss']:g} billion yuan forecast for the peak quarter, AInvest (12 January) more than "
            f"{v['last_quarter_loss']:g} billion reported for the last quarter, the 8 January article at least "
            f"{v['tens_of_billions']:g} billion of investment and, in another sentence, at least "
            f"{v['hundreds_of_billions']:g} billion of quarterly losses; a dashed line marks this page's peak of "
            f"{peak_loss_rmb_bn:g} billion.")


def bridge_title(v: Mapping[str, float], bridge: Mapping[str, float]) -> str:
    """The margin-bridge chart's finding."""
    return (f"Group revenue grew {v['revenue_growth']:g}% but operating income fell {-bridge['op_income_change_pct']:.0f}%: "
            f"the group operating margin went from {bridge['margin_before_pct']:.1f}% to {bridge['margin_after_pct']:.1f}%")


def bridge_alt(v: Mapping[str, float], bridge: Mapping[str, float]) -> str:
    return (f"Left, bars of year-on-year change in FQ2 FY26, group figures as they appear to be (boerse-global.de files them "
            f"under core commerce): revenue {v['revenue_growth']:+g}%, operating income "
            f"{bridge['op_income_change_pct']:+.0f}%, adjusted earnings {v['adj_earnings_change']:+g}%, group capex "
            f"{v['capex_growth']:+g}%. Right, group operating margin {bridge['margin_before_pct']:.1f}% a year earlier "
            f"against {bridge['margin_after_pct']:.1f}% in FQ2 FY26; free cash flow {v['fcf']:g} billion yuan.")


def paths_title(r: Mapping[str, Any], converged_loss_rmb_bn: float, quarters: int) -> str:
    """The loss-path chart's finding: where this page's path converges, and what it costs."""
    if r["convergence_index"] is None:
        conv = f"is still above RMB {converged_loss_rmb_bn:g}bn at the end of the horizon"
    else:
        conv = f"falls to RMB {converged_loss_rmb_bn:g}bn or less in {r['convergence_quarter']}"
    return (f"On this page's path the loss {conv}, after costing RMB {r['cumulative_cost_rmb_bn']:.0f}bn "
            f"over {quarters} quarters")


def converges_when(r: Mapping[str, Any], quarters: int) -> str:
    """When the loss falls to the converged level (ends "The loss drops to RMB 4bn or less ..."):
    ``only in FQ1 FY28 (CY Q2 2027)``, or ``in none of the 12 quarters modelled, to FQ2 FY29 (...)``."""
    if r["convergence_index"] is None:
        return f"in none of the {quarters} quarters modelled, to {quarter(quarters - 1).label}"
    return f"only in {r['convergence_quarter']}"


def converges_text(run_: Mapping[str, Any]) -> str:
    """``in FQ3 FY28``, or ``not within the horizon``."""
    idx = run_["convergence_index"]
    return "not within the horizon" if idx is None else f"in {quarter(idx).fiscal}"


def paths_alt(runs: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str], match: str | None,
              converged_loss_rmb_bn: float, quarters: int) -> str:
    """The loss-path chart's alt text: every run's cost and convergence."""
    extra = "" if match else " and the path modelled here"
    each = "; ".join(f"{labels[s]} costs {r['cumulative_cost_rmb_bn']:.0f} billion and converges {converges_text(r)}"
                     for s, r in runs.items())
    return (f"Line chart of the quarterly instant-retail loss from FQ3 FY26 to {quarter(quarters - 1).fiscal} "
            f"under the bull, base and bear scenarios{extra}, with a dotted line at the converged level of "
            f"{converged_loss_rmb_bn:g} billion yuan; {each}.")


def prose(p: Any, claims) -> dict[str, str]:
    """Every computed or conditional sentence the page glues, by its glue name (chart alt texts too)."""
    p = _namespace(p)
    r = compute(p, claims)
    v, need, match = r["ledger"], r["required_shrink_pct"], r["match"]
    deadline = quarter(r["deadline_index"]).label
    first_shrink = quarter(r["first_shrink_index"]).label
    ceiling, path_loss = r["next_ceiling_rmb_bn"], r["next_path_loss_rmb_bn"]
    return {
        "peak_quarter": quarter(0).label,
        "horizon_label": horizon_label(p.quarters_modelled),
        "conv_quarter": r["convergence_quarter"],
        "conv_when": converges_when(r, p.quarters_modelled),
        "conv_words": convergence_words(r, p.quarters_modelled),
        "deadline_label": deadline,
        "required_text": required_text(need),
        "verdict": verdict(need, p.shrink_pct),
        "next_ceiling_text": next_ceiling_text(ceiling),
        "first_shrink_quarter": first_shrink,
        "next_path_sentence": next_path_sentence(ceiling, path_loss),
        "required_pace_sentence": required_pace_sentence(need),
        "peak_quarters_text": str(p.peak_quarters),
        "scenario_summary": scenario_summary({s: params.scenario_parameters(s, NOTEBOOK) for s in SCENARIOS}),
        "cost_to_conv_sentence": cost_to_convergence_sentence(r),
        "ebitda27_sentence": ebitda27_sentence(r["ebitda_fy27_rmb_bn"], v["ebitda_fy27"]),
        "ebitda27_range": ebitda27_range(r["runs"]["bear"]["ebitda_fy27_rmb_bn"], r["runs"]["bull"]["ebitda_fy27_rmb_bn"]),
        "next_reading_sentence": next_reading_sentence(first_shrink, deadline, ceiling, path_loss, match),
        "estimates_alt": estimates_alt(v, p.peak_loss_rmb_bn),
        "bridge_alt": bridge_alt(v, r["bridge"]),
        "paths_alt": paths_alt(r["runs"], r["labels"], match, p.converged_loss_rmb_bn, p.quarters_modelled),
    }


# --- signposts ----------------------------------------------------------------------------------

PATH_ASSUMPTIONS = ("peak_loss_rmb_bn", "peak_quarters", "shrink_pct", "converged_loss_rmb_bn", "convergence_deadline")


def first_shrink_signpost(p: Any, need_pct: float | None, deadline: str, case: str) -> Signpost:
    """The loss in the first quarter after the peak: at or below the ceiling convergence by the
    deadline is on track (bull); when the path itself misses the deadline, a loss between the ceiling
    and the path's own is as modelled (``case``) and one above both slower than modelled."""
    first = quarter(p.peak_quarters)
    ceiling, path_loss = first_shrink_losses(p.peak_loss_rmb_bn, p.shrink_pct, need_pct)
    slower = "worse than the bear case" if "bear" in case else "bear"
    band = first_shrink_band(ceiling, path_loss)
    if band == "out of reach":
        better = (f"no loss in {first.fiscal} can put convergence by {deadline} on track, the loss is still at its "
                  f"peak then; at or below RMB {path_loss:.1f}bn it shrinks as modelled")
        worse = f"above RMB {path_loss:.1f}bn, the loss this path puts in {first.fiscal}: slower than modelled"
        cases = ("base or bull", slower)
    elif band == "misses":
        better = f"at or below: shrinking fast enough to converge by {deadline}"
        worse = (f"above RMB {ceiling:.1f}bn but at or below RMB {path_loss:.1f}bn, the loss this path itself puts in "
                 f"{first.fiscal}: as modelled, converging after {deadline} ({case}); above RMB {path_loss:.1f}bn: "
                 f"slower than modelled ({slower})")
        cases = ("bull", "bear" if "bear" in case else "base or bear")
    else:  # the modelled path itself converges by the deadline
        better = f"at or below: shrinking fast enough to converge by {deadline} (this path puts RMB {path_loss:.1f}bn there)"
        worse = f"above: convergence slips past {deadline}"
        cases = ("bull", "base or bear")
    return Signpost(
        name=f"Loss in {first.label}, the first quarter after the peak",
        threshold=None if ceiling is None else round(ceiling, 1),
        unit="RMB bn in the quarter" if ceiling is not None else "no level can put the deadline within reach",
        if_better=better, if_worse=worse, better_case=cases[0], worse_case=cases[1],
        assumptions=PATH_ASSUMPTIONS,
    )


def signposts(p: Any, claims, case: str | None = None) -> list[Signpost]:
    """What to watch in the next results, each with the level that would change the conclusion.

    ``case`` names the scenario ``p`` is (e.g. ``"the base case"``); without it, the scenario ``p``
    matches, if any (:func:`case_name`). It names a loss as modelled in the signpost on the first
    quarter after the peak (:func:`first_shrink_signpost`).
    """
    p = _namespace(p)
    case = case or case_name(scenario_match(p))
    r = run(p, claims)
    deadline = quarter(r["deadline_index"]).fiscal
    v = {role: claims.value(CLAIMS[role]) for role in
         ("revenue", "revenue_growth", "op_income_before", "op_income_after", "gs_ebitda_drop", "fcf", "ebitda_fy27")}
    return [peak_signpost(p, claims, case), first_shrink_signpost(p, r["required_shrink_pct"], deadline, case),
            *results_signposts(v), *outlook_signposts(v)]


def brokers_range(claims) -> tuple[float, float]:
    """The brokers' forecasts of the peak-quarter loss, low and high (Nomura's and UBS's, RMB bn)."""
    both = sorted((claims.value(CLAIMS["nomura_peak"]), claims.value(CLAIMS["ubs_loss"])))
    return both[0], both[1]


def peak_reading(peak_rmb_bn: float, brokers: tuple[float, float], case: str = "this page") -> str:
    """What a reported peak at or below the one ``case`` assumes ("the bear case") says, against the
    brokers' forecasts: it is the brokers' peak only when the peak assumed lies within their range."""
    low, high = brokers
    said = f"the brokers forecast RMB {low:g}–{high:g}bn"
    if peak_rmb_bn > high:
        return (f"at or below: no worse than the RMB {peak_rmb_bn:g}bn peak {case} assumes, above both brokers' "
                f"forecasts ({said}); the path starts as modelled or better")
    if peak_rmb_bn < low:
        return (f"at or below: the RMB {peak_rmb_bn:g}bn peak {case} assumes, below both brokers' forecasts ({said}), "
                "holds and the path starts as modelled")
    return f"at or below: the brokers' peak ({said}) holds and the path starts as modelled"


def peak_signpost(p: Any, claims, case: str = "this page") -> Signpost:
    """The loss in the peak quarter against the peak ``case`` assumes."""
    return Signpost(
        name=f"Instant-retail loss reported or estimated for {quarter(0).label}",
        threshold=round(p.peak_loss_rmb_bn, 1), unit="RMB bn in the quarter",
        if_better=peak_reading(p.peak_loss_rmb_bn, brokers_range(claims), case),
        if_worse="above: the peak is higher than modelled; every cost on this page is too low",
        better_case="base or bull", worse_case="bear",
        claims=(CLAIMS["nomura_peak"], CLAIMS["ubs_loss"]), assumptions=("peak_loss_rmb_bn",),
    )


def results_signposts(v: Mapping[str, float]) -> list[Signpost]:
    """The group's figures in the next results: EBITDA, operating margin, free cash flow (``v``: the
    ledger figures by role)."""
    bridge = margin_bridge(v["revenue"], v["revenue_growth"], v["op_income_before"], v["op_income_after"])
    return [
        Signpost(
            name=f"Fall in group EBITDA in {quarter(0).fiscal}, year on year",
            threshold=round(v["gs_ebitda_drop"], 0), unit="% change, year on year",
            if_better="a smaller fall than Goldman Sachs forecast: the loss peak is below the brokers'",
            if_worse=("a larger fall: a deeper loss than Nomura's and UBS's estimates, unless the segment figures "
                      "put it elsewhere in the group"),
            better_case="bull", worse_case="bear", claims=(CLAIMS["gs_ebitda_drop"],),
        ),
        Signpost(
            name="Group operating margin (boerse-global.de's 'core commerce' figures, which appear to be the group's)",
            threshold=round(bridge["margin_after_pct"], 1), unit="% of revenue",
            if_better=("above the FQ2 FY26 margin: the group's squeeze has passed its worst; the segment "
                       "figures say how much of that is instant retail"),
            if_worse=("below it: the squeeze is still deepening; bear if the segment figures put it in "
                      "instant retail rather than in the cloud build-out or elsewhere"),
            better_case="base or bull", worse_case="base or bear",
            claims=(CLAIMS["op_income_after"], CLAIMS["revenue"]),
        ),
        Signpost(
            name="Free cash flow in the quarter", threshold=0.0, unit="RMB bn",
            if_better="back above zero: the burn is being funded from operations again",
            if_worse=f"more negative than in FQ2 FY26 ({v['fcf']:g} RMB bn)",
            better_case="bull", worse_case="bear", claims=(CLAIMS["fcf"],),
        ),
    ]


def outlook_signposts(v: Mapping[str, float]) -> list[Signpost]:
    """What the analysts and management say next: the FY27 forecasts and the stance on spending."""
    return [
        Signpost(
            name=f"Analysts' FY27 adjusted-EBITDA forecasts after the {quarter(0).fiscal} results",
            threshold=round(v["ebitda_fy27"], 0), unit="RMB bn",
            if_better="raised: the market sees faster convergence than it embedded in January",
            if_worse="cut again: convergence is slower than embedded",
            better_case="bull", worse_case="bear", claims=(CLAIMS["ebitda_fy27"],),
        ),
        Signpost(
            name="Management's stance on instant-retail spending", threshold=None, unit="a change of wording",
            if_better=("'efficiency' or 'narrowing losses' replaces 'absolute leader' and 'continue to increase "
                       "investment'"),
            if_worse=("a fresh subsidy round or a pledge to keep increasing investment: the loss stays at its "
                      "peak a second quarter or longer"),
            better_case="bull", worse_case="bear", assumptions=("peak_quarters",),
        ),
    ]


# --- the summary's row ----------------------------------------------------------------------------

def convergence_words(r: Mapping[str, Any], quarters: int) -> str:
    """``converges in FQ1 FY28 (CY Q2 2027)``, or ``does not converge by FQ2 FY29 (CY Q3 2028)``
    when the path stays above the converged level to the end of the horizon (``r`` from :func:`run`)."""
    if r["convergence_index"] is None:
        return f"does not converge by {quarter(quarters - 1).label}"
    return f"converges in {r['convergence_quarter']}"


def headline(p: Any, claims, case: str | None = None) -> dict[str, str]:
    """The chapter's row in the summary's table of themes: the war's cost over the horizon and when
    the loss converges (rounded as the page shows them), and that the cost turns on the shrink;
    with ``case``, the shrink that case assumes."""
    p = _namespace(p)
    r = run(p, claims)
    figure = (f"RMB {r['cumulative_cost_rmb_bn']:.0f} billion of losses over {count_words(p.quarters_modelled)} "
              f"quarters; the loss {convergence_words(r, p.quarters_modelled)}")
    meaning = "the cost turns on how fast the loss shrinks"
    if case:
        meaning += f" ({p.shrink_pct:g}% a quarter in {case_phrase(case)})"
    return {"figure": figure, "meaning": meaning}
