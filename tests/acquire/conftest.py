"""The fixture booru for the tests of this folder (tests elsewhere import it from booru_server)."""

from tests.acquire.booru_server import booru  # noqa: F401
