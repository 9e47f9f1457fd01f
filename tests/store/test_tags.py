"""Packed tagger scores: write and read back, thresholds as a query, and the v1 -> v2 migration."""

from __future__ import annotations

import sqlite3

import pytest

from loraprep.store.db import open_store
from loraprep.store.schema import MIGRATIONS, SCHEMA_VERSION
from loraprep.store.tags import load_scores, vocabulary, write_scores
from loraprep.model.thresholds import select_tags

SCORES = [("smile", "general", 0.9), ("sky", "general", 0.5), ("tree", "general", 0.2),
          ("kafka (honkai: star rail)", "character", 0.95), ("hatsune miku", "character", 0.6),
          ("general", "rating", 0.8), ("b tie", "general", 0.4), ("a tie", "general", 0.4)]


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path, create=True) as s:
        yield s


def test_scores_read_back_highest_first_with_ties_by_name(store):
    with store.write() as conn:
        write_scores(conn, "img1", "m@1", SCORES)
        write_scores(conn, "img2", "m@1", [("smile", "general", 0.7)])
        write_scores(conn, "img1", "other@1", [("cat", "general", 0.99)])
    loaded = load_scores(store.conn, "m@1")
    assert list(loaded["img1"]) == sorted(SCORES, key=lambda r: (-r[2], r[0]))
    assert list(loaded["img2"]) == [("smile", "general", 0.7)]
    assert list(load_scores(store.conn, "m@1", ["img2"])) == ["img2"]
    assert vocabulary(store.conn)["kafka (honkai: star rail)"] == "character"


def test_rewriting_an_image_replaces_its_scores(store):
    with store.write() as conn:
        write_scores(conn, "img1", "m@1", SCORES)
        write_scores(conn, "img1", "m@1", [("sky", "general", 0.3)])
    assert list(load_scores(store.conn, "m@1")["img1"]) == [("sky", "general", 0.3)]


@pytest.mark.parametrize("general,character", [(0.35, 0.85), (0.1, 0.5), (0.4, 0.96), (0.95, 0.0)])
def test_passing_is_select_tags(store, general, character):
    with store.write() as conn:
        write_scores(conn, "img1", "m@1", SCORES)
    names, values = load_scores(store.conn, "m@1")["img1"].passing(general, character)
    expected = select_tags(SCORES, general=general, character=character)
    assert list(zip(names, values)) == [(n, s) for n, _c, s in expected]


def test_a_v1_store_is_migrated_with_its_scores(tmp_path):
    folder = tmp_path / ".loraprep"
    folder.mkdir()
    conn = sqlite3.connect(folder / "state.sqlite")
    conn.executescript(MIGRATIONS[0])
    conn.executemany("INSERT INTO tag_scores (image_id, model, tag, category, score) VALUES (?,?,?,?,?)",
                     [("img1", "m@1", t, c, s) for t, c, s in SCORES] + [("img2", "m@1", "cat", "general", 0.6)])
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with open_store(tmp_path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        loaded = load_scores(store.conn, "m@1")
        assert list(loaded["img1"]) == sorted(SCORES, key=lambda r: (-r[2], r[0]))
        assert list(loaded["img2"]) == [("cat", "general", 0.6)]
        tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "tag_scores" not in tables
