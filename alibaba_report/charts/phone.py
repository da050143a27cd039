"""A second rendering of every chart, laid out for a phone, and the numbers that size it.

A chart of the book is drawn 8 inches wide and shown as an 800 px PNG: at 1280 px the text column is
about 690 CSS px wide and the chart reads as designed, but a 390 px phone shows it in a column of
358 CSS px, at 45% of its size, where 10.5 pt axis text is 6.5 CSS px and 7.5 pt tick labels 4.7 px.
No single image can be right at both widths (text large enough on a phone would be twice its size on a
desktop), so ``style.show`` emits the chart twice: the wide rendering, then this module's narrow one,
the same figure re-laid out :data:`WIDTH_IN` inches wide with no text under :data:`FLOOR_PT` points.
The book's Sphinx extension (``pipeline/chart_picture.py``) joins the pair into one
``<picture>``: phones (``max-width: 600px``) load the narrow image, every other width and print the
wide one, and a reader, a screen reader or a test sees one image with one alt text.

Each PNG records, in its own text chunks, which layout it is and the height of its smallest text in
image pixels (:data:`LAYOUT_KEY`, :data:`MIN_TEXT_KEY`), so a browser test can tell the CSS size of
that text from the size the image is shown at, and the extension can tell the two images apart.

The sizes, measured on the built site (sphinx-book-theme 1.3, Chromium): the article column is
358 CSS px wide at a 390 px viewport and 688 px at 1280 px. Text of ``s`` points in an image ``w``
inches wide shown ``c`` CSS px wide is ``s / 72 * c / w`` CSS px: 8.5 pt in a 4.2 in image at 358 px
is 10.1 px, above the 9 px the book asks for with room for a slightly narrower phone.
"""
from __future__ import annotations

import io
import textwrap
import warnings

import matplotlib.text as mtext
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.transforms import ScaledTranslation, blended_transform_factory

PHONE_COLUMN_CSS_PX = 358  # the article column at a 390 px viewport (measured, see the module doc)
MIN_TEXT_CSS_PX = 9.0  # the smallest text a chart may show on a phone, in CSS px
WIDTH_IN = 4.2  # the narrow layout's width (the saved image, after cropping, is kept to this)
FLOOR_PT = 8.5  # no text of the narrow layout is smaller
DPI = 200  # 840 px for 358 CSS px: sharp on a phone's 2-3 device pixels per CSS px
PHONE_MEDIA = "(max-width: 600px)"  # where the narrow rendering replaces the wide one

LAYOUT_KEY = "chart-layout"  # PNG text chunk: "wide" or "phone"
MIN_TEXT_KEY = "chart-min-text-px"  # PNG text chunk: the smallest text's font size, in image pixels
PAD_IN = 0.12  # the margin ``style.show`` crops to


def visible_texts(fig: Figure) -> list[mtext.Text]:
    """Every text the saved image shows (hidden texts and empty strings left out)."""
    out = []
    for t in fig.findobj(mtext.Text):
        if not t.get_text().strip() or not t.get_visible():
            continue
        if any(not a.get_visible() for a in _ancestors(t)):
            continue
        out.append(t)
    return out


def _ancestors(artist):
    axes = getattr(artist, "axes", None)
    if axes is not None:
        yield axes
    for attr in ("_parent_legend",):
        parent = getattr(artist, attr, None)
        if parent is not None:
            yield parent


def min_text_pt(fig: Figure) -> float:
    """The font size, in points, of the smallest text the figure shows."""
    sizes = [t.get_fontsize() for t in visible_texts(fig)]
    if not sizes:
        raise ValueError("the chart shows no text: a chart needs a title and labelled axes")
    return min(sizes)


def css_px_on_phone(min_pt: float, width_in: float, column_px: float = PHONE_COLUMN_CSS_PX) -> float:
    """The CSS height of ``min_pt``-point text in an image ``width_in`` inches wide shown in a column
    ``column_px`` wide (an image narrower than the column is shown at its natural size)."""
    return min_pt / 72 * column_px / width_in


