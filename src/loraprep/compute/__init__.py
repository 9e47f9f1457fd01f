"""Where per-image work runs: in this process (local, the default) or on a Ray cluster (`--engine ray`)."""

from loraprep.compute.choice import ENGINES, LOCAL, EngineChoice, engine_choice

__all__ = ["ENGINES", "EngineChoice", "LOCAL", "engine_choice"]
