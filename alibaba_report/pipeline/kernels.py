"""Kernels over IPC: the kernel manager the build hands to papermill and nbclient.

Kernels are started over unix sockets in a private temporary folder instead of TCP on localhost:
nothing else on the machine can connect to them, and ipykernel no longer prints its "running over
TCP without encryption" warning at every start.
"""
from __future__ import annotations

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


def kernel_manager_class():
    """The kernel manager class the build hands to papermill/nbclient (IPC, see above)."""
    global _KM
    if _KM is None:
        _KM = _ipc_kernel_manager()
    return _KM


_KM = None
