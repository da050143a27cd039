"""The house style for every chart in the book, and the one way a chart is finished.

Every chart carries a title that states the finding, labelled axes with units, and a source line
under it naming the seeds and claim ids or the assumptions it rests on (Our World in Data's habit).
The palette is Okabe–Ito, readable by colour-blind readers; series are also told apart by hatch,
marker or line style so that a grey print still reads.
"""
from __future__ import annotations

import textwrap

import matplotlib

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

# Okabe & Ito (2008), ordered so that the first four also differ in lightness (at least 11.7 L*
# apart, so they read in grey; tests/test_site_a11y.py checks it): black comes fourth.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#000000", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442"]
HATCHES = ["", "//", "..", "xx", "\\\\", "oo", "++", "--"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
LINESTYLES = ["-", "--", ":", "-."]
GREY = "#6b6b6b"

# One fixed colour per scenario on every chart of the book. Orange, green and blue from Okabe–Ito:
# apart for every kind of colour blindness, and in grey a ramp from light (bear, L* 71) through
# mid (base, 58) to dark (bull, 46), each step more than 10 L* (tests/test_site_a11y.py's
# threshold; tests/test_style.py checks the ramp). Hatches, line styles and markers
# tell the scenarios apart as well, for a grey print.
SCENARIO_COLOURS = {"bear": "#E69F00", "base": "#009E73", "bull": "#0072B2"}
SCENARIO_HATCHES = {"bear": "//", "base": "", "bull": ".."}
SCENARIO_LINESTYLES = {"bear": "--", "base": "-", "bull": ":"}
SCENARIO_MARKERS = {"bear": "v", "base": "o", "bull": "^"}
OTHER_COLOUR = "#CC79A7"  # a path that is none of the named scenarios (a reader's own assumptions)

# Text sizes in points. A chart 8 inches wide is shown about 45% of its size on a 390 px phone, so
# text in the image cannot be large enough there without being too large on a desktop: the source
# line, the smallest text, leaves the image and is shown as page text under it (``show``).
SOURCE_FONTSIZE = 9.5

RC = {
    "figure.figsize": (8.0, 4.6),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10.5,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "legend.frameon": False,
    "svg.hashsalt": "alibaba-report",  # deterministic ids if anyone saves SVG
}


def _show_tables_in_full() -> None:
    """Tables in the book are for reading: never cut a cell's text with "..." (pandas' default
    truncates at 50 characters, which cut signposts and reasons mid-word)."""
    import pandas as pd

    pd.set_option("display.max_colwidth", None)


_show_tables_in_full()  # every notebook imports this module before it shows a table


def _table_label(df) -> str:
    cols = [str(c) for c in df.columns][:4]
    return "Table: " + ", ".join(cols) + (", …" if len(df.columns) > 4 else "")


def _house_tables() -> None:
    """Every DataFrame a notebook shows becomes a reader table in the house style (one header row,
    units in headers, rounded numbers, a labelled scroll box at phone width: charts/tables.py),
    whichever cell shows it. Four significant figures by default, so a source's 247.8 stays 247.8."""
    try:
        from IPython import get_ipython
    except ImportError:  # outside IPython: nothing displays tables
        return
    ip = get_ipython()
    if ip is None:
        return
    import pandas as pd

    from alibaba_report.charts import tables

    ip.display_formatter.formatters["text/html"].for_type(
        pd.DataFrame, lambda df: tables.table_html(df, _table_label(df), sig=4))


_house_tables()


def apply() -> None:
    """Set the house style for the current process (idempotent)."""
    plt.rcParams.update(RC)


def figure(nrows: int = 1, ncols: int = 1, **kw):
    """A new figure and axes in the house style."""
    apply()
    fig, ax = plt.subplots(nrows, ncols, **kw)
    return fig, ax


def finish(fig: Figure, title: str, source: str, width: int | None = None) -> Figure:
    """Put the finding as title and the source line under the chart; return the figure.

    ``title`` states the finding (computed numbers belong in it); ``source`` names the seeds and
    claim ids or the assumptions. Long lines are wrapped to the figure's width so nothing is cut at
    its edge. The source line is a text of the figure (gid ``chart-source``); ``show`` moves it out
    of the image into the page, where it stays readable on a phone.
    """
    fig_width = fig.get_size_inches()[0]
    fig.suptitle("\n".join(textwrap.wrap(title, max(30, int(68 * fig_width / 8.0)), break_on_hyphens=False)), x=0.01, ha="left",
                 fontsize=12, fontweight="bold")
    src = "\n".join(textwrap.wrap(source, width or max(40, int(88 * fig_width / 8.0)), break_on_hyphens=False))
    n_lines = src.count("\n") + 1
    fig.text(0.01, 0.01, src, ha="left", va="bottom", fontsize=SOURCE_FONTSIZE, color=GREY, gid=SOURCE_GID)
    height = fig.get_size_inches()[1]
    fig.tight_layout(rect=(0, min(0.4, (0.14 + 0.175 * n_lines) / height), 1, 1))  # room for the source lines
    return fig


SOURCE_GID = "chart-source"


def source_of(fig: Figure) -> str | None:
    """The source line ``finish`` put on ``fig`` (one line), or None."""
    for t in fig.texts:
        if t.get_gid() == SOURCE_GID:
            return " ".join(t.get_text().split())
    return None


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value):
    """A CSV cell a spreadsheet will not run: text starting with = + - @, a tab or a carriage
    return gets a leading apostrophe (OWASP's advice), unless it is a plain number ("-3.5")."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    try:
        float(value)
        return value
    except ValueError:
        return "'" + value


def safe_csv_frame(data):
    """``data`` with every text cell, column name and index label neutralised for spreadsheets."""
    import pandas as pd

    out = data.copy() if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_cell)
    out.columns = [neutralise_cell(c) for c in out.columns]
    if out.index.dtype == object or pd.api.types.is_string_dtype(out.index):
        out.index = out.index.map(neutralise_cell)
    return out


CHART_DATA_ENV = "REPORT_CHART_DATA_DIR"  # set by the build: where chart CSVs go in the staged site
CHART_DATA_URL = "../_static/chart-data"  # the same folder as a page in book/ links to it


def show(fig: Figure, alt: str, data=None, name: str | None = None) -> None:
    """Display ``fig`` in the notebook as a PNG with alt text, then close it.

    The alt text travels in the output's metadata (``image/png`` → ``alt``); the build driver moves
    it to where MyST-NB reads it, so every chart on the site has an ``alt`` attribute. The text/plain
    part of the output is the alt text too, so nbval notices when what a chart says changes.

    ``data`` (a DataFrame) with ``name`` (``<notebook>-<chart>``) makes the chart's data
    downloadable: a link under the chart, and during a build the CSV itself, written where the
    link points (``$REPORT_CHART_DATA_DIR``). Outside a build nothing is written, so running a
    notebook by hand or under nbval never touches the tree.
    """
    import html

    from IPython.display import HTML, display

    _check_show_arguments(alt, data, name)
    source = source_of(fig)
    # the chart as drawn, then re-laid out for a phone (charts/phone.py; the site shows one or the other)
    for png, label in zip(_png_renderings(fig, crop=bool(source)), ("[chart]", "[chart, phone layout]")):
        display({"image/png": png, "text/plain": f"{label} {alt}"}, raw=True, metadata={"image/png": {"alt": alt}})
    if source:
        display(HTML(f'<p class="chart-source">{html.escape(source)}</p>'))
    if data is not None:
        _offer_data(data, name)


def _check_show_arguments(alt: str, data, name: str | None) -> None:
    import re

    if not alt or len(alt) < 20:
        raise ValueError("a chart needs alt text that says what it shows (20 characters or more)")
    if (data is None) != (name is None):
        raise ValueError("give both data and name to make a chart's data downloadable, or neither")
    if name is not None and not re.fullmatch(r"[a-z0-9_]+-[a-z0-9_]+", name):
        raise ValueError(f"chart data name {name!r}: expected '<notebook>-<chart>' in lower case")


def _png_renderings(fig: Figure, crop: bool) -> list[str]:
    """``fig`` as base64 PNGs, as drawn and re-laid out for a phone (:func:`phone.renderings`), then
    closed. ``crop`` (the chart has a source line): the source line is shown as text under the image
    instead (readable at any width, selectable, read by screen readers), and the image is cropped to
    what remains."""
    import base64

    from alibaba_report.charts import phone

    extra = {}
    if crop:
        for t in fig.texts:
            if t.get_gid() == SOURCE_GID:
                t.set_visible(False)
        extra = {"bbox_inches": "tight", "pad_inches": 0.12}
    pngs = [base64.b64encode(png).decode("ascii") for png in phone.renderings(fig, **extra)]
    plt.close(fig)
    return pngs


def _offer_data(data, name: str) -> None:
    """The link to a chart's data under it; during a build, the CSV it points to."""
    import os

    from IPython.display import HTML, display

    target = os.environ.get(CHART_DATA_ENV)
    if target:
        os.makedirs(target, exist_ok=True)
        safe_csv_frame(data).to_csv(os.path.join(target, f"{name}.csv"), float_format="%.6g")
    display(HTML(f'<p class="chart-data"><a href="{CHART_DATA_URL}/{name}.csv" download>'
                 f"Download this chart's data (CSV)</a></p>"))
