"""Per-cell execution limits (time and output) and the message that names a failed notebook cell,
numbered as in the source notebook (standard library only at module level)."""
from __future__ import annotations

import os

from alibaba_report.pipeline.errors import EXIT_DATA, EXIT_NOTEBOOK, BuildError, cut, short


# Per-cell execution limits; both can be changed with --cell-timeout / --max-output-mb or these
# variables. The slowest cell of the book took 7.9 s on a shared 2-core machine (a cloud_ai
# cell, measured with papermill under load); 120 s is fifteen times that. The largest
# output of a cell is 0.16 MB (a chart's PNG); 5 MB is thirty times that.
CELL_TIMEOUT_ENV, CELL_TIMEOUT_DEFAULT = "REPORT_CELL_TIMEOUT", 120.0
MAX_OUTPUT_ENV, MAX_OUTPUT_MB_DEFAULT = "REPORT_MAX_OUTPUT_MB", 5.0

def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
        if not value > 0:
            raise ValueError
    except ValueError:
        raise BuildError(f"{name}={short(raw)}: expected a positive number", EXIT_DATA) from None
    return value


def cell_timeout() -> float:
    """Seconds a notebook cell may run before the build stops it."""
    return _env_number(CELL_TIMEOUT_ENV, CELL_TIMEOUT_DEFAULT)


def max_output_bytes() -> int:
    """Bytes of output (text, HTML, images) one cell may produce."""
    return int(_env_number(MAX_OUTPUT_ENV, MAX_OUTPUT_MB_DEFAULT) * 1_000_000)


def _source_index(cells, index: int) -> int:
    """Position of executed cell ``index`` in the source notebook (papermill inserts a cell)."""
    injected = [i for i, c in enumerate(cells) if "injected-parameters" in c.get("metadata", {}).get("tags", [])]
    return index - sum(1 for i in injected if i < index)


def _first_line(source: str) -> str:
    line = next((ln.strip() for ln in source.splitlines() if ln.strip()), "")
    return short(line, 70)


def _cell_label(src: str, cells, index: int) -> str:
    return (f"{src}: cell {_source_index(cells, index)} (counting from 0 in the source notebook; "
            f"first line {_first_line(cells[index].get('source', ''))})")


PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"


def notebook_failure(src: str, dst: str, exc: BaseException) -> BuildError:
    """A BuildError naming the notebook, its cell (numbered as in the source) and what happened."""
    import nbformat

    try:
        cells = nbformat.read(dst, as_version=4).cells
    except Exception:  # noqa: BLE001 - the output may be absent if the kernel never started
        cells = []
    # papermill writes its own error banner (a markdown cell) at the top of the output after it
    # numbered the failing cell: without it the numbering is the one the error carries
    cells = [c for c in cells if PAPERMILL_ERROR_TAG not in c.get("metadata", {}).get("tags", [])]
    index = getattr(exc, "cell_index", None)
    source = getattr(exc, "source", None)
    if index is not None and source is not None and not (
            index < len(cells) and cells[index].get("source") == source):
        # the error's cell, found by its code when the numbering does not point at it
        index = next((i for i, c in enumerate(cells) if c.get("cell_type") == "code"
                      and c.get("source") == source), index)
    if index is None:  # a timeout or a dead kernel: the last cell papermill started
        started = [i for i, c in enumerate(cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")]
        index = started[-1] if started else None
    where = _cell_label(src, cells, index) if index is not None and index < len(cells) else f"{src}"
    name = type(exc).__name__
    if name == "PapermillExecutionError":
        what = f"raised {exc.ename}: {cut(str(exc.evalue), 300)}"
    elif name == "CellTimeoutError" or isinstance(exc, TimeoutError):
        what = (f"ran longer than the limit of {cell_timeout():g} s per cell and was stopped "
                f"(raise it with --cell-timeout or {CELL_TIMEOUT_ENV})")
    elif name == "DeadKernelError":
        what = ("its kernel died (out of memory, killed, or the Python environment .venv changed "
                "during the build; rerun, and if .venv was removed run `make book` to recreate it)")
    else:
        what = f"could not be executed: {name}: {cut(str(exc), 300)}"
    return BuildError(f"{where} {what}", EXIT_NOTEBOOK)


def output_problems(src: str, dst: str, limit: int | None = None, cells=None) -> None:
    """Raise a BuildError for the first cell whose outputs exceed ``limit`` bytes (of the notebook
    ``dst``, or of its ``cells`` when the caller has read them already)."""
    import json

    import nbformat

    limit = max_output_bytes() if limit is None else limit
    cells = nbformat.read(dst, as_version=4).cells if cells is None else cells
    for index, cell in enumerate(cells):
        size = len(json.dumps(cell.get("outputs", []), ensure_ascii=False).encode("utf-8"))
        if size > limit:
            raise BuildError(
                f"{_cell_label(src, cells, index)} produced {size / 1e6:.1f} MB of output, "
                f"above the limit of {limit / 1e6:g} MB per cell (raise it with --max-output-mb "
                f"or {MAX_OUTPUT_ENV})", EXIT_NOTEBOOK)


