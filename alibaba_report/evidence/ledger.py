"""The claims ledger: every figure a seed states, with the verbatim sentence it comes from.

``data/claims.csv`` has one row per figure (see ``COLUMNS``). Loading checks every row against
the seeds and stops at the first problem with a ``LedgerError`` that names the file, the CSV line,
the claim id, the column and what was expected.

This module holds the validated ledger (``Ledger``: lookups by id, citations, sources of figures)
and ``load_claims``. The rest of the evidence's machinery lives beside it and is re-exported here,
so ``ledger.<name>`` keeps working:

- :mod:`~alibaba_report.evidence.schema`: the columns and closed lists (``UNITS``, ``SPEAKERS``...),
  the ``Claim`` row model and the parsers of a figure's own words (``numeric_mentions``...);
- :mod:`~alibaba_report.evidence.files`: reading seeds and CSV files with located errors;
- :mod:`~alibaba_report.evidence.claim_rows`: a claims.csv row to a checked ``Claim``;
- :mod:`~alibaba_report.evidence.formula`: the rule formulas' parser and evaluator;
- :mod:`~alibaba_report.evidence.register`: the source register (``load_sources``, ``source_short``);
- :mod:`~alibaba_report.evidence.coverage`: the exclusions and the numbers no claim covers.

A claim's ``value`` is a plain number in its ``unit``; for unit ``date`` ``Ledger.df`` keeps the date in
a separate ``date`` column (``datetime.date``) and ``value`` is NaN (conventions: ``schema``).
"""
from __future__ import annotations

import ast
import datetime as dt
import difflib
import functools
from pathlib import Path

import pandas as pd

from alibaba_report import paths
from alibaba_report.messages import dates_in_words
from alibaba_report.evidence.claim_rows import _iso_date, read_claims, row_to_claim as _row_to_claim  # noqa: F401
from alibaba_report.evidence.coverage import load_exclusions, uncovered_mentions  # noqa: F401
from alibaba_report.evidence.files import (SEED_NAME, closest_passage, csv_errors,  # noqa: F401
                                           decode_error as _decode_error, mtime as _mtime, read_rows as _read_rows,
                                           read_text as _read_text, seed_files as _seed_files, short as _short)
from alibaba_report.evidence.formula import (FUNCTIONS as _FUNCTIONS, MAX_FORMULA_CHARS,  # noqa: F401
                                             MAX_FORMULA_DEPTH, evaluate_node as _eval, parse_formula)
from alibaba_report.evidence.register import (UNNAMED, check_register, load_sources, seed_label,  # noqa: F401
                                              source_short)
from alibaba_report.evidence.schema import (ATTRIBUTION, BOUNDS, COLUMNS, EXCLUSION_COLUMNS, KINDS,  # noqa: F401
                                            MODAL_WORDS, MODALITIES, NUMBER_WORDS, SOURCE_COLUMNS, SOURCE_KINDS,
                                            SPEAKERS, THEMES, UNITS, Bound, Claim, Kind, LedgerError, Modality,
                                            Speaker, Theme, Unit, UnknownClaimError, bound_implied,
                                            numeric_mentions, parse_date_text, parse_numbers)


