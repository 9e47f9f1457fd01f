"""The runs table: the newest scan without an 'ok' outcome is an unfinished one."""

from __future__ import annotations

import pytest

from loraprep.store.db import open_store
from loraprep.store.runs import end_run, last_scan_unfinished, start_run


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path, create=True) as store:
        yield store


def test_no_scan_is_nothing_unfinished(store):
    assert last_scan_unfinished(store.conn) is None
    end_run(store, start_run(store, "dedup", {}), "error", {})
    assert last_scan_unfinished(store.conn) is None


@pytest.mark.parametrize("outcome", [None, "interrupted", "error"])
def test_newest_scan_without_ok_is_unfinished(store, outcome):
    end_run(store, start_run(store, "scan", {}), "ok", {})
    run_id = start_run(store, "scan", {"min_size": 512})
    if outcome:
        end_run(store, run_id, outcome, {})
    start_run(store, "tag", {})  # other commands do not hide it
    found = last_scan_unfinished(store.conn)
    # a scan without an outcome whose process (this one) is alive is running
    assert found["id"] == run_id and found["outcome"] == (outcome or "running") and found["started"]


def test_a_later_ok_scan_clears_it(store):
    start_run(store, "scan", {})
    end_run(store, start_run(store, "scan", {}), "ok", {})
    assert last_scan_unfinished(store.conn) is None
