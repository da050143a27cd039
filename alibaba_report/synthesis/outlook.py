"""What a portfolio manager expects beside the valuation: a dated catalyst calendar (dates the sources
give, quarter ends computed from the fiscal calendar) and China-specific risks no source names, each
labelled as from outside the sources."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from alibaba_report.synthesis import valuation

OUTSIDE = "outside the sources"
# Events the sources date, by claim: (reader words, claim id whose date or period dates it).
DATED_EVENTS = (
    ("Meitu convertible bond issued", "meitu_bond_issue_date_s004"),
    ("Citi cuts its earnings forecast and target price", "citi_report_date_s000"),
    ("US shares start the rally on the AI Plus Manufacturing plan", "us_shares_rally_start_s001"),
    ("euro close the verdict is also given at", "overseas_shares_close_s002"),
)


def _claim_date(claims, cid: str):
    c = claims.get(cid)
    return c.date if c.date is not None else dt.date.fromisoformat(c.period)


def quarter_end(i: int):
    """The last day of the model's quarter ``i`` (0 = FQ3 FY26, October to December 2025)."""
    return valuation.quarter_start(i + 1) - dt.timedelta(days=1)


def catalyst_calendar(claims, sources: pd.DataFrame) -> pd.DataFrame:
    """Dated events: those the sources date, the quarters whose results decide the war's path (their ends
    computed from the fiscal calendar; the reporting dates are not in the sources), and the target's date."""
    by_seed = sources.set_index("seed")

    def source(cid: str) -> str:
        row = by_seed.loc[claims.get(cid).seed]
        who = row["publisher"] if row["publisher"] != "not stated in the text" else f"a {row['kind']}"
        when = valuation.day(dt.date.fromisoformat(row["date"])) if row["date"] != "undated" else "undated"
        return f"{who}, {when}"

    rows = [{"date": _claim_date(claims, cid), "event": what, "source": source(cid)} for what, cid in DATED_EVENTS]
    for i, what in ((0, "the brokers' peak quarter"), (1, "the first quarter the loss can shrink"),
                    (valuation.FY27_QUARTERS[-1], "the last quarter of FY27, the forecasts' last year")):
        fy = valuation.fiscal_year(valuation.quarter_start(i))
        fq = (i + 2) % 4 + 1
        rows.append({"date": quarter_end(i), "event": f"FQ{fq} FY{fy} ends: {what}; results follow",
                     "source": f"fiscal calendar; the results' date is {OUTSIDE}"})
    rows.append({"date": valuation.TARGET_DATE, "event": "the 12-month target's date", "source": "this book"})
    out = pd.DataFrame(rows).sort_values("date", kind="stable")
    out["date"] = [valuation.day(d) for d in out["date"]]
    return out.set_index("date")


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
