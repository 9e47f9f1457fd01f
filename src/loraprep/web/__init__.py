"""The local web editor: FastAPI app, JSON API and static files."""
