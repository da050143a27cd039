"""Charts with sliders that work offline: the model's values over a grid, shown with Vega-Lite.

No model runs in the browser. Python computes the package's own model at every point of a grid
over each slider's range (:func:`grid` builds the points, the caller's model fills the output
columns); the page ships that grid inside a Vega-Lite spec. Each slider is a Vega-Lite parameter
bound to a range input (``alt.binding_range``), keyboard-operable and labelled with its unit; a
``transform_filter`` on the grid picks the row at the sliders' point, so moving a slider moves the
marked point, the line through it and the key figures written above the chart at once.

The JavaScript (Vega, Vega-Lite, vega-embed) comes with the site: :func:`write_bundle` writes
vl-convert's bundle once into the built site's ``_static/vega/`` (the Sphinx extension calls it),
and every chart loads it from there; the action menu is off, so nothing on the page links out.
A notebook shows the chart with :func:`show`: HTML for the page and a text/plain fallback that
says what the chart shows, both deterministic (no random ids), so nbval compares them.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from alibaba_report import precision
from alibaba_report.charts.sliders import (  # noqa: F401 - importable from here, as before
    MAX_GRID_ROWS, Figure, GridTooLarge, Slider, SliderChart, check_size, fill, grid,
)

BUNDLE_DIR = "vega"
BUNDLE_FILE = "vega-bundle.js"
# The bundle as a page in book/ links to it (the PDF's one-page build sits at the output's top,
# where "../" stays at the top, so the same path works there).
BUNDLE_URL = f"../_static/{BUNDLE_DIR}/{BUNDLE_FILE}"

PLOT_WIDTH = 280  # px: with axis labels the chart stays inside a 390 px phone screen
PLOT_HEIGHT = 170
FIGURE_LINE_PX = 18
TITLE_CHARS, SUBTITLE_CHARS = 42, 58  # characters a line of the title and of the source line holds in PLOT_WIDTH
COLOURS = {"line": "#0072B2", "point": "#D55E00", "reference": "#6b6b6b", "text": "#222222"}


# --- the Vega-Lite spec ---------------------------------------------------------------------------

def _csv(chart: SliderChart) -> tuple[str, dict[str, str]]:
    """The grid as compact CSV text (inline in the spec) and how Vega parses each column."""
    cols = list(dict.fromkeys([s.column for s in chart.sliders] + [chart.y.column]
                              + [f.column for f in chart.figures]))
    frame = chart.grid[cols].copy()
    parse = {}
    for c in cols:
        digits = chart.digits(c)
        parse[c] = "string" if digits is None else "number"
        if digits is not None:
            frame[c] = frame[c].astype(float).round(digits)
    text = frame.to_csv(index=False, lineterminator="\n", float_format=None)
    # "12.0" -> "12": shorter, and Vega reads both as the number 12
    text = re.sub(r"(?<=[\d])\.0(?=[,\n])", "", text)
    return text, parse


def _near(s: Slider) -> str:
    return f"abs(datum[{json.dumps(s.column)}] - {s.param}) < {s.step / 2!r}"


def y_domain(sc: SliderChart) -> tuple[float, float]:
    """The y axis's span: every finite value of the plotted output and the reference line. A grid
    with no finite value (no return anywhere, say) or one value only still gets an axis of some
    height, so the spec stays valid JSON (no NaN) and the figures above it still show."""
    ys = pd.to_numeric(sc.grid[sc.y.column], errors="coerce").to_numpy(dtype=float)
    ys = list(ys[np.isfinite(ys)])
    if sc.reference is not None and math.isfinite(float(sc.reference[1])):
        ys.append(float(sc.reference[1]))
    if not ys:
        return 0.0, 1.0
    lo, hi = float(min(ys)), float(max(ys))
    if hi - lo < 1e-9 * max(1.0, abs(lo)):
        pad = max(1.0, abs(lo) * 0.1)
        lo, hi = lo - pad, hi + pad
    return precision.stated(lo), precision.stated(hi)  # the page's precision: the same spec on any machine


def chart(sc: SliderChart):
    """The Altair chart: sliders, key figures at the sliders' point, and the plot under them."""
    import altair as alt

    csv, parse = _csv(sc)
    params = [alt.param(name=s.param, value=s.initial,
                        bind=alt.binding_range(min=s.start, max=s.stop, step=s.step, name=s.title))
              for s in sc.sliders]
    at_point = " && ".join(_near(s) for s in sc.sliders)
    data = alt.InlineData(values=csv, format=alt.DataFormat(type="csv", parse=parse))
    return (alt.vconcat(_figures(sc, at_point), _plot(sc, at_point), data=data, spacing=8)
            .add_params(*params)
            .properties(title=alt.TitleParams(_lines(sc.title, TITLE_CHARS), anchor="start", fontSize=13,
                                              subtitle=_lines(sc.source, SUBTITLE_CHARS),
                                              subtitleFontSize=10, subtitleColor=COLOURS["reference"]),
                        description=sc.description)
            .configure_view(stroke=None)
            .configure_axis(labelFontSize=11, titleFontSize=11, grid=True, gridColor="#dddddd"))


