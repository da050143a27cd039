"""The slider charts of the summary and of each chapter: grids computed by the package's own models.

One function per page, each taking what its notebook already has (the validated parameters ``P``
or the scenario, and the claims ledger) and returning an :class:`interactive.SliderChart`: the
two or three assumptions that decide the page's conclusion as sliders, over ranges that hold the
scenarios' values, and the model's outputs at every point of the grid. Nothing here re-implements
a model: each grid point is one call of the chapter's (or the valuation's) own function.

A notebook shows one with ``interactive.show(sliders.<page>(P, claims))``.
"""
from __future__ import annotations

import dataclasses
import types
from typing import Any

import numpy as np

from alibaba_report.charts import interactive
from alibaba_report.charts.interactive import Figure, Slider, SliderChart


def _namespace(p: Any, **changes) -> types.SimpleNamespace:
    """Parameters ``p`` (attributes or a mapping) as a namespace, with ``changes``."""
    values = dict(p) if isinstance(p, dict) else dict(vars(p))
    return types.SimpleNamespace(**{**values, **changes})


def _source(what: str, claims, claim_ids, assumptions: str = "assumptions") -> str:
    """The chart's source line: the model, the sources of the claims it reads (publisher and date, from the
    register), the assumptions."""
    seeds = sorted({claims.get(c).seed for c in claim_ids})
    if not seeds:
        return f"{what}; {assumptions}"
    return f"{what}; {'; '.join(claims.source_name(s) for s in seeds)}; and {assumptions}"


def _span(s: Slider) -> str:
    """A slider's range in words: "5 to 35"."""
    return f"{s.start:g} to {s.stop:g}"


# --- the forward P/E: one place knows the name the valuation's inputs give it ---------------------

def _forward_pe(inp) -> float:
    """The forward P/E multiple in the valuation's inputs (or the Hong Kong chapter's parameters)."""
    return inp.forward_pe


def _with_forward_pe(inp, pe):
    """The valuation's inputs with the forward P/E multiple replaced by ``pe``."""
    return dataclasses.replace(inp, forward_pe=pe)


# --- the summary: value per ADS -----------------------------------------------------------------

# the ledger figures valuation.model reads (its source line names their seeds)
VALUATION_READS = ("ebitda_fy26", "ebitda_fy27", "eps_fy27", "eps_growth_fy27", "price", "cloud_growth_consensus",
                   "cloud_revenue_q", "nomura_peak", "ubs_loss")

def summary(scenario: str, claims) -> SliderChart:
    """Value per ADS (USD) over how fast the instant-retail loss shrinks × the forward P/E, the rest
    of ``scenario``'s inputs held (alibaba_report.synthesis.valuation's model, vectorised)."""
    from alibaba_report.synthesis import valuation

    base = valuation.scenario_inputs(scenario)
    shrink = Slider.at("shrink_pct", "Instant-retail loss shrinks", "% a quarter", 5, 35, 1, float(base.shrink_pct))
    pe = Slider.at("forward_pe", "Forward P/E multiple", "x", 12, 30, 0.1, float(_forward_pe(base)))
    g = interactive.grid("index-value", [shrink, pe])
    inp = dataclasses.replace(_with_forward_pe(base, g["forward_pe"].to_numpy()), shrink_pct=g["shrink_pct"].to_numpy())
    out = valuation.model(inp, claims)
    price = claims.value(valuation.CLAIMS["price"])
    g["value_per_ads_usd"] = np.broadcast_to(out["value_per_ads_usd"], len(g))
    g["vs_price_pct"] = 100.0 * (g["value_per_ads_usd"] / price - 1.0)
    g["ntm_eps_usd"] = np.broadcast_to(out["ntm_eps_usd"], len(g))
    return SliderChart(
        name="index-value",
        title="Value per ADS as the retail loss shrinks, at a chosen multiple",
        grid=g, sliders=(shrink, pe),
        y=Figure("value_per_ads_usd", "Value per ADS", "USD ", decimals=0),
        y_title="value per ADS (USD)",
        figures=(Figure("value_per_ads_usd", "Value per ADS", "USD ", decimals=0),
                 Figure("vs_price_pct", f"Against the USD {price:g} price of 4 January", suffix="%", decimals=0,
                        signed=True),
                 Figure("ntm_eps_usd", "Earnings per ADS, next twelve months", "USD ", decimals=2)),
        description=(f"Value per ADS in US dollars on {valuation.day(valuation.PRICING_DATE)}, the multiple on the next "
                     f"twelve months' earnings, as the instant-retail loss shrinks {_span(shrink)}% a quarter, at a "
                     f"forward P/E of {_span(pe)} times; the other "
                     f"assumptions are the {scenario} case's. The dashed line is the USD {price:g} price."),
        source=_source(f"Model of value, {scenario} case", claims, [valuation.CLAIMS[k] for k in VALUATION_READS]),
        reference=(f"USD {price:g} price, 4 Jan", price),
    )


