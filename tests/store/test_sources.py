"""Provenance rows of acquired files survive a reopen and are found by path, kind, origin and hash."""

from loraprep.store.db import open_store
from loraprep.store.sources import Source, known_hashes, known_origins, record_sources, source_of, sources_by_path


def test_sources_round_trip(tmp_path):
    store = open_store(tmp_path, create=True)
    record_sources(store, [
        Source("kafka/danbooru_1.png", "aa" * 32, "booru", "booru:danbooru:1", {"score": 12, "tags": ["ü"]}),
        Source("kafka/ep01_000130500.png", "bb" * 32, "video", "video:ep01.mkv@130.5", {"t": 130.5}),
    ])
    store.close()
    store = open_store(tmp_path)
    got = source_of(store, "kafka/danbooru_1.png")
    assert got is not None and got.data == {"score": 12, "tags": ["ü"]} and got.at
    assert source_of(store, "nope.png") is None
    assert set(sources_by_path(store, kind="video")) == {"kafka/ep01_000130500.png"}
    assert known_origins(store, "booru") == {"booru:danbooru:1"}
    assert known_hashes(store) == {"aa" * 32, "bb" * 32}
    record_sources(store, [Source("kafka/danbooru_1.png", "cc" * 32, "booru", "booru:danbooru:1", {})])
    assert source_of(store, "kafka/danbooru_1.png").sha256 == "cc" * 32
    store.close()
