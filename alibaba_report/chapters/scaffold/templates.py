"""The files of a new chapter, as ``string.Template`` texts (``$name``: the chapter's snake_case name,
``$title_repr``: its title as a Python literal, ``$title_md``: its title escaped for Markdown).

The chapter they make is a template to edit, and says so: one figure the sources state, moved by one
assumption. It follows the whole contract (:mod:`alibaba_report.chapters.contract`) so that it builds,
passes the contract tests and shows on the summary from the moment it is made.
"""
from __future__ import annotations

from string import Template

# the one ledger figure the template reads: Alibaba's US share price on 4 January 2026 (a figure every
# edition of the ledger keeps); a new chapter replaces it with its own
TEMPLATE_CLAIM = "us_share_price_s004"

INIT = Template('''\
"""The chapter ``$name``, scaffolded by ``make chapter``: replace this docstring with what the chapter
models and which sources it reads.

TEMPLATE: the model is a placeholder (one figure the sources state, moved by one assumption) to be
replaced by the chapter's own. Keep the public names: the notebook, the summary and the tests call them
(the contract is ``alibaba_report/chapters/contract.py``).
"""
from alibaba_report.chapters.$name.charts import moved_figure_chart
from alibaba_report.chapters.$name.model import CLAIMS, NOTEBOOK, compute, figures, key_outputs, moved_figure
from alibaba_report.chapters.$name.text import amount, headline, prose, signposts, verdict

__all__ = ["CLAIMS", "NOTEBOOK", "amount", "compute", "figures", "headline", "key_outputs", "moved_figure",
           "moved_figure_chart", "prose", "signposts", "verdict"]
''')

MODEL = Template('''\
"""The numbers of the chapter ``$name`` (no sentences): vectorised model functions, ``compute`` and
``key_outputs``.

TEMPLATE: one figure the sources state (``CLAIMS["figure"]``) moved by one assumption (``move_pct``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from alibaba_report.chapters import contract

NOTEBOOK = "$name"
TITLE = $title_repr

# role -> ledger claim id: every figure the chapter reads from the sources
CLAIMS = {"figure": "$claim"}

MOVE_RANGE_PCT = (-50.0, 50.0)  # the range data/parameters/$name.yml allows, for the chart's curve


def _param(p, name: str):
    return p[name] if isinstance(p, dict) else getattr(p, name)


def moved_figure(figure, move_pct):
    """The figure moved by ``move_pct`` per cent; arrays in, arrays out (one value per point)."""
    return np.asarray(figure, dtype=float) * (1.0 + np.asarray(move_pct, dtype=float) / 100.0)


def figures(p, claims) -> dict:
    """Every number the page states, by the name the notebook glues it under."""
    move = contract.check_number("move_pct", _param(p, "move_pct"), low=-100, high_open=True, high=1000, unit="%")
    claim = claims.get(CLAIMS["figure"])
    figure = claims.value(CLAIMS["figure"])
    return {"source_figure": figure, "move_pct": move, "moved_figure": float(moved_figure(figure, move)),
            "figure_unit": claim.unit}


def compute(p, claims) -> dict:
    """The chapter's model under parameters ``p``: the page's figures and the chart's curve."""
    f = figures(p, claims)
    moves = np.linspace(*MOVE_RANGE_PCT, 21)
    curve = pd.DataFrame({"move_pct": moves, "moved_figure": moved_figure(f["source_figure"], moves)})
    return {"figures": f, "curve": curve}


def key_outputs(p, claims) -> dict:
    """What the summary and the scenarios page compare across scenarios."""
    f = figures(p, claims)
    return {"moved_figure": f["moved_figure"], "move_pct": f["move_pct"]}
''')

