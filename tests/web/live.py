"""A real editor server on 127.0.0.1 in a thread, and Debian's chromium driven by Playwright, for browser tests."""

from __future__ import annotations

import threading
import time
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


class LiveServer:
    """uvicorn serving create_app(...) on a free loopback port until stop()."""

    def __init__(self, root: Path, workspace, token: str):
        import uvicorn

        from loraprep.web.app import create_app
        from loraprep.web.server import free_port
        from loraprep.web.service import Editor

        self.sock = free_port(0)
        self.port = self.sock.getsockname()[1]
        self.editor = Editor(root, workspace=workspace)
        app = create_app(root, token=token, editor=self.editor, port=self.port)
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{self.port}/?token={token}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def launch_browser(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
