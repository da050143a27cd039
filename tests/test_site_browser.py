"""The built site in a real browser, as readers meet it: every page at a desktop and a phone width.

One headless Chromium (Debian's, driven by Playwright) visits every page of ``_build/html``, served
from 127.0.0.1 by a threaded server on a free port, each page in a fresh browser context so that
nothing is cached between pages (every figure is a first visit). For each page and width it records
whether the page loads, whether every image decodes, what the console said, every request the page
made (requests to any other host are aborted and recorded), whether the page scrolls sideways, what
axe-core finds against the WCAG 2.1 A and AA rules (on the book's own pages), the bytes and requests it
cost and its load time, and it writes a screenshot of the first screen to
``_build/screenshots/<page>--<width>.png`` (the whole page with ``REPORT_SCREENSHOTS=full``, for reading
the pages: about 0.6 s more a visit) with the page weights in ``_build/screenshots/weights.txt``.

Without Chromium these tests are skipped with the reason (``make browser-deps`` installs it as
root); under CI (``CI=true``) a missing browser is a failure, so CI cannot pass without running them.
"""
from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import sitecheck
from alibaba_report.pipeline import browser as browser_tools

pytestmark = pytest.mark.browser

# Width names → (CSS width, height, device scale factor, mobile). 390×844 is a common phone.
VIEWPORTS = {
    "desktop": (1280, 800, 1, False),
    "phone": (390, 844, 2, True),
}
# One page at a time, so that each load time is the page's own: on a two-core machine 2, 4 or 6
# parallel contexts took 31-35 s for 26 visits against 43 s, but reported loads 3-6 times slower.
PARALLEL_PAGES = 1
# A page a reader waits for: the theme alone costs about 2.2 MB (DESIGN.md); charts are PNGs of
# some tens of kB. Past these budgets something is wrong (an unoptimised image, a runaway table).
PAGE_BYTES_BUDGET = 5_000_000
PAGE_LOAD_BUDGET_MS = 10_000  # served from localhost: a slow load means a request hanging
# axe-core (bundled by axe-playwright-python) runs the rules of these standards on every page and width;
# its best-practice rules (heading order, one h1) are not WCAG, and test_site_a11y checks those by hand.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FULL_SCREENSHOTS = os.environ.get("REPORT_SCREENSHOTS") == "full"


@dataclass
class Visit:
    rel: str
    width: str
    status: int | None = None
    final_url: str = ""
    error: str | None = None
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    left_site: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    requests: int = 0
    bytes: int = 0
    load_ms: float = 0.0
    dcl_ms: float = 0.0
    h1_visible: int = 0
    scroll_width: int = 0
    client_width: int = 0
    overflowing: list[str] = field(default_factory=list)
    axe: list[str] = field(default_factory=list)  # WCAG 2.1 A/AA violations, one line per rule
    axe_rules: int = 0  # how many rules axe ran and found applicable or passed: it did run
    screenshot: Path | None = None


# Elements wider than the viewport that no scrolling or clipping ancestor contains: what makes a
# phone reader scroll the whole page sideways.
_OVERFLOW_JS = """() => {
  const W = document.documentElement.clientWidth, out = [], seen = new Set();
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= W + 1) continue;
    seen.add(el);
    if (seen.has(el.parentElement)) continue;  // report the outermost element only
    if (getComputedStyle(el).position === 'fixed') continue;
    let a = el.parentElement, held = false;
    while (a && a !== document.body) {
      const s = getComputedStyle(a);
      if (/(auto|scroll|hidden|clip)/.test(s.overflowX) || s.position === 'fixed') { held = true; break; }
      a = a.parentElement;
    }
    if (!held) out.push(el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ` in <${el.parentElement.tagName.toLowerCase()}> "`
      + (el.parentElement.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 50) + `" (right edge ${Math.round(r.right)}px)`);
  }
  // text that cannot wrap (a long id, a URL) overflows its box without the box being wider
  for (const el of document.querySelectorAll('article p, article li, article td, article dd, article h1, article h2, article h3')) {
    if (el.scrollWidth <= el.clientWidth + 1 || el.clientWidth === 0) continue;
    const r = el.getBoundingClientRect();
    if (r.left + el.scrollWidth <= W + 1) continue;
    let a = el.parentElement, held = false;
    while (a && a !== document.body) {
      if (/(auto|scroll|hidden|clip)/.test(getComputedStyle(a).overflowX)) { held = true; break; }
      a = a.parentElement;
    }
    if (!held) out.push(`text too long to wrap in <${el.tagName.toLowerCase()}> "`
      + (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60) + `" (right edge ${Math.round(r.left + el.scrollWidth)}px)`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, clientWidth: W, offenders: out.slice(0, 4)};
}"""