def _plot(sc: SliderChart, at_point: str):
    """The line along the first slider (the others where they stand), the point at the sliders'
    point, and the reference line if any."""
    import altair as alt

    x = sc.sliders[0]
    along = " && ".join(_near(s) for s in sc.sliders[1:]) or "true"
    # the y axis spans the whole grid (and the reference line), so moving a slider moves the line
    # rather than rescaling the axis under it
    lo, hi = y_domain(sc)
    q = alt.Scale(domain=[lo, hi], nice=True, zero=False)
    x_enc = alt.X(f"{x.column}:Q", title=x.title, scale=alt.Scale(domain=[x.start, x.stop], nice=False))
    y_enc = alt.Y(f"{sc.y.column}:Q", title=sc.y_title or sc.y.label, scale=q)

    line = alt.Chart().transform_filter(along).mark_line(color=COLOURS["line"], strokeWidth=2).encode(x=x_enc, y=y_enc)
    point = (alt.Chart().transform_filter(at_point)
             .mark_point(filled=True, size=90, color=COLOURS["point"], opacity=1).encode(x=x_enc, y=y_enc))
    layers = [line]
    if sc.reference is not None:
        # one row of its own, or the line and its words would be drawn once per grid point
        words, level = sc.reference
        ref = alt.Chart(alt.InlineData(values=[{"reference": float(level)}]))
        ref_y = alt.Y("reference:Q")
        layers.append(ref.mark_rule(color=COLOURS["reference"], strokeDash=[4, 3]).encode(y=ref_y))
        layers.append(ref.mark_text(align="right", baseline="bottom", dy=-3, fontSize=10, color=COLOURS["reference"])
                      .encode(x=alt.value(PLOT_WIDTH), y=ref_y, text=alt.value(words)))
    layers.append(point)
    return alt.layer(*layers).properties(width=PLOT_WIDTH, height=PLOT_HEIGHT)


def _figures(sc: SliderChart, at_point: str):
    """The key figures, one line each, written above the plot at the sliders' point."""
    import altair as alt

    texts = []
    for i, f in enumerate(sc.figures):
        texts.append(alt.Chart().transform_filter(at_point)
                     .transform_calculate(**{f"figure_{i}": f.expression()})
                     .mark_text(align="left", baseline="middle", fontSize=12,
                                fontWeight="bold" if i == 0 else "normal", color=COLOURS["text"])
                     .encode(x=alt.value(0), y=alt.value(FIGURE_LINE_PX * i + FIGURE_LINE_PX / 2),
                             text=alt.Text(f"figure_{i}:N")))
    return alt.layer(*texts).properties(width=PLOT_WIDTH, height=FIGURE_LINE_PX * len(sc.figures))


def _lines(text: str, width: int) -> list[str]:
    """``text`` broken into lines of at most ``width`` characters (Vega does not wrap titles)."""
    import textwrap

    return textwrap.wrap(text, width) or [""]


