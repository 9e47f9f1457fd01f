"""The only code that touches a dataset's .loraprep/ folder: SQLite state, journal, atomic writes."""
