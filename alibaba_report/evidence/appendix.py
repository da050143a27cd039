"""The appendix pages: every seed as written, with each ledger quote highlighted and anchored.

``write_appendix`` writes MyST Markdown into ``book/appendix/`` of a staging copy: one page per
seed, ``sources.md`` (the register) and ``index.md``. Everything that comes from data is escaped
(HTML inside raw HTML blocks, Markdown elsewhere), so a seed containing ``<script>`` shows as text.
Raw HTML blocks are written without blank lines inside: in MyST a blank line ends the block, and
the rest would be read as MyST (a directive could include a file or a script). So text from data
carries no line break into a raw block: every character MyST or a browser could read as one
(CR, LF, the Unicode line separators) is written as a numeric character reference.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from alibaba_report.evidence.ledger import Ledger, check_register, load_claims, load_sources, source_short

CLAIM_TABLE_COLUMNS = ("id", "value", "unit", "bound", "period", "said_by", "kind")


# CommonMark ends a line at LF, CR and CRLF; Python and browsers know more line separators.
_LINE_BREAKS = re.compile(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")


def md_escape(text: str) -> str:
    """Text for one line of Markdown (a title, a table cell, a list item): ASCII punctuation
    backslash-escaped (CommonMark allows it everywhere) and line breaks made spaces, so no markup
    and no new block (a heading, a fence, a directive) comes from data."""
    text = _CONTROL.sub("", _LINE_BREAKS.sub(" ", str(text)))
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


def _esc(text: object) -> str:
    """Text for inside a raw HTML block or an attribute: HTML-escaped, no literal line break."""
    escaped = html.escape(_CONTROL.sub("", str(text)), quote=True)
    return _LINE_BREAKS.sub(lambda m: f"&#{ord(m.group()):d};", escaped)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of ranges, touching ones joined: overlapping quotes get one highlight."""
    merged: list[list[int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def seed_text_html(ledger: Ledger, seed: str) -> str:
    """The seed as one raw HTML block: a <p> per line, quotes in <mark>, values in <b>."""
    text = ledger.seed_text(seed)
    ids = [i for i, c in ledger.claims.items() if c.seed == seed]
    quotes = {i: ledger.quote_span(i) for i in ids}
    marks = _merge(list(quotes.values()))
    values = _merge([ledger.value_span(i) for i in ids])
    anchors: dict[int, list[str]] = {}
    for claim_id, (start, _) in sorted(quotes.items(), key=lambda kv: (kv[1], kv[0])):
        anchors.setdefault(start, []).append(claim_id)
    titles = {m: ", ".join(i for i, (a, b) in quotes.items() if m[0] <= a and b <= m[1])
              for m in marks}
    # Events at a position: close value, close mark, anchors, open mark, open value. Values lie
    # inside quotes and merged ranges never overlap, so the tags always nest.
    events: dict[int, list[str]] = {}
    for start, end in values:
        events.setdefault(end, []).append("</b>")
    for mark in marks:
        events.setdefault(mark[1], []).append("</mark>")
    for pos, claim_ids in anchors.items():
        events.setdefault(pos, []).extend(f'<span id="claim-{_esc(i)}"></span>' for i in claim_ids)
    for mark in marks:
        events.setdefault(mark[0], []).append(f'<mark title="{_esc(titles[mark])}">')
    for start, _ in values:
        events.setdefault(start, []).append('<b class="claim-value">')
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()  # the newline that ends the file is not a line of its own
    out = ['<div class="seed-text">']
    offset = 0
    for line in lines:
        parts, cursor = [], offset
        for pos in sorted(p for p in events if offset <= p <= offset + len(line)):
            parts += [_esc(text[cursor:pos]), *events[pos]]
            cursor = pos
        parts.append(_esc(text[cursor:offset + len(line)]))
        out.append(f'<p class="seed-line">{"".join(parts)}</p>')
        offset += len(line) + 1
    out.append("</div>")
    return "\n".join(out)


def _register_html(row: pd.Series) -> str:
    kind = row["kind"] + (f" (also: {row['also']})" if row.get("also") else "")
    items = [("Publisher", row["publisher"]), ("Date", row["date"]),
             ("Kind", kind), ("What a reader should know", row["reliability"]),
             ("Language", row["language_notes"]), ("Origin", row["url_or_origin"]), ("File", row["seed"])]
    body = "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in items if v)
    return f'<div class="source-register">\n<dl>{body}</dl>\n</div>'


def _claims_table_html(ledger: Ledger, seed: str) -> str:
    table = ledger.df[ledger.df["seed"] == seed]
    head = "".join(f"<th>{_esc(c)}</th>" for c in CLAIM_TABLE_COLUMNS)
    rows = []
    for claim in table.itertuples():
        value = claim.date.isoformat() if claim.unit == "date" else f"{claim.value:g}"
        cells = [f'<a href="#claim-{_esc(claim.id)}">{_esc(claim.id)}</a>', _esc(value)]
        cells += [_esc(getattr(claim, c)) for c in CLAIM_TABLE_COLUMNS[2:]]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return (f'<table class="claims-table">\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
            + "\n".join(rows) + "\n</tbody>\n</table>")


def seed_page(ledger: Ledger, row: pd.Series) -> str:
    seed = row["seed"]
    n_claims = int((ledger.df["seed"] == seed).sum())
    claims_part = (_claims_table_html(ledger, seed) if n_claims
                   else "No figure from this source is in the ledger.")
    return "\n".join([
        f"# {md_escape(row['title'])}", "",
        f"The source as a reader of the book knows it: {md_escape(source_short(row))}. Reproduced as "
        "written. Highlighted passages are the "
        f"quotes of the claims ledger ({n_claims} claims); figures in bold are the values "
        "recorded. "
        "A claim link from the report lands on its passage.", "",
        _register_html(row), "",
        "## The text as written", "",
        seed_text_html(ledger, seed), "",
        "## Claims from this source", "",
        claims_part, "",
    ])


def sources_page(sources: pd.DataFrame) -> str:
    parts = ["# The source register", "",
             "What each source is, who published it and when, and what a reader should know "
             "before trusting its figures (from `data/sources.csv`).", ""]
    for _, row in sources.iterrows():
        stem = Path(row["seed"]).stem
        parts += [f"## {md_escape(source_short(row))}", "",
                  f"[{md_escape(row['title'])}]({stem}.md)", "", _register_html(row), ""]
    return "\n".join(parts)


def index_page(sources: pd.DataFrame, ledger: Ledger) -> str:
    parts = ["# Appendix: the sources", "",
             f"The report rests on {len(sources)} source documents, reproduced here as written. "
             f"Every figure the report takes from them is one of the {len(ledger)} rows of the "
             "claims ledger (`data/claims.csv`): on each source's page the claim's sentence is "
             "highlighted and every claim link in the report lands on it. Numbers in the sources "
             "that are not figures (dates of publication, list numbers, repeats) are listed with "
             "a reason in `data/ledger_exclusions.csv`.", "",
             "- [The source register](sources.md): publisher, date, kind and reliability of each "
             "source"]
    for _, row in sources.iterrows():
        stem = Path(row["seed"]).stem
        parts.append(f"- [{md_escape(row['title'])}]({stem}.md): {md_escape(source_short(row))}")
    return "\n".join(parts + [""])


def write_appendix(out_dir: Path, ledger: Ledger | None = None,
                   sources: pd.DataFrame | None = None) -> list[Path]:
    """Write index.md, sources.md and one page per seed into ``out_dir``; return their paths."""
    ledger = ledger or load_claims()
    sources = load_sources() if sources is None else sources
    check_register(ledger, sources)  # every seed named is a file of the seeds folder, and vice versa
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = {"index.md": index_page(sources, ledger), "sources.md": sources_page(sources)}
    for _, row in sources.iterrows():
        pages[f"{Path(row['seed']).stem}.md"] = seed_page(ledger, row)
    written = []
    for name, content in pages.items():
        path = out_dir / name
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written