# --- the chapters ---------------------------------------------------------------------------------

def retail_war(p: Any, claims) -> SliderChart:
    """Cumulative cost of the instant-retail war and the quarter it converges, over the shrink rate ×
    the peak loss (the chapter's :func:`run`, the other parameters as ``p``)."""
    from alibaba_report.chapters import retail_war as retail

    shrink = Slider.at("shrink_pct", "Loss shrinks after the peak", "% a quarter", 5, 35, 1, float(p.shrink_pct))
    peak = Slider.at("peak_loss_rmb_bn", "Loss in the peak quarter", "RMB bn", 20, 50, 0.5, float(p.peak_loss_rmb_bn))

    def model(shrink_pct, peak_loss_rmb_bn):
        r = retail.run(_namespace(p, shrink_pct=shrink_pct, peak_loss_rmb_bn=peak_loss_rmb_bn), claims)
        idx = r["convergence_index"]
        return {"cumulative_cost_rmb_bn": r["cumulative_cost_rmb_bn"],
                "converged": retail.quarter(idx).fiscal if idx is not None
                else f"not by {retail.quarter(p.quarters_modelled - 1).fiscal}",
                "ebitda_fy27_rmb_bn": r["ebitda_fy27_rmb_bn"]}

    g = interactive.fill(interactive.grid("retail_war-cost", [shrink, peak]), model)
    last = retail.quarter(p.quarters_modelled - 1).fiscal
    return SliderChart(
        name="retail_war-cost",
        title="What the instant-retail war costs, and when it converges",
        grid=g, sliders=(shrink, peak),
        y=Figure("cumulative_cost_rmb_bn", "Total loss", "RMB ", suffix="bn", decimals=0),
        y_title=f"total loss to {last} (RMB bn)",
        figures=(Figure("cumulative_cost_rmb_bn", f"Total loss to {last}", "RMB ", suffix="bn", decimals=0),
                 Figure("converged", f"First quarter below RMB {p.converged_loss_rmb_bn:g}bn", text=True),
                 Figure("ebitda_fy27_rmb_bn", "FY2027 adjusted EBITDA", "RMB ", suffix="bn", decimals=0)),
        description=(f"The instant-retail loss summed over the {p.quarters_modelled} quarters modelled, in RMB "
                     f"billions, as the loss shrinks {_span(shrink)}% a quarter after a peak quarter of RMB {_span(peak)}bn, "
                     f"with the quarter it falls to RMB {p.converged_loss_rmb_bn:g}bn and FY2027 EBITDA."),
        source=_source("Retail chapter's loss path", claims,
                       [retail.CLAIMS[k] for k in ("nomura_peak", "ubs_loss", "ebitda_fy26", "ebitda_fy27")]),
    )


def cloud_ai(p: Any, claims) -> SliderChart:
    """The AI capex programme's return (IRR, % a year) over the cash margin × utilisation (the
    chapter's :func:`project` without detail, the other parameters as ``p``)."""
    from alibaba_report.chapters import cloud_ai as cloud

    margin = Slider.at("cash_margin_pct", "Cash margin on the new revenue", "%", 10, 70, 2, float(p.cash_margin_pct))
    util = Slider.at("utilisation_pct", "Capacity that can be sold", "%", 40, 100, 5, float(p.utilisation_pct))
    base = cloud.base_run_rate(p, claims)

    def model(cash_margin_pct, utilisation_pct):
        r = cloud.project(cloud.with_changes(p, cash_margin_pct=cash_margin_pct, utilisation_pct=utilisation_pct),
                          base, detail=False)
        return {"irr_pct": r["irr_pct"], "cash_multiple_x": r["cash_multiple"], "payback": r["payback_label"]}

    g = interactive.fill(interactive.grid("cloud_ai-return", [margin, util]), model)
    return SliderChart(
        name="cloud_ai-return",
        title="What the AI capex earns, by margin and by how much capacity sells",
        grid=g, sliders=(margin, util),
        y=Figure("irr_pct", "Return on the programme", suffix="% a year", decimals=1, missing="none"),
        y_title="return on the programme (% a year)",
        figures=(Figure("irr_pct", "Return on the programme", suffix="% a year", decimals=1, missing="none"),
                 Figure("cash_multiple_x", "Cash back per yuan spent", "RMB ", decimals=2),
                 Figure("payback", "Pays back", text=True)),
        description=(f"The internal rate of return of the AI programme tested with RMB {p.capex_rmb_bn:g}bn of capex, "
                     f"in % a year, as the cash margin on its revenue goes from {_span(margin)}% and the share of "
                     f"its capacity that sells from {_span(util)}%; with the cash it returns per yuan and its payback."),
        source=_source("Cloud chapter's payback model", claims, [cloud.CLAIMS["revenue_usd_bn"]]),
        reference=("no return", 0.0),
    )