# Make every image load now (lazy ones included) and wait until each has decoded or failed.
_IMAGES_JS = """async () => {
  const imgs = [...document.images];
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  return imgs.map(i => ({src: i.currentSrc || i.src, natural: i.naturalWidth, alt: i.getAttribute('alt')}));
}"""

_TIMING_JS = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  const r = performance.getEntriesByType('resource');
  return {load: n.loadEventEnd - n.startTime, dcl: n.domContentLoadedEventEnd - n.startTime,
          bytes: n.transferSize + r.reduce((s, e) => s + e.transferSize, 0), requests: 1 + r.length};
}"""


async def _axe(page) -> tuple[list[str], int]:
    """axe-core's WCAG 2.1 A/AA violations on the page as shown, one line per rule with its elements."""
    from axe_playwright_python.async_playwright import Axe

    # preload off: axe would fetch each stylesheet's @import itself and resolve "../basic.css" against the
    # page rather than the stylesheet, a 404 the console test reports (its only use is one CSS rule,
    # css-orientation-lock, which then reads "incomplete", never "passed")
    # resultTypes: every element of a violation is listed; a rule that passed is reported with one
    # element, which is all the count below needs (listing every passing element took 40% of axe's time)
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"],
               "preload": False}
    found = (await Axe().run(page, options=options)).response
    lines = []
    for rule in found["violations"]:
        targets = ", ".join(" ".join(map(str, n["target"])) for n in rule["nodes"][:3])
        lines.append(f"{rule['id']} ({rule['impact']}, {len(rule['nodes'])} element(s), e.g. {targets}): "
                     f"{rule['help']}")
    return lines, len(found["violations"]) + len(found["passes"])


def _shot_name(rel: str, width: str) -> str:
    return rel.removesuffix(".html").replace("/", "__") + f"--{width}.png"


async def _visit(browser, server_host: str, base: str, rel: str, width: str, shots: Path, sem, audit: bool) -> Visit:
    w, h, dsf, mobile = VIEWPORTS[width]
    v = Visit(rel, width)
    async with sem:
        context = await browser.new_context(
            viewport={"width": w, "height": h}, device_scale_factor=dsf, is_mobile=mobile, has_touch=mobile,
            service_workers="block",
        )
        try:
            async def guard(route):
                url = route.request.url
                if urlsplit(url).netloc == server_host:
                    await route.continue_()
                else:
                    v.left_site.append(url)
                    await route.abort("blockedbyclient")

            await context.route("**/*", guard)
            page = await context.new_page()

            def on_console(msg):
                if msg.type != "error":
                    return
                where = (msg.location or {}).get("url", "")
                # Chromium asks every site for /favicon.ico by itself; that is the browser, not the page
                if urlsplit(where).path == "/favicon.ico":
                    return
                v.console_errors.append(f"{msg.text} [{where}]")

            page.on("console", on_console)
            page.on("pageerror", lambda exc: v.page_errors.append(str(exc)))
            # An image request the browser cancels itself (net::ERR_ABORTED: a <picture> switching to
            # the source that fits the viewport) is not a failure; whether every image on the page
            # loaded in the end is checked by test_every_image_loads.
            page.on("requestfailed", lambda req: None if urlsplit(req.url).netloc != server_host
                    or (req.resource_type == "image" and "ERR_ABORTED" in (req.failure or ""))
                    else v.failed.append(f"{req.url} ({req.failure})"))
            page.on("response", lambda resp: v.failed.append(f"{resp.url} (HTTP {resp.status})")
                    if resp.status >= 400 and urlsplit(resp.url).path != "/favicon.ico" else None)
            pending = browser_tools.track_requests(page)
            try:
                resp = await page.goto(base + rel, wait_until="load", timeout=30_000)
                v.status = resp.status if resp else None
                await browser_tools.settle(pending)  # a page that never goes quiet is reported by its timing
                v.final_url = page.url
                v.images = await page.evaluate(_IMAGES_JS)
                timing = await page.evaluate(_TIMING_JS)
                v.load_ms, v.dcl_ms = timing["load"], timing["dcl"]
                v.bytes, v.requests = int(timing["bytes"]), int(timing["requests"])
                layout = await page.evaluate(_OVERFLOW_JS)
                v.scroll_width, v.client_width = layout["scrollWidth"], layout["clientWidth"]
                v.overflowing = layout["offenders"]
                if audit:  # the book's own pages: Sphinx's search and index pages and the redirect are not
                    v.axe, v.axe_rules = await _axe(page)
                # the accessibility tree's level-1 headings: what a screen reader announces
                v.h1_visible = await page.get_by_role("heading", level=1).count()
                v.screenshot = shots / _shot_name(rel, width)
                # animations="disabled": a sidebar caught mid-transition would misrepresent the layout;
                # scale="css": one image pixel per CSS pixel, so a phone shot is a quarter of the device's
                # pixels (the layout is the same; encoding the full-resolution page cost about a second a visit);
                # the first screen only unless REPORT_SCREENSHOTS=full (a whole page took 0.4-1.0 s, a screen 0.05)
                await page.screenshot(path=str(v.screenshot), full_page=FULL_SCREENSHOTS, animations="disabled",
                                      scale="css")
            except Exception as exc:  # noqa: BLE001 - recorded, asserted by the tests below
                v.error = f"{type(exc).__name__}: {exc}".splitlines()[0]
        finally:
            await context.close()
    return v


