"""The optional train.toml for `train_network.py --config_file`: the guides' LoRA / LoCon / LoHa settings.

Settings from guide 004 (Holostrawberry's trainer): unet lr 5e-4, text encoder lr 1e-4, cosine with
restarts (3 cycles), AdamW8bit with weight decay 0.1, min_snr_gamma 5; dim/alpha 32/16 for LoRA,
16/8 + conv 8/1 for LoCon, 8/4 + conv 4/1 for LoHa (LyCORIS: `pip install lycoris_lora`).
sd-scripts flattens the tables of this file, so the table names only group keys for people.
"""

from __future__ import annotations

from pathlib import Path

from loraprep.export.base import ExportContext
from loraprep.export.naming import safe_component
from loraprep.export.tomlwrite import toml_dumps

DEFAULT_EPOCHS = 10
NETWORKS = {
    "lora": {"network_module": "networks.lora", "network_dim": 32, "network_alpha": 16.0},
    "locon": {"network_module": "lycoris.kohya", "network_dim": 16, "network_alpha": 8.0,
              "network_args": ["algo=locon", "conv_dim=8", "conv_alpha=1"]},
    "loha": {"network_module": "lycoris.kohya", "network_dim": 8, "network_alpha": 4.0,
             "network_args": ["algo=loha", "conv_dim=4", "conv_alpha=1"]},
}


def save_every(epochs: int) -> int:
    """Save about ten checkpoints to compare (every epoch up to 10 epochs)."""
    return max(1, epochs // 10)


def train_config(ctx: ExportContext, dataset_config: Path) -> str:
    options = ctx.options
    epochs = options.epochs or DEFAULT_EPOCHS
    name = options.output_name or safe_component(Path(options.dataset_root).name, spaces=False, fallback="lora")
    # Outside the export folder: a re-export replaces that folder and must never take trained models with it.
    output_dir = options.train_output_dir or ctx.final_root.parent / f"{ctx.final_root.name}-models"
    config = {
        "model": {"pretrained_model_name_or_path": options.base_model or "PATH/TO/BASE_MODEL.safetensors"},
        "dataset": {"dataset_config": str(dataset_config)},
        "network": dict(NETWORKS[options.train_preset]),
        "optimizer": {
            "optimizer_type": "AdamW8bit",
            "optimizer_args": ["weight_decay=0.1"],
            "learning_rate": 5e-4,
            "unet_lr": 5e-4,
            "text_encoder_lr": 1e-4,
            "lr_scheduler": "cosine_with_restarts",
            "lr_scheduler_num_cycles": 3,
            "min_snr_gamma": 5.0,
        },
        "training": {
            "max_train_epochs": epochs,
            "train_batch_size": options.batch_size,
            "mixed_precision": "fp16",
            "cache_latents": True,
            "sdpa": True,
            "seed": 42,
        },
        "saving": {
            "output_dir": str(output_dir),
            "output_name": name,
            "save_model_as": "safetensors",
            "save_precision": "fp16",
            "save_every_n_epochs": save_every(epochs),
        },
    }
    header = (
        f"# sd-scripts training preset ({options.train_preset}) written by loraprep.\n"
        "# Set pretrained_model_name_or_path, then: accelerate launch train_network.py --config_file THIS_FILE\n"
    )
    return header + toml_dumps(config)
