"""A small polite HTTP client (stdlib urllib): one per site, a rate limit, retries with backoff, secrets scrubbed."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path
from typing import Callable

from loraprep.errors import NetworkError

USER_AGENT = "loraprep/0.1 (LoRA dataset preparation; https://github.com/loraprep/loraprep)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 524})
MAX_RETRY_AFTER = 120.0   # a Retry-After longer than this is not waited out: the run says so instead
MAX_JSON_BYTES = 64 << 20
MAX_FILE_BYTES = 512 << 20  # larger than any still image a booru serves; a bigger answer is not an image
CHUNK = 1 << 16


class _Retry(Exception):
    """A failure worth another try, with the wait the server asked for (None: our own backoff)."""

    def __init__(self, why: str, wait: float | None = None):
        super().__init__(why)
        self.why, self.wait = why, wait


class FileRejected(Exception):
    """The server answered, but not with the file wanted (too large, md5 mismatch): a per-post skip."""


@dataclass
class HttpClient:
    """Requests to one site: at most one every ``delay`` seconds, ``retries`` more tries on 429, 5xx, timeouts
    and cut-off bodies (Retry-After honoured), and every message scrubbed of ``secrets``."""

    delay: float = 1.0
    retries: int = 4
    timeout: float = 30.0
    backoff: float = 1.0
    headers: dict = field(default_factory=dict)
    secrets: tuple = ()
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _last: float | None = None
    requests: int = 0

    def get_json(self, url: str, params: dict | None = None):
        """The decoded JSON at ``url`` (None for an empty body: some sites answer a search past its end so)."""
        body = self._with_retries(self._full_url(url, params), self._read_body)
        if not body.strip():
            return None
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise NetworkError(f"{self.scrub(self._shown(url))} did not answer with JSON",
                               hint="check --site and --base-url: the site may run other software") from None

    def download(self, url: str, temp: Path, *, md5: str | None = None) -> tuple[str, str]:
        """Write the file at ``url`` to ``temp`` (created exclusively); returns (md5, sha256) of its bytes.

        ``temp`` is removed on any failure, so nothing partial is left; a wrong md5 raises FileRejected."""
        try:
            digests = self._with_retries(url, lambda response: self._write_body(response, temp))
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        if md5 and digests[0] != md5.lower():
            temp.unlink(missing_ok=True)
            raise FileRejected(f"md5 mismatch: the site says {md5}, the bytes received are {digests[0]}")
        return digests

    # ---- plumbing ----------------------------------------------------------------------------------------
    def scrub(self, text: str) -> str:
        """``text`` with every secret replaced: messages, errors and reports never carry a credential."""
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***").replace(urllib.parse.quote(secret, safe=""), "***")
        return text

    @staticmethod
    def _full_url(url: str, params: dict | None) -> str:
        if not params:
            return url
        query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None and v != ""})
        return f"{url}{'&' if '?' in url else '?'}{query}"

    @staticmethod
    def _shown(url: str) -> str:
        """A URL as messages show it: without its query (where credentials travel)."""
        return url.split("?", 1)[0]

    def _wait_turn(self) -> None:
        if self._last is not None:
            left = self.delay - (self.clock() - self._last)
            if left > 0:
                self.sleep(left)
        self._last = self.clock()

    def _with_retries(self, url: str, consume):
        last_why = ""
        for attempt in range(self.retries + 1):
            self._wait_turn()
            try:
                return self._attempt(url, consume)
            except _Retry as retry:
                last_why = retry.why
                if attempt == self.retries:
                    break
                wait = retry.wait if retry.wait is not None else self.backoff * (2 ** attempt)
                if wait > MAX_RETRY_AFTER:
                    raise NetworkError(f"{self._shown(self.scrub(url))}: the site asks to wait {wait:.0f} s "
                                       f"({retry.why})", hint="run the command again later; it resumes") from None
                self.sleep(wait)
        raise NetworkError(f"{self.scrub(self._shown(url))}: {self.scrub(last_why)} "
                           f"(tried {self.retries + 1} times)",
                           hint="check the connection and --base-url; a rerun resumes where this one stopped")

    def _attempt(self, url: str, consume):
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **self.headers})
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return consume(response)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code in RETRY_STATUSES:
                raise _Retry(f"HTTP {exc.code}", _retry_after(exc.headers.get("Retry-After"))) from None
            raise NetworkError(f"{self.scrub(self._shown(url))}: HTTP {exc.code} {self.scrub(str(exc.reason))}",
                               hint=_status_hint(exc.code)) from None
        except (socket.timeout, TimeoutError) as exc:
            raise _Retry(f"timed out ({exc})") from None
        except (HTTPException, ConnectionError) as exc:  # IncompleteRead, a reset: a body cut off
            raise _Retry(f"connection broken ({type(exc).__name__})") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (socket.timeout, TimeoutError, ConnectionError)):
                raise _Retry(f"connection failed ({exc.reason})") from None
            raise NetworkError(f"{self.scrub(self._shown(url))}: cannot connect ({self.scrub(str(exc.reason))})",
                               hint="check the address (--base-url) and the network") from None

    def _read_body(self, response) -> bytes:
        data = response.read(MAX_JSON_BYTES + 1)
        if len(data) > MAX_JSON_BYTES:
            raise NetworkError("the site's answer is larger than any search result", hint="check --base-url")
        _check_length(response, len(data))
        return data

    def _write_body(self, response, temp: Path) -> tuple[str, str]:
        md5, sha = hashlib.md5(usedforsecurity=False), hashlib.sha256()
        size = 0
        temp.unlink(missing_ok=True)  # a failed try's remains, from this same call
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := response.read(CHUNK):
                    size += len(chunk)
                    if size > MAX_FILE_BYTES:
                        raise FileRejected(f"the file is larger than {MAX_FILE_BYTES >> 20} MiB")
                    md5.update(chunk)
                    sha.update(chunk)
                    out.write(chunk)
                _check_length(response, size)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return md5.hexdigest(), sha.hexdigest()


def _check_length(response, got: int) -> None:
    """A body shorter than its Content-Length is a cut-off transfer (http.client does not always say so)."""
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) != got:
        raise _Retry(f"body cut off: {got} of {declared} bytes")


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number of seconds, or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        from email.utils import parsedate_to_datetime
        from datetime import datetime, timezone

        return max(0.0, (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds())
    except (TypeError, ValueError, IndexError):
        return None


def _status_hint(code: int) -> str:
    if code in (401, 403):
        return ("the site refused the request: check the credentials (environment or the boorus.toml file), "
                "and that the search is allowed for this account")
    if code == 404:
        return "check --site and --base-url: the site may run other software"
    if code == 422:
        return "the site refused the search: too many tags for this account, or a tag it does not allow"
    return "check --site, --base-url and the search"
