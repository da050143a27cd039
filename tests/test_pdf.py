"""``make pdf``: one PDF of the whole book, made offline, with every page's title, charts and tables.

The test runs ``python -m alibaba_report.pipeline.pdf`` (what ``make pdf`` runs) on the built book, inside a
network namespace with only the loopback interface when ``unshare`` allows it (root on Linux), so
"offline" is proven rather than assumed; elsewhere the PDF module's own refusal of any request to
another host is what keeps it offline. The PDF is read back with poppler's ``pdftotext``, ``pdfinfo``
and ``pdfimages``.

Page-count bounds: at least one sheet per page of the site (the print starts each on a new sheet),
at most ``MAX_SHEETS_PER_PAGE`` sheets per page of the site on average: more means something
runaway (folded code printed, a table printed a row per sheet, charts blown up to a sheet each).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sitecheck

pytestmark = pytest.mark.browser

MAX_SHEETS_PER_PAGE = 15


def _offline_prefix() -> list[str]:
    """``unshare -n`` with loopback up: the command runs with no route to anywhere but itself."""
    unshare, ip = shutil.which("unshare"), shutil.which("ip") or "/usr/sbin/ip"
    if not unshare or not Path(ip).exists():
        return []
    probe = subprocess.run([unshare, "-n", "sh", "-c", f"{ip} link set lo up"], capture_output=True)
    return [unshare, "-n", "sh", "-c", f'{ip} link set lo up && exec "$@"', "offline"] if probe.returncode == 0 else []


@pytest.fixture(scope="module")
def pdf_run(built_site):
    if sitecheck.find_chromium() is None or not shutil.which("pdftotext"):
        reason = "Chromium or poppler-utils (pdftotext) is missing: `make browser-deps`, apt-get install poppler-utils"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; under CI the PDF test must run", pytrace=False)
        pytest.skip(reason)
    root = built_site.parents[1]
    env = dict(os.environ, REPORT_ROOT=str(root))
    prefix = _offline_prefix()
    proc = subprocess.run(prefix + [sys.executable, "-m", "alibaba_report.pipeline.pdf"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=900)
    return proc, root / "_build" / "pdf" / "book.pdf", bool(prefix)


@pytest.fixture(scope="module")
def pdf(pdf_run) -> Path:
    proc, path, _ = pdf_run
    assert proc.returncode == 0, f"make pdf failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return path


@pytest.fixture(scope="module")
def pdf_text(pdf) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True)
    return _norm(out.stdout)


def _norm(text: str) -> str:
    text = text.replace("\u00ad", "").replace("\ufb01", "fi").replace("\ufb02", "fl")
    text = re.sub(r"-\n(?=[a-z])", "", text)  # words hyphenated at a line end
    return re.sub(r"\s+", " ", text).strip().casefold()


def test_make_pdf_writes_one_pdf_offline(pdf_run, pdf):
    proc, _, isolated = pdf_run
    assert pdf.read_bytes()[:5] == b"%PDF-", f"{pdf} is not a PDF"
    assert "pdf ready" in proc.stdout
    print(f"\n{proc.stdout.strip()} ({'network namespace: no network' if isolated else 'no unshare: route blocking only'})")


def test_pdf_has_every_page_title(built_site, pdf_text):
    """Every page of the book (chapters, summary, methods, appendix) is in the PDF, by its title."""
    missing = []
    for rel in sitecheck.content_pages(built_site):
        for title in sitecheck.parse(built_site, rel).h1s:
            if _norm(title) not in pdf_text:
                missing.append(f"{rel}: {title!r}")
    assert not missing, "page titles not found in the PDF text:\n" + "\n".join(missing)


def test_pdf_has_the_charts(built_site, pdf):
    charts = set()
    for rel in sitecheck.content_pages(built_site):
        for img in sitecheck.parse(built_site, rel).images:
            charts.add(img.src.rsplit("/", 1)[-1])
    out = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    images = [ln for ln in out.splitlines()[2:] if ln.split()[2:3] == ["image"]]
    assert len(images) >= len(charts), f"the site shows {len(charts)} images, the PDF holds {len(images)}"


def test_pdf_has_the_tables(built_site, pdf_text):
    """Each table of the site is in the PDF: every word of its header cells is in the PDF's text.
    (Words, not whole headers: a narrow printed column wraps a header over several lines, and
    the text extraction then interleaves the columns' lines.)"""
    words_in_pdf = set(re.findall(r"\w+", pdf_text))
    missing, count = [], 0
    for rel in sitecheck.content_pages(built_site):
        for i, table in enumerate(sitecheck.parse(built_site, rel).tables, 1):
            words = {w for h in table.header_cells for w in re.findall(r"\w+", _norm(h)) if len(w) > 2}
            if not words:
                continue
            count += 1
            lost = sorted(words - words_in_pdf)
            if lost:
                missing.append(f"{rel}: table {i}: header words not in the PDF: {lost[:8]}")
    assert not missing, f"{len(missing)} of {count} tables not found in the PDF:\n" + "\n".join(missing)


def test_pdf_page_count_is_sensible(built_site, pdf):
    from alibaba_report.pipeline.pdf import page_count

    n_pages = len(sitecheck.content_pages(built_site))
    sheets = page_count(pdf)
    assert sheets is not None, "pdfinfo could not read the PDF"
    print(f"\n{sheets} sheets for {n_pages} pages of the site")
    assert n_pages <= sheets <= MAX_SHEETS_PER_PAGE * n_pages, (
        f"{sheets} sheets for {n_pages} pages of the site: expected between {n_pages} and "
        f"{MAX_SHEETS_PER_PAGE * n_pages}")


def test_pdf_shows_no_screen_furniture(pdf_text):
    """The print leaves out what only makes sense on screen: folded code and its toggle, the theme's
    buttons and navigation."""
    for furniture in ("show code cell source", "download source file", "skip to main content",
                      "search this book"):
        assert furniture not in pdf_text, f"{furniture!r} is printed in the PDF"


def _page_texts(pdf: Path) -> list[str]:
    """The text of each sheet (pdftotext separates sheets with a form feed)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return [_norm(p) for p in out.split("\f") if p.strip()]


def test_pdf_opens_with_a_title_page_and_contents(pdf):
    """Sheet 1: the book's title and the date of the latest dated source, nothing about the build;
    sheet 2: the contents, naming every chapter."""
    from alibaba_report import paths
    from alibaba_report.pipeline.pdf import front_matter

    front = front_matter(paths.root())
    sheets = _page_texts(pdf)
    assert len(sheets) > 2
    title_page = sheets[0]
    assert _norm(front["title"]) in title_page and _norm(front["date"]) in title_page, title_page[:300]
    assert re.search(r"\b(built|generated|printed) (on|at)\b", title_page) is None
    assert "contents" in sheets[1]
    for chapter in ("instant-retail", "cloud", "hong kong", "manufacturing", "meitu"):
        assert chapter in sheets[1], f"the contents do not name the {chapter} chapter: {sheets[1][:400]}"


def test_every_sheet_has_its_page_number(pdf):
    sheets = _page_texts(pdf)
    total = len(sheets)
    missing = [i for i, text in enumerate(sheets, 1) if f"page {i} of {total}" not in text]
    assert total > 0 and not missing, f"sheets without 'page n of {total}': {missing[:10]}"


def _content_bottoms(pdf: Path) -> list[float]:
    """Per sheet, where its content ends, as a fraction of the sheet's height (footer left out)."""
    import tempfile

    import numpy as np
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "24", "-gray", "-png", str(pdf), f"{tmp}/s"], check=True)
        out = []
        for f in sorted(Path(tmp).glob("s-*.png"), key=lambda p: int(p.stem.split("-")[-1])):
            px = np.asarray(Image.open(f).convert("L"))
            body = px[: int(px.shape[0] * 0.93)]  # above the footer
            rows = np.where((body < 200).any(axis=1))[0]
            out.append((rows.max() + 1) / px.shape[0] if len(rows) else 0.0)
        return out


def test_no_sheet_is_left_half_empty_by_a_chart(built_site, pdf):
    """A chart never splits and is at most half a sheet tall, so one that does not fit at the foot
    of a sheet leaves less than half of it blank. Sheets that end a page of the site (each page
    starts a new sheet) or the title and contents may be short: at most one per page, plus two."""
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is missing")
    bottoms = _content_bottoms(pdf)
    short = [i for i, b in enumerate(bottoms, 1) if b < 0.5]
    allowed = len(sitecheck.content_pages(built_site)) + 2
    print(f"\n{len(short)} of {len(bottoms)} sheets end above half way (allowed {allowed}): {short}")
    assert bottoms and len(short) <= allowed, f"sheets more than half empty: {short}"
