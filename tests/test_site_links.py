"""Every link of the built site leads somewhere: files exist, #anchors exist, claim links land on
the claim's sentence in the seed appendix, and every page of the book can be reached by a reader.

Links are read from the built HTML (``sitecheck``), so the checks cover whatever
pages the site has. External links are listed in ``_build/screenshots/external_links.txt`` and
printed, never fetched: the tests run offline.
"""
from __future__ import annotations

import fnmatch

import pytest

import sitecheck


@pytest.fixture(scope="module")
def link_report(built_site) -> sitecheck.LinkReport:
    return sitecheck.check_links(built_site)


def test_every_internal_link_and_anchor_resolves(link_report):
    assert link_report.checked > 0, "no internal link found: the link checker is not reading the site"
    assert not link_report.broken, (
        f"{len(link_report.broken)} broken links (of {link_report.checked} checked, "
        f"{link_report.anchors_checked} with an #anchor):\n" + "\n".join(link_report.broken))


def test_claim_links_land_on_the_sentence_in_the_appendix(built_site):
    """A claim link (``...#claim-<id>``) must point into the appendix, at an element whose id is that
    claim's, on the page of the claim's seed; the broken-link test above checks that the id exists."""
    bad, count = [], 0
    for rel in sitecheck.content_pages(built_site):
        for link in sitecheck.parse(built_site, rel).links:
            t = sitecheck.resolve(rel, link.url)
            if t.kind != "internal" or not t.fragment.startswith("claim-"):
                continue
            count += 1
            if "appendix/" not in t.path:
                bad.append(f"{rel}: {link.url!r} points to {t.path}, not to an appendix page")
                continue
            target = sitecheck.target_file(built_site, t.path)
            if target is None or t.fragment not in sitecheck.parse(built_site, t.path).ids:
                bad.append(f"{rel}: {link.url!r}: no element id {t.fragment!r} in {t.path}")
    print(f"\n{count} claim links checked")
    assert count > 0, "no claim link found: the pages cite no claim, or the check reads nothing"
    assert not bad, "\n".join(bad)


def test_appendix_anchors_are_unique_per_claim(built_site):
    """Each claim has one place in the appendix: the same claim id on two pages would make a
    citation ambiguous."""
    where: dict[str, list[str]] = {}
    for rel in sitecheck.content_pages(built_site):
        if "appendix/" not in rel:
            continue
        for anchor in sitecheck.parse(built_site, rel).ids:
            if anchor.startswith("claim-"):
                where.setdefault(anchor, []).append(rel)
    assert where, "no claim anchor on any appendix page: the check reads nothing"
    dupes = {a: pages for a, pages in where.items() if len(pages) > 1}
    assert not dupes, f"claim anchors on more than one appendix page: {dupes}"


def test_no_page_loads_a_resource_from_another_site(built_site, link_report):
    """Scripts, styles, images, fonts and frames come from the site itself (the site works offline);
    only <a href> links may point elsewhere, and those are listed, not followed."""
    bad = []
    for rel in sitecheck.html_files(built_site):
        for link in sitecheck.parse(built_site, rel).links:
            if link.tag == "a":
                continue
            if sitecheck.resolve(rel, link.url).kind == "external":
                bad.append(f"{rel}: <{link.tag} {link.attr}={link.url!r}>")
    assert not bad, "resources loaded from outside the site:\n" + "\n".join(bad)


def test_external_links_are_listed(built_site, link_report):
    out = sitecheck.artefacts_dir(built_site) / "external_links.txt"
    by_url: dict[str, list[str]] = {}
    for rel, url in link_report.external:
        by_url.setdefault(url, []).append(rel)
    lines = [f"{url}  (on {', '.join(sorted(set(pages)))})" for url, pages in sorted(by_url.items())]
    out.write_text("\n".join(lines) + ("\n" if lines else ""))
    print(f"\n{len(by_url)} external links (not fetched), listed in {out}:")
    print("\n".join(lines) or "(none)")
    assert all(url.lower().startswith(("http://", "https://", "mailto:")) for url in by_url), \
        "external links other than http(s) and mailto: " + ", ".join(by_url)


def test_every_page_can_be_reached_from_the_front_page(built_site):
    reached = sitecheck.reachable(built_site, "index.html")
    orphans = [rel for rel in sitecheck.content_pages(built_site) if rel not in reached]
    assert not orphans, "pages no link leads to (a reader cannot find them): " + ", ".join(orphans)


def test_every_toc_entry_has_a_page(built_site):
    """Every file and glob of _toc.yml became a page of the site (a chapter that silently failed to
    render would otherwise just be missing)."""
    toc = built_site.parents[1] / "_toc.yml"
    entries = sitecheck.toc_entries(toc)
    assert entries, f"{toc} lists no file"
    have = set(sitecheck.content_pages(built_site))
    missing = []
    for entry, is_glob in entries:
        if is_glob:
            if not fnmatch.filter(have, sitecheck.page_for_entry(entry)):
                missing.append(f"glob {entry!r} matched no page")
        elif sitecheck.page_for_entry(entry) not in have:
            missing.append(f"{entry} → {sitecheck.page_for_entry(entry)} is missing")
    assert not missing, "\n".join(missing)


def test_source_downloads_are_the_executed_notebooks(built_site):
    """The theme's "download source" button must serve a file that exists and, for a notebook with
    code, the executed notebook (with outputs) that the page shows."""
    import json

    bad, notebooks = [], 0
    for rel in sitecheck.content_pages(built_site):
        for link in sitecheck.parse(built_site, rel).links:
            t = sitecheck.resolve(rel, link.url)
            if t.kind != "internal" or not t.path.startswith("_sources/"):
                continue
            notebooks += t.path.endswith(".ipynb")
            f = sitecheck.target_file(built_site, t.path)
            if f is None:
                bad.append(f"{rel}: {link.url} does not exist")
            elif f.suffix == ".ipynb":
                code = [c for c in json.loads(f.read_text())["cells"] if c["cell_type"] == "code"]
                if code and not any(c.get("outputs") for c in code):
                    bad.append(f"{rel}: {link.url} has code cells but no outputs (not the executed notebook)")
    assert notebooks > 0, "no page offers its notebook as a source download: the check reads nothing"
    assert not bad, "\n".join(bad)
