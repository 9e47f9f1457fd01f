"""Batched tagging: decode + preprocess in a thread pool overlapped with inference; yields one result per image."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from loraprep import settings
from loraprep.errors import ModelError
from loraprep.inference import session as ort_session
from loraprep.inference.batched import guarded, predicted, run_batched
from loraprep.locations import open_binary
from loraprep.tagging import loader
from loraprep.tagging.postprocess import MIN_SCORE, Score, scores_above
from loraprep.tagging.preprocess import load_tensor


@dataclass
class TagResult:
    """One image's outcome: every score >= min_score, highest first, or a one-line reason it could not be read."""

    image_id: str
    scores: list[Score] = field(default_factory=list)
    error: str | None = None


class Tagger:
    """A loaded WD tagger: its vocabulary, its input size and an ONNX Runtime session per device."""

    def __init__(self, files: loader.ModelFiles, vocabulary: list[tuple[str, str]], device: str = "auto"):
        self.files = files
        self.model_path = files.path(loader.MODEL_FILE)
        self.name = files.name
        self.revision = files.revision
        self.key = files.key
        self.vocabulary = vocabulary
        self._names = [n for n, _ in vocabulary]
        self._categories = [c for _, c in vocabulary]
        self._sessions: dict[str, object] = {}
        self.device = device
        sess = self.session(device)
        graph = ort_session.graph_info(sess)
        self.input_size, self.fixed_batch = _check_input(graph, self.model_path)
        self._input_name, self._output_name = graph.input_name, graph.output_name
        self._input_dtype = np.float16 if "float16" in graph.input_type else np.float32
        _check_output(self, graph)

    def session(self, device: str | None = None):
        device = (device or self.device or "auto").lower()
        if device not in self._sessions:
            self._sessions[device] = ort_session.open_session(self.model_path, device)
        return self._sessions[device]

    def provider(self, device: str | None = None) -> str:
        return ort_session.active_provider(self.session(device))

    def predict(self, batch: np.ndarray, device: str | None = None) -> np.ndarray:
        """Sigmoid scores (N, tags) for a ready NHWC BGR 0..255 batch."""
        feed = {self._input_name: np.ascontiguousarray(batch, dtype=self._input_dtype)}
        try:
            out = self.session(device).run([self._output_name], feed)[0]
        except Exception as exc:  # onnxruntime errors are untyped; out of memory is the usual one
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
            raise ModelError(f"inference failed with {self.key}: {first}",
                             "try a smaller --batch, or --device cpu") from exc
        return np.asarray(out, dtype=np.float32).reshape(len(batch), -1)

    def default_batch_size(self, device: str | None = None) -> int:
        if self.fixed_batch:
            return self.fixed_batch
        return choose_batch_size(self.provider(device), self.input_size, ort_session.cpu_threads())


def choose_batch_size(provider: str, input_size: int, cores: int = 8) -> int:
    """Images per inference call: large on accelerators; small on CPU, where batching gains little (pure).

    Measured end to end with benchmarks/tagging.py at 448 px on CPU: batch 8 was best on 16 cores; on 2 cores
    batch 4 gave 0.90 img/s and batch 1 0.86 (session.run alone favours batch 1 there, within the noise).
    """
    per_448 = 32 if provider != "CPUExecutionProvider" else (8 if cores >= 8 else 4)
    scaled = per_448 * (448 / max(input_size, 1)) ** 2
    return int(max(1, min(256 if per_448 == 32 else 64, round(scaled))))


def load_tagger(spec: str, revision: str | None = None, *, device: str = "auto",
                cache_dir: str | Path | None = None) -> Tagger:
    """Resolve (registry name, hub repo id or local folder), download if needed, check and open a tagger."""
    files = loader.resolve(spec, revision, cache_dir)
    return Tagger(files, loader.read_tags(files.path(loader.TAGS_FILE)), device)


