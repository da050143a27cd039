"""Read the built site the way a reader's browser does: its pages, links, anchors, images,
headings and tables. The site tests (tests/test_site_*.py) and the PDF test use these helpers;
serving the site and finding Chromium live in the package (alibaba_report.pipeline.browser), which the PDF
printer needs too.

Everything here works on whatever pages ``_build/html`` holds, so the checks keep their meaning as
chapters and appendix pages are added: nothing names a page.

Two facts about Jupyter Book 1's HTML (sphinx-book-theme) that the helpers encode:

* the root ``index.html`` is a meta-refresh redirect to the first page, not a page;
* every page repeats its title as an ``<h1>`` inside ``div#jb-print-docs-body.onlyprint``, a block
  the theme hides on screen (``display: none``) and shows only when printing. A screen reader never
  meets it, so headings are read with ``.onlyprint`` blocks left out.
"""
from __future__ import annotations

import functools
import os
import posixpath
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, Tag

from alibaba_report.pipeline.browser import CHROMIUM_ARGS, find_chromium, is_redirect, redirect_target, serve  # noqa: F401

SITE_ENV = "REPORT_SITE_DIR"  # point the site tests at another built site while developing

# Sphinx's own pages: reachable by readers (search box, index) but not written by the book.
UTILITY_PAGES = frozenset({"genindex.html", "search.html", "py-modindex.html"})
# Folders of the build that hold assets and sources, not pages.
ASSET_DIRS = frozenset({"_static", "_sources", "_images", "_downloads", ".doctrees", "_sphinx_design_static"})

EXTERNAL_SCHEMES = frozenset({"http", "https", "ftp", "mailto", "tel", "ws", "wss"})


def site_from_env() -> Path | None:
    """The site named by ``$REPORT_SITE_DIR`` (a built ``_build/html``), if set."""
    value = os.environ.get(SITE_ENV)
    if not value:
        return None
    path = Path(value).resolve()
    if not (path / "index.html").exists():
        raise FileNotFoundError(f"${SITE_ENV}={value} has no index.html: build the site first")
    return path


def artefacts_dir(site: Path) -> Path:
    """Where the browser tests write screenshots and the page-weight table: ``_build/screenshots``
    beside ``_build/html`` (ignored by git, like everything under ``_build``)."""
    out = site.parent / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    return out


# --- pages -------------------------------------------------------------------------------------

def _rel(site: Path, path: Path) -> str:
    return path.relative_to(site).as_posix()


def html_files(site: Path) -> list[str]:
    """Every ``.html`` file of the site outside the asset folders, site-relative, sorted."""
    found = []
    for path in site.rglob("*.html"):
        rel = _rel(site, path)
        if rel.split("/", 1)[0] in ASSET_DIRS:
            continue
        found.append(rel)
    return sorted(found)


def pages(site: Path) -> list[str]:
    """Every page a reader can open (redirects left out), the utility pages included."""
    return [rel for rel in html_files(site) if not is_redirect(site, rel)]


def content_pages(site: Path) -> list[str]:
    """The book's own pages: every page but Sphinx's search and index pages."""
    return [rel for rel in pages(site) if rel not in UTILITY_PAGES]


# --- one page, parsed ------------------------------------------------------------------------

@dataclass(frozen=True)
class Link:
    tag: str  # a, link, script, img, source, iframe...
    attr: str  # href, src, srcset
    url: str
    text: str  # the link text (for <a>), else ""
    label: str  # aria-label or title, if any


@dataclass(frozen=True)
class Image:
    src: str
    alt: str | None  # None: no alt attribute at all


@dataclass(frozen=True)
class Table:
    header_cells: tuple[str, ...]  # texts of its <th> cells, in order
    rows: int
    classes: tuple[str, ...]


@dataclass
class Page:
    rel: str
    lang: str | None
    title: str
    ids: frozenset[str]
    links: list[Link] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)  # (level, text), screen only
    article_headings: list[tuple[int, str]] = field(default_factory=list)  # inside the article
    tables: list[Table] = field(default_factory=list)
    text: str = ""  # the article's visible text, whitespace collapsed

    @property
    def h1s(self) -> list[str]:
        return [t for lvl, t in self.headings if lvl == 1]


def _text(el: Tag) -> str:
    # headerlink anchors ("#" or "¶") belong to the theme, not to the heading's text
    parts = []
    for s in el.find_all(string=True):
        parent = s.parent
        if parent is not None and "headerlink" in (parent.get("class") or []):
            continue
        parts.append(str(s))
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _drop_print_only(soup: BeautifulSoup) -> None:
    for el in soup.select(".onlyprint"):
        el.decompose()


def _article(soup: BeautifulSoup) -> Tag:
    return soup.select_one("article.bd-article") or soup.select_one("main") or soup.body or soup