async def _crawl(browser, site: Path, rels: list[str], shots: Path) -> tuple[list[Visit], float]:
    audited = set(sitecheck.content_pages(site))
    t0 = time.perf_counter()
    server = sitecheck.serve(site)
    with server as base:
        sem = asyncio.Semaphore(PARALLEL_PAGES)
        visits = await asyncio.gather(*[
            _visit(browser, server.host, base, rel, width, shots, sem, rel in audited)
            for width in VIEWPORTS for rel in rels
        ])
    return list(visits), time.perf_counter() - t0


@pytest.fixture(scope="module")
def crawl(built_site, browser):
    """Every page at every width, visited once in the session's Chromium; the tests below read the results."""
    shots = sitecheck.artefacts_dir(built_site)
    for old in shots.glob("*.png"):
        old.unlink()
    rels = sitecheck.pages(built_site) + ["index.html"]  # the root redirect too: readers land there
    visits, total_s = browser.run(_crawl, built_site, rels, shots)
    _write_weights(shots / "weights.txt", visits, browser.launch_seconds, total_s)
    return {(v.rel, v.width): v for v in visits}


def _write_weights(path: Path, visits: list[Visit], launch_s: float, total_s: float) -> None:
    lines = [
        "# page weights as measured by tests/test_site_browser.py: first visit, nothing cached,",
        "# served from 127.0.0.1; load = navigation start to the load event.",
        f"# {len(visits)} visits ({len({v.rel for v in visits})} pages x {len(VIEWPORTS)} widths) in "
        f"{total_s:.1f} s (browser launch {launch_s:.1f} s), pages visited {PARALLEL_PAGES} at a time",
        "",
        f"{'page':<48} {'width':<8} {'requests':>8} {'kB':>8} {'load ms':>8} {'DCL ms':>7} {'images':>6}",
    ]
    for v in sorted(visits, key=lambda v: (v.rel, v.width)):
        lines.append(f"{v.rel:<48} {v.width:<8} {v.requests:>8} {v.bytes / 1000:>8.0f} {v.load_ms:>8.0f} "
                     f"{v.dcl_ms:>7.0f} {len(v.images):>6}")
    ok = [v for v in visits if v.error is None and v.rel != "index.html"]
    if ok:
        slow = max(ok, key=lambda v: v.load_ms)
        heavy = max(ok, key=lambda v: v.bytes)
        lines += ["", f"slowest: {slow.rel} at {slow.width} width, {slow.load_ms:.0f} ms",
                  f"heaviest: {heavy.rel} at {heavy.width} width, {heavy.bytes / 1e6:.2f} MB in {heavy.requests} requests"]
    path.write_text("\n".join(lines) + "\n")
    print("\n" + "\n".join(lines))


def _visits(crawl, width=None, content_only=False, site=None):
    out = [v for v in crawl.values() if width is None or v.width == width]
    if content_only:
        content = set(sitecheck.content_pages(site))
        out = [v for v in out if v.rel in content]
    return sorted(out, key=lambda v: (v.rel, v.width))


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_every_page_loads(crawl, width):
    bad = [f"{v.rel}: {v.error or f'HTTP {v.status}'}" for v in _visits(crawl, width)
           if v.error or v.status != 200]
    assert not bad, f"pages that did not load at {width} width:\n" + "\n".join(bad)


