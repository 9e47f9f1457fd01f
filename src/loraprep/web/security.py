"""Who may talk to the editor: a per-launch token (URL once, then a cookie), same Host and Origin only."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

LOCAL_NAMES = ("127.0.0.1", "localhost")
TOKEN_PARAM = "token"
TOKEN_HEADER = "x-loraprep-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def new_token() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class Guard:
    """The launch's secret and the port it serves on (None until bound: any port of a local name then)."""

    token: str
    port: int | None = None
    extra_hosts: set[str] = field(default_factory=set)

    @property
    def cookie_name(self) -> str:
        # Cookies ignore ports: two editors on one machine must not overwrite each other's cookie.
        return "loraprep_" + hashlib.sha256(self.token.encode()).hexdigest()[:10]

    def host_allowed(self, host: str | None) -> bool:
        """Only the loopback names with our port: a DNS-rebinding page arrives with its own host name."""
        if not host:
            return False
        host = host.strip().lower()
        if host in self.extra_hosts:
            return True
        name, _, port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
        if name not in LOCAL_NAMES:
            return False
        if self.port is None:
            return True
        return port == str(self.port)

    def origin_allowed(self, origin: str | None, host: str | None) -> bool:
        """No Origin (same-origin GET, scripts) is fine; a present one must be this very server."""
        if origin is None:
            return True
        parts = urlsplit(origin)
        return parts.scheme == "http" and self.host_allowed(parts.netloc) and parts.netloc.lower() == (host or "").lower()

    def token_ok(self, value: str | None) -> bool:
        return bool(value) and hmac.compare_digest(value.encode(), self.token.encode())


def install(app, guard: Guard) -> None:
    """Check every request before it reaches a route; answer refusals in the one error shape."""
    from starlette.responses import RedirectResponse

    from loraprep.web.errors import error_response

    @app.middleware("http")
    async def _guard(request, call_next):
        started = time.perf_counter()
        host = request.headers.get("host")
        if not guard.host_allowed(host):
            return error_response(403, f"refused: unexpected Host header {host!r}",
                                  "open the editor at the 127.0.0.1 URL that `loraprep edit` printed")
        if not guard.origin_allowed(request.headers.get("origin"), host):
            return error_response(403, "refused: request from another site")
        if request.method not in SAFE_METHODS:
            fetch_site = request.headers.get("sec-fetch-site")
            if fetch_site not in (None, "same-origin", "none"):
                return error_response(403, "refused: cross-site write")
        query_token = request.query_params.get(TOKEN_PARAM)
        if query_token is not None and request.method == "GET":
            if not guard.token_ok(query_token):
                return error_response(401, "wrong or expired token",
                                      "each launch of `loraprep edit` prints a new URL; open that one")
            # Trade the URL token for a cookie and drop it from the address bar (and from the history).
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != TOKEN_PARAM]
            target = request.url.path + ("?" + urlencode(rest) if rest else "")
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(guard.cookie_name, guard.token, httponly=True, samesite="strict", path="/")
            return response
        if not (guard.token_ok(request.cookies.get(guard.cookie_name))
                or guard.token_ok(request.headers.get(TOKEN_HEADER))):
            return error_response(401, "this page needs the editor's token",
                                  "open the URL with ?token=... that `loraprep edit` printed")
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
            "connect-src 'self'; frame-ancestors 'none'")
        # The server's share of an answer, as browsers' developer tools (and benchmarks/editor.py) read it.
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response
