"""A new source in two commands: ``make source`` registers it and proposes its claims, ``make accept``
moves the accepted ones into the ledger.

``make source FILE=<path> PUBLISHER='<name>' DATE=<YYYY-MM-DD> [TITLE='…']`` copies the file into
``seeds/`` under the next number, adds its checksum and its ``data/sources.csv`` row, and writes
``data/candidates/<seed>.csv``: one row per numeric mention, with the verbatim sentence, the value
and unit, the period it refers to, a suggested metric and claim id matched to the ledger's own
figures (the closest claim in the same unit, by the words they share), the signposts it could grade
and an empty ``accept`` column.

``make accept [SEED=…]`` checks every row marked ``yes`` exactly as the ledger checks a claim
(verbatim quote found once in the seed, the value in the quote, unit, bound, and modality: a sentence
that says "may" or "could" is not a reported figure), refuses the first that fails by file, line and
column before writing anything, then appends the accepted rows to ``data/claims.csv`` and the others'
figures to ``data/ledger_exclusions.csv`` with the reason "not used", so the coverage check passes.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import math
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

from alibaba_report import paths
from alibaba_report.evidence import ledger

CANDIDATE_COLUMNS = ("accept", *ledger.COLUMNS, "signposts")
NOT_USED = "not used"
_STOP = set("a an the of to in on at for and or by with from as is was were be been its it this that their "
            "than over more less about after before into year quarter per".split())
_SPEAKER_WORDS = {"goldman": "Goldman Sachs", "nomura": "Nomura", "ubs": "UBS", "citi": "Citi", "guosen": "Guosen Securities",
                  "cicc": "CICC", "freedom capital": "Freedom Capital Markets"}
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4}


class IntakeError(ValueError):
    """Bad input to make source or make accept; the message names the argument, file, line or column."""


# --- reading and writing the data files --------------------------------------------------------------

def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(paths.root()))
    except ValueError:
        return str(path)


def _append_rows(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    """Append rows to a CSV file, quoting as csv does, after a final newline."""
    text = path.read_text(encoding="utf-8") if path.exists() else ",".join(columns) + "\n"
    if not text.endswith("\n"):
        text += "\n"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    writer.writerows(rows)
    path.write_text(text + buf.getvalue(), encoding="utf-8")


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    """A candidates file a spreadsheet opens safely: a cell that would run as a formula ("-5 billion
    yuan") gets a leading apostrophe, which :func:`_unneutralise` takes off again when it is read."""
    from alibaba_report.charts.style import neutralise_cell

    rows = [{k: neutralise_cell(v) for k, v in r.items()} for r in rows]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buf.getvalue(), encoding="utf-8")


# --- make source ----------------------------------------------------------------------------------------

