"""What a book notebook glues, computed without a kernel, against what its committed outputs hold.

The committed outputs are what nbval compares a fresh run with, and what the base book shows; when a
model, a claim or a base value changes, the notebooks that glue the moved figures go stale. Running
each notebook's code in this process (matplotlib off-screen, displays dropped, ``glue`` recorded)
finds them in seconds, without a kernel or a build, and names the notebook to refresh.

``python tests/notebook_glue.py`` prints every notebook's recorded glue as JSON: the test of another
machine's numbers runs it in a child process with numpy's CPU features limited.
"""
from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def toc_stems() -> list[str]:
    from alibaba_report.pipeline import driver

    return [s.removeprefix("book/") for s in driver.toc_notebooks(ROOT)]


def _plain(value):
    """A glued value as the notebook stores it: numbers at the stated precision, Markdown as its text."""
    from alibaba_report import precision

    data = getattr(value, "data", None)
    if data is not None and type(value).__name__ == "Markdown":
        return str(data)
    return precision.stated(value)


def computed(stem: str, **overrides) -> dict[str, object]:
    """Every ``name: value`` notebook ``book/<stem>.ipynb`` glues, by running its code cells in this
    process: under its own defaults (base), or with ``overrides`` assigned right after its parameters
    cell, as papermill injects them. A cell that raises raises papermill's PapermillExecutionError
    (``ename``, ``evalue``, the cell's index), as a kernel run would. Charts are built (a chart function
    that raises still fails the cell) but not laid out, shown or encoded: no glued value depends on them."""
    import IPython.display
    import matplotlib
    import matplotlib.figure
    import myst_nb
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    from alibaba_report.charts import style

    matplotlib.use("Agg")
    recorded: dict[str, object] = {}

    def record(name, value, display=True):
        recorded[name] = _plain(value)

    nb = nbformat.read(ROOT / "book" / f"{stem}.ipynb", as_version=4)
    saved = (myst_nb.glue, IPython.display.display, matplotlib.figure.Figure.savefig, style.show,
             os.environ.get("REPORT_ROOT"))
    myst_nb.glue, IPython.display.display = record, (lambda *a, **k: None)
    matplotlib.figure.Figure.savefig = style.show = lambda *a, **k: None
    os.environ["REPORT_ROOT"] = str(ROOT)
    namespace: dict = {"__name__": "__main__"}
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for i, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                try:
                    exec(compile(cell.source, f"{stem}.ipynb cell {i}", "exec"), namespace)  # noqa: S102 - our notebooks
                except Exception as exc:
                    raise PapermillExecutionError(i, i, cell.source, type(exc).__name__, str(exc), []) from exc
                if "parameters" in cell.metadata.get("tags", []):
                    namespace.update(overrides)  # papermill's injected cell
    finally:
        myst_nb.glue, IPython.display.display, matplotlib.figure.Figure.savefig, style.show = saved[:4]
        if saved[4] is None:
            os.environ.pop("REPORT_ROOT", None)
        else:
            os.environ["REPORT_ROOT"] = saved[4]
        import matplotlib.pyplot as plt

        plt.close("all")
    return recorded


def committed(stem: str) -> dict[str, object]:
    """Every ``name: value`` the committed ``book/<stem>.ipynb`` holds as glued."""
    nb = json.loads((ROOT / "book" / f"{stem}.ipynb").read_text(encoding="utf-8"))
    found: dict[str, object] = {}
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("scrapbook")
            if not meta:
                continue
            prefix, data = meta.get("mime_prefix", ""), out.get("data", {})
            if prefix + "text/markdown" in data:
                found[meta["name"]] = "".join(data[prefix + "text/markdown"])
                continue
            text = "".join(data.get(prefix + "text/plain", ""))
            try:
                found[meta["name"]] = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                try:  # nan and inf have a repr that is not a literal
                    found[meta["name"]] = float(text)
                except ValueError:
                    found[meta["name"]] = text
    return found


def _around_first_difference(a: str, b: str, width: int = 80) -> tuple[str, str]:
    """Both texts cut to ``width`` characters around where they first differ ("…" marks a cut), so two
    long sentences that differ late do not show as two identical beginnings."""
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    start = max(0, i - width // 4)

    def cut(t: str) -> str:
        return ("…" if start else "") + t[start:start + width] + ("…" if len(t) > start + width else "")

    return cut(a), cut(b)


def differences(now: dict[str, object], then: dict[str, object]) -> list[str]:
    """Reader-sized lines: each glued name whose committed value differs from ``now``'s."""
    from alibaba_report import precision

    out = []
    for name in sorted(set(now) | set(then)):
        a, b = then.get(name, "(absent)"), now.get(name, "(absent)")
        numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))
        if (numbers and not precision.same(a, b)) or (not numbers and a != b):
            shown_a, shown_b = _around_first_difference(str(a), str(b))
            out.append(f"{name}: committed {shown_a!r}, now {shown_b!r}")
    return out


if __name__ == "__main__":
    json.dump({stem: computed(stem) for stem in toc_stems()}, sys.stdout)
