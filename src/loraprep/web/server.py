"""serve(): run the editor with uvicorn on 127.0.0.1 at a free port, print its URL, open the browser."""

from __future__ import annotations

import socket
import sys
import threading
import webbrowser
from pathlib import Path

HOST = "127.0.0.1"


def free_port(preferred: int = 0) -> socket.socket:
    """A socket bound to 127.0.0.1 (``preferred`` port, or any free one when 0), ready for uvicorn."""
    from loraprep.errors import UsageError

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: without it a small JSON answer waits ~40 ms on Nagle's algorithm and
    # the browser's delayed ACK, which made every small request of the editor take 40-50 ms.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((HOST, preferred))
    except OSError as exc:
        sock.close()
        raise UsageError(f"port {preferred} is busy: {exc.strerror}", hint="use --port 0 to pick a free one") from exc
    return sock


def serve(dataset: str | Path, port: int = 0, open_browser: bool = True, *, announce=None) -> None:
    """Serve until Ctrl-C; ``announce(url)`` is told the URL (default: print it to stderr)."""
    import uvicorn

    from loraprep.web.app import create_app
    from loraprep.web.security import new_token

    sock = free_port(port)
    bound = sock.getsockname()[1]
    token = new_token()
    app = create_app(dataset, token=token, port=bound)
    url = f"http://{HOST}:{bound}/?token={token}"
    (announce or (lambda u: print(f"loraprep editor: {u}\n(Ctrl-C to stop)", file=sys.stderr, flush=True)))(url)
    if open_browser:
        threading.Timer(0.5, lambda: webbrowser.open(url)).start()
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
