"""loraprep: turn a folder of raw images into a training-ready LoRA dataset."""

__version__ = "0.1.0"
