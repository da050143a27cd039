"""Citations on the built site (issue 18): every claim link of a reader page is a numbered reference
with a tooltip, each page ends with its references, and in Chromium the tooltip shows on keyboard
focus and on hover; plus the lighter theme (no fontawesome.js, the icons still drawn)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

import sitecheck
from alibaba_report.pipeline import browser as browser_tools

pytestmark = pytest.mark.build


def _reader_pages(site):
    return [r for r in sitecheck.content_pages(site) if "appendix/" not in r]


def _soup(site, rel):
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


def test_every_claim_link_is_a_numbered_reference_with_a_tooltip(built_site):
    bad, count, pages_with_refs = [], 0, 0
    for rel in _reader_pages(built_site):
        soup = _soup(built_site, rel)
        article = soup.select_one("article.bd-article")
        links = article.select("a.claim-link")
        if not links:
            continue
        numbers: dict[str, str] = {}
        for a in links:
            count += 1
            text = a.get_text()
            m = re.fullmatch(r"reference \[(\d+)\]", text)
            if not m:
                bad.append(f"{rel}: claim link reads {text!r}, not a numbered reference")
                continue
            tip_text = (soup.find(id=a.get("aria-describedby", "")) or a).get_text()
            if numbers.setdefault(tip_text, m.group(1)) != m.group(1):
                bad.append(f"{rel}: one sentence carries two numbers ({tip_text[:60]!r})")
            tip = soup.find(id=a.get("aria-describedby", "")) if a.get("aria-describedby") else None
            if tip is None or tip.get("role") != "tooltip" or len(tip.get_text(strip=True)) < 20:
                bad.append(f"{rel}: reference [{m.group(1)}] has no tooltip with its sentence")
        expected = [str(i) for i in range(1, len(numbers) + 1)]
        if sorted(set(numbers.values()), key=int) != expected:
            bad.append(f"{rel}: numbers {sorted(set(numbers.values()), key=int)} are not 1..{len(numbers)}")
        refs = article.select("section.cite-references ol > li")
        if len(refs) != len(set(numbers.values())):
            bad.append(f"{rel}: {len(refs)} references listed for {len(set(numbers.values()))} numbers")
        else:
            pages_with_refs += 1
            last = article.select("section.cite-references")[-1]
            if last.find_next(["p", "table", "img"]) is not None and last.find_next(["p", "table", "img"]).find_parent("article") is article:
                bad.append(f"{rel}: the references are not at the end of the page")
    print(f"\n{count} citations on {pages_with_refs} pages")
    assert count > 0 and pages_with_refs > 0, "no citation found on any reader page"
    assert not bad, "\n".join(bad[:30])


def test_no_claim_id_shows_in_a_citation(built_site, ledger):
    ids = set(ledger.claims)
    bad = []
    for rel in _reader_pages(built_site):
        article = _soup(built_site, rel).select_one("article.bd-article")
        for el in article.select("a.claim-link, section.cite-references"):
            shown = set(re.findall(r"[a-z][a-z0-9_]+", el.get_text())) & ids
            if shown:
                bad.append(f"{rel}: {sorted(shown)[:3]}")
    assert not bad, "claim ids in what a reader sees:\n" + "\n".join(bad)


def test_marks_name_each_number_once_and_sit_on_their_word(built_site):
    """Issue 25: no "[9], [9]" side by side, and no space before a mark (but after a comma, one)."""
    bad, marks = [], 0
    for rel in _reader_pages(built_site):
        article = _soup(built_site, rel).select_one("article.bd-article")
        for cite in article.select("span.cite"):
            marks += 1
            number = cite.a.get_text()
            before = cite.previous_sibling
            if isinstance(before, str) and before[-1:].isspace() and not before.rstrip().endswith(","):
                bad.append(f"{rel}: space before {number}: {before[-30:]!r}")
            sep = cite.next_sibling
            nxt = sep.next_sibling if isinstance(sep, str) and re.fullmatch(r"\s*,?\s*", sep) else sep
            if getattr(nxt, "name", None) == "span" and "cite" in nxt.get("class", []) and nxt.a.get_text() == number:
                bad.append(f"{rel}: {number} twice side by side")
    assert marks > 100, marks
    assert not bad, "\n".join(bad[:20])


def test_a_mark_links_to_its_sentence_in_the_appendix(built_site):
    """Every mark's link lands on an element of the appendix page that holds the quoted sentence."""
    bad, pages = [], {}
    for rel in _reader_pages(built_site):
        for a in _soup(built_site, rel).select("article.bd-article a.cite-ref"):
            path, _, anchor = a["href"].partition("#")
            target = (built_site / rel).parent / path
            soup = pages.setdefault(target, _soup(built_site, target.relative_to(built_site)))
            if not anchor.startswith("claim-") or soup.find(id=anchor) is None:
                bad.append(f"{rel}: {a['href']}")
    assert not bad, "\n".join(bad[:20])