def policy_catalyst(p: Any, claims) -> SliderChart:
    """The policy plan's value to Alibaba (USD bn) against the value the rally added, over spend per
    factory × Alibaba's share (the chapter's :func:`plan_value_usd_bn`: the plan's FY27 profit as cloud
    revenue, served only where the cloud programme's servers have room)."""
    from alibaba_report.chapters import cloud_ai
    from alibaba_report.chapters import policy_catalyst as policy

    spend = Slider.at("spend_per_factory_rmb_m", "Each factory's yearly cloud and AI spend", "RMB m", 0.25, 10, 0.25,
                   float(p.spend_per_factory_rmb_m))
    share = Slider.at("alibaba_share_pct", "Alibaba's share of that spend", "%", 3, 99, 3, float(p.alibaba_share_pct))
    added = policy.value_added_usd_bn(p.market_value_before_usd_bn, p.move_pct)
    run_rate = cloud_ai.base_run_rate(p, claims)

    def model(spend_per_factory_rmb_m, alibaba_share_pct):
        revenue = policy.plan_revenue_rmb_bn(p.factories_adopting, spend_per_factory_rmb_m, alibaba_share_pct)
        value = policy.plan_value_usd_bn(p, run_rate, revenue)
        return {"plan_value_usd_bn": value, "plan_covers_pct": 100.0 * value / added}

    g = interactive.fill(interactive.grid("policy_catalyst-plan", [spend, share]), model)
    return SliderChart(
        name="policy_catalyst-plan",
        title="Is the policy plan worth what the rally added?",
        grid=g, sliders=(spend, share),
        y=Figure("plan_value_usd_bn", "The plan's value to Alibaba", "USD ", suffix="bn", decimals=1),
        y_title="plan's value to Alibaba (USD bn)",
        figures=(Figure("plan_value_usd_bn", "The plan's value to Alibaba", "USD ", suffix="bn", decimals=1),
                 Figure("plan_covers_pct", f"Share of the USD {added:,.1f}bn the rally added", suffix="%",
                        decimals=0)),
        description=(f"The plan's value to Alibaba in USD billions ({p.factories_adopting:,} factories; its FY27 "
                     f"revenue earns the cloud's {p.cash_margin_pct:g}% cash margin only where the cloud programme's "
                     f"servers have room, and {p.profit_multiple:g} times that profit after tax) as each factory's yearly "
                     f"spend goes from RMB {spend.start:g}m to {spend.stop:g}m and Alibaba's share of it from {_span(share)}%, against the "
                     f"USD {added:,.1f}bn the rally added (dashed line). Once the servers are full, more spend adds nothing."),
        source=("Policy chapter's plan value through the cloud chapter's programme; assumptions (factories, spend, "
                "share, the cloud's cash margin and capacity, multiple, the rally's size)"),
        reference=(f"USD {added:,.1f}bn the rally added", added),
    )


