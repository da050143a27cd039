"""One Chromium per test session, shared by every browser test.

Playwright's async API runs on an event loop in a background thread; a test hands it a coroutine
function that receives the shared ``Browser`` (``session.run(check, ...)``) and gets its result back.
Each check opens its own context (viewport, routes) and closes it, so tests never see each other's
pages. The browser tests all run on the worker that holds the built site (tests/conftest.py), so one
``make test`` launches Chromium once.
"""
from __future__ import annotations

import asyncio
import threading
import time


class BrowserSession:
    def __init__(self, exe: str, args: list[str]):
        self.exe, self.args = exe, args
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="chromium-session", daemon=True)
        self._thread.start()
        self._pw = self.browser = None
        self.launch_seconds = 0.0
        self.launches = 0

    async def _start(self):
        from playwright.async_api import async_playwright

        t0 = time.perf_counter()
        self._pw = await async_playwright().start()
        self.browser = await self._pw.chromium.launch(executable_path=self.exe, args=self.args)
        self.launch_seconds = time.perf_counter() - t0
        self.launches += 1

    def run(self, check, *args, timeout: float = 900.0):
        """``await check(browser, *args)`` on the session's loop; Chromium starts on first use."""
        async def call():
            if self.browser is None:
                await self._start()
            return await check(self.browser, *args)

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(timeout)

    def close(self) -> None:
        async def stop():
            if self.browser is not None:
                await self.browser.close()
            if self._pw is not None:
                await self._pw.stop()

        try:
            asyncio.run_coroutine_threadsafe(stop(), self.loop).result(60)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