TEXT = Template('''\
"""The words of the chapter ``$name``: the page's conditional sentences, its signposts and its row in
the summary's table of themes. No matplotlib.

TEMPLATE: replace the sentences with the chapter's own; keep them computed from the model's numbers.
"""
from __future__ import annotations

import re

from alibaba_report.chapters import contract
from alibaba_report.chapters.$name.model import CLAIMS, figures
from alibaba_report.evidence import cite
from alibaba_report.evidence.appendix import md_escape

_CURRENCY = re.compile(r"^(RMB|USD|HKD|EUR)(?: (bn|m))?$$")


def amount(value: float, unit: str) -> str:
    """A figure in reader words at the page's precision: "USD 167.2", "RMB 35.5bn", "12.0%", "3.0 x"."""
    m = _CURRENCY.match(unit)
    if m:
        return f"{m.group(1)} {value:,.1f}{m.group(2) or ''}"
    if unit in ("%", "pp"):
        return f"{value:,.1f}{'%' if unit == '%' else ' points'}"
    return f"{value:,.1f} {unit}"


def verdict(source_figure: float, moved: float, unit: str) -> str:
    """Where the moved figure stands against the sources' figure, in one sentence."""
    if round(moved, 1) == round(source_figure, 1):
        return f"At {amount(moved, unit)} the figure stays where the sources put it."
    side = "above" if moved > source_figure else "below"
    return f"At {amount(moved, unit)} the figure is {side} the {amount(source_figure, unit)} the sources state."


def prose(p, claims) -> dict[str, str]:
    """The page's sentences, by the name the notebook glues them under."""
    f = figures(p, claims)
    unit = f["figure_unit"]
    return {
        "verdict": verdict(f["source_figure"], f["moved_figure"], unit),
        "chart_alt": (f"Two bars: the figure as the sources state it, {amount(f['source_figure'], unit)}, "
                      f"and moved by {f['move_pct']:+.0f}%, {amount(f['moved_figure'], unit)}."),
    }


def signposts(p, claims, case: str | None = None) -> list[contract.Signpost]:
    """What to watch: the figure against the level the chapter's assumption puts it at."""
    f = figures(p, claims)
    where = f"at {case}'s assumption" if case else "at the page's assumption"
    return [contract.Signpost(
        name="The figure the chapter reads", threshold=f["moved_figure"], unit=f["figure_unit"],
        if_better=f"the figure reaches the level {where}", if_worse=f"the figure stays short of the level {where}",
        better_case="base or bull", worse_case="base or bear", claims=(CLAIMS["figure"],), assumptions=("move_pct",))]


def headline(p, claims, case: str | None = None) -> dict[str, str]:
    """The chapter's row in the summary's table of themes: the key figure and what it means."""
    f = figures(p, claims)
    claim = claims.get(CLAIMS["figure"])
    unit = f["figure_unit"]
    where = f"at the {md_escape(case)} case's assumption" if case else "at the page's assumption"
    return {
        "figure": (f"{md_escape(claim.subject)}: {amount(f['moved_figure'], unit)} after a "
                   f"{f['move_pct']:+.0f}% move from {amount(f['source_figure'], unit)} "
                   f"{cite.claim(CLAIMS['figure'])}"),
        "meaning": f"the level the chapter's conclusion turns on, {where}",
    }
''')

CHARTS = Template('''\
"""The figures of the chapter ``$name``, drawn through the house style (alibaba_report.charts.style).

TEMPLATE: replace with the chapter's own charts; each has a title that says the finding and a source line.
"""
from __future__ import annotations

from alibaba_report.chapters.$name.model import CLAIMS, figures
from alibaba_report.chapters.$name.text import amount
from alibaba_report.charts import style


def _plain(text: str) -> str:
    """Text for matplotlib: a '$$' would start mathematics."""
    return text.replace("$$", r"\\$$")


def moved_figure_chart(p, claims):
    """The figure as the sources state it beside the figure moved by the chapter's assumption."""
    f = figures(p, claims)
    unit = f["figure_unit"]
    fig, ax = style.figure()
    labels = ["as the sources state it", f"moved {f['move_pct']:+.0f}%"]
    values = [f["source_figure"], f["moved_figure"]]
    bars = ax.bar(labels, values, color=[style.GREY, style.PALETTE[0]])
    ax.bar_label(bars, labels=[_plain(amount(v, unit)) for v in values], padding=3)
    ax.set_ylabel(_plain(f"{claims.get(CLAIMS['figure']).subject} ({unit})"))
    ax.set_ylim(0, max(max(values), 0) * 1.15 or 1)
    title = f"Moved {f['move_pct']:+.0f}%, the figure is {amount(f['moved_figure'], unit)}"
    source = claims.source_line([CLAIMS["figure"]]) + ". Assumption: the move, a placeholder of the new chapter."
    return style.finish(fig, _plain(title), _plain(source))
''')