@functools.lru_cache(maxsize=4096)
def _parse_cached(path: str, mtime_ns: int, rel: str) -> Page:
    html = Path(path).read_text(encoding="utf-8", errors="replace")
    soup = BeautifulSoup(html, "html.parser")
    root = soup.find("html")
    lang = root.get("lang") if isinstance(root, Tag) else None
    title = _text(soup.title) if soup.title else ""
    ids = frozenset(
        [el["id"] for el in soup.find_all(id=True)]
        + [el["name"] for el in soup.find_all(["a", "span"], attrs={"name": True})]
    )
    links: list[Link] = []
    for el in soup.find_all(True):
        for attr in ("href", "src"):
            url = el.get(attr)
            if url is None or el.name == "base":
                continue
            links.append(Link(el.name, attr, url.strip(), _text(el) if el.name == "a" else "",
                              (el.get("aria-label") or el.get("title") or "").strip()))
        srcset = el.get("srcset")
        if srcset:
            for candidate in srcset.split(","):
                if candidate.strip():
                    links.append(Link(el.name, "srcset", candidate.split()[0], "", ""))
    images = [Image(img.get("src", ""), img.get("alt")) for img in soup.find_all("img")]

    _drop_print_only(soup)
    headings = [(int(h.name[1]), _text(h)) for h in soup.find_all(re.compile(r"^h[1-6]$"))]
    article = _article(soup)
    article_headings = [(int(h.name[1]), _text(h)) for h in article.find_all(re.compile(r"^h[1-6]$"))]
    tables = []
    for t in article.find_all("table"):
        ths = tuple(_text(th) for th in t.find_all("th"))
        tables.append(Table(ths, len(t.find_all("tr")), tuple(t.get("class") or ())))
    text = re.sub(r"\s+", " ", article.get_text(" ")).strip()
    return Page(rel, lang, title, ids, links, images, headings, article_headings, tables, text)


def parse(site: Path, rel: str) -> Page:
    """The parsed page ``rel`` (site-relative); cached while the file is unchanged."""
    path = site / rel
    return _parse_cached(str(path), path.stat().st_mtime_ns, rel)


# --- links -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    kind: str  # internal, external, inline (data:, blob:, javascript:), self (bare "#")
    path: str | None  # site-relative file, for internal links
    fragment: str  # unquoted, "" if none
    url: str


def resolve(page_rel: str, url: str) -> Target:
    """Where ``url``, written on page ``page_rel``, leads."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in EXTERNAL_SCHEMES or url.startswith("//"):
        return Target("external", None, "", url)
    if scheme:  # data:, blob:, javascript: ... never a file of the site
        return Target("inline", None, "", url)
    fragment = unquote(parts.fragment)
    if not parts.path:
        if not fragment:
            return Target("self", page_rel, "", url)
        return Target("internal", page_rel, fragment, url)
    base = "" if parts.path.startswith("/") else posixpath.dirname(page_rel)
    path = posixpath.normpath(posixpath.join(base, unquote(parts.path).lstrip("/")))
    return Target("internal", path, fragment, url)


def target_file(site: Path, path: str) -> Path | None:
    """The file an internal path names, as a static server would answer (folder → index.html)."""
    if path.startswith("../") or path == "..":
        return None  # leaves the site
    candidate = site / path
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


@dataclass
class LinkReport:
    broken: list[str] = field(default_factory=list)  # "page: url (why)"
    external: list[tuple[str, str]] = field(default_factory=list)  # (page, url)
    checked: int = 0
    anchors_checked: int = 0
    claim_links: int = 0


def check_links(site: Path, rels: list[str] | None = None) -> LinkReport:
    """Every internal href/src of the given pages (default: every HTML file) must name a file of
    the site and, with a #fragment into an HTML page, an element id of that page."""
    report = LinkReport()
    for rel in rels if rels is not None else html_files(site):
        for link in parse(site, rel).links:
            target = resolve(rel, link.url)
            if target.kind == "external":
                report.external.append((rel, link.url))
                continue
            if target.kind == "inline":
                if link.url.lower().startswith("javascript:") and link.tag == "a":
                    report.broken.append(f"{rel}: {link.url} (a javascript: link does nothing without scripts)")
                continue
            if target.kind == "self":
                continue
            report.checked += 1
            f = target_file(site, target.path)
            if f is None:
                report.broken.append(f"{rel}: <{link.tag} {link.attr}={link.url!r}> → {target.path} does not exist")
                continue
            if target.fragment.startswith("claim-"):
                report.claim_links += 1
            if target.fragment and f.suffix == ".html" and link.attr == "href":
                report.anchors_checked += 1
                if target.fragment not in parse(site, _rel(site, f)).ids:
                    report.broken.append(
                        f"{rel}: {link.url!r} → {_rel(site, f)} has no element with id {target.fragment!r}")
    return report


def reachable(site: Path, start: str = "index.html") -> set[str]:
    """Site-relative HTML pages a reader can reach from ``start`` by following links."""
    seen: set[str] = set()
    todo = deque([start])
    while todo:
        rel = todo.popleft()
        if rel in seen:
            continue
        seen.add(rel)
        if is_redirect(site, rel):
            nxt = redirect_target(site, rel)
            if nxt:
                todo.append(nxt)
            continue
        for link in parse(site, rel).links:
            if link.tag != "a":
                continue
            t = resolve(rel, link.url)
            if t.kind != "internal":
                continue
            f = target_file(site, t.path)
            if f is not None and f.suffix == ".html":
                nxt = _rel(site, f)
                if nxt.split("/", 1)[0] not in ASSET_DIRS:
                    todo.append(nxt)
    return seen


# --- the table of contents ------------------------------------------------------------------

def toc_entries(toc_path: Path) -> list[tuple[str, bool]]:
    """``(entry, is_glob)`` for every file and glob in a Jupyter Book ``_toc.yml`` (the package's one
    reader of it, which Jupyter Book's own parser, sphinx_external_toc, parses)."""
    from alibaba_report.pipeline import toc

    root = Path(toc_path).parent
    return [(doc, False) for doc in toc.documents(root)] + [(pattern, True) for pattern in toc.globs(root)]


def page_for_entry(entry: str) -> str:
    """The site-relative HTML page Jupyter Book writes for a toc entry (``book/x`` → ``book/x.html``)."""
    return posixpath.splitext(entry)[0] + ".html" if entry.endswith((".md", ".ipynb")) else entry + ".html"


