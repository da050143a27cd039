"""Sphinx: each chart's two renderings (``charts/phone.py``) become one ``<picture>``.

``style.show`` emits a chart twice, as drawn and re-laid out for a phone, and MyST-NB turns each into
an image node. Right after a page is read, an image whose PNG says it is the phone layout is joined
with the image before it (the wide one) into a :class:`chart_picture` node; the HTML writer renders it

    <picture class="chart-picture">
      <source media="(max-width: 600px)" srcset="../_images/<phone>.png" />
      <img alt="..." src="../_images/<wide>.png" />
    </picture>

(MyST-NB keeps each output as a "mime bundle" of its renderings at this stage; the two outputs' bundles
are replaced by the picture) so a phone downloads only the phone layout, any wider screen and print only the wide one, and there is
one image with one alt text for a screen reader. Both PNGs stay image nodes of the page, so Sphinx
copies them to ``_images/`` as any other. Builders other than HTML see a container of the two images.
"""
from __future__ import annotations

import html
import posixpath
import urllib.parse
from pathlib import Path

from docutils import nodes


class chart_picture(nodes.container):  # noqa: N801 (docutils names node classes in lower case)
    """A chart's wide image and its phone layout (children, in that order)."""


def _layout(app, node: nodes.image) -> str | None:
    from alibaba_report.charts import phone

    uri = node.get("uri", "")
    if "://" in uri or not uri.endswith(".png"):
        return None
    path = Path(app.env.relfn2path(uri, app.env.docname)[1])
    try:
        return phone.read_png_text(path.read_bytes()).get(phone.LAYOUT_KEY)
    except (OSError, ValueError):
        return None


def _output_of(image: nodes.image) -> nodes.Element:
    """The node that stands for the image's notebook output: MyST-NB keeps every output as a "mime
    bundle" of its renderings until it picks one per builder; the image itself where there is none."""
    node = image
    while node.parent is not None and not isinstance(node, chart_picture):
        if node.get("nb_element") == "mime_bundle":
            return node
        node = node.parent
    return image


def pair_renderings(app, doctree) -> None:
    """Join every phone-layout image with the wide image of the output just before it (``doctree-read``)."""
    for small in list(doctree.findall(nodes.image)):
        if _layout(app, small) != "phone":
            continue
        small_out = _output_of(small)
        parent = small_out.parent
        i = parent.index(small_out) if parent is not None else 0
        if i == 0 or isinstance(parent, chart_picture):
            continue
        wide_out = parent[i - 1]
        wide = next((n for n in wide_out.findall(nodes.image) if _layout(app, n) == "wide"), None)
        if wide is None:
            continue
        picture = chart_picture(classes=["chart-picture"])
        parent.replace(wide_out, picture)
        parent.remove(small_out)
        wide.parent.remove(wide)
        small.parent.remove(small)
        picture += wide
        picture += small


def visit_chart_picture(self, node: chart_picture) -> None:
    wide, small = node.children
    uri = small["uri"]
    if uri in self.builder.images:
        uri = posixpath.join(self.builder.imgpath, urllib.parse.quote(self.builder.images[uri]))
    from alibaba_report.charts import phone

    self.body.append(f'<picture class="chart-picture"><source media="{html.escape(phone.PHONE_MEDIA)}" '
                     f'srcset="{html.escape(uri)}" />')
    wide.walkabout(self)
    self.body.append("</picture>\n")
    raise nodes.SkipNode


def setup(app):
    app.add_node(chart_picture, html=(visit_chart_picture, None))
    # before Sphinx's image collector (priority 500), which reads the same image nodes
    app.connect("doctree-read", pair_renderings, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
