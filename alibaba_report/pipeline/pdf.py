"""Print the whole book to one PDF, offline: ``make pdf`` → ``_build/pdf/book.pdf``.

    python -m alibaba_report.pipeline.pdf [--scenario NAME] [--rebuild]

1. Takes the executed notebooks and appendix that the last successful ``make book`` staged in
   ``_build/staging/<scenario>`` (running the build first if there is none, or if the staging is
   newer than the last published site, i.e. a later build failed half-way).
2. Renders them with Jupyter Book's single-page HTML builder (``--builder singlehtml``), nothing
   executed again, into ``_build/pdf/render``.
3. Serves that page on 127.0.0.1 and prints it with headless Chromium (Debian's, via Playwright)
   to A4: a title page (the book's title and the date of the latest dated source it covers; no
   build timestamp, so two prints of the same sources read the same), a contents page linking to
   each page of the book, then the book, each page of the site on a new sheet, with "page n of m"
   in the footer. Any request for another host is refused and fails the run: the PDF is made from
   the site's own files only.

Charts are the notebooks' PNGs and tables their HTML, as on the site. Code cells that the site
folds away (``hide-input``) are left out of the print, as a reader of the site sees them.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from alibaba_report import paths
from alibaba_report.pipeline import browser

# Print-only adjustments: no folded code, wide tables and long code lines wrap rather than being
# cut at the margin, a chart or a code cell never splits across two pages, and each page of the
# site starts on a new sheet.
PRINT_CSS = """
@media print {
  .bd-page-width, .bd-container, .bd-container__inner, .bd-main, .bd-content, .bd-article-container,
  .bd-article { max-width: 100% !important; width: 100% !important; margin: 0 !important; }
  .bd-sidebar-primary, .bd-sidebar-secondary, .prev-next-area, .bd-footer, .bd-header-article,
  .headerlink { display: none !important; }
  .tag_hide-input .cell_input, .tag_hide-input details.above-input,
  .tag_remove-input .cell_input { display: none !important; }
  .cell_output, .output, .bd-article, div.highlight, .table-wrapper { overflow: visible !important; }
  table { font-size: 8pt !important; max-width: 100% !important; }
  pre { white-space: pre-wrap !important; overflow-wrap: anywhere; }
  /* a chart is never split and never taller than half a sheet, so one that does not fit at the
     foot of a sheet leaves a small gap, not half an empty page */
  img { max-width: 100% !important; max-height: 125mm !important; width: auto !important;
        height: auto !important; page-break-inside: avoid; break-inside: avoid; }
  div.cell_output, .output, figure { break-inside: auto; }
  p.chart-source { break-before: avoid; }
  h1, h2, h3 { page-break-after: avoid; break-after: avoid; }
  .cell_input, tr { break-inside: avoid; }
  span[id^="document-"] + section { break-before: page; }  /* each page of the site starts a new sheet */
  #jb-print-docs-body { display: none !important; }  /* the title page names the book */
  .pdf-title-page { break-after: page; height: 230mm; display: flex; flex-direction: column;
                    justify-content: center; }
  .pdf-title-page .pdf-title { font-size: 30pt; font-weight: 700; margin: 0 0 8mm; line-height: 1.15; }
  .pdf-title-page .pdf-subtitle { font-size: 14pt; margin: 0 0 4mm; }
  .pdf-title-page .pdf-date { font-size: 12pt; color: #444; margin: 0; }
  .pdf-contents { break-after: page; }
  .pdf-contents .pdf-contents-title { font-size: 18pt; font-weight: 700; margin: 0 0 6mm; }
  .pdf-contents ol { font-size: 11pt; line-height: 1.7; }
}
"""

# The title page and the contents, put before the book's first page. Text is set with textContent
# (never markup); the contents list every page of the book by its <h1>, linked to it.
_FRONT_MATTER_JS = """(front) => {
  const article = document.querySelector('article.bd-article') || document.body;
  const title = document.createElement('div');
  title.className = 'pdf-title-page';
  for (const [cls, text] of [['pdf-title', front.title], ['pdf-subtitle', front.subtitle], ['pdf-date', front.date]]) {
    if (!text) continue;
    const p = document.createElement('p'); p.className = cls; p.textContent = text; title.appendChild(p);
  }
  const contents = document.createElement('nav');
  contents.className = 'pdf-contents';
  contents.setAttribute('aria-label', 'Contents');
  const head = document.createElement('p'); head.className = 'pdf-contents-title'; head.textContent = 'Contents';
  const list = document.createElement('ol');
  let n = 0;
  // each page of the book: the first section of the one-page build, and each section that follows
  // a document marker (the single-page builder nests the later pages, so their titles are h2 or h3)
  const sections = [article.querySelector('section'),
                    ...article.querySelectorAll('span[id^="document-"] + section')].filter(Boolean);
  for (const section of new Set(sections)) {
    const h = section.querySelector(':scope > h1, :scope > h2, :scope > h3');
    if (!h || h.closest('.onlyprint')) continue;
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.textContent = h.textContent.replace(/#$/, '').trim();
    if (section.id) a.setAttribute('href', '#' + section.id);
    li.appendChild(a); list.appendChild(li); n++;
  }
  contents.append(head, list);
  article.prepend(title, contents);
  return n;
}"""

# Links between pages become links inside the one document (claim links to the appendix too).
_LOCAL_LINKS_JS = """() => {
  let n = 0;
  for (const a of document.querySelectorAll('a[href*="#"]')) {
    const frag = decodeURIComponent(a.getAttribute('href').split('#')[1] || '');
    if (frag && document.getElementById(frag)) { a.setAttribute('href', '#' + frag); n++; }
  }
  return n;
}"""

_IMAGES_JS = """async () => {
  const imgs = [...document.images];
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  return imgs.filter(i => !i.naturalWidth).map(i => i.src);
}"""

FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#555">'
          '<span class="title"></span> — page <span class="pageNumber"></span> of '
          '<span class="totalPages"></span></div>')


def front_matter(root: Path) -> dict[str, str]:
    """The title page's text: the book's title (_config.yml) and the date of the latest dated source
    (data/sources.csv). Nothing about the build, so the same sources print the same title page."""
    import datetime as dt

    import yaml

    from alibaba_report.evidence import ledger

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    sources = ledger.load_sources(root / "data" / "sources.csv")
    dates = sorted(dt.date.fromisoformat(d) for d in sources["date"] if d != "undated")
    n = len(sources)
    date = (f"Sources dated up to {dates[-1].day} {dates[-1]:%B %Y}" if dates else "Sources undated")
    return {"title": str(config.get("title") or "The book"),
            "subtitle": f"An analytical report built from {n} source document{'s' if n != 1 else ''}, "
                        "every figure traced to its sentence",
            "date": date}


class PdfError(RuntimeError):
    pass


def output_path(root: Path, scenario: str) -> Path:
    name = "book.pdf" if scenario == "base" else f"book-{scenario}.pdf"
    return root / "_build" / "pdf" / name


def _staging_problems(root: Path, scenario: str) -> list[str]:
    """Why the staged book cannot be printed as it is (empty: it can)."""
    from alibaba_report.pipeline import driver as build

    stage = root / "_build" / "staging" / scenario
    if not (stage / "_toc.yml").exists():
        return [f"no staged book in {stage.relative_to(root)}"]
    missing = [s for s in build.toc_notebooks(root) if not (stage / f"{s}.ipynb").exists()]
    if missing:
        return [f"staged notebooks missing: {', '.join(missing)}"]
    site = build.site_dir(root, scenario)
    stamp = site.parent / "timings.json"
    if not stamp.exists():
        return [f"no completed build ({stamp.relative_to(root)} is missing)"]
    newest = max(p.stat().st_mtime for p in stage.rglob("*") if p.is_file())
    if newest > stamp.stat().st_mtime:
        return ["the staging is newer than the last completed build (a later build failed)"]
    return []


def ensure_staged(root: Path, scenario: str, rebuild: bool) -> Path:
    from alibaba_report.pipeline import driver as build

    problems = ["--rebuild asked"] if rebuild else _staging_problems(root, scenario)
    if problems:
        print(f"building the book first: {'; '.join(problems)}", file=sys.stderr)
        build.build_book(scenario, root=root)
    return root / "_build" / "staging" / scenario


def render_singlehtml(stage: Path, out: Path) -> Path:
    """Jupyter Book's one-page HTML of the staged book; returns the page holding the whole book."""
    if out.exists():
        shutil.rmtree(out)
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(stage), "--path-output", str(out), "--builder", "singlehtml"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
        raise PdfError(f"jupyter-book singlehtml build failed:\n{tail}")
    html = out / "_build" / "singlehtml"
    index = html / "index.html"
    if browser.is_redirect(html, "index.html"):
        target = browser.redirect_target(html, "index.html")
        index = html / target if target else index
    if not index.exists():
        raise PdfError(f"the single-page build wrote no page ({index} is missing)")
    # Sphinx writes the page where the root document lives (book/index.html) but makes every
    # asset path relative to the output's top (_static/, _images/): put it there to print it.
    page = html / "print.html"
    shutil.copyfile(index, page)
    drop_unused_mathjax(page)
    return page


def drop_unused_mathjax(page: Path) -> bool:
    """Jupyter Book puts MathJax on every single-page build (``set_html_assets_policy("always")``),
    from a CDN unless the book ships it. A book without maths does not need it: remove the script
    so that nothing is fetched. A book with maths keeps it, and a CDN MathJax then fails the print
    (ship it with the site, see DESIGN.md)."""
    html = page.read_text(encoding="utf-8")
    if re.search(r'class="[^"]*\bmath\b', html):
        return False
    stripped = re.sub(r'<script[^>]*src="[^"]*mathjax[^"]*"[^>]*>\s*</script>', "", html, flags=re.I)
    if stripped != html:
        page.write_text(stripped, encoding="utf-8")
    return stripped != html


async def _print(page_file: Path, pdf_out: Path, chromium: str, front: dict | None = None) -> dict:
    from playwright.async_api import async_playwright

    site = page_file.parent
    while site.name != "singlehtml" and site != site.parent:
        site = site.parent
    rel = page_file.relative_to(site).as_posix()
    outside: list[str] = []
    server = browser.serve(site)
    with server as base:
        async with async_playwright() as pw:
            chrome = await pw.chromium.launch(executable_path=chromium, args=list(browser.CHROMIUM_ARGS))
            try:
                context = await chrome.new_context(viewport={"width": 1100, "height": 1400})

                async def guard(route):
                    if urlsplit(route.request.url).netloc == server.host:
                        await route.continue_()
                    else:
                        outside.append(route.request.url)
                        await route.abort("blockedbyclient")

                await context.route("**/*", guard)
                page = await context.new_page()
                pending = browser.track_requests(page)
                await page.goto(base + rel, wait_until="load", timeout=60_000)
                await browser.settle(pending, timeout_s=15)  # printing what loaded; broken images are checked below
                broken = await page.evaluate(_IMAGES_JS)
                links = await page.evaluate(_LOCAL_LINKS_JS)
                contents = await page.evaluate(_FRONT_MATTER_JS, front) if front else 0
                await page.add_style_tag(content=PRINT_CSS)
                await page.emulate_media(media="print")
                title = await page.title()
                await page.pdf(
                    path=str(pdf_out), format="A4", print_background=True, outline=True, tagged=True,
                    margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"},
                    display_header_footer=True, header_template="<span></span>", footer_template=FOOTER,
                )
            finally:
                await chrome.close()
    if outside:
        raise PdfError("the book asked for files outside itself (refused): " + ", ".join(sorted(set(outside))))
    if broken:
        raise PdfError("images that did not load: " + ", ".join(broken))
    return {"title": title, "internal_links": links, "contents": contents}


def make_pdf(scenario: str = "base", rebuild: bool = False, root: Path | None = None) -> Path:
    from alibaba_report.pipeline import safety

    root = root or paths.root()
    os.environ["REPORT_ROOT"] = str(root)
    work = safety.real_dir(root, root / "_build" / "pdf")  # a file or a planted link there is named
    target = safety.real_file(root, output_path(root, scenario))
    chromium = browser.find_chromium()
    if chromium is None:
        raise PdfError("Chromium is not installed: `make browser-deps` installs Debian's chromium (as root)")
    t0 = time.perf_counter()
    stage = ensure_staged(root, scenario, rebuild)
    safety.real_dir(root, work / f"render-{scenario}", create=False)
    page = render_singlehtml(stage, work / f"render-{scenario}")
    t1 = time.perf_counter()
    tmp = safety.real_file(root, target.with_suffix(".pdf.part"))
    info = asyncio.run(_print(page, tmp, chromium, front_matter(root)))
    tmp.replace(target)  # a failed print leaves the previous PDF in place
    print(f"rendered the single page in {t1 - t0:.1f} s, printed in {time.perf_counter() - t1:.1f} s; "
          f"{info['internal_links']} links made internal", file=sys.stderr)
    return target


def page_count(pdf: Path) -> int | None:
    """Pages of a PDF, from poppler's pdfinfo when it is installed."""
    exe = shutil.which("pdfinfo")
    if not exe:
        return None
    out = subprocess.run([exe, str(pdf)], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m alibaba_report.pipeline.pdf", description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default="base", help="the scenario whose staged book to print (default: base)")
    ap.add_argument("--rebuild", action="store_true", help="build the book first even if a staged one exists")
    args = ap.parse_args(argv)
    from alibaba_report.pipeline.driver import BuildError

    try:
        target = make_pdf(args.scenario, args.rebuild)
    except (PdfError, BuildError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return getattr(exc, "code", 1)
    except OSError as exc:  # the machine, not a bug: named as the build names it
        from alibaba_report.pipeline import safety

        print(f"error: {safety.classify(exc)[1]}", file=sys.stderr)
        return safety.EXIT_ENV
    pages = page_count(target)
    size = target.stat().st_size / 1e6
    print(f"pdf ready: {target.relative_to(paths.root())} ({pages or '?'} pages, {size:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