def png(fig: Figure, layout: str, dpi: float, **save) -> bytes:
    """The figure as PNG bytes, with its layout and its smallest text (image px) in text chunks and no
    version stamp, so the bytes depend only on the chart."""
    buf = io.BytesIO()
    meta = {"Software": None, LAYOUT_KEY: layout, MIN_TEXT_KEY: f"{min_text_pt(fig) * dpi / 72:.2f}"}
    fig.savefig(buf, format="png", dpi=dpi, metadata=meta, **save)
    return buf.getvalue()


def renderings(fig: Figure, **save) -> tuple[bytes, bytes]:
    """The chart as drawn (at the house style's resolution, ``save`` passed to ``savefig``) and then
    re-laid out for a phone (:func:`narrow`, always cropped to its content). The figure is changed."""
    import matplotlib.pyplot as plt

    wide = png(fig, "wide", plt.rcParams["savefig.dpi"], **save)
    narrow(fig)
    return wide, png(fig, "phone", DPI, bbox_inches="tight", pad_inches=PAD_IN)


def read_png_text(data: bytes) -> dict[str, str]:
    """The text chunks (tEXt) of a PNG: what :func:`png` recorded. Raises ValueError if ``data`` is not
    a PNG."""
    import struct
    import zlib

    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError("not a PNG image")
    out, pos = {}, 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"tEXt" and b"\0" in body:
            key, value = body.split(b"\0", 1)
            out[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"zTXt" and b"\0" in body:
            key, value = body.split(b"\0", 1)
            out[key.decode("latin-1")] = zlib.decompress(value[1:]).decode("latin-1")
        elif kind == b"IEND":
            break
        pos += 12 + length
    return out


def narrow(fig: Figure, width_in: float = WIDTH_IN, floor_pt: float = FLOOR_PT) -> Figure:
    """Re-lay out ``fig`` in place for a phone: ``width_in`` wide, side-by-side panels stacked, no text
    under ``floor_pt``, titles and long tick labels wrapped, crowded tick labels thinned; returns it.

    The width is of the cropped image (what ``show`` saves): text or annotations reaching past the axes
    widen a crop, so the figure is narrowed until the crop fits."""
    h0 = fig.get_size_inches()[1]
    panels = _stack_panels(fig)
    height = max(h0 * (1 + 0.55 * (panels - 1)) if panels > 1 else h0, width_in * 0.8)
    fig.set_size_inches(width_in, height)
    for t in visible_texts(fig):
        if t.get_fontsize() < floor_pt:
            t.set_fontsize(floor_pt)
    with warnings.catch_warnings():  # a panel tight_layout cannot fit is still drawn: no warning on the page
        warnings.filterwarnings("ignore", category=UserWarning, message=".*[Tt]ight.?layout")
        return _fit(fig, width_in, height)


def _fit(fig: Figure, width_in: float, height: float) -> Figure:
    target = w = width_in
    grown = 0
    for _ in range(8):
        fig.set_size_inches(w, height)
        _rewrap(fig, w)
        fig.tight_layout()
        _thin_crowded_ticks(fig)
        fig.set_size_inches(w, height + _legends_below(fig, w))  # the plot keeps its height
        fig.tight_layout()
        grow = _crowding_in(fig)
        if grow > 0.05 and grown < 1:  # labels in the plot overlap one another: a taller plot separates them
            height, grown = height + grow, grown + 1
            continue
        crop = _crop_width_in(fig)
        if crop <= target * 1.02:
            break
        w *= target / crop
    return fig


def _stack_panels(fig: Figure) -> int:
    """Panels side by side (one row of a grid) are put one under the other; returns how many."""
    axes = [a for a in fig.axes if a.get_visible() and a.get_subplotspec() is not None]
    if len(axes) < 2:
        return 1
    grids = {id(a.get_subplotspec().get_gridspec()) for a in axes}
    gs = axes[0].get_subplotspec().get_gridspec()
    if len(grids) != 1 or gs.nrows != 1:
        return 1
    stacked = GridSpec(gs.ncols, 1, figure=fig)
    for a in axes:
        a.set_subplotspec(stacked[a.get_subplotspec().colspan.start, 0])
    return gs.ncols


def _wrap(text: str, chars: int) -> list[str]:
    """Lines of at most ``chars`` characters, broken between words only ("boerse-global.de" stays whole)."""
    return textwrap.wrap(text, chars, break_on_hyphens=False, break_long_words=False)


def _chars(width_in: float, fontsize: float) -> int:
    return max(12, int(width_in * 72 / (0.55 * fontsize)))


def _rewrap_text(t: mtext.Text, chars: int) -> None:
    paragraphs = t.get_text().split("\n\n")
    t.set_text("\n\n".join("\n".join(_wrap(" ".join(p.split()), chars)) for p in paragraphs))


def _rewrap(fig: Figure, width_in: float) -> None:
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_text():
        _rewrap_text(sup, _chars(width_in * 0.96, sup.get_fontsize()))
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        ax_w = ax.get_position().width * width_in if ax.get_position().width > 0 else width_in
        for t in (ax.title, ax._left_title, ax._right_title):  # a panel's title: as wide as its panel
            limit = _chars(max(ax_w * 1.1, 1.3), t.get_fontsize())
            if t.get_text() and max(map(len, t.get_text().split("\n"))) > limit:
                _rewrap_text(t, limit)
        _wrap_yticklabels(ax, _chars(width_in * 0.38, max([FLOOR_PT] + [t.get_fontsize() for t in ax.get_yticklabels()])))
        for t in ax.texts:  # annotations and labels placed in the plot: a short measure
            if len(t.get_text()) > _chars(width_in * 0.42, t.get_fontsize()):
                _rewrap_text(t, _chars(width_in * 0.42, t.get_fontsize()))
        xl = ax.xaxis.label
        if xl.get_text() and len(xl.get_text()) > _chars(width_in * 0.8, xl.get_fontsize()):
            _rewrap_text(xl, _chars(width_in * 0.8, xl.get_fontsize()))
        yl = ax.yaxis.label
        if yl.get_text() and len(yl.get_text()) > _chars(ax.get_position().height * fig.get_size_inches()[1], yl.get_fontsize()):
            _rewrap_text(yl, _chars(ax.get_position().height * fig.get_size_inches()[1], yl.get_fontsize()))


def _wrap_yticklabels(ax, chars: int) -> None:
    """Long category labels (a horizontal bar chart's) wrapped to ``chars`` a line: set through the
    axis, as a label's own text is rewritten from the axis's formatter at every draw."""
    labels = ax.get_yticklabels()
    texts = [lab.get_text() for lab in labels]
    if not texts or max(len(t.replace("\n", " ")) for t in texts) <= chars:
        return
    size = labels[0].get_fontsize()
    wrapped = ["\n".join(_wrap(" ".join(t.split()), chars)) for t in texts]
    ax.set_yticks(ax.get_yticks(), wrapped, fontsize=size)


def _legends_below(fig: Figure, width_in: float) -> float:
    """Every legend moves under its axes (below the axis labels), one entry a line, labels wrapped: at a
    phone's width a legend inside the plot covers the data and a wide one runs off the image. Returns
    the height, in inches, the legends add."""
    renderer = fig.canvas.get_renderer()
    added = 0.0
    for ax in fig.axes:
        leg = ax.get_legend()
        if leg is None or not ax.get_visible():
            continue
        handles = leg.legend_handles
        size = max(leg.get_texts()[0].get_fontsize() if leg.get_texts() else FLOOR_PT, FLOOR_PT)
        labels = ["\n".join(_wrap(t.get_text(), _chars(width_in - 0.9, size))) for t in leg.get_texts()]
        title = leg.get_title().get_text()
        below = (ax.get_window_extent(renderer).y0 - ax.xaxis.get_tightbbox(renderer).y0) / fig.dpi + 0.08
        # from the image's left edge (the axes' left is past the tick labels), under the axis labels
        anchor = blended_transform_factory(fig.transFigure, ax.transAxes) + ScaledTranslation(0.05, -below, fig.dpi_scale_trans)
        leg.remove()
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(0, 0), bbox_transform=anchor, ncol=1,
                  fontsize=size, title=title or None, title_fontsize=size, frameon=False, alignment="left",
                  borderaxespad=0)
        added += ax.get_legend().get_window_extent(renderer).height / fig.dpi + below
    return added


