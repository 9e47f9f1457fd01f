"""SQLite schema of a dataset's state store, as forward migrations indexed by PRAGMA user_version."""

from __future__ import annotations

# v11's triggers: every file is counted once in health_tally under its key (its concept, status, small flag and
# caption, with its image's format, alpha and animation, or none while its image row is absent). Each write
# moves the file's count from its old key to its new one; an image write moves the counts of the files showing
# it. The store's connections turn recursive_triggers on, so an INSERT OR REPLACE of an image runs the delete
# triggers for the row it replaces.
_TALLY_COLUMNS = "concept, fmt, status, small, alpha, animated, captioned"
_UPSERT = "ON CONFLICT DO UPDATE SET n = n + excluded.n, changes = changes + 1"


def _tally_key(file: str, image: str | None) -> str:
    fmt, alpha, animated = (("''", "0", "0") if image is None else
                            (f"COALESCE({image}.format, '')", f"COALESCE({image}.has_alpha, 0) != 0",
                             f"COALESCE({image}.animated, 0) != 0"))
    return (f"{file}.concept, {fmt}, {file}.status, {file}.small != 0, {alpha}, {animated},"
            f" COALESCE({file}.caption_path, '') != ''")


def _add_file(row: str, sign: str) -> str:
    """Count the file row ``row`` (NEW or OLD) with its image as the images table has it now, and move its
    concept's change number (a concept's cached tag counts follow its files: store/concept_cache.py)."""
    return (f"INSERT INTO health_tally ({_TALLY_COLUMNS}, n, changes) SELECT {_tally_key(row, 'i')}, {sign}, 1"
            f" FROM (SELECT 1) LEFT JOIN images i ON i.id = {row}.image_id WHERE 1"
            f" {_UPSERT};"
            f" INSERT INTO concept_changes (concept, n) VALUES ({row}.concept, 1)"
            " ON CONFLICT DO UPDATE SET n = n + 1;")


def _move_files_of(image_id: str, before: str | None, after: str | None) -> str:
    """Move the counts of the files showing ``image_id`` from their key with ``before`` to their key with
    ``after`` (NEW, OLD, or None for no image row)."""
    return "".join(
        f"INSERT INTO health_tally ({_TALLY_COLUMNS}, n, changes) SELECT {_tally_key('f', image)}, {sign} COUNT(*),"
        f" 1 FROM files f WHERE f.image_id = {image_id} GROUP BY 1, 2, 3, 4, 5, 6, 7 {_UPSERT};"
        for image, sign in ((before, "-"), (after, "")))


# The key's columns, and what the report's lists of failed and small files show (path, reason, width, height).
_FILE_KEY_CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ("concept", "status", "small", "caption_path",
                                                                     "image_id", "path", "reason"))
_IMAGE_KEY_CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ("id", "format", "has_alpha", "animated",
                                                                      "width", "height"))
