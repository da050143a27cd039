"""Citations: the MyST role ``{claim}`id``` (or ``{claim}`id_a,id_b```), the book's one way to cite.

* **At read time** the role checks each id against the claims ledger: an unknown id is an error
  naming the page, the id and the closest ids the ledger has, so the strict build fails. A known id
  becomes a :class:`claim_cite` node carrying what a reader is told (``Ledger.citation``: the quoted
  sentence, the source as "Publisher, date", the source's title and the sentence's place in the
  appendix). The role works wherever MyST is parsed: a Markdown cell, a Markdown table, a page
  written from data, and text the package glues as Markdown (``glue(..., Markdown(...))`` shown with
  the ``{glue:md}`` directive, or the ``{glue:md}`key:myst``` role).
* **When a page is resolved** (``doctree-resolved``, on the docutils tree, never on its HTML) each
  page's citations are numbered in order of first appearance; the same sentence keeps its number
  (two figures of one sentence share it); marks side by side ("[9], [9]", "[3] [4]") name each
  number once; a mark sits on the word before it (no space, no parentheses around marks alone);
  and the page ends with its numbered list of references. In the one-page build the PDF prints
  (singlehtml), each page of the book is numbered on its own, with its own list.
* **The HTML visitor** writes a mark as ``[n]``, a link to the sentence in the appendix, whose hover
  and keyboard focus show a tooltip (``role="tooltip"``, tied by ``aria-describedby``; CSS in
  book/_static/custom.css; a first tap on a touch screen opens it, book/_static/cite-touch.js).
  Every text from data is escaped here.

The appendix pages, which show the sentences themselves, are not numbered.
"""
from __future__ import annotations

import difflib
import html
import re

from docutils import nodes
from sphinx import addnodes

from alibaba_report import paths

APPENDIX = "appendix/"


class claim_cite(nodes.Inline, nodes.Element):
    """One citation of one claim; ``number``, ``tip`` and ``href`` are set when the page is resolved."""


class cite_references(nodes.General, nodes.Element):
    """The numbered list of a page's references (``items``: one dict per number)."""


# --- the role -------------------------------------------------------------------------------------

def _ledger():
    from alibaba_report.evidence import ledger

    return ledger.load_claims()  # cached per file and modification time


def unknown_claim_message(page: str, claim_id: str, known) -> str:
    close = difflib.get_close_matches(claim_id, list(known), n=3, cutoff=0.4)
    return (f"page {page}: {{claim}} cites {claim_id!r}, which is not in the claims ledger "
            f"(data/claims.csv); closest ids: {', '.join(close) or 'none'}")


