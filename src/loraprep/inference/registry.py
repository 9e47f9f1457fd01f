"""The one registry of known hub models (every family: taggers, detectors, identity embedders), with pinned revisions."""

from __future__ import annotations

from dataclasses import dataclass, field

from loraprep.model.thresholds import CHARACTER, GENERAL


@dataclass(frozen=True)
class ModelInfo:
    """One published model: its hub repo, the revision its results are pinned to, and its model card's numbers.

    ``subfolder`` is the folder inside the repo that holds the files (deepghs repos keep one model per folder);
    ``card`` holds a family's published settings (a detector's IoU and score thresholds, an embedder's metric
    threshold) by name; ``general``/``character`` are a tagger card's thresholds.
    """

    name: str
    repo_id: str
    revision: str = "main"
    family: str = "tagger"
    subfolder: str = ""
    general: float = GENERAL
    character: float = CHARACTER
    card: dict = field(default_factory=dict, compare=False, hash=False)


def _wd_v2(arch: str) -> ModelInfo:
    return ModelInfo(f"wd-{arch}-v2", f"SmilingWolf/wd-v1-4-{arch}-tagger-v2")


# v3 general thresholds are the published P=R points from each model card.
_TAGGERS = (
    _wd_v2("vit"),
    _wd_v2("convnext"),
    _wd_v2("convnextv2"),
    _wd_v2("swinv2"),
    _wd_v2("moat"),
    ModelInfo("wd-vit-v3", "SmilingWolf/wd-vit-tagger-v3", general=0.2614),
    ModelInfo("wd-convnext-v3", "SmilingWolf/wd-convnext-tagger-v3", general=0.2682),
    ModelInfo("wd-swinv2-v3", "SmilingWolf/wd-swinv2-tagger-v3", general=0.2653),
    ModelInfo("wd-vit-large-v3", "SmilingWolf/wd-vit-large-tagger-v3", general=0.2606),
    ModelInfo("wd-eva02-large-v3", "SmilingWolf/wd-eva02-large-tagger-v3", general=0.5296),
)


def _ccip(name: str, threshold: float, cluster_eps: float) -> ModelInfo:
    return ModelInfo(name, "deepghs/ccip_onnx", _CCIP_REVISION, family="identity", subfolder=name,
                     card={"threshold": threshold, "cluster_eps": cluster_eps, "min_samples": 2})


# deepghs' character identity models as imgutils (imgutils/metrics/ccip.py) uses them: one folder per model in
# deepghs/ccip_onnx with model_feat.onnx, model_metrics.onnx, metrics.json (the published same-character
# threshold, ccip_default_threshold) and cluster.json. imgutils' DBSCAN default is eps = that threshold and
# min_samples = 2 (ccip_default_clustering_params(method='dbscan')); the metrics.json read at load time wins.
_CCIP_REVISION = "eb2acdd29af1703388d3d0c04221add322bc9110"
_IDENTITY = (
    _ccip("ccip-caformer-24-randaug-pruned", 0.17847511429108218, 0.17847511429108218),
    _ccip("ccip-caformer-6-randaug-pruned_fp32", 0.1951224011983088, 0.1951224011983088),
    _ccip("ccip-caformer-5_fp32", 0.18397327797685215, 0.18397327797685215),
)

def _deepghs(what: str, folder: str, score: float, iou: float) -> ModelInfo:
    """A deepghs YOLO detector: one model per folder of its repo; thresholds as imgutils' detect_<what> defaults
    (imgutils/detect/person.py, halfbody.py, head.py, face.py: conf_threshold, iou_threshold), which its model
    cards' benchmarks were measured with."""
    return ModelInfo(folder.replace("_detect_", "-").replace("_", "-"), f"deepghs/anime_{what}_detection",
                     family="detector", subfolder=folder, card={"what": what, "score": score, "iou": iou})


_DETECTORS = (
    _deepghs("person", "person_detect_v1.1_m", 0.3, 0.5),
    _deepghs("person", "person_detect_v1.1_s", 0.3, 0.5),
    _deepghs("halfbody", "halfbody_detect_v1.0_s", 0.5, 0.7),
    _deepghs("head", "head_detect_v2.0_s", 0.4, 0.7),
    _deepghs("face", "face_detect_v1.4_s", 0.25, 0.7),
)

# Other families append their entries here (one tuple per family), so every hub model is listed in one place.
KNOWN: tuple[ModelInfo, ...] = (*_TAGGERS, *_IDENTITY, *_DETECTORS)

DEFAULTS: dict[str, str] = {"tagger": "wd-swinv2-v3", "identity": "ccip-caformer-24-randaug-pruned",
                            "detector": "person-v1.1-m"}
# The default detector of each thing a detector finds (`loraprep detect --what head`).
DETECTOR_DEFAULTS: dict[str, str] = {"person": "person-v1.1-m", "halfbody": "halfbody-v1.0-s",
                                     "head": "head-v2.0-s", "face": "face-v1.4-s"}


def models(family: str) -> dict[str, ModelInfo]:
    """The registry entries of one family, by short name, in registry order."""
    return {m.name: m for m in KNOWN if m.family == family}


def lookup(name: str, family: str | None = None) -> ModelInfo | None:
    """The entry for a short name, a repo name (with its subfolder) or a full repo id, case-insensitive; None if
    unknown. A repo id that holds several models (one per subfolder) names none of them on its own."""
    key = name.strip().lower().rstrip("/")
    candidates = [m for m in KNOWN if family is None or m.family == family]
    for info in candidates:
        full = f"{info.repo_id}/{info.subfolder}".lower() if info.subfolder else info.repo_id.lower()
        short = full.split("/", 1)[1]
        if key in (info.name.lower(), full, short):
            return info
    return None
