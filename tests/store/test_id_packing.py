"""Image id lists packed into one blob come back exactly, in order."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from loraprep.store.id_packing import LINES, SHA256, pack_ids, unpack_ids


def test_sha256_ids_take_32_bytes_each():
    ids = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(100)]
    packing, blob = pack_ids(ids)
    assert packing == SHA256 and len(blob) == 3200
    assert unpack_ids(packing, blob) == ids


def test_ids_that_only_look_like_sha256_are_kept_as_text():
    upper = hashlib.sha256(b"x").hexdigest().upper()
    not_hex = "g" * 64
    for ids in ([upper], [not_hex], ["a" * 63 + "", "b" * 65], ["abc"]):
        packing, blob = pack_ids(ids)
        assert packing == LINES and unpack_ids(packing, blob) == ids


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\n", blacklist_categories=("Cs",)),
                        min_size=1), min_size=1))
def test_any_ids_without_newlines_round_trip(ids):
    assert unpack_ids(*pack_ids(ids)) == ids