def test_front_door_leads_to_the_first_page(crawl, built_site):
    """The site's root index.html is a redirect: a reader arriving there must end on the book's first
    page, and that page must be one of the book's own."""
    v = crawl[("index.html", "desktop")]
    landed = urlsplit(v.final_url).path.lstrip("/")
    assert landed in sitecheck.content_pages(built_site), f"index.html led to {v.final_url!r}"


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_every_image_loads(crawl, width, built_site):
    bad, seen = [], 0
    for v in _visits(crawl, width):
        expected = len(sitecheck.parse(built_site, v.rel).images) if v.rel != "index.html" else None
        if expected is not None and len(v.images) != expected:
            bad.append(f"{v.rel}: the browser saw {len(v.images)} images, the HTML has {expected}")
        for img in v.images:
            seen += 1
            if not img["natural"]:
                bad.append(f"{v.rel}: {img['src']} did not load (naturalWidth 0)")
    assert not bad, f"images that a reader at {width} width would see broken:\n" + "\n".join(bad)


def _grouped(found: dict[str, list[str]]) -> str:
    """One line per distinct problem, with the pages it occurs on."""
    lines = []
    for problem, pages in sorted(found.items()):
        where = ", ".join(pages[:4]) + (f" and {len(pages) - 4} more" if len(pages) > 4 else "")
        lines.append(f"{problem}\n    on {len(pages)} pages: {where}")
    return "\n".join(lines)


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_console_shows_no_error(crawl, width):
    found: dict[str, list[str]] = {}
    for v in _visits(crawl, width):
        for kind, items in (("console error", v.console_errors), ("uncaught exception", v.page_errors),
                            ("request failed", v.failed)):
            for e in items:
                found.setdefault(f"{kind}: {e}", []).append(v.rel)
    assert not found, f"at {width} width:\n" + _grouped(found)


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_no_request_leaves_the_site(crawl, width):
    """The site is complete offline: fonts, scripts, maths and images all come from the site."""
    bad = [f"{v.rel}: {url}" for v in _visits(crawl, width) for url in v.left_site]
    assert not bad, "requests to another host (aborted):\n" + "\n".join(sorted(set(bad)))


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_no_page_scrolls_sideways(crawl, width):
    """Wide tables and charts must scroll inside their own box; the page itself never scrolls
    sideways, which on a phone hides half of every line of text."""
    bad = [f"{v.rel}: page is {v.scroll_width}px wide in a {v.client_width}px window; too wide: "
           + ", ".join(v.overflowing) for v in _visits(crawl, width)
           if v.error is None and v.scroll_width > v.client_width + 1]
    assert not bad, f"at {width} width:\n" + "\n".join(bad)


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_axe_finds_no_wcag_violation(crawl, width, built_site):
    """axe-core, the engine browsers' own audits use, finds nothing against WCAG 2.1 A and AA on any
    page of the book, at either width (what a screen reader, a keyboard or a low-vision reader meets)."""
    visits = _visits(crawl, width, content_only=True, site=built_site)
    assert visits and all(v.axe_rules > 10 for v in visits if v.error is None), "axe ran no rule"
    bad = {v.rel: v.axe for v in visits if v.axe}
    assert not bad, "axe-core violations:\n" + "\n".join(f"{rel}:\n  " + "\n  ".join(lines)
                                                         for rel, lines in bad.items())


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_screen_readers_meet_one_h1(crawl, width, built_site):
    bad = [f"{v.rel}: {v.h1_visible} level-1 headings in the accessibility tree"
           for v in _visits(crawl, width, content_only=True, site=built_site) if v.h1_visible != 1]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_screenshots_are_written_and_not_blank(crawl, width):
    from PIL import Image

    bad = []
    w, h, _, _ = VIEWPORTS[width]
    for v in _visits(crawl, width):
        if v.error is not None:
            continue
        if v.screenshot is None or not v.screenshot.exists():
            bad.append(f"{v.rel}: no screenshot")
            continue
        with Image.open(v.screenshot) as im:
            if im.width < w or im.height < h:  # CSS pixels (scale="css")
                bad.append(f"{v.rel}: screenshot is {im.size}, smaller than the {w}x{h} window")
            lo, hi = im.convert("L").getextrema()
            if hi - lo < 64:
                bad.append(f"{v.rel}: screenshot is blank (grey levels {lo}..{hi})")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_page_weight_and_load_time_within_budget(crawl, width):
    bad = []
    for v in _visits(crawl, width):
        if v.error is not None:
            continue
        if v.bytes > PAGE_BYTES_BUDGET:
            bad.append(f"{v.rel}: {v.bytes / 1e6:.1f} MB > {PAGE_BYTES_BUDGET / 1e6:.0f} MB")
        if v.load_ms > PAGE_LOAD_BUDGET_MS:
            bad.append(f"{v.rel}: loads in {v.load_ms:.0f} ms > {PAGE_LOAD_BUDGET_MS} ms")
        if v.requests < 2:
            bad.append(f"{v.rel}: only {v.requests} request measured; the measurement is broken")
    assert not bad, f"at {width} width (see _build/screenshots/weights.txt):\n" + "\n".join(bad)