_HEALTH_TALLY = f"""
    DROP TRIGGER files_gen_insert;
    DROP TRIGGER files_gen_update;
    DROP TRIGGER files_gen_delete;
    DROP TRIGGER images_gen_insert;
    DROP TRIGGER images_gen_update;
    DROP TRIGGER images_gen_delete;
    DROP TABLE files_generation;
    CREATE TABLE health_tally (
        concept     TEXT NOT NULL,
        fmt         TEXT NOT NULL,             -- the image's format, '' when unknown
        status      TEXT NOT NULL,
        small       INTEGER NOT NULL,
        alpha       INTEGER NOT NULL,
        animated    INTEGER NOT NULL,
        captioned   INTEGER NOT NULL,
        n           INTEGER NOT NULL,          -- how many files have this key
        changes     INTEGER NOT NULL,          -- how many writes moved a file into or out of it (or changed one)
        PRIMARY KEY ({_TALLY_COLUMNS})
    ) WITHOUT ROWID;
    CREATE TABLE concept_changes (
        concept     TEXT PRIMARY KEY,
        n           INTEGER NOT NULL           -- moves with every write to one of the concept's files' key
    ) WITHOUT ROWID;
    -- models_used and the concept cache's tagging state read the newest tagging per model from here
    CREATE INDEX tagged_model_at ON tagged(model, at);
    INSERT INTO health_tally ({_TALLY_COLUMNS}, n, changes) SELECT {_tally_key('f', 'i')}, COUNT(*), 0
        FROM files f LEFT JOIN images i ON i.id = f.image_id WHERE 1 GROUP BY 1, 2, 3, 4, 5, 6, 7;
    CREATE TRIGGER files_tally_insert AFTER INSERT ON files BEGIN {_add_file('NEW', '1')} END;
    CREATE TRIGGER files_tally_delete AFTER DELETE ON files BEGIN {_add_file('OLD', '-1')} END;
    CREATE TRIGGER files_tally_update AFTER UPDATE ON files WHEN {_FILE_KEY_CHANGED}
        BEGIN {_add_file('OLD', '-1')} {_add_file('NEW', '1')} END;
    CREATE TRIGGER images_tally_insert AFTER INSERT ON images BEGIN {_move_files_of('NEW.id', None, 'NEW')} END;
    CREATE TRIGGER images_tally_delete AFTER DELETE ON images BEGIN {_move_files_of('OLD.id', 'OLD', None)} END;
    CREATE TRIGGER images_tally_update AFTER UPDATE ON images WHEN {_IMAGE_KEY_CHANGED}
        BEGIN {_move_files_of('OLD.id', 'OLD', None)} {_move_files_of('NEW.id', None, 'NEW')} END;
"""