def _check_date(date: str) -> dt.date:
    if not isinstance(date, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise IntakeError(f"DATE {str(date)[:40]!r}: expected a date written YYYY-MM-DD, such as 2026-02-20")
    try:
        return dt.date.fromisoformat(date)
    except ValueError:
        raise IntakeError(f"DATE {date!r}: not a calendar date (expected YYYY-MM-DD)") from None


def _check_text(name: str, value: str, limit: int = 200) -> str:
    value = (value or "").strip()
    if not value or "\n" in value or "\r" in value or len(value) > limit:
        raise IntakeError(f"{name} {value[:40]!r}: expected one line of text, 1 to {limit} characters")
    return value


def _read_source(file: Path) -> tuple[bytes, str]:
    if not file.is_file():
        raise IntakeError(f"FILE {str(file)!r}: not found or not a regular file")
    data = file.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        err = ledger._decode_error(file, data, exc)
        raise IntakeError(f"FILE {err}") from None
    if not text.strip():
        raise IntakeError(f"FILE {str(file)!r}: the file is empty")
    return data, text


def next_seed_name(seeds_dir: Path, data: bytes) -> str:
    numbers = [int(m.group(1)) for p in seeds_dir.glob("*.txt") if (m := re.match(r"(\d{3})_", p.name))]
    return f"{(max(numbers) + 1) if numbers else 0:03d}_{hashlib.sha256(data).hexdigest()[:16]}.txt"


def _sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) for every sentence of every line."""
    out = []
    for line in re.finditer(r"[^\n\r]+", text):
        start = line.start()
        for part in re.split(r"(?<=[.!?])\s+(?=[A-Z\"“‘(])", line.group()):
            offset = text.index(part, start)
            out.append((offset, part))
            start = offset + len(part)
    return out


_VALUE = re.compile(
    r"(?P<bound>(?:more than|over|about|around|approximately|roughly|nearly|almost|at least|up to|less than|under)\s+)?"
    r"(?P<cur>RMB\s?|US\$|HK\$|\$|¥|USD\s?|HKD\s?)?(?P<num>-?\d+(?:[.,]\d+)*)"
    r"(?P<scale>\s?(?:billion|million|bn|B|M)\b)?(?P<pct>\s?%|\s?percent\b)?(?P<cur2>\s(?:yuan|RMB|euros?|dollars))?",
    re.IGNORECASE)


def _value_text(sentence: str, pos: int, token: str) -> tuple[str, str]:
    """The figure as written around the mention at ``pos`` of ``sentence``, and its unit."""
    for m in _VALUE.finditer(sentence, max(0, pos - 40)):
        if m.start("num") <= pos < m.end("num"):
            break
    else:
        return token, "count"
    cur = ((m.group("cur") or "") + (m.group("cur2") or "")).lower()
    scale = (m.group("scale") or "").strip().lower()
    if m.group("pct"):
        unit = "%"
    elif any(c in cur for c in ("rmb", "yuan", "¥")):
        unit = {"billion": "RMB bn", "bn": "RMB bn", "b": "RMB bn", "million": "RMB m", "m": "RMB m"}.get(scale, "RMB bn")
    elif any(c in cur for c in ("$", "usd", "dollar")) and "hk" not in cur:
        unit = {"billion": "USD bn", "bn": "USD bn", "b": "USD bn", "million": "USD m", "m": "USD m"}.get(scale, "USD")
    elif "hk" in cur:
        unit = "HKD"
    elif "euro" in cur:
        unit = "EUR"
    else:
        unit = "count"
    start = m.start("bound") if m.group("bound") else m.start("num")
    if m.group("cur") and not m.group("bound"):
        start = m.start("cur")
    return sentence[start:m.end()].strip(), unit


def _period(sentence: str) -> str | None:
    m = re.search(r"\b(first|second|third|fourth)\s+(?:fiscal\s+)?quarter\s+of\s+(?:the\s+)?fiscal(?:\s+year)?\s+(20\d\d)",
                  sentence, re.IGNORECASE)
    q = re.search(r"\bFQ([1-4])\s*FY\s?(\d{2})\b", sentence) or re.search(r"\bFY\s?(\d{2})\s*Q([1-4])\b", sentence)
    if m:
        n, year = _ORDINAL[m.group(1).lower()], int(m.group(2)) % 100
    elif q:
        n, year = (int(q.group(1)), int(q.group(2))) if q.re.pattern.startswith(r"\bFQ") else (int(q.group(2)), int(q.group(1)))
    else:
        y = re.search(r"\bFY\s?(\d{2}|20\d\d)\b|\bfiscal(?:\s+year)?\s+(20\d\d)\b", sentence, re.IGNORECASE)
        if not y:
            return None
        return f"FY{2000 + int(y.group(1) or y.group(2)) % 100}"
    cal_year, cal_q = (year - 1, n + 1) if n <= 3 else (year, 1)
    return f"FY{year:02d}Q{n} (CY{cal_year:02d}Q{cal_q})"


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if w not in _STOP and len(w) > 1}


def _kind(sentence: str) -> str | None:
    s = sentence.lower()
    if re.search(r"\btarget", s):
        return "target"
    if re.search(r"forecast|expect|estimat|predict|project|could|may\b|might", s):
        return "forecast"
    if re.search(r"report|posted|grew|rose|fell|narrowed|widened|came in|was\b|were\b|said", s):
        return "reported"
    return None


# The modality a candidate is suggested with: the source's own "may" or "could" when the sentence
# says it, else the kind's own (a deal or a policy is stated, not forecast).
_KIND_MODALITY = {"deal": "reported", "policy": "statement"}


def _suggested_modality(sentence: str, kind: str) -> str:
    for word in ledger.MODAL_WORDS:
        if re.search(rf"\b{word}\b", sentence, re.IGNORECASE):
            return word
    modality = _KIND_MODALITY.get(kind, kind)
    return modality if modality in ledger.MODALITIES else "statement"


def _speaker(sentence: str) -> str | None:
    s = sentence.lower()
    for word, who in _SPEAKER_WORDS.items():
        if word in s:
            return who
    if "analyst" in s or "consensus" in s:
        return "analyst consensus"
    if re.search(r"alibaba (reported|said)|the company (said|reported)|management", s):
        return "Alibaba"
    return None


class _Matcher:
    """The ledger claim closest to a sentence: same unit, most shared words weighted by rarity."""

    def __init__(self, led: ledger.Ledger):
        from alibaba_report.evidence.pages import metric_words

        self.claims = list(led.claims.values())
        self.bags = [_words(f"{c.quote} {metric_words(c.metric)} {c.metric.replace('_', ' ')} {c.subject}")
                     for c in self.claims]
        df = Counter(w for bag in self.bags for w in bag)
        self.idf = {w: math.log((1 + len(self.bags)) / (1 + n)) + 1 for w, n in df.items()}

    def best(self, sentence: str, unit: str) -> ledger.Claim | None:
        words, lower = _words(sentence), sentence.lower()
        # the claim's subject named in the sentence ("Alibaba Cloud") counts as much as two rare words
        scored = [(sum(self.idf[w] for w in words & bag) + (5.0 if c.subject.lower() in lower else 0.0), i)
                  for i, (c, bag) in enumerate(zip(self.claims, self.bags)) if c.unit == unit]
        scored = [s for s in scored if s[0] >= 4.0]  # at least two fairly rare words in common
        return self.claims[max(scored)[1]] if scored else None


def _slug(period: str) -> str:
    m = re.match(r"FY(\d{2})Q(\d)", period)
    if m:
        return f"fq{m.group(2)}_fy{m.group(1)}"
    m = re.match(r"FY20(\d{2})$", period)
    return f"fy{m.group(1)}" if m else "period"


def _signposts_touched(row: dict) -> list[str]:
    from alibaba_report.synthesis import signposts

    found = []
    for s in signposts.load().signposts.values():
        if (row["metric"] == s.metric and row["subject"].lower() == s.subject.lower() and row["kind"] in s.kinds
                and row["period"].split(" ")[0] == s.period):
            found.append(s.name)
    return found


def candidates(seed: str, text: str, date: dt.date, led: ledger.Ledger) -> list[dict]:
    """One proposed claim per numeric mention of ``text`` (the seed ``seed``)."""
    matcher = _Matcher(led)
    number = ledger.seed_label(seed)
    taken = set(led.claims)
    rows = []
    sentences = _sentences(text)
    for start, _end, token in ledger.numeric_mentions(text):
        offset, sentence = next((o, s) for o, s in reversed(sentences) if o <= start)
        value_text, unit = _value_text(sentence, start - offset, token)
        numbers = ledger.parse_numbers(value_text, unit) or [0.0]
        value, note = numbers[0], ""
        if unit == "%" and re.search(r"\b(fell|fall|falls|drop\w*|declin\w*|down|decreas\w*|shrank)\b",
                                     sentence[:start - offset], re.IGNORECASE) and value > 0:
            value, note = -value, "a fall: stored negative"
        match = best = matcher.best(sentence, unit)
        period = _period(sentence) or (best.period if best else "not stated")
        kind = _kind(sentence) or (best.kind if best else "statement")
        metric = best.metric if best else ""
        cid = f"{metric}_{_slug(period)}_s{number}" if metric else f"figure_{start}_s{number}"
        base_id, n = cid, 2
        while cid in taken:
            cid, n = f"{base_id}_{n}", n + 1
        taken.add(cid)
        row = {"accept": "", "id": cid, "theme": match.theme if match else "context",
               "subject": match.subject if match else "", "metric": metric, "value": f"{value:g}",
               "value_text": value_text, "unit": unit, "bound": ledger.bound_implied(value_text) or "exact",
               "kind": kind, "modality": _suggested_modality(sentence, kind), "period": period, "as_of": date.isoformat(),
               "said_by": _speaker(sentence) or "article author", "seed": seed, "quote": sentence.strip(), "note": note}
        row["signposts"] = "; ".join(_signposts_touched(row))
        rows.append(row)
    return rows


def register_source(file: Path | str, publisher: str, date: str, title: str | None = None,
                    kind: str = "news article") -> tuple[Path, list[dict]]:
    """``make source``: copy, checksum, register and propose candidates; returns the seed and the rows."""
    if kind not in ledger.SOURCE_KINDS:
        raise IntakeError(f"KIND {str(kind)[:40]!r}: expected one of {', '.join(ledger.SOURCE_KINDS)}")
    file = Path(file)
    day = _check_date(date)
    publisher = _check_text("PUBLISHER", publisher)
    data, text = _read_source(file)
    title = _check_text("TITLE", title if title else next(ln for ln in text.splitlines() if ln.strip()))
    seeds_dir = paths.seeds_dir()
    led = ledger.load_claims()
    digest = hashlib.sha256(data).hexdigest()
    for name, path in led.seed_files().items():
        if hashlib.sha256(path.read_bytes()).digest().hex() == digest:
            raise IntakeError(f"FILE {str(file)!r}: the same bytes as seeds/{name}, already a source of the book")
    seed = next_seed_name(seeds_dir, data)
    rows = candidates(seed, text, day, led)  # before anything is written: a failure leaves no trace
    target = seeds_dir / seed
    shutil.copyfile(file, target)
    with open(seeds_dir / "SHA256SUMS", "a", encoding="utf-8") as fh:
        fh.write(f"{digest}  {seed}\n")
    _append_rows(paths.data_dir() / "sources.csv", ledger.SOURCE_COLUMNS, [{
        "seed": seed, "title": title, "publisher": publisher, "date": day.isoformat(), "kind": kind,
        "also": "", "language_notes": "",
        "reliability": "Registered with make source; not yet reviewed: say here what a reader should know before trusting it.",
        "url_or_origin": "a file given to make source"}])
    out = candidates_path(seed)
    _write_csv(out, CANDIDATE_COLUMNS, rows)
    return target, rows


def candidates_path(seed: str) -> Path:
    return paths.data_dir() / "candidates" / f"{Path(seed).stem}.csv"


# --- make accept ------------------------------------------------------------------------------------------

def _candidate_files(seed: str | None) -> list[Path]:
    folder = paths.data_dir() / "candidates"
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    if seed:
        files = [f for f in files if f.stem == Path(seed).stem or f.stem.split("_")[0] == seed]
        if not files:
            raise IntakeError(f"SEED {seed[:40]!r}: no data/candidates/<seed>.csv for it (make source writes one)")
    elif not files:
        raise IntakeError("data/candidates/ holds no candidate file: run make source first")
    return files


def _modality(where: str, claim: ledger.Claim) -> None:
    if claim.kind == "reported" and re.search(r"\b(may|might|could|would)\b", claim.quote, re.IGNORECASE):
        raise IntakeError(f"{where}: column 'kind': expected a kind other than 'reported' for a sentence that says "
                          "may, might, could or would (the source's modality is kept)")


_CURRENCY_WORDS = {"RMB": r"RMB|yuan|¥|CNY", "USD": r"(?<!HK)\$|USD|dollar", "HKD": r"HK\$|HKD", "EUR": r"euro|EUR|€"}


def _unit_check(where: str, claim: ledger.Claim) -> None:
    """A currency written in the figure must be the unit's ("RMB 30 billion" is not in USD bn)."""
    for currency, pattern in _CURRENCY_WORDS.items():
        if re.search(pattern, claim.value_text) and not claim.unit.startswith(currency):
            raise IntakeError(f"{where}: column 'unit': expected a {currency} unit for {claim.value_text!r}, "
                              f"got {claim.unit!r}")
    if claim.value_text.rstrip().endswith("%") and claim.unit not in ("%", "pp"):
        raise IntakeError(f"{where}: column 'unit': expected % for {claim.value_text!r}, got {claim.unit!r}")


