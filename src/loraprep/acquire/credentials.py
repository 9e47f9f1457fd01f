"""A site's account (user + API key): from the environment, else the boorus.toml file outside any dataset."""

from __future__ import annotations

from pathlib import Path

from loraprep import settings
from loraprep.errors import UsageError


def credentials_for(site: str, dataset_root: Path | None = None) -> dict:
    """{"user": ..., "api_key": ...} with what is set ({} for none). The environment wins over the file.

    The file holds one table per site (``[danbooru]`` with ``user`` and ``api_key``); a file inside the dataset
    is refused, so an export or a shared dataset never carries an account."""
    found = {"user": settings.booru_credential(site, "USER"), "api_key": settings.booru_credential(site, "API_KEY")}
    if not (found["user"] and found["api_key"]):
        from_file = _from_file(Path(settings.booru_config_path()), site, dataset_root)
        found = {k: found[k] or from_file.get(k, "") for k in found}
    return {k: v for k, v in found.items() if v}


def _from_file(path: Path, site: str, dataset_root: Path | None) -> dict:
    if not path.is_file():
        return {}
    if dataset_root is not None and _inside(path, dataset_root):
        raise UsageError(f"the credentials file {path} is inside the dataset",
                         hint="keep it outside, e.g. ~/.config/loraprep/boorus.toml (LORAPREP_BOORU_CONFIG)")
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        # The parser's message may quote a line of the file, and a line may hold a key: say only where.
        line = getattr(exc, "lineno", None)
        raise UsageError(f"the credentials file {path} cannot be read{f' (line {line})' if line else ''}",
                         hint="it is TOML: [danbooru] user = \"name\" api_key = \"...\"") from None
    table = data.get(site)
    if table is None:
        return {}
    if not isinstance(table, dict) or not all(isinstance(table.get(k, ""), (str, int)) for k in ("user", "api_key")):
        raise UsageError(f"the credentials file {path}: [{site}] must hold user and api_key as strings")
    return {k: str(table[k]).strip() for k in ("user", "api_key") if k in table}


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False
