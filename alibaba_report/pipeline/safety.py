"""What keeps a build safe to run, in one import: exit codes and the top-level handler
(errors.py), per-cell limits and the failed-cell message (limits.py), the build lock (lock.py), real
folders under _build and atomic publishing (publishing.py).

Only the standard library is imported at module level, here and in those modules, so the
publishing fault test can start a process that imports this module and kill it at any instant cheaply.
"""
from __future__ import annotations

from alibaba_report.pipeline.errors import (  # noqa: F401 - re-exported: the build's one import
    EXIT_BUSY, EXIT_DATA, EXIT_ENV, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_MEANINGS, EXIT_NOTEBOOK,
    EXIT_RENDER, BuildError, classify, cut, run_guarded, short,
)
from alibaba_report.pipeline.limits import (  # noqa: F401
    CELL_TIMEOUT_DEFAULT, CELL_TIMEOUT_ENV, MAX_OUTPUT_ENV, MAX_OUTPUT_MB_DEFAULT, PAPERMILL_ERROR_TAG,
    cell_timeout, max_output_bytes, notebook_failure, output_problems,
)
from alibaba_report.pipeline.lock import build_lock, die_with_parent, pid_alive  # noqa: F401
from alibaba_report.pipeline.publishing import (  # noqa: F401
    _exchange_supported, check_published_link, current_version, link_message, publish, real_dir, real_file,
    recover, shown, site_state, write_atomic,
)
