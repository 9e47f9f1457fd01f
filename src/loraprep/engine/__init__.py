"""The in-memory editing engine: one dataset's tags, the rules on them, edits and their incremental replay."""
