"""The engine a command runs on, as the user asked for it (--engine, --address, --gpus-per-worker); pure checks."""

from __future__ import annotations

from dataclasses import dataclass

from loraprep.errors import UsageError

ENGINES = ("local", "ray")


@dataclass(frozen=True)
class EngineChoice:
    """``local`` runs in this process; ``ray`` on a Ray cluster: ``address`` None starts one on this machine for
    the run, ``auto`` joins the one started here with `ray start`, ``ray://HOST:PORT`` goes through Ray Client,
    ``HOST:PORT`` joins a head node's GCS. ``gpus_per_worker`` > 0 gives each inference worker that many GPUs."""

    name: str = "local"
    address: str | None = None
    gpus_per_worker: float = 0

    def __post_init__(self):
        name = (self.name or "local").strip().lower()
        object.__setattr__(self, "name", name)
        if name not in ENGINES:
            raise UsageError(f"unknown engine {self.name!r}", f"use one of: {', '.join(ENGINES)}")
        if self.gpus_per_worker < 0:
            raise UsageError("--gpus-per-worker must be 0 or more", "0 runs inference on CPU workers")
        if name == "local" and (self.address or self.gpus_per_worker):
            flag = "--address" if self.address else "--gpus-per-worker"
            raise UsageError(f"{flag} only applies to --engine ray", f"add --engine ray, or leave {flag} out")

    @property
    def distributed(self) -> bool:
        return self.name == "ray"


LOCAL = EngineChoice()


def engine_choice(engine: "str | EngineChoice" = "local", address: str | None = None,
                  gpus_per_worker: float = 0) -> EngineChoice:
    """The EngineChoice for a command's options; one given ready-made is taken as it is."""
    if isinstance(engine, EngineChoice):
        return engine
    return EngineChoice(engine, address or None, gpus_per_worker or 0)