class Ledger:
    """The validated ledger: a typed DataFrame plus lookups that chapters cite by id."""

    DISPLAY_COLUMNS = ("id", "said_by", "metric", "value", "unit", "period", "kind", "seed")

    def __init__(self, claims: list[Claim], seeds_dir: Path, path: Path,
                 sources: pd.DataFrame | None = None):
        self.path = path
        self.seeds_dir = seeds_dir
        self.claims = {c.id: c for c in claims}
        self._texts: dict[str, str] = {}
        self._figures: dict[tuple, list[Claim]] | None = None  # claims are frozen (schema.Claim)
        self._sources = sources
        rows = [c.model_dump() for c in claims]
        df = pd.DataFrame(rows, columns=["id", *[c for c in Claim.model_fields if c != "id"]])
        df["value"] = df["value"].astype(float)
        df.index = pd.Index(df["id"].tolist())
        self.df = df

    def __len__(self) -> int:
        return len(self.claims)

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self.claims

    def get(self, claim_id: str) -> Claim:
        try:
            return self.claims[claim_id]
        except KeyError:
            close = difflib.get_close_matches(claim_id, list(self.claims), n=3, cutoff=0.4)
            raise UnknownClaimError(f"no claim with id {claim_id!r} in {self.path}; closest: "
                                    f"{', '.join(close) or 'none'}") from None

    def newest(self, claim_id: str) -> str:
        """The id of the newest claim of the same figure: same subject, metric, period, kind and
        speaker, dated later (``as_of``). A later source that restates a figure (the analysts' FY27
        forecast after a cut) supersedes the older one wherever the book reads its value or cites
        it; the appendix keeps every sentence. The claim itself when nothing newer restates it."""
        claim = self.get(claim_id)
        if self._figures is None:  # claims by figure, once: a page asks thousands of times
            self._figures = {}
            for c in self.claims.values():
                self._figures.setdefault(self._figure(c), []).append(c)
        later = [c for c in self._figures.get(self._figure(claim), ())
                 if c.as_of is not None and claim.as_of is not None and c.as_of > claim.as_of]
        return max(later, key=lambda c: (c.as_of, c.seed, c.id)).id if later else claim_id

    @staticmethod
    def _figure(c: Claim) -> tuple:
        return (c.subject, c.metric, c.period, c.kind, c.said_by, c.unit)

    def value(self, claim_id: str) -> float:
        """The value of ``claim_id``'s figure: the newest claim's that restates it (:meth:`newest`)."""
        claim = self.get(self.newest(claim_id))
        if claim.value is None:
            raise TypeError(f"claim {claim_id!r} is a date ({claim.date}); use .get(id).date")
        return claim.value

    def seed_files(self) -> dict[str, Path]:
        """Every seed file (name -> path), whether or not the ledger has claims from it."""
        return _seed_files(self.seeds_dir)

    def seed_text(self, seed: str) -> str:
        if seed not in self._texts:
            files = self.seed_files()
            if seed not in files:  # never a path: only a file the seeds folder holds
                raise LedgerError(f"seed {_short(seed)}: expected a file in {self.seeds_dir}; "
                                  f"known: {', '.join(files) or 'none'}")
            self._texts[seed] = _read_text(files[seed])
        return self._texts[seed]

    def quote_span(self, claim_id: str) -> tuple[int, int]:
        """Where the claim's quote sits in its seed (start, end)."""
        claim = self.get(claim_id)
        start = self.seed_text(claim.seed).index(claim.quote)
        return start, start + len(claim.quote)

    def value_span(self, claim_id: str) -> tuple[int, int]:
        """Where the claim's value_text sits in its seed (start, end)."""
        claim = self.get(claim_id)
        start = self.quote_span(claim_id)[0] + claim.quote.index(claim.value_text)
        return start, start + len(claim.value_text)

    def anchor(self, claim_id: str) -> str:
        """Relative URL of the claim's sentence in the appendix, from a page in book/."""
        return f"appendix/{Path(self.get(claim_id).seed).stem}.html#claim-{claim_id}"

    def citation(self, claim_id: str) -> dict[str, str]:
        """What a reader is told about a cited figure: the quoted sentence, the source (publisher
        and date, as ``source_short`` writes them), the source's title, and the appendix link.

        Plain text, unescaped: the book's Sphinx extension (alibaba_report.pipeline.citations)
        escapes it where it writes HTML."""
        claim_id = self.newest(claim_id)  # the sentence whose value the book shows
        claim = self.get(claim_id)
        register = self.sources().set_index("seed")
        if claim.seed in register.index:
            row = register.loc[claim.seed]
            source, title = source_short(row), str(row["title"])
        else:
            source, title = Path(claim.seed).stem, ""
        return {"id": claim_id, "href": self.anchor(claim_id), "quote": claim.quote,
                "source": source, "title": title}

    def table(self, ids, columns=DISPLAY_COLUMNS) -> pd.DataFrame:
        """Claims for display, in the order given; a date claim shows its date as the value, and every
        date is written as a reader reads it ("12 Jan 2026", :func:`alibaba_report.messages.dates_in_words`)."""
        ids = [ids] if isinstance(ids, str) else list(ids)
        for claim_id in ids:
            self.get(claim_id)
        out = self.df.loc[ids].copy()
        if "value" in columns and out["date"].notna().any():
            out["value"] = [dates_in_words(d.isoformat()) if isinstance(d, dt.date) else v
                            for v, d in zip(out["value"], out["date"])]
        if "period" in columns:
            out["period"] = out["period"].map(dates_in_words)
        return out[list(columns)].reset_index(drop=True)

    def names_in(self, formula: str) -> list[str]:
        """The claim ids a formula uses, in order of appearance (unknown ids included)."""
        names = [n.id for n in ast.walk(parse_formula(formula))
                 if isinstance(n, ast.Name) and n.id not in _FUNCTIONS]
        return list(dict.fromkeys(names))

    def evaluate(self, formula: str) -> float:
        """Arithmetic over claim ids, e.g. "(consensus_price_target_s004 / us_share_price_s004 - 1)".

        Allowed: numbers, claim ids, + - * /, parentheses, max() and min(). Anything else, or an
        id that is not in the ledger, raises (UnknownClaimError names the closest ids).
        """
        return _eval(parse_formula(formula).body, self, formula)

    def sources(self) -> pd.DataFrame:
        if self._sources is None:
            self._sources = load_sources()
        return self._sources

    def source_name(self, seed: str) -> str:
        """A source as a reader knows it: "AInvest, 12 Jan 2026" (publisher and date, from the register);
        a file the register does not list keeps its file name, which the data checks refuse anyway."""
        register = self.sources().set_index("seed")
        return source_short(register.loc[seed]) if seed in register.index else Path(seed).stem

    def source_line(self, ids) -> str:
        """One short line for under a chart: the sources of these claims, by publisher and date."""
        ids = [ids] if isinstance(ids, str) else list(ids)
        seeds = list(dict.fromkeys(self.get(i).seed for i in ids))
        return f"Source: {'; '.join(self.source_name(s) for s in seeds)}"

    def seeds_of(self, ids) -> str:
        """Where figures come from, in reader words: "boerse-global.de, 4 Jan 2026", several joined by
        "; "; names that are not claims (an assumption's) read as "an assumption". ``ids``: claim ids,
        a list or "a, b" text."""
        ids = [i.strip() for i in (ids.split(",") if isinstance(ids, str) else ids) if str(i).strip()]
        seeds = sorted({self.get(i).seed for i in ids if i in self.claims})
        words = ["; ".join(self.source_name(s) for s in seeds)] if seeds else []
        if any(i not in self.claims for i in ids):
            words.append("an assumption")
        return " and ".join(words) or "—"




def load_claims(path: Path | str | None = None, seeds_dir: Path | str | None = None) -> Ledger:
    """Load and check data/claims.csv against the seeds; cached per file and modification time."""
    path = Path(path or paths.data_dir() / "claims.csv").resolve()
    seeds_dir = Path(seeds_dir or paths.seeds_dir()).resolve()
    stamp = (_mtime(path), max((_mtime(p) for p in seeds_dir.glob("*.txt")), default=0))
    return _load_claims(path, seeds_dir, stamp)


@functools.lru_cache(maxsize=16)
def _load_claims(path: Path, seeds_dir: Path, _stamp: tuple[int, int]) -> Ledger:
    claims, texts = read_claims(path, seeds_dir)
    ledger = Ledger(claims, seeds_dir, path)
    ledger._texts.update(texts)
    return ledger
