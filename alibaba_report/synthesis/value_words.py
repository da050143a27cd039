"""The sentences about value, each a small tested function of numbers: the view against the price,
the calibration, the break-evens, the verdict and the 12-month target, the draws, the drivers and the
funding. They take numbers and return words; :mod:`.value_tables` feeds them the model's numbers."""
from __future__ import annotations

import pandas as pd

from alibaba_report.synthesis import valuation

FAIR_BAND_PCT = 10.0  # within this of the probability-weighted value, the price is "about fair"


def usd(x: float) -> str:
    return f"USD {x:,.0f}"


# --- sentences ---------------------------------------------------------------------------------

def view_phrase(price: float, weighted: float, band_pct: float = FAIR_BAND_PCT) -> str:
    """The view in one phrase: where the price sits against the probability-weighted value."""
    gap = (weighted / price - 1) * 100
    if gap > band_pct:
        return f"undervalued: the probability-weighted value of {usd(weighted)} is {gap:.0f}% above the {usd(price)} price"
    if gap < -band_pct:
        return f"overvalued: the probability-weighted value of {usd(weighted)} is {-gap:.0f}% below the {usd(price)} price"
    return (f"about fairly priced: the probability-weighted value of {usd(weighted)} is within "
            f"{band_pct:.0f}% of the {usd(price)} price ({gap:+.0f}%)")


def distribution_sentence(percentiles: dict[str, float], median: float, p10: float, p90: float) -> str:
    """Where the quoted prices sit in the distribution of value."""
    parts = [f"{share:.0f}% of outcomes fall below {label}" for label, share in percentiles.items()]
    return (f"Drawing the assumptions 10,000 times, each draw a case picked with its probability and every assumption "
            f"around that case's value, puts the value between {usd(p10)} and {usd(p90)} in four cases out of five "
            f"(median {usd(median)}); " + " and ".join(parts) + ".")


def uncertainty_sentence(weights: dict[str, float]) -> str:
    """How the draws are made, with the weights: the ranges are in the table beside it."""
    w = ", ".join(f"{s} {x * 100:.0f}%" for s, x in weights.items())
    return (f"Each of the 10,000 draws first picks a case with its probability ({w}); every assumption the cases set is "
            "then drawn around that case's value, no further than halfway to the next case's (the outer cases as far "
            "beyond), so the assumptions move together as the cases do. The assumptions the cases hold equal are "
            "drawn over the stated ranges whatever the case, independently of each other. The table gives every range.")


def calibration_sentence(price: float, pe: float, ntm_eps: float, value: float,
                         when: str = valuation.day(valuation.PRICING_DATE)) -> str:
    """The model gives back the market: the forecasts' own earnings at the market's multiple."""
    return (f"Fed the analysts' own forecasts, the model gives back the market: the {usd(price)} price of {when} "
            f"is {pe:.1f} times their earnings for the next twelve months (USD {ntm_eps:.2f} a share), and at that "
            f"multiple their forecasts are worth USD {value:.1f}.")


def breakeven_sentence(case: str, price: float, be_pe: float, pe: float, be_shrink: float | None, shrink: float,
                       embedded: float, be_margin: float | None, margin: float) -> str:
    """The break-evens first: the multiple the price pays on the case's next-twelve-months earnings,
    then the loss shrink and the cloud margin at which the case's value equals the price."""
    first = (f"At the {case} case's earnings the {usd(price)} price pays {be_pe:.1f} times the next twelve months' "
             f"earnings, against the {pe:.1f} times the {case} case applies")
    if be_shrink is None:
        shrink_part = f"no pace of shrinking losses alone makes the {case} case worth the price"
    else:
        # compared as the sentence shows them (whole percents), so it never says "20%, faster than the 20%"
        side = ("faster than" if round(be_shrink) > round(shrink) else "slower than" if round(be_shrink) < round(shrink)
                else "about as fast as")
        shrink_part = (f"the price is worth paying if the instant-retail loss shrinks at least {be_shrink:.0f}% a quarter, "
                       f"{side} the {shrink:.0f}% the {case} case assumes")
    margin_part = ("" if be_margin is None else
                   f", or if new cloud revenue earns a cash margin of {be_margin:.0f}% (the {case} case assumes {margin:.0f}%)")
    return (f"{first}. With the {case} case's other assumptions, {shrink_part}{margin_part}. The forecasts are taken "
            f"to assume the loss shrinks {embedded:.0f}% a quarter: an assumption, which no source states.")


