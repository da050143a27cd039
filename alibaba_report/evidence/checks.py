"""The data checks of ``make check``: everything about ``data/`` and ``seeds/`` that a test would fail on,
said as a problem naming the file, the row and what was expected.

Each ``*_problems`` function returns a list of problems (empty when the data is right); the tests call
the same functions, so ``make check`` passing means the data tests pass. :func:`check_all` runs them all
and raises :class:`~alibaba_report.evidence.ledger.LedgerError` (a data error: exit 2) listing them.

What the loaders already refuse (a quote not in its seed, a value outside a closed list, a bad date) is
not repeated here: loading the ledger, the exclusions and the register is the first check.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from alibaba_report import params, paths
from alibaba_report.evidence import ledger as lg

MAX_SHOWN = 12  # problems listed in full; the rest are counted (a broken file can give hundreds)
MIN_REASON_WORDS = 4  # a reason says why, in a sentence: "Assumption: the middle of the range"
EXCLUSIONS = "data/ledger_exclusions.csv"


def _cut(text: str, limit: int = 80) -> str:
    text = re.sub(r"\s+", " ", str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def coverage_problems(led: lg.Ledger, exclusions: pd.DataFrame) -> list[str]:
    """Every number in the seeds is a claim's value or an excluded snippet (with its reason)."""
    return [f"seeds/{seed}: character {offset}: the number {token!r} (…{_cut(context)}…) is in no claim's value_text "
            f"and no exclusion: expected a row in data/claims.csv, or one in {EXCLUSIONS} with its reason"
            for seed, offset, token, context in lg.uncovered_mentions(led, exclusions)]


def exclusion_overlap_problems(led: lg.Ledger, exclusions: pd.DataFrame) -> list[str]:
    """No exclusion covers a claimed value: a number that became a claim loses its exclusion row."""
    problems = []
    for row_number, row in enumerate(exclusions.itertuples(), start=1):
        text = led.seed_text(row.seed)
        spans = [(m.start(), m.end()) for m in re.finditer(re.escape(row.text), text)]
        for claim_id, claim in led.claims.items():
            if claim.seed != row.seed:
                continue
            start, end = led.value_span(claim_id)
            if any(a < end and start < b for a, b in spans):
                problems.append(f"{EXCLUSIONS}: row {row_number} ({_cut(row.text, 50)!r}): covers the value of claim "
                                f"{claim_id} ({claim.value_text!r}): expected an exclusion only for numbers that are "
                                "not claims; when a number becomes a claim, remove its exclusion row")
    return problems


def exclusion_reason_problems(led: lg.Ledger, exclusions: pd.DataFrame) -> list[str]:
    """An exclusion's reason that names a claim (`like_this`) names one the ledger has."""
    return [f"{EXCLUSIONS}: row {n} ({_cut(row.text, 50)!r}): column 'reason' cites `{cited}`: expected a claim id "
            "of data/claims.csv"
            for n, row in enumerate(exclusions.itertuples(), start=1)
            for cited in re.findall(r"`([a-z][a-z0-9_]*)`", row.reason) if cited not in led]


def quote_problems(led: lg.Ledger) -> list[str]:
    """Each quote is one line, found exactly once in its seed (so the appendix can mark it)."""
    problems = []
    for claim_id, claim in led.claims.items():
        count = led.seed_text(claim.seed).count(claim.quote)
        if count != 1 or "\n" in claim.quote:
            problems.append(f"data/claims.csv: claim {claim_id}: column 'quote' is found {count} times in "
                            f"{claim.seed}{' and spans lines' if chr(10) in claim.quote else ''}: expected one line "
                            "found exactly once (quote more of the sentence)")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", claim_id):
            problems.append(f"data/claims.csv: claim {claim_id!r}: column 'id': expected snake_case")
    return problems


def register_gap_problems(sources: pd.DataFrame) -> list[str]:
    """Each gap the register reports (“before ⟨lost⟩ after”) is where it says, in its seed."""
    problems = []
    for row_number, row in enumerate(sources.itertuples(), start=1):
        path = paths.seeds_dir() / row.seed
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        for fragment in re.findall(r"“([^“”]*⟨lost⟩[^“”]*)”", str(row.reliability)):
            before, after = (p.strip() for p in fragment.split("⟨lost⟩", 1))
            if not re.search(re.escape(before) + r"\s*" + re.escape(after.replace("⟨lost⟩", "")), text):
                problems.append(f"data/sources.csv: row {row_number} ({row.seed}): column 'reliability' reports the gap "
                                f"“{_cut(fragment, 60)}”: expected the text around ⟨lost⟩ to be in the seed, side by side")
    return problems


