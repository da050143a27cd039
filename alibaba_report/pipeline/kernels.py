"""How the build runs a notebook: the kernel manager it hands to papermill and nbclient (kernels over
IPC), and the papermill engine and options every run of a book notebook uses (papermill_options).

Kernels are started over unix sockets in a private temporary folder instead of TCP on localhost:
nothing else on the machine can connect to them, and ipykernel no longer prints its "running over
TCP without encryption" warning at every start.
"""
from __future__ import annotations

import functools
import os
import shutil
import tempfile


def _ipc_kernel_manager():
    from jupyter_client import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        """A kernel reached over unix sockets in a private temporary folder instead of TCP ports on
        localhost: no other user of the machine can connect to it, and ipykernel has no reason to
        print "Kernel is running over TCP without encryption" at every start of every notebook.
        Falls back to TCP when the temporary folder's path is too long for a unix socket."""

        _ipc_dir: str | None = None

        @default("transport")
        def _default_transport(self):
            # a unix socket path is at most 107 bytes; ours is <tmp>/kernel-XXXXXXXX/k-<n>
            return "ipc" if len(tempfile.gettempdir()) < 80 else "tcp"

        @default("ip")
        def _default_ip(self):
            if self.transport != "ipc":
                return super()._ip_default()
            self._ipc_dir = tempfile.mkdtemp(prefix="kernel-")
            return os.path.join(self._ipc_dir, "k")

        async def _async_interrupt_kernel(self):
            # jupyter_client interrupts (SIGINT) every kernel before asking it to shut down; an idle
            # kernel needs no interrupt, and one that is still answering a message logs
            # "KeyboardInterrupt caught in kernel" into the build's output. Real interrupts still work.
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart=restart)
            if not restart and self._ipc_dir:
                shutil.rmtree(self._ipc_dir, ignore_errors=True)

    return IPCKernelManager


@functools.cache
def kernel_manager_class():
    """The kernel manager class the build hands to papermill/nbclient (IPC, see above)."""
    return _ipc_kernel_manager()

# papermill writes the output notebook at the start and at the end of every cell, re-encoding (and
# deep-copying and validating) the whole growing notebook each time: 50 writes and 1.0 of the 1.7 CPU
# seconds papermill spent on the summary page. Nothing reads those files while a notebook runs; the
# build reads the output once it ended or failed. This engine writes it when the run starts and when
# it ends, failed or not (papermill's own final write, in a ``finally``).
ENGINE = "report-final-write"


@functools.cache  # once per process: papermill's registry is global
def _register_engine() -> None:
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class _WritesAtEnds(NotebookExecutionManager):
        _in_cell = False

        def save(self, **kwargs):
            if not self._in_cell:
                super().save(**kwargs)

        def _quietly(self, step, *args, **kwargs):
            self._in_cell = True
            try:
                step(*args, **kwargs)
            finally:
                self._in_cell = False

        def cell_start(self, cell, cell_index=None, **kwargs):
            self._quietly(super().cell_start, cell, cell_index, **kwargs)

        def cell_complete(self, cell, cell_index=None, **kwargs):
            self._quietly(super().cell_complete, cell, cell_index, **kwargs)

    class FinalWriteEngine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                             autosave_cell_every=30, **kwargs):
            # papermill's Engine.execute_notebook with the manager above
            nb_man = _WritesAtEnds(nb, output_path=output_path, progress_bar=progress_bar,
                                   log_output=log_output, autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register(ENGINE, FinalWriteEngine)


def papermill_options() -> dict:
    """What every papermill run of a book notebook is given, in the build and in the tests: kernels over
    IPC, the output written at the run's ends only, and no graceful kernel shutdown (every output is
    in hand when the last cell ends, and the kernel's files are written line by line: a graceful
    shutdown only waited, 0.3-0.6 s a notebook)."""
    _register_engine()
    return {"kernel_manager_class": kernel_manager_class(), "engine_name": ENGINE, "shutdown_kernel": "immediate",
            "kernel_name": "python3", "progress_bar": False, "log_output": False}

