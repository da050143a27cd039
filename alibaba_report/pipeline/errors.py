"""Exit codes, the error a build stops on, and the one top-level handler that turns any failure into
one message and its exit code (standard library only at module level)."""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from alibaba_report.messages import cut, short  # noqa: F401 - part of this module's API

EXIT_DATA = 2  # data/ or seeds/ invalid: nothing was run
EXIT_NOTEBOOK = 3  # a notebook raised, timed out, printed too much or its kernel died
EXIT_RENDER = 4  # jupyter-book reported an error or a warning
EXIT_ENV = 5  # the machine: a folder not writable, a tool or the environment missing
EXIT_BUSY = 6  # another build holds the lock of this checkout
EXIT_INTERNAL = 70  # a bug in the package (EX_SOFTWARE): rerun with --debug for the traceback
EXIT_INTERRUPTED = 130  # Ctrl-C

EXIT_MEANINGS = {
    EXIT_DATA: "invalid data, seeds or parameters",
    EXIT_NOTEBOOK: "a notebook failed",
    EXIT_RENDER: "rendering failed",
    EXIT_ENV: "the environment (files, folders, tools)",
    EXIT_BUSY: "another build is running",
    EXIT_INTERNAL: "an internal error",
    EXIT_INTERRUPTED: "interrupted",
}

# Per-cell execution limits; both can be changed with --cell-timeout / --max-output-mb or these
# variables. The slowest cell of the book took 7.9 s on a shared 2-core machine (a cloud_ai
# cell, measured with papermill under load); 120 s is fifteen times that. The largest


class BuildError(RuntimeError):
    """A failure the driver reports and exits on; ``code`` is the exit status."""

    def __init__(self, message: str, code: int):
        # both in args: the error crosses from a worker process by pickle, which rebuilds it from args
        super().__init__(message, code)
        self.message, self.code = message, code

    def __str__(self) -> str:
        return self.message



# --- the top-level handler -------------------------------------------------------------------------

def _os_message(exc: OSError) -> str:
    what = exc.filename or "a file"
    if isinstance(exc, FileNotFoundError) and str(what).startswith((sys.prefix, sys.exec_prefix)):
        return (f"{what}: missing from the Python environment ({sys.prefix}); was .venv removed or "
                "changed during the build? Run `make book` to recreate it, then build again")
    extra = f" -> {exc.filename2}" if exc.filename2 else ""
    return (f"{what}{extra}: {exc.strerror or exc} (errno {exc.errno}): the build writes only under "
            "_build/ and reads the repository; check that these exist and are writable, then run again")


def classify(exc: BaseException) -> tuple[int, str]:
    """The exit code and message for any exception that reaches the top."""
    from alibaba_report.evidence.ledger import LedgerError, UnknownClaimError
    from alibaba_report.params import ParameterError
    from alibaba_report.pipeline.toc import TocError

    if isinstance(exc, BuildError):
        return exc.code, exc.message
    if isinstance(exc, (LedgerError, ParameterError, UnknownClaimError, TocError)):
        return EXIT_DATA, str(exc)
    if isinstance(exc, UnicodeDecodeError):
        return EXIT_DATA, f"a file is not valid UTF-8: {exc}"
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED, "interrupted"
    if isinstance(exc, MemoryError):
        return EXIT_ENV, "out of memory"
    if isinstance(exc, OSError):
        return EXIT_ENV, _os_message(exc)
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    at = f" at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}" if tb else ""
    return EXIT_INTERNAL, (f"internal error{at}: {type(exc).__name__}: {cut(str(exc), 300)}. "
                           "This is a bug, not bad input; rerun with --debug for the traceback")


def run_guarded(fn, debug: bool = False, after_failure=None) -> int:
    """Run ``fn()``; on any failure print one message and return its kind's exit code."""
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - the one place every failure is reported
        if isinstance(exc, SystemExit):
            raise
        code, message = classify(exc)
        if debug:
            import traceback

            traceback.print_exc()
        print(f"error: {message}", file=sys.stderr)
        if after_failure is not None:
            with contextlib.suppress(Exception):
                note = after_failure()
                if note:
                    print(note, file=sys.stderr)
        print(f"(exit code {code}: {EXIT_MEANINGS.get(code, 'failure')})", file=sys.stderr)
        return code
    return 0