def tag_images(tagger: Tagger, items: Iterable[tuple[str, Path | str]], *, batch_size: int | None = None,
               device: str | None = None, min_score: float = MIN_SCORE,
               workers: int | None = None) -> Iterator[TagResult]:
    """Tag (image_id, path or fsspec URL) pairs, yielding results in input order; a bad file gives a result with ``error``.

    Decoding runs ahead in a thread pool (Pillow and onnxruntime release the GIL), so the next batch is being
    prepared while the current one is in the model. Nothing here touches the store.
    """
    size = tagger.input_size
    bs = max(1, int(batch_size or tagger.default_batch_size(device)))
    if tagger.fixed_batch and bs != tagger.fixed_batch:
        raise ModelError(f"{tagger.key} only accepts batches of {tagger.fixed_batch}",
                         f"use --batch {tagger.fixed_batch}")
    rows = run_batched(((image_id, str(path)) for image_id, path in items),
                       lambda location: load_tensor(open_binary(location), size),
                       lambda batch: tagger.predict(batch, device), bs, workers or settings.workers())
    for image_id, probs, error in rows:
        yield _result(tagger, image_id, probs, error, min_score)


def score_batch(tagger: Tagger, chunk: list[tuple[str, np.ndarray | None, str | None]], device: str | None = None,
                min_score: float = MIN_SCORE) -> list[TagResult]:
    """One batch prepared elsewhere (a Ray worker): (image_id, prepared array or None, error or None) per item of
    the work list; the decoded ones go through the model together. run_batched forms the local engine's batches
    the same way (the next ``batch_size`` items, less the unreadable ones), so the same batch size gives the same
    batches and the same scores, wherever the decoding ran."""
    return [_result(tagger, image_id, probs, error, min_score)
            for image_id, probs, error in predicted(chunk, lambda batch: tagger.predict(batch, device))]


def _result(tagger: Tagger, image_id: str, probs, error: str | None, min_score: float) -> TagResult:
    if error is not None:
        return TagResult(image_id, error=error)
    return TagResult(image_id, scores_above(probs, tagger._names, tagger._categories, min_score))


def prepare_item(location: str, size: int) -> tuple[np.ndarray | None, str | None]:
    """(model input, None) or (None, one-line reason) for a path or an fsspec URL; never raises."""
    return guarded(lambda loc: load_tensor(open_binary(loc), size), location)


def _check_input(graph, model_path: Path) -> tuple[int, int | None]:
    """Input size and fixed batch (or None) of an NHWC 3-channel square input; ModelError otherwise."""
    shape = graph.input_shape
    if len(shape) != 4:
        raise ModelError(f"{model_path}: input {graph.input_name!r} has shape {list(shape)}, expected 4 dimensions "
                         "(batch, height, width, 3)", "loraprep runs WD-style taggers: NHWC float32 BGR input")
    if shape[3] != 3:
        layout = "NCHW" if shape[1] == 3 else "an unknown layout"
        raise ModelError(f"{model_path}: input shape {list(shape)} is {layout}, not NHWC (batch, height, width, 3)",
                         "loraprep runs WD-style taggers: NHWC float32 BGR 0..255 input; re-export the model")
    height, width = shape[1], shape[2]
    if not (isinstance(height, int) and isinstance(width, int)) or height != width or height < 1:
        raise ModelError(f"{model_path}: input size {height}x{width} is not a fixed square",
                         "WD taggers have a fixed square input such as 448x448")
    if "float" not in graph.input_type:
        raise ModelError(f"{model_path}: input type {graph.input_type} is not float",
                         "WD taggers take float32 pixels 0..255")
    batch = shape[0] if isinstance(shape[0], int) and shape[0] > 0 else None
    return height, batch


def _check_output(tagger: Tagger, graph) -> None:
    width = graph.output_shape[-1] if graph.output_shape else None
    if not isinstance(width, int):  # symbolic width: ask the model once
        probe = np.full((tagger.fixed_batch or 1, tagger.input_size, tagger.input_size, 3), 255, np.float32)
        width = tagger.predict(probe).shape[-1]
    if width != len(tagger.vocabulary):
        raise ModelError(f"{loader.TAGS_FILE} lists {len(tagger.vocabulary)} tags but the model outputs "
                         f"{width} scores", "model.onnx and selected_tags.csv must come from the same model version")
