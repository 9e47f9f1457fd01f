"""Options that `scan`, `tag` and `dedup` share: which engine runs the per-image work, where the images are read."""

from __future__ import annotations

from typing import Optional

import typer

ENGINE_OPTION: str = typer.Option("local", "--engine",
                                  help="local (this process, the default) | ray (a Ray cluster; needs "
                                       "pip install 'loraprep[ray]'). The store is written here either way.")
ADDRESS_OPTION: Optional[str] = typer.Option(None, "--address",
                                             help="With --engine ray: auto (the cluster `ray start` runs here), "
                                                  "ray://HOST:10001 (Ray Client) or HOST:6379 (the head node). "
                                                  "Default: Ray on this machine only, for this run.")
GPUS_OPTION: float = typer.Option(0, "--gpus-per-worker", min=0,
                                  help="With --engine ray: GPUs per inference worker (one model session each); "
                                       "0 runs inference on CPUs.")
IMAGES_OPTION: Optional[str] = typer.Option(None, "--images",
                                            help="Read the images from this folder or URL (s3://bucket/set, "
                                                 "gs://..., same relative paths) instead of the dataset folder: "
                                                 "for workers that cannot see this machine's disk.")