PARAMETERS = Template('''\
# Parameters of book/$name.ipynb (model: alibaba_report/chapters/$name/). Base values and reasons:
# data/scenarios/base.yml, section `$name`. Scaffolded by `make chapter`: replace the placeholder.
move_pct:
  type: float
  unit: "%"
  min: -50.0
  max: 50.0
  meaning: >-
    how far the figure the chapter reads from the sources is moved (a placeholder assumption of a new
    chapter, to be replaced by the chapter's own)
''')

BASE_SECTION = Template('''
$name:
  move_pct:
    value: 10.0
    reason: >-
      Placeholder assumption of a new chapter (make chapter): a 10% move of the figure the chapter
      reads, to be replaced by the chapter's own assumption and its reason.
''')

TEST = Template('''\
"""The chapter ``$name`` (scaffolded by ``make chapter``): its model, its sentences, its bad inputs.

TEMPLATE: these test the placeholder model; rewrite them with the chapter's own.
"""
from __future__ import annotations

import re
import types

import pytest

from alibaba_report import params
from alibaba_report.chapters import $name as chapter
from alibaba_report.chapters import contract


def base() -> types.SimpleNamespace:
    return params.check_values("$name", params.scenario_parameters("base", "$name"))


def test_the_figure_moves_by_the_assumption(ledger):
    f = chapter.figures(base(), ledger)
    assert f["source_figure"] == pytest.approx(ledger.value(chapter.CLAIMS["figure"]))
    assert f["moved_figure"] == pytest.approx(f["source_figure"] * (1 + f["move_pct"] / 100))
    assert chapter.moved_figure([100.0, 100.0], [-10.0, 10.0]).tolist() == pytest.approx([90.0, 110.0])


@pytest.mark.parametrize("move, side", [(-20.0, "below"), (20.0, "above"), (0.0, "stays where")])
def test_the_verdict_says_which_side_of_the_sources_figure(ledger, move, side):
    p = dict(vars(base()), move_pct=move)
    assert side in chapter.prose(p, ledger)["verdict"]


def test_a_bad_move_is_refused_by_name(ledger):
    with pytest.raises(contract.ModelInputError, match="move_pct"):
        chapter.figures(dict(vars(base()), move_pct=float("nan")), ledger)


def test_the_headline_is_one_table_row_of_plain_words(ledger):
    row = chapter.headline(base(), ledger, case="base")
    assert set(row) == {"figure", "meaning"}
    for text in row.values():
        assert "\\n" not in text and not re.search(r"(?<!\\\\)\\|", text)  # one row of a Markdown table
        assert not re.search(r"\\b(nan|inf)\\b", text)
    assert "base case" in row["meaning"]
''')

NOTEBOOK_CELLS = (
    ("markdown", (), Template('''\
# $title_md

**In short.** {glue:text}`verdict` This chapter is new: its model is a placeholder that moves one figure
from the sources by one assumption, and its analysis is still to be written.''')),
    ("code", ("parameters",), Template('''\
move_pct = 10.0  # how far the figure is moved, %; a placeholder assumption of a new chapter''')),
    ("code", ("hide-input",), Template('''\
from IPython.display import Markdown

from alibaba_report import params, precision
from alibaba_report.chapters import $name as chapter
from alibaba_report.chapters import contract
from alibaba_report.charts import style
from alibaba_report.evidence import ledger

P = params.validate("$name", globals())''')),
    ("code", ("hide-input",), Template('''\
claims = ledger.load_claims()
R = chapter.compute(P, claims)
text = chapter.prose(P, claims)
precision.glue_all({**R["figures"], **text})''')),
    ("markdown", (), Template('''\
## The figure

The sources put the figure at {glue:text}`source_figure:,.1f` ({claim}`$claim`). Moved by
{glue:text}`move_pct:.0f`%, it is {glue:text}`moved_figure:,.1f`. {glue:text}`verdict`''')),
    ("code", ("hide-input",), Template('''\
style.show(chapter.moved_figure_chart(P, claims), alt=text["chart_alt"], data=R["curve"], name="$name-moved")''')),
    ("markdown", (), Template('''\
## Signposts

What would tell us the figure is where this chapter assumes it is.''')),
    ("code", ("hide-input",), Template('''\
Markdown(contract.signposts_markdown(chapter.signposts(P, claims)))''')),
)
