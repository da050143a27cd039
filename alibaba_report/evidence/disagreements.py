"""Where the seeds disagree with each other or with their own arithmetic, found by code.

Three checks, all driven by the ledger and small data files, never by a hand-made list of cases:

1. ``same_metric_differs``: claims with the same subject, metric and unit for a comparable period
   (``data/period_aliases.csv`` says which undated periods count as which dated one, and why) whose
   readings cannot all be true. Each value is read as an interval from its words and rounding
   ("34%" is 33.5 to 34.5, "approximately 40%" is 38 to 42 (5% either way), "more than 9%" is
   above 9 up to 10, "over 30%" and "over 600 million" run to the next round number (40, 700
   million), "hundreds of billions" is 100 to 1,000 billion), so "more than 9%" and "10%" agree
   while 34% and 38% do not. A gap of ten times or more is reported as ``implausible``.
2. ``arithmetic`` and 3. ``implausible`` rules from ``data/disagreement_rules.csv``: each row is a
   relation between claims (a formula over claim ids, compared with another formula by a test and
   a tolerance). The code evaluates every relation and reports only those that fail, with the
   arithmetic written out.

``data/disagreement_resolutions.csv`` says, per case, which figure the report uses and why. How a
chapter shows the cases (who said what, the cards) is case_cards.py.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from alibaba_report import paths
from alibaba_report.evidence.case_cards import (  # noqa: F401 - importable from here, as before
    KIND_WORDS, SPEAKER_WORDS, ReaderCases, _who, case_anchor, case_title, for_readers, said, touching,
)
from alibaba_report.evidence.ledger import (Claim, Ledger, LedgerError, UnknownClaimError, csv_errors, load_claims)

COLUMNS = ("case_id", "kind", "subject", "metric", "claims", "sources", "values", "gap",
           "gap_unit", "explanation", "report_uses", "matters")
MATTERS = (1, 2, 3)  # 1: central to the value; 2: changes a chapter's reading; 3: a detail
RULE_COLUMNS = ("rule_id", "kind", "subject", "metric", "formula", "compare_with", "test",
                "tolerance", "gap_unit", "why")
RULE_KINDS = ("arithmetic", "implausible")
TESTS = ("approx", "at_least", "at_most", "within_factor")
NOT_RESOLVED = "not resolved"
_MAGNITUDE_WORDS = re.compile(r"\b(tens|hundreds|dozens|triple|double)\b", re.IGNORECASE)


# Helpers chapters reuse for the same arithmetic (plain numbers in, percent out).
def implied_upside(target: float, price: float) -> float:
    """Upside to a price target, in percent: 205 over 152 -> 34.9."""
    return (target / price - 1) * 100


def pct_change(old: float, new: float) -> float:
    """Change from ``old`` to ``new``, in percent: 35.2 -> 5.4 is -84.7."""
    return (new / old - 1) * 100


def margin_pct(part: float, whole: float) -> float:
    """``part`` as a percent of ``whole`` (same units): 0.506 of 5.59 -> 9.05."""
    return part / whole * 100


def implied_eps_growth(eps_next: float, price: float, pe: float) -> float:
    """Growth from the EPS a P/E implies (price / P/E) to ``eps_next``, in percent."""
    return (eps_next / (price / pe) - 1) * 100


class Interval(NamedTuple):
    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    def describe(self) -> str:
        lo = f"above {_fmt(self.lo)}" if self.lo_open else _fmt(self.lo)
        hi = f"below {_fmt(self.hi)}" if self.hi_open else _fmt(self.hi)
        return f"{lo} to {hi}"


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if abs(x) < 1e6 else f"{x:.4g}"


def reading_interval(claim: Claim) -> Interval:
    """The range of true values a claim's words allow (see the module docstring)."""
    magnitude = abs(claim.value)
    if _MAGNITUDE_WORDS.search(claim.value_text):  # "tens of", "triple-digit": up to 10 times
        lo, hi, lo_open, hi_open = magnitude, magnitude * 10, False, True
    else:
        token = re.search(r"\d+(?:,\d{3})*(?:\.\d+)?", claim.value_text)
        digits = token.group().replace(",", "") if token else "1"  # a number word: a count
        if "." in digits:
            step = 10.0 ** -len(digits.split(".")[1])
        elif claim.bound not in ("exact", "approx") or len(digits) >= 3:
            # Trailing zeros mark a round number: "over 30%" is 30 to 40, "600 million" is
            # rounded to the hundred million. A plain "10%" or "80%" is read as precise.
            step = 10.0 ** (len(digits) - len(digits.rstrip("0")))
        else:
            step = 1.0
        step *= magnitude / float(digits) if token and float(digits) else 1.0  # into the unit
        half = step / 2
        lo, hi, lo_open, hi_open = {
            "exact": (magnitude - half, magnitude + half, False, False),
            "approx": (magnitude - max(half, 0.05 * magnitude),
                       magnitude + max(half, 0.05 * magnitude), False, False),
            "more_than": (magnitude, magnitude + step, True, False),
            "at_least": (magnitude, magnitude + step, False, False),
            "less_than": (magnitude - step, magnitude, False, True),
            "up_to": (magnitude - step, magnitude, False, False),
        }[claim.bound]
    if claim.value < 0:
        return Interval(-hi, -lo, hi_open, lo_open)
    return Interval(lo, hi, lo_open, hi_open)


