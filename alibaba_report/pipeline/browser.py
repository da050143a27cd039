"""Serve a built site on 127.0.0.1 and find Debian's Chromium: what the PDF printer and the browser
tests share. The root ``index.html`` of a Jupyter Book 1 site is a meta-refresh redirect, not a page.
"""
from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit

def is_redirect(site: Path, rel: str) -> bool:
    head = (site / rel).read_text(encoding="utf-8", errors="replace")[:2000]
    return bool(re.search(r'<meta[^>]+http-equiv=["\']?refresh', head, re.I))


def redirect_target(site: Path, rel: str) -> str | None:
    """The site-relative page a meta-refresh redirect points to."""
    head = (site / rel).read_text(encoding="utf-8", errors="replace")[:2000]
    m = re.search(r'content=["\']?\s*\d+\s*;\s*url=([^"\'>\s]+)', head, re.I)
    if not m:
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(rel), urlsplit(m.group(1)).path))



# --- serving the site and driving Chromium (browser tests, PDF) --------------------------------

# Flags that let Debian's Chromium run headless as root in a container, and keep it from calling
# home: no background networking, component updates, sync or QUIC probes, so every request the
# browser makes comes from the page under test.
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
)


def track_requests(page) -> set:
    """The page's requests in flight, kept up to date from its events: call before ``goto``."""
    pending: set = set()
    page.on("request", lambda request: pending.add(request))  # Playwright needs Python functions here
    page.on("requestfinished", lambda request: pending.discard(request))
    page.on("requestfailed", lambda request: pending.discard(request))
    return pending


async def settle(pending: set, timeout_s: float = 10.0, quiet_s: float = 0.1) -> bool:
    """Wait until no request of ``pending`` (:func:`track_requests`) has been in flight for ``quiet_s``
    seconds: what Playwright's "networkidle" waits for, without its fixed half second (17 s of the 40
    page visits of the browser tests). False when requests are still in flight after ``timeout_s``."""
    import asyncio

    step, quiet, waited = 0.025, 0.0, 0.0
    while waited < timeout_s:
        quiet = 0.0 if pending else quiet + step
        if quiet >= quiet_s:
            return True
        await asyncio.sleep(step)
        waited += step
    return False


def find_chromium() -> str | None:
    """Debian's Chromium (or ``$REPORT_CHROMIUM``); None if there is none on this machine."""
    import shutil

    env = os.environ.get("REPORT_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


class serve:
    """Serve ``directory`` on 127.0.0.1 on a free port from a thread; ``with serve(d) as base_url``.

    A threaded server, because a browser opens several connections at once; requests are not
    logged. ``requests`` counts what was served, per path.
    """

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.requests: dict[str, int] = {}

    def __enter__(self) -> str:
        import threading
        from functools import partial
        from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

        counts = self.requests

        class Quiet(SimpleHTTPRequestHandler):
            def log_message(self, *args):  # noqa: D401 - keep test output clean
                pass

            def do_GET(self):
                counts[self.path] = counts.get(self.path, 0) + 1
                super().do_GET()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(self.directory)))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        host, port = self.server.server_address[:2]
        self.host = f"{host}:{port}"
        return f"http://{self.host}/"

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        return False
