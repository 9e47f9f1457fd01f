"""Lists of image ids packed into one blob: 32 raw bytes per sha256 id, or one id per line for any other id."""

from __future__ import annotations

SHA256 = "sha256"
LINES = "lines"


def pack_ids(ids: list[str]) -> tuple[str, bytes]:
    """(packing, blob) for ``ids`` in order; sha256 hex ids take half the room of their text."""
    joined = "".join(ids)
    if len(joined) == 64 * len(ids) and all(map((64).__eq__, map(len, ids))) and joined == joined.lower():
        try:
            return SHA256, bytes.fromhex(joined)
        except ValueError:
            pass
    return LINES, "\n".join(ids).encode()


def unpack_ids(packing: str, blob: bytes) -> list[str]:
    if packing == SHA256:
        text = blob.hex()
        return [text[i:i + 64] for i in range(0, len(text), 64)]
    return blob.decode().split("\n") if blob else []
