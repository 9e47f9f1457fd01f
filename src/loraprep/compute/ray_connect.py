"""Join (or start) the Ray cluster for one run; every failure to do so is a ClusterError, never a traceback."""

from __future__ import annotations

import contextlib
import re
import socket
from typing import Iterator

from loraprep.errors import ClusterError

CONNECT_TIMEOUT_S = 3.0
_INSTALL = "pip install 'loraprep[ray]' (on the driver and on every worker node)"
_HOST_PORT = re.compile(r"^(?:ray://)?\[?([^\]/]+?)\]?:(\d+)$")


def import_ray():
    """The ray module, with Ray Data; a ClusterError that says what to install when it is missing."""
    try:
        import ray
        import ray.data  # noqa: F401 - the [data] extra (pyarrow, pandas) comes with loraprep[ray]
    except ImportError as exc:
        raise ClusterError(f"--engine ray needs Ray Data, which is not installed ({exc.name or exc})",
                           _INSTALL) from None
    return ray


def endpoint(address: str) -> tuple[str, int] | None:
    """(host, port) of a ``HOST:PORT`` or ``ray://HOST:PORT`` address; None for ``auto`` and others (pure)."""
    match = _HOST_PORT.match(address.strip())
    if not match:
        return None
    return match.group(1), int(match.group(2))


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Fail in seconds when nothing listens at the address: Ray itself retries for a minute or more."""
    target = endpoint(address)
    if target is None:
        return
    try:
        with socket.create_connection(target, timeout=timeout):
            pass
    except OSError as exc:
        raise ClusterError(f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}",
                           "start it with `ray start --head` on the head node, check the address and port "
                           "(ray://HOST:10001 for Ray Client, HOST:6379 for the head node), or leave out "
                           "--address to run Ray on this machine only") from None


@contextlib.contextmanager
def connected(address: str | None) -> Iterator[object]:
    """Ray, initialised for the run: an existing connection in this process is used as it is; otherwise this
    joins ``address`` (or starts Ray on this machine when None) and shuts down what it started at the end."""
    ray = import_ray()
    _quiet()
    if ray.is_initialized():
        with _failures_explained(ray):
            yield ray
        return
    if address:
        check_reachable(address)
    try:
        ray.init(address=address or None, include_dashboard=False, log_to_driver=False,
                 logging_level="ERROR", configure_logging=True)
    except (ConnectionError, TimeoutError, RuntimeError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        raise ClusterError(f"cannot start or join Ray at {address or 'this machine'}: {first}",
                           "for --address auto, run `ray start --head` first; check that the cluster runs the "
                           "same Ray and Python versions as this machine") from None
    try:
        with _failures_explained(ray):
            yield ray
    finally:
        ray.shutdown()


def _quiet() -> None:
    """Ray's own INFO and WARNING lines (executor progress, deprecations) would bury loraprep's output: the run's
    outcome is in its report. LORAPREP_DEBUG=1 keeps them."""
    import logging

    from loraprep import settings

    if settings.debug():
        return
    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.ERROR)


@contextlib.contextmanager
def _failures_explained(ray) -> Iterator[None]:
    """A failure of the cluster's work (a worker that died past its retries, a lost node) as a ClusterError; what
    was committed stays, and a rerun goes on from there."""
    from loraprep.errors import LoraprepError

    try:
        yield
    except LoraprepError:
        raise
    except ray.exceptions.RayError as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, LoraprepError):
            raise cause from None
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        raise ClusterError(f"the Ray run failed: {first}",
                           "what was done is stored; run the same command again to go on from there") from None