def hk_vs_us(p: Any, claims) -> SliderChart:
    """The sources' own arithmetic: what a multiple of FY2027 earnings per ADS is worth (USD, undiscounted),
    against the 4 January price, and its Hong Kong parity price (the chapter's price functions)."""
    from alibaba_report.chapters import hk_vs_us as hk

    eps27 = claims.value(hk.EPS_FY27)
    pe = Slider.at("pe", "P/E multiple", "x", 10, 35, 0.5, float(claims.value(hk.PE_FORWARD)))
    eps = Slider.at("eps_usd", "FY2027 earnings per ADS", "USD", round(eps27 - 4, 2), round(eps27 + 4, 2), 0.25, eps27)
    price_now = claims.value(hk.PRICE_NOW)

    def model(pe, eps_usd):
        price = hk.price_from_eps(eps_usd, pe)
        return {"price_usd": price, "vs_now_pct": hk.upside_pct(price_now, price),
                "hk_parity_hkd": hk.hk_parity_price_hkd(price, p.usd_hkd, p.ordinary_shares_per_ads)}

    g = interactive.fill(interactive.grid("hk_vs_us-multiple", [pe, eps]), model)
    return SliderChart(
        name="hk_vs_us-multiple",
        title="What a multiple of FY2027 earnings is worth, in New York and in Hong Kong",
        grid=g, sliders=(pe, eps),
        y=Figure("price_usd", "Price", "USD ", decimals=2),
        y_title="price (USD per ADS)",
        figures=(Figure("price_usd", "Price per ADS", "USD ", decimals=2),
                 Figure("vs_now_pct", f"Against USD {price_now:g} on 4 January", suffix="%", decimals=1, signed=True),
                 Figure("hk_parity_hkd", "Hong Kong price at parity", "HKD ", decimals=2)),
        description=(f"The price per ADS that a P/E of {_span(pe)} times gives on FY2027 earnings of USD {eps.start:.2f} "
                     f"to {eps.stop:.2f} a share (the analysts' forecast is USD {eps27:g}), undiscounted as the sources "
                     f"do it, against the USD {price_now:g} price of 4 January (dashed line), with the Hong Kong "
                     f"price per share at parity ({p.ordinary_shares_per_ads} shares per ADS, HKD {p.usd_hkd:g} per USD)."),
        source=_source("The sources' multiples and prices", claims, [hk.EPS_FY27, hk.PRICE_NOW, hk.PE_FORWARD]),
        reference=(f"USD {price_now:g} on 4 Jan", price_now),
    )


def meitu_deal(p: Any, claims) -> SliderChart:
    """The convertible bond's conversion value (USD m) over Meitu's share price (the chapter's
    :func:`conversion_value_usd_m` and :func:`holder_value_usd_m`)."""
    from alibaba_report.chapters import meitu_deal as meitu

    t = meitu.terms(claims)
    price = Slider.at("meitu_share_price_hkd", "Meitu's share price", "HKD", 1, 15, 0.1, float(p.meitu_share_price_hkd))
    shares = meitu.conversion_shares_m(t["face_usd_m"], p.usd_hkd, t["conversion_price_hkd"])

    def model(meitu_share_price_hkd):
        conv = meitu.conversion_value_usd_m(shares, meitu_share_price_hkd, p.usd_hkd)
        return {"conversion_value_usd_m": conv, "holder_value_usd_m": meitu.holder_value_usd_m(t["face_usd_m"], conv),
                "gain_pct": 100.0 * (conv / t["face_usd_m"] - 1.0)}

    g = interactive.fill(interactive.grid("meitu_deal-conversion", [price]), model)
    face = t["face_usd_m"]
    return SliderChart(
        name="meitu_deal-conversion",
        title="What Alibaba's Meitu bond is worth as Meitu's shares move",
        grid=g, sliders=(price,),
        y=Figure("conversion_value_usd_m", "Worth if converted", "USD ", suffix="m", decimals=0),
        y_title="worth if converted (USD m)",
        figures=(Figure("conversion_value_usd_m", "Worth if converted", "USD ", suffix="m", decimals=0),
                 Figure("gain_pct", f"Against the USD {face:g}m paid", suffix="%", decimals=0, signed=True),
                 Figure("holder_value_usd_m", "Worth to the holder at maturity", "USD ", suffix="m", decimals=0)),
        description=(f"The {shares:,.0f} million Meitu shares the USD {face:g}m bond converts into, valued in "
                     f"USD millions at a Meitu share price of HKD {_span(price)}, against the USD {face:g}m face "
                     f"value (dashed line); at maturity the holder has the larger of the two."),
        source=_source("Meitu chapter, the deal's terms", claims, [meitu.CLAIMS["face_usd_m"], meitu.CLAIMS["conversion_price_hkd"]]),
        reference=(f"USD {face:g}m face value", face),
    )


PAGES = {"index": summary, "retail_war": retail_war, "cloud_ai": cloud_ai, "policy_catalyst": policy_catalyst,
         "hk_vs_us": hk_vs_us, "meitu_deal": meitu_deal}