def test_no_page_loads_fontawesome_js(built_site):
    rels = sitecheck.pages(built_site)
    assert rels
    bad = [r for r in rels if "fontawesome.js" in (built_site / r).read_text(encoding="utf-8")]
    assert not bad, f"pages still loading fontawesome.js: {bad[:5]}"
    assert not list((built_site / "_static").rglob("fontawesome.js")), "fontawesome.js is still shipped"


# --- in Chromium -------------------------------------------------------------------------------

_FOCUS_JS = """() => {
  const a = document.activeElement;
  if (!a || !a.classList.contains('cite-ref')) return null;
  const tip = document.getElementById(a.getAttribute('aria-describedby'));
  const r = tip.getBoundingClientRect();
  return {text: tip.innerText, display: getComputedStyle(tip).display, w: r.width, h: r.height,
          left: r.left, right: r.right, vw: document.documentElement.clientWidth, href: a.getAttribute('href')};
}"""

_ICONS_JS = """() => [...document.querySelectorAll('i.fa-solid, i.fas')].filter(i => i.offsetParent).map(i => ({
  cls: i.className, w: i.getBoundingClientRect().width,
  content: getComputedStyle(i, '::before').content, font: getComputedStyle(i).fontFamily}))"""


async def _check_page(browser, site, rel, width):
    out = {"errors": [], "outside": []}
    server = sitecheck.serve(site)
    with server as base:
        ctx = await browser.new_context(viewport={"width": width, "height": 800})

        async def guard(route):
            if urlsplit(route.request.url).netloc == server.host:
                await route.continue_()
            else:
                out["outside"].append(route.request.url)
                await route.abort()

        await ctx.route("**/*", guard)
        page = await ctx.new_page()
        page.on("console", lambda m: out["errors"].append(m.text) if m.type == "error" else None)
        pending = browser_tools.track_requests(page)
        await page.goto(base + rel, wait_until="load")
        assert await browser_tools.settle(pending), f"{rel}: requests still in flight after 10 s"
        first = page.locator("a.cite-ref").first
        tip_id = await first.get_attribute("aria-describedby")
        out["hidden_before"] = not await page.locator(f"#{tip_id}").is_visible()
        # keyboard: Tab from the top of the page until the first reference has the focus
        out["tabs"] = None
        for i in range(400):
            await page.keyboard.press("Tab")
            if await page.evaluate("() => document.activeElement?.classList.contains('cite-ref')"):
                out["tabs"] = i + 1
                break
        out["focus"] = await page.evaluate(_FOCUS_JS)
        await page.evaluate("() => document.activeElement.blur()")
        await page.mouse.move(0, 0)
        box = await page.evaluate("""() => { const a = document.querySelector('a.cite-ref');
          a.scrollIntoView({block: 'center'}); const r = a.getBoundingClientRect();
          return [r.left + r.width / 2, r.top + r.height / 2]; }""")
        await page.mouse.move(*box)
        out["hover_visible"] = await page.locator(f"#{tip_id}").is_visible()
        out["icons"] = await page.evaluate(_ICONS_JS)
        await ctx.close()
    return out


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_reference_tooltip_shows_on_keyboard_focus_and_hover(built_site, width, browser):
    rel = next((r for r in _reader_pages(built_site) if "cite-ref" in (built_site / r).read_text(encoding="utf-8")), None)
    assert rel, "no reader page has a citation"
    out = browser.run(_check_page, built_site, rel, width)
    assert out["hidden_before"], "the tooltip shows before anyone points at the reference"
    assert out["tabs"], "Tab never reached a reference"
    focus = out["focus"]
    assert focus and focus["display"] == "block" and focus["w"] > 100 and focus["h"] > 20, focus
    assert len(focus["text"]) > 30 and "\u201c" in focus["text"], focus["text"]
    assert focus["left"] >= -1 and focus["right"] <= focus["vw"] + 1, f"the tooltip leaves the screen: {focus}"
    assert "#claim-" in focus["href"] and "appendix/" in focus["href"]
    assert out["hover_visible"], "hovering the reference does not show its tooltip"
    assert not out["errors"] and not out["outside"], out
    # the theme's icons are drawn by its web font now that fontawesome.js is gone
    icons = out["icons"]
    assert icons, "no icon found on the page"
    blank = [i for i in icons if i["content"] in ("none", "normal", '""') or "Font Awesome" not in i["font"]]
    assert not blank, f"icons without a glyph: {blank[:3]}"
