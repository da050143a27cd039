"""Charts that read on a phone: every chart's smallest text at least 9 CSS px at 390 px, unchanged at 1280.

The unit tests re-lay out a deliberately awkward chart (side-by-side panels, 7 pt ticks, a long legend,
long category labels) with ``charts.phone`` and check the PNG it makes. The browser test opens every
page of the built site at 390 px and at 1280 px and, for every chart, reads from the PNG the browser
chose the size of its smallest text in image pixels (recorded by ``phone.png``) and scales it by the
size the image is shown at; for the slider charts (SVG in the page) it measures the text elements.
"""
from __future__ import annotations

import io
import textwrap

import matplotlib
import pytest

from alibaba_report.charts import phone, style

matplotlib.use("Agg")

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _awkward_chart():
    """What a phone layout has to cope with: panels side by side, small text, long labels."""
    fig, (ax1, ax2) = style.figure(1, 2, gridspec_kw={"width_ratios": [2, 1]})
    quarters = [f"FQ{q % 4 + 1}\nFY{26 + q // 4}" for q in range(12)]
    ax1.plot(range(12), [30 - 2 * i for i in range(12)], label="the base case: the loss shrinks 15% a quarter after its peak")
    ax1.plot(range(12), [35 - 1.5 * i for i in range(12)], label="the bear case: the loss stays at its peak a second quarter")
    ax1.set_xticks(range(12), quarters, fontsize=7)
    ax1.set_ylabel("instant-retail loss, RMB bn a quarter")
    ax1.legend(loc="upper right", fontsize=7.5)
    names = ["revenue", "operating income", "adjusted earnings", "capital expenditure (group)"]
    ax2.barh(range(4), [5, -85, -71, 80])
    ax2.set_yticks(range(4), [f"{n}, as boerse-global.de files it (4 January)" for n in names], fontsize=7.5)
    ax2.set_title("FQ2 FY26 against a year earlier: group figures", fontsize=9)
    style.finish(fig, "On this page's path the loss falls to RMB 10bn or less in FQ3 FY28, after costing "
                      "RMB 203bn over 12 quarters; the bear case costs far more", "Source: a test")
    for t in fig.texts:  # as style.show does: the source line is page text, not part of the image
        if t.get_gid() == style.SOURCE_GID:
            t.set_visible(False)
    return fig


def _image(data: bytes):
    from PIL import Image

    return Image.open(io.BytesIO(data))


def test_the_phone_layout_keeps_every_text_at_9_css_px_on_a_390_px_phone():
    fig = _awkward_chart()
    wide, small = phone.renderings(fig, bbox_inches="tight", pad_inches=phone.PAD_IN)
    meta, img = phone.read_png_text(small), _image(small)
    assert meta[phone.LAYOUT_KEY] == "phone"
    # shown across the 358 px column of a 390 px phone (measured on the built site)
    css_px = float(meta[phone.MIN_TEXT_KEY]) * phone.PHONE_COLUMN_CSS_PX / img.size[0]
    assert css_px >= phone.MIN_TEXT_CSS_PX, f"smallest text {css_px:.1f} CSS px"
    assert img.size[0] / phone.DPI <= phone.WIDTH_IN * 1.03, "the crop grew past the phone width"
    assert min(t.get_fontsize() for t in phone.visible_texts(fig)) >= phone.FLOOR_PT
    # the wide rendering is the chart as drawn: its 7 pt ticks unchanged, at the house resolution
    assert phone.read_png_text(wide) == {phone.LAYOUT_KEY: "wide", phone.MIN_TEXT_KEY: f"{7 * 100 / 72:.2f}"}


