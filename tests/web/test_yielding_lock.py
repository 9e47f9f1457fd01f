"""The editor's lock: background work waits while a request holds or wants it, and lets go between steps."""

from __future__ import annotations

import threading
import time

from loraprep.web.yielding_lock import YieldingLock


def test_background_waits_for_a_request_to_finish():
    lock, order = YieldingLock(), []
    entered = threading.Event()

    def request():
        with lock:
            entered.set()
            time.sleep(0.05)
            order.append("request")

    thread = threading.Thread(target=request)
    thread.start()
    entered.wait()
    with lock.background():
        order.append("background")
    thread.join()
    assert order == ["request", "background"]


def test_a_request_is_seen_as_wanted_while_background_holds_the_lock():
    lock = YieldingLock()
    seen = []
    with lock.background():
        assert not lock.wanted
        waiter = threading.Thread(target=lambda: lock.__enter__() and lock.__exit__(None, None, None))
        waiter.start()
        deadline = time.monotonic() + 5
        while not lock.wanted and time.monotonic() < deadline:
            time.sleep(0.001)
        seen.append(lock.wanted)
    waiter.join(5)
    assert seen == [True] and not waiter.is_alive() and not lock.wanted


def test_requests_re_enter():
    lock = YieldingLock()
    with lock:
        with lock:
            assert lock.wanted
    assert not lock.wanted
