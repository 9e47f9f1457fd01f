"""Options that every model-running command (`tag`, `detect`, `classify`) shares: hub revision, batch, device."""

from __future__ import annotations

from typing import Optional

import typer

REVISION_OPTION: Optional[str] = typer.Option(None, "--revision", help="Hub revision (commit, tag or branch).")
BATCH_OPTION: Optional[int] = typer.Option(None, "--batch", min=1,
                                           help="Batch size (default: chosen for the machine).")
DEVICE_OPTION: str = typer.Option("auto", "--device", help="auto | cpu | cuda (and other ONNX Runtime providers).")