def scenario_reason_problems(led: lg.Ledger, scenarios: Iterable[str] | None = None) -> list[str]:
    """Every value a scenario sets has a reason of a sentence, and any claim id it names is in the ledger."""
    names = set(params.read_yaml(paths.data_dir() / "parameters" / "shared.yml") or {})
    for nb in params.notebooks_with_specs():
        names |= set(params.specs(nb))
    problems = []
    for scen in params.known_scenarios() if scenarios is None else scenarios:
        for section, entries in params.scenario_sections(scen).items():
            for pname, entry in entries.items():
                where = f"data/scenarios/{scen}.yml: {section}.{pname}: 'reason'"
                if len(entry.reason.split()) < MIN_REASON_WORDS:
                    problems.append(f"{where} is {_cut(entry.reason, 40)!r}: expected a sentence saying why "
                                    f"(at least {MIN_REASON_WORDS} words)")
                for token in re.findall(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+){2,}\b", entry.reason):
                    if token not in led and token not in names:
                        problems.append(f"{where} names {token!r}: expected a claim id of data/claims.csv or a "
                                        "parameter name")
    return problems


def resolution_problems(found: pd.DataFrame, missing_ok: bool = False) -> list[str]:
    """Every disagreement the checks find says what the book uses; no resolution is left for a case gone.

    ``found``: :func:`~alibaba_report.evidence.disagreements.find_disagreements`' table (by row or by case_id).
    ``missing_ok`` (a build): a case with no row yet is not a problem: new evidence (``make accept``) can
    open a case before anyone has decided it, and the disagreements page shows it as not yet resolved;
    ``make check`` (and the tests) still name it."""
    from alibaba_report.evidence import disagreements as dis

    if "case_id" in found.columns:
        found = found.set_index("case_id")
    stale = sorted(set(dis.load_resolutions()) - set(found.index))
    problems = [f"data/disagreement_resolutions.csv: case {case!r}: the checks no longer find it: expected a row only "
                "for a case they find (remove the row)" for case in stale]
    problems += [] if missing_ok else [
        f"data/disagreement_resolutions.csv: case {case!r} has no row: expected what the book uses when the "
        "sources disagree" for case in found.index[found["report_uses"] == dis.NOT_RESOLVED]]
    return problems


def signpost_problems() -> list[str]:
    """data/signposts.yml is valid (each signpost's fields, named when wrong)."""
    from alibaba_report.synthesis import signposts

    try:
        signposts.load()
    except signposts.SignpostError as exc:
        return [str(exc)]
    except params.ParameterError as exc:
        return [f"data/signposts.yml: {exc}"]
    return []


def all_problems(led: lg.Ledger, sources: pd.DataFrame, scenarios: Iterable[str] | None = None) -> list[str]:
    """Every check above; ``scenarios``: the scenario files to check (None: all of them)."""
    from alibaba_report.evidence import disagreements, readings

    exclusions = lg.load_exclusions()
    readings.load_readings(led)  # raises LedgerError naming the file, row and column
    return (coverage_problems(led, exclusions) + exclusion_overlap_problems(led, exclusions)
            + exclusion_reason_problems(led, exclusions) + quote_problems(led) + register_gap_problems(sources)
            + scenario_reason_problems(led, scenarios) + resolution_problems(disagreements.find_disagreements(led), missing_ok=scenarios is not None)
            + signpost_problems())


def check_all(led: lg.Ledger, sources: pd.DataFrame, scenarios: Iterable[str] | None = None) -> None:
    """Raise :class:`LedgerError` listing every problem (the first :data:`MAX_SHOWN` in full)."""
    problems = all_problems(led, sources, scenarios)
    if problems:
        more = len(problems) - MAX_SHOWN
        raise lg.LedgerError("\n".join(problems[:MAX_SHOWN]) + (f"\n… and {more} more" if more > 0 else ""))
