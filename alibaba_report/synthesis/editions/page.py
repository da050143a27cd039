"""The page "What changed since <edition>": Markdown (text from data escaped) and the bridge's
waterfall chart, written into a staging copy of the book and listed after the signposts page."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from alibaba_report.evidence import cite, ledger
from alibaba_report.evidence.appendix import md_escape
from alibaba_report.synthesis.editions.changes import bridge, changed_signposts, estimate_changes, new_sources
from alibaba_report.synthesis.editions.record import EditionError, latest, load

PAGE = "book/since_edition"  # the generated page, in the staging copy only
CHART = "_static/since-edition-bridge.png"


def _num(x: float | None, digits: int = 2) -> str:
    if x is None:
        return "—"
    return f"{x:,.{digits}f}"


def _signed(x: float | None, digits: int = 2, suffix: str = "") -> str:
    if x is None:
        return "—"
    return f"{x:+,.{digits}f}{suffix}"


def bridge_chart(steps: list[dict], out: Path) -> str:
    """Draw the bridge as a waterfall into ``out`` (PNG); return its alt text."""
    from alibaba_report.charts import style

    fig, ax = style.figure()
    labels, bottoms, heights, colours = [], [], [], []
    level = 0.0
    for i, s in enumerate(steps):
        labels.append(f"{i}")
        if s.get("total"):
            bottoms.append(0.0)
            heights.append(s["change"])
            colours.append(style.GREY)
            level = s["change"]
        else:
            bottoms.append(level if s["change"] >= 0 else level + s["change"])
            heights.append(abs(s["change"]))
            colours.append(style.PALETTE[2] if s["change"] >= 0 else style.PALETTE[4])
            level += s["change"]
    bars = ax.bar(range(len(steps)), heights, bottom=bottoms, color=colours, edgecolor="black", linewidth=0.6)
    for bar, s in zip(bars, steps):  # a fall is hatched too, so that a grey print still reads
        if not s.get("total") and s["change"] < 0:
            bar.set_hatch("//")
        ax.annotate(_num(s["change"]) if s.get("total") else _signed(s["change"]),
                    (bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height()),
                    xytext=(0, 3), textcoords="offset points", ha="center", va="bottom", fontsize=10)
    ax.set_xticks(range(len(steps)), ["edition"] + [f"step {i}" for i in range(1, len(steps) - 1)] + ["now"])
    ax.set_ylabel("USD per ADS")
    start, end = steps[0]["change"], steps[-1]["change"]
    title = f"The base value moved from USD {start:,.2f} to USD {end:,.2f} per ADS"
    style.finish(fig, title, "Source: model of value under the base case; each step one changed input (table below)")
    fig.savefig(out, dpi=110)
    import matplotlib.pyplot as plt

    plt.close(fig)
    moves = "; ".join(f"step {i}: {_signed(s['change'])}" for i, s in enumerate(steps[1:-1], start=1))
    return f"Waterfall from USD {start:,.2f} at the edition to USD {end:,.2f} now per ADS. {moves or 'no step'}."


def _estimates_section(previous: dict) -> list[str]:
    parts = ["## Estimate changes", "",
             "| case | key figure | unit | previous | now | change | % |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in estimate_changes(previous):
        parts.append(f"| {r['scenario']} | {md_escape(r['label'])} | {md_escape(r['unit'])} | {_num(r['previous'])} | "
                     f"{_num(r['now'])} | {_signed(r['change'])} | {_signed(r['pct'], 1, '%')} |")
    return parts


def _bridge_section(previous: dict, chart: str | None, alt: str) -> list[str]:
    steps = bridge(previous)
    parts = ["## Value bridge, base case", "",
             "From the edition's value per ADS to today's, one changed figure or assumption at a time, in the "
             "order listed: each step values the shares with that input changed and the ones above it, so the "
             "steps add up to the change.", ""]
    if chart:
        parts += [f"![{md_escape(alt)}]({chart})", ""]
    parts += ["| step | what changed | before | after | effect on value (USD per ADS) |", "| --- | --- | --- | --- | --- |"]
    for i, s in enumerate(steps):
        label = "edition" if i == 0 else "now" if i == len(steps) - 1 else f"step {i}"
        effect = _num(s["change"]) if s.get("total") else _signed(s["change"])
        parts.append(f"| {label} | {md_escape(s['step'])} | {_num(s['before'])} | {_num(s['after'])} | {effect} |")
    return parts


def _signposts_section(previous: dict, led: ledger.Ledger) -> list[str]:
    from alibaba_report.synthesis import signposts

    changed = changed_signposts(previous, signposts.grade(led))
    parts = ["## Signposts whose grade changed", ""]
    if not changed:
        return parts + ["None: every signpost has the grade it had at the edition."]
    register = led.sources().set_index("seed")
    parts += ["| signpost | then | now | newest figure | source | supports |", "| --- | --- | --- | --- | --- | --- |"]
    for r in changed:
        seed = led.get(r["claim"]).seed if r["claim"] else None
        source = ledger.source_short(register.loc[seed]) if seed in register.index else "—"
        fig = f"{md_escape(r['value_text'])} {cite.claim(r['claim'])}" if r["claim"] else "—"
        parts.append(f"| {md_escape(r['name'])} | {md_escape(r['before'])} | **{md_escape(r['grade'])}** | {fig} | "
                     f"{md_escape(source)} | {md_escape(r['supports'])} |")
    return parts


def _sources_section(previous: dict) -> list[str]:
    added = new_sources(previous)
    if not added:
        return ["## New sources", "", "None: the book rests on the sources it had at the edition."]
    return ["## New sources", "", *[f"- {md_escape(s['source'])}: *{md_escape(s['title'])}*" for s in added]]


def page_markdown(previous: dict, chart: str | None = None, alt: str = "") -> str:
    """The page "What changed since <edition>" (Markdown; text from data escaped): the key figures then
    and now, the value bridge (with its chart when ``chart`` is given), the signposts whose grade
    changed and the new sources."""
    name = md_escape(previous["name"])
    when = dt.date.fromisoformat(previous["date"]) if previous.get("date") else None
    intro = [f"# What changed since {name}", "",
             f"The edition *{name}* was made from sources up to {when.day} {when.strftime('%b %Y')}. "
             if when else f"The edition *{name}*. ",
             "Every key figure of the book then and now, the value bridge between the two base values, "
             "the signposts whose grade changed and the sources added since.", ""]
    sections = [_estimates_section(previous), _bridge_section(previous, chart, alt),
                _signposts_section(previous, ledger.load_claims()), _sources_section(previous)]
    return "\n".join(intro + [line for s in sections for line in (*s, "")]).rstrip("\n") + "\n"


def stage_page(stage: Path) -> bool:
    """In a staging copy of the book: when editions/ holds one, write the page "What changed since
    <edition>" and its chart and list it after the signposts page. Returns whether it did."""
    last = latest()
    if last is None:
        return False
    previous = load(last)
    steps = bridge(previous)
    chart = stage / "book" / CHART
    chart.parent.mkdir(parents=True, exist_ok=True)
    alt = bridge_chart(steps, chart)
    (stage / f"{PAGE}.md").write_text(page_markdown(previous, CHART, alt), encoding="utf-8")
    from alibaba_report.pipeline import toc

    if not toc.insert_after(stage, "book/signposts", PAGE):
        raise EditionError("_toc.yml lists no book/signposts page to put the page after")
    return True
