"""Accessibility basics of the built site, read from its HTML and its chart images.

* every image has alt text that says something (not empty, not a file name: axe only asks for some);
* each of the book's pages has exactly one ``<h1>`` and headings never skip a level going down (axe's
  rules for these are best practice, outside the WCAG tags the browser tests run);
* every page has a ``<title>`` that starts with its heading and is unique;
* tables have header cells;
* the chart palette (``alibaba_report.charts.style.PALETTE``) reads for colour-blind readers and in grey,
  for as many colours as the site's charts actually use.

The theme repeats each page title as a print-only ``<h1>`` (``.onlyprint``, hidden on screen); the
heading checks leave it out, as screen readers do (see ``sitecheck``). The browser
tests check the same thing in Chromium's accessibility tree, and run axe-core's WCAG 2.1 A/AA rules on
every page (language, link names, contrast, ARIA...): a check axe makes is not repeated here.
"""
from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest

import sitecheck
from alibaba_report.charts import style


def _content(site):
    pages = sitecheck.content_pages(site)
    assert pages, f"{site} has no page"
    return pages


# --- HTML --------------------------------------------------------------------------------------

IMAGE_FILE = re.compile(r"\.(png|jpe?g|gif|svg|webp)$", re.I)


def test_every_image_has_alt_text(built_site):
    """Sphinx fills a missing alt with the image's path, so "non-empty" is not enough: alt text that
    is a file name tells a screen-reader user nothing."""
    bad, seen = [], 0
    for rel in sitecheck.pages(built_site):
        for img in sitecheck.parse(built_site, rel).images:
            seen += 1
            alt = (img.alt or "").strip()
            name = img.src.rsplit("/", 1)[-1]
            if img.alt is None:
                bad.append(f"{rel}: {img.src}: no alt attribute")
            elif not alt:
                bad.append(f"{rel}: {img.src}: empty alt")
            elif IMAGE_FILE.search(alt) or alt == img.src or name in alt or len(alt) < 10:
                bad.append(f"{rel}: {img.src}: alt {alt!r} does not describe the image")
    assert seen > 0, "no image on any page: the check reads nothing (the book has charts)"
    assert not bad, "\n".join(bad)


def test_each_page_has_exactly_one_h1(built_site):
    bad = []
    for rel in _content(built_site):
        h1s = sitecheck.parse(built_site, rel).h1s
        if len(h1s) != 1:
            bad.append(f"{rel}: {len(h1s)} <h1> {h1s}")
    assert not bad, "\n".join(bad)


def test_headings_never_skip_a_level(built_site):
    """Going down, a heading is at most one level deeper than the one before (h2 → h4 skips h3 and
    breaks the outline a screen reader navigates by); the article starts with its h1."""
    bad = []
    for rel in _content(built_site):
        heads = sitecheck.parse(built_site, rel).article_headings
        if not heads:
            bad.append(f"{rel}: no heading in the article")
            continue
        if heads[0][0] != 1:
            bad.append(f"{rel}: the article starts with h{heads[0][0]} {heads[0][1]!r}, not its h1")
        for (lvl_a, text_a), (lvl_b, text_b) in zip(heads, heads[1:]):
            if lvl_b > lvl_a + 1:
                bad.append(f"{rel}: h{lvl_a} {text_a!r} is followed by h{lvl_b} {text_b!r}")
    assert not bad, "\n".join(bad)


def test_page_titles_name_the_page(built_site):
    """The browser tab, bookmarks and screen readers announce <title>: it must start with the page's
    heading, so two pages are never told apart only by their URL."""
    bad = []
    for rel in _content(built_site):
        page = sitecheck.parse(built_site, rel)
        if page.h1s and not page.title.startswith(page.h1s[0]):
            bad.append(f"{rel}: title {page.title!r} does not start with its h1 {page.h1s[0]!r}")
    assert not bad, "\n".join(bad)


def test_titles_are_unique(built_site):
    seen: dict[str, list[str]] = {}
    for rel in _content(built_site):
        seen.setdefault(sitecheck.parse(built_site, rel).title, []).append(rel)
    dupes = {t: p for t, p in seen.items() if len(p) > 1}
    assert not dupes, f"pages sharing a title: {dupes}"