def verdict_sentence(target: float, prices: dict[str, float], coe: float, fy28_growth: float,
                     target_day: str = valuation.day(valuation.TARGET_DATE)) -> str:
    """The rating at each quoted price, with its horizon and the basis of the target."""
    parts = []
    for label, price in prices.items():
        ret = (target / price - 1) * 100
        parts.append(f"{valuation.rating(ret, coe)} at {label} ({usd(price)}: {ret:+.0f}% to the target)")
    band = valuation.RATING_BAND_PP
    return (f"Over twelve months: {'; '.join(parts)}. The 12-month target of {usd(target)} is the probability-weighted "
            f"value on {target_day} at the same multiple; three quarters of its earnings fall in FY28, which "
            f"no source forecasts, so FY28 earnings are assumed to grow {fy28_growth:.0f}% (an assumption). Buy means a return more than "
            f"{band:.0f} points above the {coe:.0f}% a year shareholders are taken to require; Sell, more than "
            f"{band:.0f} below; Hold, between.")


def target_sentence(target: float, analysts: float, values_12m: dict[str, float],
                    target_day: str = valuation.day(valuation.TARGET_DATE)) -> str:
    """The analysts' average target against the book's 12-month values: the same horizon."""
    ordered = sorted(values_12m.items(), key=lambda kv: kv[1])
    below = [s for s, x in ordered if x < analysts]
    if len(below) == len(ordered):
        where = f"above even the {ordered[-1][0]} case's"
    elif not below:
        where = f"below even the {ordered[0][0]} case's"
    else:
        where = f"between the {below[-1]} case's and the {ordered[len(below)][0]} case's"
    listed = ", ".join(f"{s} {usd(x)}" for s, x in values_12m.items())
    return (f"The analysts' average target of {usd(analysts)} is a 12-month price too, so it is read against the book's "
            f"values on {target_day} ({listed}): it sits {where}, {(analysts / target - 1) * 100:+.0f}% from the "
            f"book's 12-month target of {usd(target)}.")


def drivers_sentence(tornado: pd.DataFrame, n: int = 3) -> str:
    """The few assumptions that move value most, in reader words."""
    if tornado.empty:
        raise valuation.contract.ModelInputError("drivers_sentence needs at least one assumption")
    top = tornado.head(n)
    items = [f"{r.assumption} ({usd(min(r.value_at_low, r.value_at_high))}–{usd(max(r.value_at_low, r.value_at_high))[4:]})"
             for r in top.itertuples()]
    return "What moves the value most: " + "; ".join(items) + "."


def funding_sentence(f: dict[str, float]) -> str:
    free = f["free_cash_rmb_bn"]
    verdict = (f"covers a year of Goldman Sachs' forecast of group capex (RMB {f['capex_rmb_bn']:.0f}bn) with about RMB {free:.0f}bn to spare"
               if free >= 0 else
               f"does not cover a year of Goldman Sachs' forecast of group capex (RMB {f['capex_rmb_bn']:.0f}bn): it falls about "
               f"RMB {-free:.0f}bn short")
    return (f"In FY27 the group's cash after tax, about RMB {f['cash_after_tax_rmb_bn']:.0f}bn, {verdict}. "
            f"The last reported quarter alone had a free cash outflow of RMB {-f['last_quarter_fcf_rmb_bn']:.1f}bn.")


def cloud_credit_sentence(case: str, cash_fy27: float, depreciation_fy27: float, irr: float, coe: float,
                          npv_per_ads: float, same_below: float = 0.05) -> str:
    """What the cloud programme adds to the ``case``'s value, and what a multiple of next year's earnings
    does not see of it: its return on the capex against the cost of equity ``coe`` and its present value
    at that rate (``npv_per_ads``, USD per ADS). ``cash_fy27`` and ``depreciation_fy27`` are the case's
    FY27 cash profit and depreciation against the programme the forecasts are taken to embed (RMB bn)."""
    ret = ("has no rate of return (its cash flows never turn positive)" if irr != irr
           else f"returns {irr:.1f}% a year on its capex, {'under' if irr < coe else 'over'} the {coe:.0f}% cost of equity")
    pv = (f"discounted at {coe:.0f}% its cash flows are worth {'minus ' if npv_per_ads < 0 else ''}"
          f"{usd(abs(npv_per_ads))} per ADS")
    if abs(cash_fy27) < same_below and abs(depreciation_fy27) < same_below:
        return (f"The {case} case's cloud programme is the one the forecasts are taken to embed, so the cloud adds "
                f"nothing to its value, up or down: a judgement, since no source says what the forecasts assume. That "
                f"programme {ret}; {pv}, which a multiple of next year's earnings does not see. The {case} value "
                f"stands only if the market goes on paying for the programme as the forecasts do.")
    return (f"Against the programme the forecasts are taken to embed, the {case} case's cloud programme changes FY27 "
            f"cash profit by RMB {cash_fy27:+.1f}bn and depreciation by RMB {depreciation_fy27:+.1f}bn, which the value "
            f"counts. It {ret}; {pv}, of which a multiple of next year's earnings sees only FY27.")
