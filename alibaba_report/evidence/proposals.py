"""What ``make source`` proposes for a new source: one candidate claim per numeric mention, with the
sentence it sits in, the figure as written and its unit, the period, the kind, the modality and the
speaker the sentence suggests, and a metric and id matched to the ledger's closest claim (same unit,
most shared words weighted by rarity). The analyst then accepts or refuses each (``make accept``)."""
from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter

from alibaba_report.evidence import ledger

_STOP = set("a an the of to in on at for and or by with from as is was were be been its it this that their "
            "than over more less about after before into year quarter per".split())
_SPEAKER_WORDS = {"goldman": "Goldman Sachs", "nomura": "Nomura", "ubs": "UBS", "citi": "Citi", "guosen": "Guosen Securities",
                  "cicc": "CICC", "freedom capital": "Freedom Capital Markets"}
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4}


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