def _unneutralise(value: str) -> str:
    from alibaba_report.charts.style import _FORMULA_START

    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def check_candidates(file: Path, led: ledger.Ledger, taken: set[str]) -> tuple[list[dict], list[dict]]:
    """The accepted rows (checked as claims) and the others of one candidate file."""
    rows = [(line, {k: _unneutralise(v) for k, v in row.items()}) for line, row in ledger._read_rows(file, CANDIDATE_COLUMNS)]
    accepted, rest = [], []
    for line, row in rows:
        where = f"{_rel(file)}: line {line} (id {row['id']!r})"
        answer = row["accept"].strip().lower()
        if answer not in ("", "yes", "no"):
            raise IntakeError(f"{where}: column 'accept': expected yes, no or nothing, got {row['accept'][:20]!r}")
        if answer != "yes":
            rest.append(row)
            continue
        claim_row = {k: row[k] for k in ledger.COLUMNS}
        try:
            claim = ledger._row_to_claim(Path(_rel(file)), line, claim_row)
        except ledger.LedgerError as exc:
            raise IntakeError(str(exc)) from None
        if claim.seed not in led.seed_files():
            raise IntakeError(f"{where}: column 'seed': expected a file in seeds/, got {claim.seed[:40]!r}")
        text = led.seed_text(claim.seed)
        count = text.count(claim.quote)
        if count != 1:
            raise IntakeError(f"{where}: column 'quote': expected a verbatim passage found once in seeds/{claim.seed} "
                              f"(found {count} times)")
        if claim.id in taken:
            raise IntakeError(f"{where}: column 'id': expected an id not yet in the ledger, got {claim.id!r}")
        _unit_check(where, claim)
        _modality(where, claim)
        taken.add(claim.id)
        accepted.append(claim_row)
    return accepted, rest