# Each entry upgrades the schema by one version; never edit a released entry, append a new one.
MIGRATIONS: tuple[str, ...] = (
    # v1: files and their decoded content, the tag journal, tagger scores, dedup, runs.
    """
    CREATE TABLE images (
        id          TEXT PRIMARY KEY,          -- sha256 of the file bytes
        width       INTEGER,
        height      INTEGER,
        format      TEXT,
        mode        TEXT,
        has_alpha   INTEGER NOT NULL DEFAULT 0,
        animated    INTEGER NOT NULL DEFAULT 0,
        frames      INTEGER NOT NULL DEFAULT 1,
        exif_rotated INTEGER NOT NULL DEFAULT 0,
        error       TEXT                        -- decode failure of these bytes, NULL when fine
    );
    CREATE TABLE files (
        id          INTEGER PRIMARY KEY,       -- stable across renames (moved with the content hash)
        path        TEXT NOT NULL UNIQUE,      -- relative to the dataset root, '/' separated
        image_id    TEXT REFERENCES images(id),-- NULL when the bytes could not be read
        concept     TEXT NOT NULL,
        tier        TEXT NOT NULL DEFAULT '',
        size        INTEGER NOT NULL,
        mtime_ns    INTEGER NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('active', 'excluded', 'failed', 'gone')),
        reason      TEXT NOT NULL DEFAULT '',
        small       INTEGER NOT NULL DEFAULT 0,
        caption_path TEXT,
        first_seen  TEXT NOT NULL,
        last_seen   TEXT NOT NULL
    );
    CREATE INDEX files_image ON files(image_id);
    CREATE INDEX files_concept ON files(concept, status);
    CREATE TABLE captions (
        path        TEXT PRIMARY KEY,          -- the sidecar file, relative to the root
        image_id    TEXT NOT NULL,
        size        INTEGER NOT NULL,
        mtime_ns    INTEGER NOT NULL,
        encoding    TEXT NOT NULL,
        tags        TEXT NOT NULL              -- JSON list, in file order
    );
    CREATE TABLE batches (
        id          INTEGER PRIMARY KEY,
        at          TEXT NOT NULL,
        label       TEXT NOT NULL,
        source      TEXT NOT NULL CHECK (source IN ('import', 'rule', 'user')),
        state       TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('done', 'undone', 'abandoned'))
    );
    CREATE TABLE tag_ops (
        seq         INTEGER PRIMARY KEY,
        batch_id    INTEGER NOT NULL REFERENCES batches(id),
        image_id    TEXT NOT NULL,
        tag         TEXT NOT NULL,
        op          TEXT NOT NULL CHECK (op IN ('add', 'remove', 'pin', 'unpin')),
        source      TEXT NOT NULL CHECK (source IN ('import', 'rule', 'user')),
        origin      TEXT NOT NULL,
        at          TEXT NOT NULL
    );
    CREATE INDEX tag_ops_image ON tag_ops(image_id, tag);
    CREATE INDEX tag_ops_batch ON tag_ops(batch_id);
    CREATE TABLE file_ops (
        seq         INTEGER PRIMARY KEY,
        batch_id    INTEGER NOT NULL REFERENCES batches(id),
        file_id     INTEGER NOT NULL REFERENCES files(id),
        field       TEXT NOT NULL CHECK (field IN ('status', 'concept', 'tier')),
        old         TEXT NOT NULL,
        new         TEXT NOT NULL,
        at          TEXT NOT NULL
    );
    CREATE TABLE journal_events (
        id          INTEGER PRIMARY KEY,
        batch_id    INTEGER NOT NULL REFERENCES batches(id),
        event       TEXT NOT NULL CHECK (event IN ('undo', 'redo')),
        at          TEXT NOT NULL
    );
    CREATE TABLE tag_scores (
        image_id    TEXT NOT NULL,
        model       TEXT NOT NULL,             -- name@revision
        tag         TEXT NOT NULL,
        category    TEXT NOT NULL,
        score       REAL NOT NULL,
        PRIMARY KEY (image_id, model, tag)
    ) WITHOUT ROWID;
    CREATE TABLE tagged (
        image_id    TEXT NOT NULL,
        model       TEXT NOT NULL,
        at          TEXT NOT NULL,
        PRIMARY KEY (image_id, model)
    ) WITHOUT ROWID;
    CREATE TABLE dedup_descriptors (
        image_id    TEXT PRIMARY KEY,
        version     INTEGER NOT NULL,
        data        BLOB NOT NULL
    );
    CREATE TABLE dedup_groups (
        id          TEXT PRIMARY KEY,
        keeper      INTEGER NOT NULL,          -- files.id
        created     TEXT NOT NULL
    );
    CREATE TABLE dedup_members (
        group_id    TEXT NOT NULL REFERENCES dedup_groups(id) ON DELETE CASCADE,
        file_id     INTEGER NOT NULL,
        distance    REAL NOT NULL,
        why         TEXT NOT NULL,
        keeper      INTEGER NOT NULL DEFAULT 0,
        decided_by  TEXT NOT NULL DEFAULT 'auto' CHECK (decided_by IN ('auto', 'user')),
        PRIMARY KEY (group_id, file_id)
    );
    CREATE TABLE dedup_decisions (
        id          INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL CHECK (kind IN ('keep', 'split')),
        subject     TEXT NOT NULL,             -- image id (keep) or sorted member image ids (split)
        at          TEXT NOT NULL
    );
    CREATE TABLE runs (
        id          INTEGER PRIMARY KEY,
        command     TEXT NOT NULL,
        settings    TEXT NOT NULL,             -- JSON
        version     TEXT NOT NULL,
        started     TEXT NOT NULL,
        ended       TEXT,
        outcome     TEXT,                      -- ok | error | interrupted
        counts      TEXT                       -- JSON
    );
    CREATE TABLE run_errors (
        run_id      INTEGER NOT NULL REFERENCES runs(id),
        path        TEXT NOT NULL,
        error       TEXT NOT NULL
    );
    """,
    # v2: tagger scores packed per (image, model) with a tag vocabulary; 10,000 rows to read instead of 400,000.
    """
    CREATE TABLE tag_names (
        id          INTEGER PRIMARY KEY,
        tag         TEXT NOT NULL,
        category    TEXT NOT NULL,
        UNIQUE (tag, category)
    );
    CREATE TABLE score_sets (
        image_id    TEXT NOT NULL,
        model       TEXT NOT NULL,             -- name@revision
        tag_ids     BLOB NOT NULL,             -- uint32 little-endian ids into tag_names, highest score first
        scores      BLOB NOT NULL,             -- float64 little-endian, same order
        PRIMARY KEY (image_id, model)
    ) WITHOUT ROWID;
    """,
    # v3: one journal row per (batch, tag, operation) with the images it applies to, packed: a batch edit of
    # 10,000 images writes a few rows instead of 10,000 (tag_ops stays for batches whose per-image order varies).
    """
    CREATE TABLE tag_op_sets (
        seq         INTEGER PRIMARY KEY,
        batch_id    INTEGER NOT NULL REFERENCES batches(id),
        tag         TEXT NOT NULL,
        op          TEXT NOT NULL CHECK (op IN ('add', 'remove', 'pin', 'unpin')),
        source      TEXT NOT NULL CHECK (source IN ('import', 'rule', 'user')),
        origin      TEXT NOT NULL,
        at          TEXT NOT NULL,
        packing     TEXT NOT NULL CHECK (packing IN ('sha256', 'lines')),
        images      BLOB NOT NULL,             -- the image ids, in the order the operations apply
        count       INTEGER NOT NULL
    );
    CREATE INDEX tag_op_sets_batch ON tag_op_sets(batch_id);
    """,
    # v4: the process that opened a run (pid, host, boot id, start time), so a later command can tell a run
    # still going from one whose process was killed, and mark that one interrupted.
    """
    ALTER TABLE runs ADD COLUMN pid INTEGER;
    ALTER TABLE runs ADD COLUMN host TEXT;
    ALTER TABLE runs ADD COLUMN boot_id TEXT;
    ALTER TABLE runs ADD COLUMN pid_start INTEGER;
    """,
    # v5: which program wrote each batch ('web': the editor, 'cli': a command or the Python API), so an undo
    # can say whose batch it is about to undo; NULL for batches written before.
    """
    ALTER TABLE batches ADD COLUMN via TEXT;
    """,
    # v6: where an acquired file came from (a booru post, a video frame, a derived step), keyed by its path
    # relative to the root and checked against its content hash; written by the acquire commands before scan.
    """
    CREATE TABLE sources (
        path        TEXT PRIMARY KEY,          -- relative to the dataset root, '/' separated
        sha256      TEXT NOT NULL,             -- of the bytes written, so a replaced file no longer matches
        kind        TEXT NOT NULL,             -- 'booru' | 'video' | another acquire step
        origin      TEXT NOT NULL,             -- e.g. 'booru:danbooru:123456' or 'video:ep01.mkv@00:12:03.500'
        data        TEXT NOT NULL,             -- JSON: site, post id, url, md5, score, rating, video, timestamp...
        at          TEXT NOT NULL
    );
    CREATE INDEX sources_sha ON sources(sha256);
    CREATE INDEX sources_kind ON sources(kind, origin);
    """,
    # v7: identity embeddings per (image, model) so re-classifying is a query, and the journal of caption
    # fields (character, copyright, ...): one row per image and field a batch sets; a user's word wins on read.
    """
    CREATE TABLE embeddings (
        image_id    TEXT NOT NULL,
        model       TEXT NOT NULL,             -- name@revision
        dim         INTEGER NOT NULL,
        data        BLOB NOT NULL,             -- float32 little-endian
        PRIMARY KEY (image_id, model)
    ) WITHOUT ROWID;
    CREATE TABLE field_ops (
        seq         INTEGER PRIMARY KEY,
        batch_id    INTEGER NOT NULL REFERENCES batches(id),
        image_id    TEXT NOT NULL,
        field       TEXT NOT NULL,             -- character | copyright | artist | rating | image_type | ...
        value       TEXT NOT NULL,             -- '' clears the field
        origin      TEXT NOT NULL,             -- 'user', 'classify:<model>', ...
        at          TEXT NOT NULL
    );
    CREATE INDEX field_ops_batch ON field_ops(batch_id);
    CREATE INDEX field_ops_image ON field_ops(image_id, field);
    """,
    # v8: the files a health report lists (failed, small), each in its own partial index: `status` on a
    # million files reads those few rows instead of scanning the table a second time.
    """
    CREATE INDEX files_failed ON files(path) WHERE status = 'failed';
    CREATE INDEX files_small ON files(path) WHERE small != 0;
    """,
    # v9: detector boxes (every box >= a low floor per image and model@revision, so a threshold is a query),
    # which images a detector has seen, and derived images (crops): a box on a source image with its own id.
    """
    CREATE TABLE detections (
        image_id    TEXT NOT NULL,             -- the source image (content id)
        model       TEXT NOT NULL,             -- name@revision
        n           INTEGER NOT NULL,          -- rank within the image, best score first
        label       TEXT NOT NULL,             -- class name from the model's metadata: person, halfbody, head, face
        score       REAL NOT NULL,
        x0 REAL NOT NULL, y0 REAL NOT NULL, x1 REAL NOT NULL, y1 REAL NOT NULL,  -- source pixels, displayed orientation
        PRIMARY KEY (image_id, model, n)
    ) WITHOUT ROWID;
    CREATE TABLE detectors (
        model       TEXT PRIMARY KEY,          -- name@revision
        labels      TEXT NOT NULL,             -- JSON list: the model's classes
        score       REAL NOT NULL,             -- the model card's score threshold: the default of every query
        iou         REAL NOT NULL,             -- the NMS IoU the boxes were kept with
        at          TEXT NOT NULL
    );
    CREATE TABLE detected (
        image_id    TEXT NOT NULL,
        model       TEXT NOT NULL,
        at          TEXT NOT NULL,
        PRIMARY KEY (image_id, model)
    ) WITHOUT ROWID;
    CREATE TABLE derived (
        id          TEXT PRIMARY KEY,          -- the derived image's id: sha256 of source id + box + kind
        source      TEXT NOT NULL,             -- the source image (content id)
        kind        TEXT NOT NULL,             -- 'crop'
        what        TEXT NOT NULL,             -- what the box holds: person, halfbody, head, face, user
        x0 INTEGER NOT NULL, y0 INTEGER NOT NULL, x1 INTEGER NOT NULL, y1 INTEGER NOT NULL,  -- source pixels
        made_by     TEXT NOT NULL,             -- 'detect:<model key>' or 'user'
        at          TEXT NOT NULL
    );
    CREATE INDEX derived_source ON derived(source);
    """,
    # v10: a number that every write to files or images moves (triggers, so no writer can forget it): `status`
    # keeps its counts over a million files until it moves (store/health_cache.py).
    """
    CREATE TABLE files_generation (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        n           INTEGER NOT NULL
    );
    INSERT INTO files_generation (id, n) VALUES (1, 0);
    CREATE TRIGGER files_gen_insert AFTER INSERT ON files BEGIN UPDATE files_generation SET n = n + 1; END;
    CREATE TRIGGER files_gen_update AFTER UPDATE ON files BEGIN UPDATE files_generation SET n = n + 1; END;
    CREATE TRIGGER files_gen_delete AFTER DELETE ON files BEGIN UPDATE files_generation SET n = n + 1; END;
    CREATE TRIGGER images_gen_insert AFTER INSERT ON images BEGIN UPDATE files_generation SET n = n + 1; END;
    CREATE TRIGGER images_gen_update AFTER UPDATE ON images BEGIN UPDATE files_generation SET n = n + 1; END;
    CREATE TRIGGER images_gen_delete AFTER DELETE ON images BEGIN UPDATE files_generation SET n = n + 1; END;
    """,
    # v11: the health report's counts kept by triggers, so `status` reads a few rows instead of joining a million
    # files to their images after every write (store/health_tally.py), replacing v10's generation number; a
    # change number per concept and an index on tagged, so a one-image caption's cache check reads no table whole.
    _HEALTH_TALLY,
)

# Data conversions that SQL cannot express, run after the statements of the same version.
CONVERSIONS = {2: ("loraprep.store.tags", "migrate_v2")}

SCHEMA_VERSION = len(MIGRATIONS)
