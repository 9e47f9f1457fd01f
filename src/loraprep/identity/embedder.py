"""A loaded CCIP model: feature sessions per device, the metric model, batched embedding of files."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from loraprep import settings
from loraprep.errors import ModelError
from loraprep.identity import loader
from loraprep.identity.preprocess import load_tensor
from loraprep.inference import session as ort_session
from loraprep.inference.batched import run_batched


MAX_SIDE = 2048   # features per side of one metric call: two sides make a 4096^2 float32 answer (64 MiB)


class Embedder:
    """CCIP's two graphs: features (N, 3, S, S) -> (N, D), and the learned metric (N, D) -> (N, N) differences."""

    def __init__(self, files, device: str = "auto"):
        self.files, self.key, self.device = files, files.key, device
        self.card = loader.read_card(files)
        self.features = ort_session.open_session(files.path(loader.FEATURE_FILE), device)
        self.metric = ort_session.open_session(files.path(loader.METRIC_FILE), "cpu")
        graph = ort_session.graph_info(self.features)
        shape = graph.input_shape
        if len(shape) != 4 or shape[1] != 3 or not isinstance(shape[2], int) or shape[2] != shape[3]:
            raise ModelError(f"{files.path(loader.FEATURE_FILE)}: input shape {list(shape)} is not (batch, 3, S, S)",
                             "a CCIP feature model takes NCHW float32 pictures, normalised with CLIP's mean/std")
        self.input_size = int(shape[2])
        self._in, self._out = graph.input_name, graph.output_name
        metric = ort_session.graph_info(self.metric)
        self._metric_in, self._metric_out = metric.input_name, metric.output_name

    def embed_batch(self, batch: np.ndarray) -> np.ndarray:
        """Features (N, D) float32 of a prepared batch."""
        try:
            out = self.features.run([self._out], {self._in: np.ascontiguousarray(batch, np.float32)})[0]
        except Exception as exc:  # onnxruntime errors are untyped
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
            raise ModelError(f"inference failed with {self.key}: {first}", "try --device cpu") from exc
        return np.asarray(out, np.float32).reshape(len(batch), -1)

    def _metric(self, stacked: np.ndarray) -> np.ndarray:
        return self.metric.run([self._metric_out], {self._metric_in: np.ascontiguousarray(stacked, np.float32)})[0]

    def differences(self, a: np.ndarray, b: np.ndarray, block: int | None = None) -> np.ndarray:
        """The metric model's differences (len(a), len(b)), from calls on a block of a stacked with a block of b.

        The metric is pairwise (each output cell depends on its two features only), so stacking gives the cross
        differences; a call costs (len(left) + len(right))^2 cells, least per useful cell when the two blocks
        are the same size, so ``a`` is cut in blocks as large as ``b`` (or ``block``).
        """
        a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
        out = np.empty((len(a), len(b)), np.float32)
        step = block or max(64, min(len(b), MAX_SIDE))
        for j in range(0, len(b), step):
            right = b[j:j + step]
            for i in range(0, len(a), step):
                left = a[i:i + step]
                out[i:i + len(left), j:j + len(right)] = self._metric(np.concatenate([left, right]))[:len(left), len(left):]
        return out

    def pairwise(self, a: np.ndarray, keep=None) -> np.ndarray:
        """All differences within ``a`` (len(a), len(a)), passed through ``keep`` (say ``lambda d: d <= eps``,
        so a large set is only ever whole as booleans): one call when it fits, else symmetric block pairs."""
        a = np.asarray(a, np.float32)
        keep = keep or (lambda d: d)
        if len(a) <= 2 * MAX_SIDE:
            return keep(self._metric(a))
        out = None
        for i in range(0, len(a), MAX_SIDE):
            for j in range(i, len(a), MAX_SIDE):
                left, right = a[i:i + MAX_SIDE], a[j:j + MAX_SIDE]
                both = self._metric(np.concatenate([left, right]) if i != j else left)
                cross = keep(both[:len(left), len(left):] if i != j else both)
                if out is None:
                    out = np.empty((len(a), len(a)), cross.dtype)
                out[i:i + len(left), j:j + len(right)] = cross
                out[j:j + len(right), i:i + len(left)] = cross.T
        return out

    def batch_size(self) -> int:
        provider = ort_session.active_provider(self.features)
        return 32 if provider != "CPUExecutionProvider" else 4


def load_embedder(spec: str | None = None, revision: str | None = None, *, device: str = "auto",
                  cache_dir: str | Path | None = None) -> Embedder:
    """Resolve (registry name, hub repo id, local folder), download if needed, and open a CCIP model."""
    return Embedder(loader.resolve(spec or loader.DEFAULT_MODEL, revision, cache_dir), device)


def embed_files(embedder: Embedder, items: Iterable[tuple[str, Path]], *, batch_size: int | None = None,
                workers: int | None = None) -> Iterator[tuple[str, np.ndarray | None, str | None]]:
    """(key, feature, None) or (key, None, error) per (key, path), in input order; decoding runs ahead."""
    size = embedder.input_size
    return run_batched(((key, Path(path)) for key, path in items), lambda path: load_tensor(path, size),
                       embedder.embed_batch, batch_size or embedder.batch_size(), workers or settings.workers())
