"""Joining a cluster: addresses are parsed without Ray, and an unreachable one fails in seconds, clearly."""

from __future__ import annotations

import socket
import sys
import time

import pytest

from loraprep.compute.ray_connect import check_reachable, endpoint, import_ray
from loraprep.errors import ClusterError


@pytest.mark.parametrize("address, expected", [
    ("ray://127.0.0.1:10001", ("127.0.0.1", 10001)),
    ("head-node.internal:6379", ("head-node.internal", 6379)),
    ("ray://[::1]:10001", ("::1", 10001)),
    (" 10.1.2.3:1 ", ("10.1.2.3", 1)),
    ("auto", None),
    ("ray://head", None),
])
def test_endpoint(address, expected):
    assert endpoint(address) == expected


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("form", ["ray://127.0.0.1:{}", "127.0.0.1:{}"])
def test_nothing_listening_is_a_cluster_error_at_once(form):
    address = form.format(_closed_port())
    start = time.monotonic()
    with pytest.raises(ClusterError, match=f"cannot reach the Ray cluster at {address}") as caught:
        check_reachable(address)
    assert time.monotonic() - start < 10
    assert "ray start --head" in caught.value.hint


def test_a_listening_address_passes():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        check_reachable(f"ray://127.0.0.1:{server.getsockname()[1]}")
    check_reachable("auto")       # Ray itself finds the local cluster, or says it has none


def test_ray_missing_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ClusterError, match="not installed") as caught:
        import_ray()
    assert "pip install 'loraprep[ray]'" in caught.value.hint