def test_two_long_period_labels_that_overlap_keep_the_first_alone():
    """Two categories named with figures (periods from the ledger, as long as a reader's note) that
    still overlap at the floor size: the phone layout keeps the first and draws (a kernel once raised
    here: the step search had no candidate for two labels)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3))
    ax.bar([0, 1], [3, 4])
    long = "quarter to 30 Sep 2025 restated 2026 " * 3
    ax.set_xticks([0, 1], [long.replace(" ", "_"), long.replace(" ", "-")])
    phone.narrow(fig)
    shown = [lab.get_text() for lab in ax.get_xticklabels() if lab.get_visible() and lab.get_text().strip()]
    plt.close(fig)
    assert len(shown) == 1 and shown[0].startswith("quarter")


def test_the_phone_layout_stacks_panels_and_puts_legends_under_the_plot():
    fig = _awkward_chart()
    phone.narrow(fig)
    fig.canvas.draw()
    ax1, ax2 = fig.axes
    b1, b2 = ax1.get_window_extent(), ax2.get_window_extent()
    assert b2.y1 < b1.y0, "the second panel should sit under the first"
    assert b1.x0 == pytest.approx(b2.x0, abs=1) and b1.x1 == pytest.approx(b2.x1, abs=1), "one column of panels"
    legend = ax1.get_legend().get_window_extent()
    assert legend.y1 <= ax1.xaxis.get_tightbbox().y0 + 1, "the legend should sit under the axis labels"
    assert legend.x1 <= fig.bbox.width * 1.03, "the legend should fit the image's width"


def test_nothing_a_reader_needs_is_dropped():
    fig = _awkward_chart()
    title = " ".join(fig._suptitle.get_text().split())
    phone.narrow(fig)
    fig.canvas.draw()
    assert " ".join(fig._suptitle.get_text().split()) == title, "the title is re-wrapped, never cut"
    ax1, ax2 = fig.axes
    categories = [" ".join(t.get_text().split()) for t in ax2.get_yticklabels()]
    assert all("boerse-global.de files it (4 January)" in c for c in categories)
    assert all(t.get_visible() for t in ax2.get_yticklabels())
    legend = [" ".join(t.get_text().split()) for t in ax1.get_legend().get_texts()]
    assert legend[1] == "the bear case: the loss stays at its peak a second quarter"
    # twelve quarters do not fit a phone's width side by side: every k-th stays, the first among them
    shown = [t for t in ax1.get_xticklabels() if t.get_visible()]
    assert 3 <= len(shown) < 12 and shown[0].get_text() == "FQ1\nFY26"
    boxes = [t.get_window_extent() for t in shown]
    assert all(a.x1 < b.x0 for a, b in zip(boxes, boxes[1:])), "the quarters kept must not overlap"


def test_category_names_in_words_are_wrapped_not_dropped():
    fig, ax = style.figure()
    names = ["revenue", "operating income", "adjusted earnings", "capex (group)", "free cash flow"]
    ax.bar(names, [5, -85, -71, 80, -20])
    style.finish(fig, "Group revenue grew 5% but operating income fell 85%", "Source: a test")
    phone.narrow(fig)
    fig.canvas.draw()
    labels = ax.get_xticklabels()
    assert [" ".join(t.get_text().split()) for t in labels] == names
    assert all(t.get_visible() for t in labels)


def test_read_png_text_refuses_what_is_not_a_png():
    with pytest.raises(ValueError, match="not a PNG"):
        phone.read_png_text(b"<svg></svg>")


def test_css_size_of_text_on_a_phone():
    # 8.5 pt in a 4.2 in image across a 358 px column: 8.5/72 in of 4.2 in is 2.8% of 358 px
    assert phone.css_px_on_phone(8.5, 4.2) == pytest.approx(10.06, abs=0.01)
    # the same text in the 8 in desktop chart shown on the phone: what readers had before
    assert phone.css_px_on_phone(8.5, 8.0) < phone.MIN_TEXT_CSS_PX


# --- in the browser --------------------------------------------------------------------------------

_CHARTS_JS = """async () => {
  const imgs = [...document.querySelectorAll('article div.cell_output img')];
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  return imgs.map(i => ({src: i.currentSrc || i.src, shown: i.getBoundingClientRect().width,
                         natural: i.naturalWidth, alt: i.getAttribute('alt') || '',
                         inPicture: i.parentElement.tagName === 'PICTURE'}));
}"""


# The slider charts (Vega, drawn as SVG in the page): the height of each text element as laid out.
_SLIDERS_JS = """() => [...document.querySelectorAll('div.slider-chart')].map(el => {
  const texts = [...el.querySelectorAll('svg text')].filter(t => t.textContent.trim());
  return {name: el.getAttribute('aria-label') || el.id, texts: texts.length,
          smallest: Math.min(...texts.map(t => t.getBoundingClientRect().height)),
          text: (texts.sort((a, b) => a.getBoundingClientRect().height - b.getBoundingClientRect().height)[0] || {}).textContent};
})"""


async def _charts(browser, base: str, rels: list[str], viewport: dict, mobile: bool) -> dict[str, list[dict]]:
    context = await browser.new_context(viewport=viewport, device_scale_factor=2 if mobile else 1,
                                        is_mobile=mobile, has_touch=mobile)
    found = {}
    try:
        page = await context.new_page()
        for rel in rels:
            await page.goto(base + rel, wait_until="load", timeout=30_000)
            found[rel] = await page.evaluate(_CHARTS_JS)
            if await page.locator("div.slider-chart").count():
                await page.wait_for_function(
                    "() => [...document.querySelectorAll('div.slider-chart')].every(el => el.querySelector('svg text'))",
                    timeout=15_000)
            for slider in await page.evaluate(_SLIDERS_JS):
                found[rel].append({**slider, "slider": True})
            for chart in found[rel]:
                if chart.get("slider"):
                    continue
                resp = await context.request.get(chart["src"])
                chart["png"] = await resp.body()
    finally:
        await context.close()
    return found


def _measure(built_site, browser, viewport: dict, mobile: bool) -> dict[str, list[dict]]:
    import sitecheck

    rels = sitecheck.content_pages(built_site)
    with sitecheck.serve(built_site) as base:
        return browser.run(_charts, base, rels, viewport, mobile)


def _name(chart: dict) -> str:
    return textwrap.shorten(chart["alt"], 70, placeholder="…")


@pytest.mark.browser
def test_every_chart_reads_on_a_390_px_phone(built_site, browser):
    """At 390 px every chart shows its phone layout, and its smallest text is at least 9 CSS px."""
    pages = _measure(built_site, browser, PHONE, mobile=True)
    assert sum(not c.get("slider") for cs in pages.values() for c in cs) >= 15, "expected the book's charts"
    assert sum(bool(c.get("slider")) for cs in pages.values() for c in cs) >= 3, "expected the slider charts"
    small = []
    for rel, charts in pages.items():
        for chart in charts:
            if chart.get("slider"):
                if chart["smallest"] < phone.MIN_TEXT_CSS_PX:
                    small.append(f"{rel}: slider chart '{textwrap.shorten(chart['name'], 70, placeholder='…')}' has text {chart['smallest']:.1f} CSS px tall "
                                 f"('{chart['text']}')")
                continue
            meta = phone.read_png_text(chart["png"])
            if meta.get(phone.LAYOUT_KEY) != "phone" or not chart["inPicture"]:
                small.append(f"{rel}: chart '{_name(chart)}' shows its {meta.get(phone.LAYOUT_KEY, 'unrecorded')} "
                             "layout on a phone")
                continue
            css_px = float(meta[phone.MIN_TEXT_KEY]) * chart["shown"] / chart["natural"]
            chart["css_px"] = css_px
            if css_px < phone.MIN_TEXT_CSS_PX:
                small.append(f"{rel}: chart '{_name(chart)}' has text {css_px:.1f} CSS px tall "
                             f"(at least {phone.MIN_TEXT_CSS_PX:g})")
    assert not small, "\n".join(small)


@pytest.mark.browser
def test_at_1280_px_every_chart_is_the_wide_one_at_its_size(built_site, browser):
    """The desktop reader keeps the chart as drawn, shown at most at its natural size."""
    pages = _measure(built_site, browser, DESKTOP, mobile=False)
    wrong = []
    for rel, charts in pages.items():
        for chart in charts:
            if chart.get("slider"):
                continue
            if phone.read_png_text(chart["png"]).get(phone.LAYOUT_KEY) != "wide":
                wrong.append(f"{rel}: chart '{_name(chart)}' is not its wide layout at 1280 px")
            elif chart["shown"] > chart["natural"] + 0.5 or chart["shown"] < 0.8 * min(chart["natural"], 688):
                wrong.append(f"{rel}: chart '{_name(chart)}' shown {chart['shown']:.0f} px wide "
                             f"(natural {chart['natural']})")
            if len(chart["alt"]) < 20:
                wrong.append(f"{rel}: a chart without its alt text")
    assert not wrong, "\n".join(wrong)