def _crowding_in(fig: Figure, cap: float = 1.6) -> float:
    """How many inches taller the plots must be for the category labels and the texts placed in each
    plot (placed in data coordinates, so they move apart as the plot grows) to stop overlapping one
    another; at most ``cap`` times the tallest plot's height."""
    renderer = fig.canvas.get_renderer()
    need = 0.0
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        texts = [t for t in ax.texts if t.get_visible() and t.get_text().strip()]
        texts += [t for t in ax.get_yticklabels() if t.get_visible() and t.get_text().strip()]
        boxes = [t.get_window_extent(renderer) for t in texts]
        ax_h = ax.get_window_extent(renderer).height
        factor = 1.0
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                d = abs((a.y0 + a.y1) - (b.y0 + b.y1)) / 2
                if a.x1 <= b.x0 or b.x1 <= a.x0 or d < 1:
                    continue
                gap = (a.height + b.height) / 2 + 2
                if d < gap:
                    factor = max(factor, min(gap / d, cap))
        need = max(need, (factor - 1) * ax_h / fig.dpi)
    return need


def _thin_crowded_ticks(fig: Figure) -> None:
    """Where tick labels of an x axis overlap: labels of words are wrapped to the room between ticks,
    then set at the floor size; labels that still overlap and count something (quarters, days, years)
    keep every k-th, the smallest k that separates them."""
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        if _overlap(ax, renderer) and any(" " in lab.get_text() for lab in ax.get_xticklabels()):
            labels = ax.get_xticklabels()
            ticks = ax.get_xticks()
            room_in = ax.get_window_extent(renderer).width / fig.dpi / max(len(ticks), 1)
            size = max(lab.get_fontsize() for lab in labels)
            chars = _chars(room_in * 0.9, size) if room_in > 0 else 12
            ax.set_xticks(ticks, ["\n".join(w for line in lab.get_text().split("\n") for w in _wrap(line, chars) or [""])
                                  for lab in labels], fontsize=size)
        if _overlap(ax, renderer):  # smaller labels, down to the floor
            ax.tick_params(axis="x", labelsize=FLOOR_PT)
        boxes = _overlap(ax, renderer)
        labels = [lab for lab in ax.get_xticklabels() if lab.get_visible() and lab.get_text().strip()]
        if not boxes or not any(ch.isdigit() for lab in labels for ch in lab.get_text()):
            continue  # categories named in words are never dropped: they stay, close together
        k = len(labels)  # no step separates them (two long labels): the first alone
        for step in range(2, len(labels)):
            kept = boxes[::step]
            if all(a.x1 + 4 < b.x0 for a, b in zip(kept, kept[1:])):
                k = step
                break
        for i, lab in enumerate(labels):
            lab.set_visible(i % k == 0)


def _overlap(ax, renderer) -> list:
    """The x tick labels' boxes, left to right, if two neighbours overlap; else an empty list."""
    labels = [lab for lab in ax.get_xticklabels() if lab.get_visible() and lab.get_text().strip()]
    if len(labels) < 2:
        return []
    boxes = [lab.get_window_extent(renderer) for lab in labels]
    return boxes if any(a.x1 + 4 >= b.x0 for a, b in zip(boxes, boxes[1:])) else []


def _crop_width_in(fig: Figure) -> float:
    renderer = fig.canvas.get_renderer()
    return fig.get_tightbbox(renderer).width + 2 * PAD_IN