def accept(seed: str | None = None) -> list[tuple[str, int, int]]:
    """``make accept``: (seed, accepted, excluded) per candidate file; nothing is written if a row fails."""
    led = ledger.load_claims()
    taken = set(led.claims)
    plan = []
    for file in _candidate_files(seed):
        accepted, rest = check_candidates(file, led, taken)
        plan.append((file, accepted, rest))
    claims_path, excl_path = paths.data_dir() / "claims.csv", paths.data_dir() / "ledger_exclusions.csv"
    before = {p: p.read_bytes() for p in (claims_path, excl_path)}
    report = []
    try:
        for file, accepted, rest in plan:
            _append_rows(claims_path, ledger.COLUMNS, accepted)
            seen, excluded = set(), []
            for row in rest:
                if (row["seed"], row["value_text"]) not in seen:
                    seen.add((row["seed"], row["value_text"]))
                    excluded.append({"seed": row["seed"], "text": row["value_text"], "reason": NOT_USED})
            _append_rows(excl_path, ledger.EXCLUSION_COLUMNS, excluded)
            report.append((file.stem, len(accepted), len(rest)))
        led = ledger.load_claims()
        exclusions = ledger.load_exclusions()
        seeds = {row["seed"] for _, acc, rest in plan for row in acc + rest}
        missing = [m for m in ledger.uncovered_mentions(led, exclusions) if m[0] in seeds]
        if missing:
            raise IntakeError("after accepting, numbers of the new source are in neither the ledger nor the exclusions: "
                              + "; ".join(f"{s} at {o}: {t!r} in {c!r}" for s, o, t, c in missing[:5]))
    except (IntakeError, ledger.LedgerError) as exc:
        for p, data in before.items():
            p.write_bytes(data)
        raise IntakeError(str(exc)) from None
    for file, _, _ in plan:
        file.unlink()
    return report


