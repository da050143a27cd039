"""The fiscal calendar the model of value counts in: Alibaba's fiscal year ends 31 March (FY27 runs
April 2026 to March 2027); the model's quarters are counted from FQ3 FY26 (October-December 2025),
the brokers' peak quarter, where every loss path starts. Dates are computed from dates."""
from __future__ import annotations

import datetime as dt

from alibaba_report.chapters import contract

PRICING_DATE = dt.date(2026, 1, 4)  # seed 004's dateline: the USD 152 price and the forward P/E of about 20
TARGET_DATE = PRICING_DATE.replace(year=PRICING_DATE.year + 1)  # a 12-month target is a price a year on
FISCAL_YEAR_FIRST_MONTH = 4  # Alibaba's fiscal year ends 31 March: FY27 runs April 2026 to March 2027
PATH_START = dt.date(2025, 10, 1)  # FQ3 FY26, the brokers' peak quarter: the first quarter of a loss path
REPORTED_QUARTER_MIDDLE = dt.date(2025, 8, 15)  # FQ2 FY26 (July-September 2025), the cloud's reported quarter
PLAN_START = dt.date(2026, 4, 1)  # the first day of FY27: the policy plan's cloud revenue is counted from then (an assumption)


def day(d: dt.date, short: bool = False) -> str:
    """A date in reader words: "4 January 2026" (or "4 Jan 2026")."""
    return f"{d.day} {d:%b %Y}" if short else f"{d.day} {d:%B %Y}"


def fiscal_year(d: dt.date) -> int:
    """The fiscal year a date falls in, as its last two digits (4 January 2026 is FY26, 1 April 2026 FY27)."""
    return (d.year + (1 if d.month >= FISCAL_YEAR_FIRST_MONTH else 0)) % 100


def quarter_index(d: dt.date) -> int:
    """The quarter a date falls in, counted from FQ3 FY26 (0) as the loss paths are."""
    return (d.year - PATH_START.year) * 4 + (d.month - 1) // 3 - (PATH_START.month - 1) // 3


def quarter_start(i: int) -> dt.date:
    months = PATH_START.month - 1 + 3 * i
    return dt.date(PATH_START.year + months // 12, months % 12 + 1, 1)


def ntm_quarters(d: dt.date) -> list[int]:
    """The four quarters of the twelve months after ``d``: the quarter it falls in and the next three."""
    i = quarter_index(d)
    if i < 0:
        raise contract.ModelInputError(f"{d.isoformat()} is before FQ3 FY26, where the model's quarters begin")
    return [i, i + 1, i + 2, i + 3]


def years_since_reported_quarter(d: dt.date) -> float:
    """Years from the middle of the cloud's reported quarter (year 0 of the cloud's model) to ``d``."""
    return (d - REPORTED_QUARTER_MIDDLE).days / 365.25


def years_to_fiscal_middle(fy: int) -> float:
    """Years from the middle of the cloud's reported quarter to the middle of fiscal year ``fy``."""
    return years_since_reported_quarter(dt.date(2000 + fy - 1, FISCAL_YEAR_FIRST_MONTH + 6, 1))


HORIZON_QUARTERS = max(ntm_quarters(TARGET_DATE)) + 1 + 1  # through FQ4 FY28
FY27_QUARTERS = [i for i in range(HORIZON_QUARTERS) if fiscal_year(quarter_start(i)) == 27]