def spec(sc: SliderChart) -> dict:
    """The Vega-Lite spec of :func:`chart` as a plain dict."""
    return chart(sc).to_dict()


def script_json(obj) -> str:
    """``obj`` as JSON that is inert inside an HTML ``<script>``: ``<``, ``>`` and ``&`` (and the
    two JavaScript line separators) written as ``\\u`` escapes, so no string in it can close the
    script or open a comment; the JSON means the same."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def element_id(sc: SliderChart) -> str:
    return "slider-" + sc.name


def plain_text(sc: SliderChart) -> str:
    """The text/plain fallback: what the chart shows, its sliders and the figures where they start."""
    start = {s.column: s.initial for s in sc.sliders}
    lines = [f"[interactive chart] {sc.title}", sc.description]
    lines += [f"slider: {s.title}, {s.start:g} to {s.stop:g} in steps of {s.step:g}, starting at {s.initial:g}"
              for s in sc.sliders]
    lines += sc.shown(**start)
    return "\n".join(lines)


def html(sc: SliderChart, spec_dict: dict | None = None) -> str:
    """The chart as HTML for a page: a container with a stable id, the site's Vega bundle, the spec
    as inert JSON and a call to ``vegaEmbed(el, spec, {actions: false})``."""
    import html as html_mod

    el = element_id(sc)
    payload = script_json(spec_dict if spec_dict is not None else spec(sc))
    note = html_mod.escape(sc.description)
    return (
        f'<div class="slider-chart" id="{el}" role="group" aria-label="{html_mod.escape(sc.title)}"></div>\n'
        f'<noscript><p class="slider-chart-note">{note}</p></noscript>\n'
        f'<script src="{BUNDLE_URL}"></script>\n'
        f'<script type="application/json" id="{el}-spec">{payload}</script>\n'
        f"<script>{embed_script(el)}</script>\n"
    )


def embed_script(el: str) -> str:
    """The one script a page runs for a slider chart: it reads the inert JSON spec and embeds it.
    Nothing from data is in it (the id is the chart's name, checked); the security test allows
    exactly this text and the site's own bundle."""
    if not re.fullmatch(r"slider-[a-z0-9_-]+", el):
        raise ValueError(f"slider chart element id {el[:60]!r}: expected slider-<page>-<chart>")
    return ("(function () {\n"
            f'  var el = document.getElementById("{el}");\n'
            f'  var spec = JSON.parse(document.getElementById("{el}-spec").textContent);\n'
            '  if (typeof vegaEmbed !== "function") { el.textContent = "The interactive chart could not load."; return; }\n'
            '  vegaEmbed(el, spec, {actions: false, renderer: "svg"});\n'
            "})();")


def show(sc: SliderChart) -> None:
    """Display the slider chart in a notebook: HTML for the page, a text/plain fallback."""
    from IPython.display import display

    display({"text/html": html(sc), "text/plain": plain_text(sc)}, raw=True)


# --- the JavaScript, shipped with the site ------------------------------------------------------

def bundle_text() -> str:
    """vl-convert's bundle of Vega, Vega-Lite and vega-embed (defines ``window.vegaEmbed``).

    Wrapped in a function: the bundle declares short top-level names (``const _``, ``n``, ``t``…)
    that collide with the theme's own globals when loaded as a plain script ("Identifier '_' has
    already been declared", and no chart). Inside the function they are local; the bundle still
    publishes ``window.vegaEmbed``, ``window.vega`` and ``window.vegaLite`` itself."""
    import vl_convert

    return "(function () {\n" + vl_convert.javascript_bundle() + "\n})();\n"


def write_bundle(static_dir: Path | str, text: str) -> Path:
    """Write the bundle ``text`` (:func:`bundle_text`, as the build keeps it:
    :func:`alibaba_report.pipeline.cache.vega_bundle`) to ``<static_dir>/vega/vega-bundle.js``, left alone
    when already equal."""
    target = Path(static_dir) / BUNDLE_DIR / BUNDLE_FILE
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return target