def test_tables_have_header_cells(built_site):
    bad, count = [], 0
    for rel in _content(built_site):
        for i, table in enumerate(sitecheck.parse(built_site, rel).tables, 1):
            count += 1
            if not table.header_cells:
                bad.append(f"{rel}: table {i} ({table.rows} rows, class {' '.join(table.classes)!r}) has no <th>")
            elif not any(table.header_cells):
                bad.append(f"{rel}: table {i}: every <th> is empty {table.header_cells}")
    print(f"\n{count} tables checked")
    assert not bad, "\n".join(bad)


# --- the chart palette -------------------------------------------------------------------------
#
# Thresholds, and why:
# * In grey (a black-and-white print, a greyscale e-reader, achromatopsia), two colours are told
#   apart only by lightness. CIE L* is perceptually even; we ask for ΔL* >= 10 between any two of
#   the colours a chart may use together. That is about the step between neighbouring classes of
#   ColorBrewer's 9-class "Greys" (steps of 5 to 20, mean 12.5), a scale designed to be read class
#   by class.
# * For colour-blind readers, each colour is simulated for full protanopia, deuteranopia and
#   tritanopia (Machado, Oliveira & Fernandes 2009, severity 1.0, applied to linear sRGB) and the
#   simulated colours must stay >= 15 apart in CIELAB (ΔE*76). A just-noticeable difference is
#   about 2.3; 15 keeps the Okabe–Ito palette, designed for colour-blind readers (its worst pair,
#   under tritanopia, is 16.1), and rejects matplotlib's default tab10, whose green and red collapse
#   to 7.3 under deuteranopia.
# * N, the number of palette colours that must pass, is the most that any one chart of the site
#   uses (read from the chart images), and at least MIN_COLOURS. In grey, at most GREY_SERIES_MAX
#   of them: four is the most any ordering of Okabe–Ito can carry by lightness alone (black,
#   blue, green and orange are 11.7 L* apart or more; the other four sit within 54-71 L* of those
#   or, yellow, are too light to see on white paper). A chart with more series than that must
#   tell them apart by marker, hatch or line style as well (style.MARKERS, HATCHES, LINESTYLES),
#   which an image check cannot see; those charts are listed in the test output.
# * Heat maps and other continuous fields may use a perceptually uniform sequential map instead
#   (cividis, viridis, ...): their lightness rises monotonically, so they read in grey and for
#   colour-blind readers.

GREY_MIN_DL = 10.0
CVD_MIN_DE = 15.0
MIN_COLOURS = 3
GREY_SERIES_MAX = 4
SEQUENTIAL_MAPS = ("cividis", "viridis", "plasma", "inferno", "magma")

_MACHADO = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}
_SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
_WHITE = np.array([0.95047, 1.0, 1.08883])


def _linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    xyz = _SRGB_TO_XYZ @ np.clip(linear_rgb, 0, 1) / _WHITE
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def lightness(hex_colour: str) -> float:
    """CIE L* (0 black .. 100 white): how light the colour prints in grey."""
    return float(_lab(_linear(hex_colour))[0])


def simulated_lab(hex_colour: str, deficiency: str) -> np.ndarray:
    return _lab(np.array(_MACHADO[deficiency]) @ _linear(hex_colour))


def grey_collisions(colours: list[str]) -> list[str]:
    return [f"{a} (L* {lightness(a):.1f}) and {b} (L* {lightness(b):.1f}): ΔL* {abs(lightness(a) - lightness(b)):.1f}"
            for a, b in itertools.combinations(colours, 2) if abs(lightness(a) - lightness(b)) < GREY_MIN_DL]


def cvd_collisions(colours: list[str]) -> list[str]:
    out = []
    for deficiency in _MACHADO:
        for a, b in itertools.combinations(colours, 2):
            de = float(np.linalg.norm(simulated_lab(a, deficiency) - simulated_lab(b, deficiency)))
            if de < CVD_MIN_DE:
                out.append(f"{a} and {b} under {deficiency}: ΔE {de:.1f}")
    return out


def test_the_colour_measures_can_tell_a_bad_palette():
    """The measures themselves: tab10's red and green collapse for deuteranopes; a blue and a red of
    equal lightness collapse in grey; black and white do not."""
    assert cvd_collisions(["#2ca02c", "#d62728"]), "tab10 green/red should fail under deuteranopia"
    assert grey_collisions(["#009E73", "#D55E00"]), "two colours of L* 57.7 and 54.2 should fail in grey"
    assert not grey_collisions(["#000000", "#ffffff"]) and not cvd_collisions(["#000000", "#ffffff"])
    assert abs(lightness("#777777") - 50.0) < 1.0  # mid grey is L* 50