# --- the commands ----------------------------------------------------------------------------------------

def _print_source(seed_path: Path, rows: list[dict]) -> None:
    touched = Counter(name for r in rows for name in r["signposts"].split("; ") if name)
    print(f"registered seeds/{seed_path.name} (checksum added to seeds/SHA256SUMS, row added to data/sources.csv)")
    print(f"wrote {_rel(candidates_path(seed_path.name))}: {len(rows)} candidate figures; mark accept=yes on the ones to keep, "
          "then run make accept")
    if touched:
        print("signposts they touch:")
        for name, n in touched.items():
            print(f"  {name} ({n} candidate{'s' if n > 1 else ''})")
    else:
        print("signposts they touch: none")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m alibaba_report.evidence.intake",
                                 description="Register a new source (source) or accept its candidate claims (accept).")
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("source", help="copy a file into seeds/ and propose its claims")
    s.add_argument("--file", required=True)
    s.add_argument("--publisher", required=True)
    s.add_argument("--date", required=True)
    s.add_argument("--title", default="")
    s.add_argument("--kind", default="")
    a = sub.add_parser("accept", help="move accept=yes candidates into the ledger")
    a.add_argument("--seed", default="")
    args = ap.parse_args(argv)
    try:
        if args.command == "source":
            path, rows = register_source(args.file, args.publisher, args.date, args.title or None,
                                         args.kind or "news article")
            _print_source(path, rows)
        else:
            for stem, n_acc, n_rest in accept(args.seed or None):
                print(f"seed {stem}: {n_acc} claims added to data/claims.csv, {n_rest} figures added to "
                      f"data/ledger_exclusions.csv as '{NOT_USED}'; every number of the source is accounted for")
            from alibaba_report.synthesis import signposts

            c = signposts.counts(signposts.grade())
            print(f"signposts now: {c['met']} met, {c['missed']} missed, {c['not settled']} not settled, "
                  f"{c['not yet reported']} not yet reported")
    except (IntakeError, ledger.LedgerError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
