"""What a portfolio manager expects beside the valuation: a dated catalyst calendar (dates the sources
give, quarter ends computed from the fiscal calendar) and China-specific risks no source names, each
labelled as from outside the sources."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from alibaba_report import params
from alibaba_report.synthesis import valuation

OUTSIDE = "outside the sources"
EXPECTED = f"expected, {OUTSIDE}"
# Events the sources date, by claim: (reader words, claim id whose date or period dates it).
DATED_EVENTS = (
    ("Meitu convertible bond issued", "meitu_bond_issue_date_s004"),
    ("US shares near USD 152: the first price the verdict is given at", "us_share_price_s004"),
    ("Citi cuts its earnings forecast and target price", "citi_report_date_s000"),
    ("US shares start the rally on the AI Plus Manufacturing plan", "us_shares_rally_start_s001"),
    ("Shares close at EUR 145.80 in overseas trading: the second price the verdict is given at",
     "overseas_shares_close_s002"),
)
# The claim that dates the fiscal calendar: the news article of 8 January puts FQ3 FY26 in calendar Q4 2025.
CALENDAR_CLAIM = "gs_group_ebitda_yoy_fq3_fy26"
RESULTS_LAG_MONTHS = 2  # Alibaba usually reports a quarter about two months after it ends (outside the sources)


def _claim_date(claims, cid: str):
    c = claims.get(cid)
    return c.date if c.date is not None else dt.date.fromisoformat(c.period)


def quarter_end(i: int):
    """The last day of the model's quarter ``i`` (0 = FQ3 FY26, October to December 2025)."""
    return valuation.quarter_start(i + 1) - dt.timedelta(days=1)


def quarter_name(i: int) -> str:
    """``FQ3 FY26`` for the model's quarter ``i`` (0)."""
    start = valuation.quarter_start(i)
    return f"FQ{(start.month - valuation.FISCAL_YEAR_FIRST_MONTH) % 12 // 3 + 1} FY{valuation.fiscal_year(start)}"


def results_month(i: int) -> dt.date:
    """The first day of the month quarter ``i``'s results usually come in (outside the sources): the
    December quarter's in February, the March quarter's in May, and so on."""
    end = quarter_end(i)
    months = end.month - 1 + RESULTS_LAG_MONTHS
    return dt.date(end.year + months // 12, months % 12 + 1, 1)


def watched_quarters(scenario: str) -> tuple[tuple[int, str], ...]:
    """The quarters whose results decide the war's path under ``scenario``: the brokers' peak quarter,
    the first quarter the scenario's loss shrinks, and the last quarter of FY27 (the forecasts' last year)."""
    first_shrink = int(params.scenario_parameters(scenario, "retail_war")["peak_quarters"])
    return ((0, "the quarter the brokers forecast as the loss's peak"),
            (first_shrink, f"the first quarter the loss shrinks in the {scenario} case"),
            (valuation.FY27_QUARTERS[-1], "the last quarter of FY27, the forecasts' last year"))


def catalyst_calendar(claims, sources: pd.DataFrame, scenario: str = params.BASE) -> pd.DataFrame:
    """Dated events: those the sources date (publisher and date), the quarters whose results decide the
    war's path under ``scenario`` (their ends from the fiscal calendar a source gives), the month each
    quarter's results are expected (labelled as outside the sources: the sources give no results date),
    and the 12-month target's date."""
    by_seed = sources.set_index("seed")

    def source(cid: str) -> str:
        row = by_seed.loc[claims.get(cid).seed]
        who = row["publisher"] if row["publisher"] != "not stated in the text" else f"a {row['kind']}"
        when = valuation.day(dt.date.fromisoformat(row["date"])) if row["date"] != "undated" else "undated"
        return f"{who}, {when}"

    rows = [{"when": _claim_date(claims, cid), "date": "", "event": what, "source": source(cid)}
            for what, cid in DATED_EVENTS]
    calendar = f"fiscal year to 31 March (FQ3 FY26 is October-December 2025: {source(CALENDAR_CLAIM)})"
    whats: dict[int, list[str]] = {}
    for i, what in watched_quarters(scenario):  # one row a quarter, whatever falls in it
        whats.setdefault(i, []).append(what)
    for i, what in whats.items():
        name, month = quarter_name(i), results_month(i)
        rows.append({"when": quarter_end(i), "date": "", "event": f"{name} ends: {'; '.join(what)}",
                     "source": calendar})
        rows.append({"when": month, "date": f"{month:%B %Y} ({EXPECTED})", "event": f"{name} results",
                     "source": f"{EXPECTED}: Alibaba usually reports a quarter about {RESULTS_LAG_MONTHS} months "
                               "after it ends; no source gives the date"})
    rows.append({"when": valuation.TARGET_DATE, "date": "", "event": "the 12-month target's date",
                 "source": f"this book: a year after the {valuation.day(valuation.PRICING_DATE)} price"})
    out = pd.DataFrame(rows).sort_values("when", kind="stable")
    out["date"] = [d or valuation.day(w) for d, w in zip(out["date"], out["when"])]
    return out.drop(columns="when").set_index("date")


def outside_risks() -> list[str]:
    """China-specific risks no source names, each labelled as from outside the sources."""
    return [f"Export controls on AI chips ({OUTSIDE}): US limits on the GPUs Alibaba can buy could slow the capex "
            "plan or raise its cost, whatever demand the cloud finds.",
            f"Regulation of subsidy wars ({OUTSIDE}): China's market regulator can curb the instant-retail subsidies, "
            "which would end the war sooner than the cases assume, by rule rather than by choice.",
            f"ADR and listing risk ({OUTSIDE}): the US shares are depositary receipts; delisting pressure or audit "
            "disputes would move them apart from the Hong Kong line the book holds at parity.",
            "Capital returns and the balance sheet: the sources give the last quarter's free cash flow and the capex "
            "forecasts, and do not say anything of buybacks, dividends or debt; the book's net cash is an outside "
            "assumption used only for a cross-check."]
