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

RC = {
    "figure.figsize": (8.0, 4.6),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
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


def apply() -> None:
    """Set the house style for the current process (idempotent)."""
    plt.rcParams.update(RC)


def figure(nrows: int = 1, ncols: int = 1, **kw):
    """A new figure and axes in the house style."""
    apply()
    fig, ax = plt.subplots(nrows, ncols, **kw)
    return fig, ax


def finish(fig: Figure, title: str, source: str, width: int = 110) -> Figure:
    """Put the finding as title and the source line under the chart; return the figure.

    ``title`` states the finding (computed numbers belong in it); ``source`` names the seeds and
    claim ids or the assumptions. Long lines are wrapped so nothing is cut at the figure's edge.
    """
    fig.suptitle("\n".join(textwrap.wrap(title, 68)), x=0.01, ha="left", fontsize=12, fontweight="bold")
    src = "\n".join(textwrap.wrap(source, width))
    n_lines = src.count("\n") + 1
    fig.text(0.01, 0.01, src, ha="left", va="bottom", fontsize=7.5, color=GREY)
    fig.tight_layout(rect=(0, 0.03 + 0.03 * n_lines, 1, 1))
    return fig


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
    import base64
    import io
    import os
    import re

    from IPython.display import HTML, display

    if not alt or len(alt) < 20:
        raise ValueError("a chart needs alt text that says what it shows (20 characters or more)")
    if (data is None) != (name is None):
        raise ValueError("give both data and name to make a chart's data downloadable, or neither")
    if name is not None and not re.fullmatch(r"[a-z0-9_]+-[a-z0-9_]+", name):
        raise ValueError(f"chart data name {name!r}: expected '<notebook>-<chart>' in lower case")
    buf = io.BytesIO()
    # metadata={"Software": None}: no version stamp in the PNG, so the bytes depend only on the chart
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    display(
        {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"), "text/plain": f"[chart] {alt}"},
        raw=True,
        metadata={"image/png": {"alt": alt}},
    )
    if data is None:
        return
    target = os.environ.get(CHART_DATA_ENV)
    if target:
        os.makedirs(target, exist_ok=True)
        safe_csv_frame(data).to_csv(os.path.join(target, f"{name}.csv"), float_format="%.6g")
    display(HTML(f'<p class="chart-data"><a href="{CHART_DATA_URL}/{name}.csv" download>'
                 f"Download this chart's data (CSV)</a></p>"))