def palette_colours_in(png: Path, tolerance: int = 6, min_pixels: int = 40) -> list[str]:
    """The palette colours a chart image draws with (black left out: axes and text are black)."""
    from PIL import Image

    with Image.open(png) as im:
        px = np.asarray(im.convert("RGB"), dtype=np.int16).reshape(-1, 3)
    used = []
    for colour in style.PALETTE:
        rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
        if not rgb.any():
            continue
        if int((np.abs(px - rgb).max(axis=1) <= tolerance).sum()) >= min_pixels:
            used.append(colour)
    return used


@pytest.fixture(scope="module")
def charts(built_site) -> dict[str, list[str]]:
    """Each chart image of the site (an <img> of a book page) → the palette colours it uses."""
    found = {}
    for rel in _content(built_site):
        for img in sitecheck.parse(built_site, rel).images:
            t = sitecheck.resolve(rel, img.src)
            f = sitecheck.target_file(built_site, t.path) if t.kind == "internal" else None
            if f is not None and f.suffix.lower() == ".png" and t.path not in found:
                found[t.path] = palette_colours_in(f)
    return found


def _colours_needed(charts) -> int:
    most = max((len(c) for c in charts.values()), default=0)
    return max(MIN_COLOURS, most)


def test_palette_reads_for_colour_blind_readers(charts):
    n = _colours_needed(charts)
    colours = style.PALETTE[:n]
    bad = cvd_collisions(colours)
    assert not bad, (f"the first {n} palette colours (charts use up to {n}) collapse for colour-blind "
                     f"readers (ΔE*76 < {CVD_MIN_DE}):\n" + "\n".join(bad))


def test_palette_reads_in_grey(charts):
    n_used = _colours_needed(charts)
    n = min(n_used, GREY_SERIES_MAX)
    colours = style.PALETTE[:n]
    many = sorted((len(c), path) for path, c in charts.items() if len(c) > GREY_SERIES_MAX)
    if many:
        print(f"\ncharts with more than {GREY_SERIES_MAX} palette colours (told apart in grey only by "
              f"markers, hatches or line styles): " + ", ".join(f"{p} ({k})" for k, p in many))
    bad = grey_collisions(colours)
    widest = sorted((len(c), path, c) for path, c in charts.items())[-3:]
    assert not bad, (
        f"the first {n} palette colours (charts use up to {n_used}) are not distinct in grey "
        f"(ΔL* < {GREY_MIN_DL}):\n" + "\n".join(bad)
        + "\ncharts using the most colours: " + "; ".join(f"{p}: {', '.join(c)}" for _, p, c in widest))


def _sequential_map(px: np.ndarray, tolerance: int = 12) -> str | None:
    """The perceptually uniform colour map that the coloured pixels come from, if any."""
    from matplotlib import colormaps

    colours, counts = np.unique(px, axis=0, return_counts=True)
    weight = counts / counts.sum()  # by pixels: anti-aliased edges of labels are few pixels each
    for name in SEQUENTIAL_MAPS:
        base = colormaps[name](np.linspace(0, 1, 256))[:, :3] * 255
        for alpha in (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7):  # a field drawn translucent over white
            lut = (base * alpha + 255 * (1 - alpha)).astype(np.int16)
            dist = np.abs(colours[:, None, :] - lut[None, :, :]).max(axis=2).min(axis=1)
            if weight[dist <= tolerance].sum() >= 0.8:
                return name if alpha == 1.0 else f"{name} at alpha {alpha:g}"
    return None


def test_charts_use_the_house_palette(charts, built_site):
    """A chart with plenty of colour but none of it from the palette was not drawn in the house
    style (matplotlib's default tab10, a rainbow map), and the palette checks above say nothing
    about it; a continuous field drawn with a perceptually uniform sequential map is fine."""
    from PIL import Image

    bad = []
    for path, used in charts.items():
        if used:
            continue
        with Image.open(built_site / path) as im:
            px = np.asarray(im.convert("RGB"), dtype=np.int16).reshape(-1, 3)
        coloured = px[(px.max(axis=1) - px.min(axis=1)) > 40]
        if len(coloured) > 500:
            cmap = _sequential_map(coloured)
            if cmap:
                print(f"\n{path}: a continuous field in {cmap}")
            else:
                bad.append(f"{path}: {len(coloured)} coloured pixels, none in style.PALETTE nor in "
                           f"a sequential map ({', '.join(SEQUENTIAL_MAPS)})")
    assert not bad, "\n".join(bad)
