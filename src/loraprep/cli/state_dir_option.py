"""The --state-dir option, given to every command that takes a dataset: its state kept outside the dataset."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Optional  # typer reads the probe's annotation by name, from this module

STATE_DIR_HELP = ("Keep the dataset's state here instead of DATASET/.loraprep (images on a read-only or network "
                  "file system: SQLite needs a local disk). One folder per dataset; also LORAPREP_STATE_DIR.")


def add_state_dir_option(command) -> None:
    """Give ``command`` (a click command built by typer) a --state-dir option, when it takes a dataset; the
    command then runs with the store there. Added here once, not in each command's signature."""
    if not any(p.name == "dataset" for p in command.params) or any(p.name == "state_dir" for p in command.params):
        return
    command.params.append(_state_dir_param())
    callback = command.callback

    @functools.wraps(callback)
    def with_state_dir(*args, state_dir: str | None = None, **kwargs):
        from loraprep.ops import state_dir_at

        with state_dir_at(Path(state_dir) if state_dir else None):
            return callback(*args, **kwargs)

    command.callback = with_state_dir


def _state_dir_param():
    """The option as typer builds it, through typer's public API only (its option class and the click it uses,
    which it may vendor, differ between versions)."""
    import typer
    from typer.main import get_command

    probe = typer.Typer()

    @probe.command()
    def _probe(state_dir: Optional[str] = typer.Option(None, "--state-dir", metavar="DIR", help=STATE_DIR_HELP)):
        """Never run: only its option is used."""

    return get_command(probe).params[0]