def _value_label(claim: Claim) -> str:
    sign = {"more_than": ">", "at_least": "≥", "less_than": "<", "up_to": "≤", "approx": "~"}
    return f"{sign.get(claim.bound, '')}{claim.value:g}"


def _slug(*parts: str) -> str:
    return "__".join(re.sub(r"[^a-z0-9]+", "_", p.lower()).strip("_") for p in parts)


def _read(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    if not path.exists():
        raise LedgerError(f"{path}: file not found")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != columns:
            raise LedgerError(f"{path}: line 1: expected the columns {', '.join(columns)}; got "
                              f"{', '.join(reader.fieldnames or ())}")
        with csv_errors(path, reader):
            return [(reader.line_num, {k: v or "" for k, v in row.items()}) for row in reader]


def _cut(text: str, limit: int = 60) -> str:
    """A field quoted for a message, cut to ``limit`` characters (a huge one stays readable)."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"… ({len(text):,} characters)"


def load_period_aliases(path: Path | str | None = None) -> dict[str, tuple[str, str]]:
    """period -> (period it is compared as, why)."""
    path = Path(path or paths.data_dir() / "period_aliases.csv")
    rows = _read(path, ("period", "compare_as", "why"))
    return {r["period"]: (r["compare_as"], r["why"]) for _, r in rows}


def load_rules(ledger: Ledger, path: Path | str | None = None) -> list[dict[str, str]]:
    """The relation rules, checked: closed kinds and tests, and every claim id in the ledger."""
    path = Path(path or paths.data_dir() / "disagreement_rules.csv")
    rules = []
    for line, rule in _read(path, RULE_COLUMNS):
        where = f"{path}: line {line} (rule {rule['rule_id']!r})"
        if rule["kind"] not in RULE_KINDS:
            raise LedgerError(f"{where}: column 'kind': expected one of {', '.join(RULE_KINDS)}, "
                              f"got {rule['kind']!r}")
        if rule["test"] not in TESTS:
            raise LedgerError(f"{where}: column 'test': expected one of {', '.join(TESTS)}, got "
                              f"{rule['test']!r}")
        try:
            float(rule["tolerance"])
        except ValueError:
            raise LedgerError(f"{where}: column 'tolerance': expected a number, got "
                              f"{rule['tolerance']!r}") from None
        for column in ("formula", "compare_with"):
            try:
                names = ledger.names_in(rule[column])
            except SyntaxError:
                raise LedgerError(f"{where}: column {column!r}: expected a formula, got "
                                  f"{_cut(rule[column])}") from None
            except ValueError as exc:  # too long or too deeply nested
                raise LedgerError(f"{where}: column {column!r}: {exc}, got {_cut(rule[column])}") from None
            for name in names:
                try:
                    ledger.get(name)
                except UnknownClaimError as exc:
                    raise LedgerError(f"{where}: column {column!r}: claim {name!r} is missing "
                                      f"from the ledger ({exc})") from None
        rules.append(rule)
    return rules


def load_resolutions(path: Path | str | None = None) -> dict[str, tuple[str, int]]:
    """case id -> (what the report uses and why, how much it matters: 1 most, 3 least)."""
    path = Path(path or paths.data_dir() / "disagreement_resolutions.csv")
    out = {}
    for line, r in _read(path, ("case_id", "matters", "report_uses")):
        if r["matters"] not in {str(m) for m in MATTERS}:
            raise LedgerError(f"{path}: line {line} (case {r['case_id']!r}): column 'matters': expected one of "
                              f"{', '.join(map(str, MATTERS))}, got {r['matters'][:20]!r}")
        out[r["case_id"]] = (r["report_uses"], int(r["matters"]))
    return out


def _written_out(ledger: Ledger, formula: str) -> str:
    """The formula with each claim id replaced by its value: the arithmetic a reader can redo."""
    names = sorted(ledger.names_in(formula), key=len, reverse=True)
    if not names:
        return formula
    pattern = re.compile(r"\b(%s)\b" % "|".join(map(re.escape, names)))
    return pattern.sub(lambda m: f"{ledger.value(m.group()):g}", formula)


def _arithmetic(ledger: Ledger, formula: str, result: float) -> str:
    written = _written_out(ledger, formula)
    return written if written == _fmt(result) else f"{written} = {_fmt(result)}"


def same_metric_cases(ledger: Ledger, aliases: dict[str, tuple[str, str]]) -> list[dict]:
    """Check 1: same subject, metric, unit and comparable period, readings that cannot all hold."""
    groups: dict[tuple[str, str, str, str], list[Claim]] = {}
    for claim in ledger.claims.values():
        if claim.unit == "date":
            continue
        period = aliases.get(claim.period, (claim.period, ""))[0]
        groups.setdefault((claim.subject, claim.metric, claim.unit, period), []).append(claim)
    cases = []
    for (subject, metric, unit, period), claims in sorted(groups.items()):
        if len(claims) < 2:
            continue
        claims = sorted(claims, key=lambda c: (c.seed, c.id))
        readings = {c.id: reading_interval(c) for c in claims}
        high = max(claims, key=lambda c: (readings[c.id].lo, readings[c.id].lo_open))
        low = min(claims, key=lambda c: (readings[c.id].hi, not readings[c.id].hi_open))
        a, b = readings[high.id], readings[low.id]
        if a.lo < b.hi or (a.lo == b.hi and not a.lo_open and not b.hi_open):
            continue  # some value fits every reading
        magnitudes = [abs(c.value) for c in claims if c.value]
        kind = ("implausible" if min(magnitudes) and max(magnitudes) / min(magnitudes) >= 10
                else "same_metric_differs")
        gap_unit = "pp" if unit == "%" else unit
        lines = [f"{_who(ledger, c)}: '{c.value_text}' reads as {readings[c.id].describe()} {unit}"
                 for c in claims]
        why = sorted({aliases[c.period][1] for c in claims if c.period in aliases})
        explanation = (
            "; ".join(lines) + f". No single value fits every reading: {_who(ledger, high)} "
            f"({a.describe()}) and {_who(ledger, low)} ({b.describe()}) do not overlap; gap "
            f"{_fmt(high.value)} - {_fmt(low.value)} = {_fmt(high.value - low.value)} {gap_unit}."
            + (f" Periods compared as {period}: " + " ".join(why) if why else ""))
        cases.append(dict(
            case_id=_slug(subject, metric, period), kind=kind, subject=subject, metric=metric,
            claims=", ".join(c.id for c in claims),
            sources="; ".join(dict.fromkeys(ledger.source_name(c.seed) for c in claims)),
            values="; ".join(_value_label(c) for c in claims),
            gap=round(high.value - low.value, 4), gap_unit=gap_unit, explanation=explanation))
    return cases


def evaluate_rule(ledger: Ledger, rule: dict[str, str]) -> dict:
    """Evaluate one relation: computed, compared-with, gap, whether it holds, the arithmetic."""
    computed = ledger.evaluate(rule["formula"])
    other = ledger.evaluate(rule["compare_with"])
    tolerance = float(rule["tolerance"])
    test = rule["test"]
    if test == "within_factor":
        gap = max(abs(computed), abs(other)) / min(abs(computed), abs(other))
        holds = gap <= tolerance
        verdict = (f"ratio {_fmt(max(abs(computed), abs(other)))} / "
                   f"{_fmt(min(abs(computed), abs(other)))} = {_fmt(gap)}, "
                   f"{'within' if holds else 'beyond'} the factor of {_fmt(tolerance)} allowed")
    else:
        gap = computed - other
        holds = {"approx": abs(gap) <= tolerance, "at_least": computed >= other - tolerance,
                 "at_most": computed <= other + tolerance}[test]
        wanted = {"approx": f"within {_fmt(tolerance)} {rule['gap_unit']} of",
                  "at_least": "at least", "at_most": "at most"}[test]
        verdict = (f"computed minus compared = {_fmt(gap)} {rule['gap_unit']}; the relation "
                   f"(computed {wanted} compared) {'holds' if holds else 'fails'}")
    explanation = (f"{rule['why']} Computed: {_arithmetic(ledger, rule['formula'], computed)}. "
                   f"Compared with: {_arithmetic(ledger, rule['compare_with'], other)}. {verdict}.")
    return dict(computed=computed, compared=other, gap=gap, holds=holds, explanation=explanation)


def rule_cases(ledger: Ledger, rules: list[dict[str, str]]) -> list[dict]:
    """Checks 2 and 3: every relation that fails, with its arithmetic."""
    cases = []
    for rule in rules:
        try:
            result = evaluate_rule(ledger, rule)
        except (ArithmeticError, ValueError) as exc:  # e.g. a division by zero: name the rule
            raise LedgerError(f"data/disagreement_rules.csv: rule {rule['rule_id']!r}: {exc}") from None
        if result["holds"]:
            continue
        ids = ledger.names_in(rule["formula"]) + ledger.names_in(rule["compare_with"])
        ids = list(dict.fromkeys(ids))
        cases.append(dict(
            case_id=rule["rule_id"], kind=rule["kind"], subject=rule["subject"],
            metric=rule["metric"], claims=", ".join(ids),
            sources="; ".join(dict.fromkeys(ledger.source_name(ledger.get(i).seed) for i in ids)),
            values="; ".join(_value_label(ledger.get(i)) for i in ids),
            gap=round(result["gap"], 4), gap_unit="x" if rule["test"] == "within_factor"
            else rule["gap_unit"], explanation=result["explanation"]))
    return cases


def find_disagreements(ledger: Ledger | None = None, rules_path: Path | str | None = None,
                       aliases_path: Path | str | None = None,
                       resolutions_path: Path | str | None = None) -> pd.DataFrame:
    """Every disagreement the checks find, one row per case (columns: ``COLUMNS``)."""
    ledger = ledger or load_claims()
    aliases = load_period_aliases(aliases_path)
    rules = load_rules(ledger, rules_path)
    resolutions = load_resolutions(resolutions_path)
    cases = same_metric_cases(ledger, aliases) + rule_cases(ledger, rules)
    for case in cases:
        case["report_uses"], case["matters"] = resolutions.get(case["case_id"], (NOT_RESOLVED, 1))
    order = {"same_metric_differs": 0, "arithmetic": 1, "implausible": 2}
    cases.sort(key=lambda c: (order[c["kind"]], c["case_id"]))
    return pd.DataFrame(cases, columns=list(COLUMNS))
