"""Import a downloaded post's tags during scan, as a caption import with origin ``booru:<site>:<post id>``.

The user's own sidecar caption wins: an image with a .txt gets no site tags (and loses them if the .txt came
later); without one, the site's tags are imported once, in the order character, copyright, artist, general,
meta (the meta ones then meet the shipped meta blacklist like any tag). A source row whose file changed since
the download (its hash no longer matches) is not taken."""

from __future__ import annotations

from loraprep.acquire.post import ordered_tag_names
from loraprep.ingest.walk import FoundFile
from loraprep.store import files as file_rows
from loraprep.store import journal
from loraprep.store.db import Store
from loraprep.store.sources import sources_by_path


def import_source_tags(store: Store, found: list[FoundFile]) -> dict:
    """Record the tags of acquired files (one import batch); returns how many images got or lost them."""
    sources = sources_by_path(store, kind="booru")
    if not sources:
        return {"source_tags_imported": 0, "source_tags_withdrawn": 0}
    ids = file_rows.live_image_ids(store)
    chosen = [(f, sources[f.path]) for f in found
              if f.path in sources and ids.get(f.path) and ids[f.path] == sources[f.path].sha256]
    imported = withdrawn = 0
    with store.write() as conn:
        states = journal.tag_states(conn, {ids[f.path] for f, _s in chosen}, imports_only=True) if chosen else {}
        ops: list[journal.TagOp] = []
        done: set[str] = set()
        for f, source in chosen:
            image_id = ids[f.path]
            if image_id in done:  # two files of the same bytes: one import
                continue
            done.add(image_id)
            current = [t for t, s in states.get(image_id, {}).items()
                       if s.imported and s.import_origin == source.origin]
            if f.caption:
                ops += [journal.TagOp(image_id, t, "remove", source.origin) for t in current]
                withdrawn += bool(current)
            elif not current:
                names = ordered_tag_names(source.data.get("tags") or {})
                ops += [journal.TagOp(image_id, t, "add", source.origin) for t in names]
                imported += bool(names)
        journal.record_batch(conn, "import site tags", "import", ops)
    return {"source_tags_imported": imported, "source_tags_withdrawn": withdrawn}