def claim_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{claim}`a` `` or ``{claim}`a,b` ``: a citation node per id, or an error naming the page and id."""
    led = _ledger()
    ids = [s.strip() for s in text.split(",") if s.strip()]
    env = getattr(inliner.document.settings, "env", None)
    page = getattr(env, "docname", "") or inliner.document.get("source", "")
    if env is not None:  # a changed ledger or register re-reads the page (its quotes, its ids)
        for data_file in ("claims.csv", "sources.csv"):
            env.note_dependency(str(paths.data_dir() / data_file))
    if not ids:
        msg = inliner.reporter.error(f"page {page}: an empty {{claim}} role", line=lineno)
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    out, messages = [], []
    for claim_id in ids:
        if claim_id not in led.claims:
            messages.append(inliner.reporter.error(unknown_claim_message(page, claim_id, led.claims), line=lineno))
            continue
        info = led.citation(claim_id)
        out.append(claim_cite(rawtext, claim=info["id"], quote=info["quote"], source=info["source"],
                              title=info["title"], target=info["href"]))
    if messages:
        return [inliner.problematic(rawtext, rawtext, messages[0])], messages
    return out, []


# --- numbering, per page, on the doctree ----------------------------------------------------------

def _walk(node, page: str, owner):
    """Each citation under ``node`` with its page and that page's root, top-down: the one-page build
    (singlehtml) wraps each included page in a ``start_of_file`` node, whose children Sphinx moves
    without resetting their ``parent``, so a page is found going down, never up."""
    for child in node.children:
        if isinstance(child, addnodes.start_of_file):
            yield from _walk(child, child["docname"], child)
        elif isinstance(child, claim_cite):
            yield child, page, owner
        elif isinstance(child, nodes.Element):
            yield from _walk(child, page, owner)


def _href(builder, page: str, target: str) -> str:
    """The link to a sentence in the appendix. ``target`` is relative to the book/ folder
    (``appendix/<seed>.html#claim-<id>``); in the one-page build every anchor is on the page."""
    path, _, anchor = target.partition("#")
    if builder.name == "singlehtml":
        return f"#{anchor}"
    folder = page.rpartition("/")[0]
    docname = (f"{folder}/" if folder else "") + path.removesuffix(".html")
    return f"{builder.get_relative_uri(page, docname)}#{anchor}"


_SEPARATOR = re.compile(r"[ \t\n]*,?[ \t\n]*\Z")


def _runs(parent) -> list[list]:
    """Marks side by side in ``parent``: each run is marks and the separators between them."""
    runs, run = [], []
    for child in parent.children:
        if isinstance(child, claim_cite):
            run.append(child)
            continue
        if run and isinstance(child, nodes.Text) and _SEPARATOR.match(str(child)):
            run.append(child)
            continue
        if run:
            runs.append(run)
        run = []
    if run:
        runs.append(run)
    for run in runs:
        while not isinstance(run[-1], claim_cite):
            run.pop()
    return runs


def _at(parent, node) -> int:
    """Where ``node`` is among ``parent``'s children, by identity: a Text node is a ``str`` and
    equals any other Text with the same characters, so ``list.index`` could find another one."""
    return next(i for i, child in enumerate(parent.children) if child is node)


def _tidy_run(parent, run: list) -> None:
    """One run: each number once, separated by commas, on the word before it (after a comma, one
    space); "([3])" reads "[3]"."""
    seen, kept = set(), []
    for node in run:
        if isinstance(node, claim_cite) and node["number"] not in seen:
            seen.add(node["number"])
            kept.append(node)
    at = _at(parent, run[0])
    del parent[at:at + len(run)]  # a run is contiguous
    new = []
    for i, node in enumerate(kept):
        new += [nodes.Text(", ")] if i else []
        new.append(node)
    parent[at:at] = new
    first, last = at, at + len(new) - 1
    # the text on either side, across soft line breaks (separate Text nodes)
    start = first
    while start > 0 and isinstance(parent[start - 1], nodes.Text):
        start -= 1
    end = last + 1
    while end < len(parent) and isinstance(parent[end], nodes.Text):
        end += 1
    before = "".join(parent[start:first]).rstrip(" \t\n")
    after = "".join(parent[last + 1:end])
    if before.endswith("(") and after.lstrip(" \t\n").startswith(")"):
        before, after = before[:-1].rstrip(" \t\n"), after.lstrip(" \t\n")[1:]
    before += " " if before.endswith(",") else ""  # "8%, [2]": a mark after a comma keeps its space
    marks = list(parent[first:last + 1])
    parent[start:end] = ([nodes.Text(before)] if before else []) + marks + ([nodes.Text(after)] if after else [])


def _references_parent(doctree, owner, master: str):
    """Where a page's list goes: the end of its top section; for the master page of the one-page
    build, just before the first included page."""
    root = doctree if owner == master else owner
    sections = [c for c in root.children if isinstance(c, nodes.section)]
    container = sections[-1] if sections else root
    if owner == master:
        first = next(iter(container.findall(addnodes.start_of_file)), None)
        if first is not None:
            child = first
            while child.parent is not container:
                child = child.parent
            return container, _at(container, child)
    return container, len(container)


def number_page(doctree, cites: list, *, builder, page: str, prefix: str, owner, master: str) -> int:
    """Number ``cites`` (one page's, in order), tidy their runs and add the page's list; returns
    how many numbers the page has."""
    numbers: dict[tuple[str, str], int] = {}
    items = []
    for count, node in enumerate(cites, start=1):
        key = (node["source"], node["quote"])
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            items.append({k: node[k] for k in ("quote", "source", "title")}
                         | {"n": numbers[key], "href": _href(builder, page, node["target"])})
        node["number"] = numbers[key]
        node["tip"] = f"cite-tip-{prefix}{count}"
        node["href"] = _href(builder, page, node["target"])
    parents = []
    for node in cites:
        if node.parent is not None and node.parent not in parents:
            parents.append(node.parent)
    for parent in parents:
        for run in _runs(parent):
            _tidy_run(parent, run)
    container, at = _references_parent(doctree, owner, master)
    container.insert(at, cite_references(items=items, prefix=prefix))
    return len(numbers)


def number_each_page(app, doctree, docname: str) -> None:
    """``doctree-resolved``: number each page's citations (see the module's docstring)."""
    pages: dict[str, list] = {}
    owners: dict[str, object] = {}
    for node, page, owner in _walk(doctree, docname, doctree):
        pages.setdefault(page, []).append(node)
        owners[page] = owner
    single = app.builder.name == "singlehtml"
    for i, (page, cites) in enumerate(pages.items()):
        if APPENDIX in page:
            continue
        owner = docname if owners[page] is doctree else owners[page]
        number_page(doctree, cites, builder=app.builder, page=page, prefix=f"p{i}-" if single else "",
                    owner=owner, master=docname)


# --- HTML -----------------------------------------------------------------------------------------

def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def visit_cite_html(self, node) -> None:
    tip, quote = _esc(node["tip"]), node["quote"]
    shown = f"\u201c{_esc(quote)}\u201d" if quote else "The sentence in its source"
    source = f' <span class="cite-tip-source">\u2014 {_esc(node["source"])}</span>' if node["source"] else ""
    self.body.append(
        f'<span class="cite"><a class="claim-link cite-ref" href="{_esc(node["href"])}" '
        f'data-claim="{_esc(node["claim"])}" aria-describedby="{tip}">'
        f'<span class="cite-sr">reference </span>[{int(node["number"])}]</a>'
        f'<span class="cite-tip" role="tooltip" id="{tip}">{shown}{source}</span></span>')
    raise nodes.SkipNode


def visit_references_html(self, node) -> None:
    prefix = node["prefix"]
    items = []
    for it in node["items"]:
        title = f"<cite>{_esc(it['title'])}</cite>, " if it["title"] else ""
        items.append(f'<li id="ref-{_esc(prefix)}{it["n"]}">{title}{_esc(it["source"])}: '
                     f'\u201c{_esc(it["quote"])}\u201d '
                     f'<a class="cite-back" href="{_esc(it["href"])}">the sentence in its source</a></li>')
    ident = "references" + (f"-{prefix.rstrip('-')}" if prefix else "")
    self.body.append(f'<section class="cite-references" id="{_esc(ident)}"><h2>References</h2>\n'
                     f'<ol class="cite-list">\n' + "\n".join(items) + "\n</ol>\n</section>\n")
    raise nodes.SkipNode


def visit_cite_text(self, node) -> None:
    self.add_text(f"[{node.get('number', '?')}]")
    raise nodes.SkipNode


def _skip(self, node) -> None:
    raise nodes.SkipNode


def setup(app) -> dict:
    app.add_role("claim", claim_role)
    app.add_node(claim_cite, html=(visit_cite_html, None), text=(visit_cite_text, None),
                 latex=(_skip, None), man=(_skip, None), texinfo=(_skip, None))
    app.add_node(cite_references, html=(visit_references_html, None), text=(_skip, None),
                 latex=(_skip, None), man=(_skip, None), texinfo=(_skip, None))
    app.connect("doctree-resolved", number_each_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
