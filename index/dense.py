"""The dense index: passage embeddings in FAISS, inner product on normalised vectors.

The vectors' source of truth is the SQLite store (each passage row keeps its
vector); ``dense.faiss`` is a derived file that records the store generation it
matches. It is written to a temporary file and renamed into place, so a crash
leaves either the old or the new file; a file that does not match the store's
generation (a crash between the two commits) is rebuilt from SQLite on open.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import faiss
import numpy as np

FAISS_FILE = "dense.faiss"
META_FILE = "dense.json"


class DenseIndex:
    """Exact inner-product search over passage vectors, keyed by passage rowid."""

    def __init__(self, dim: int):
        self.dim = dim
        self.index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    def add(self, rowids: np.ndarray, vectors: np.ndarray) -> None:
        if len(rowids):
            self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                                    np.asarray(rowids, dtype=np.int64))

    def remove(self, rowids: list[int] | np.ndarray) -> None:
        if len(rowids):
            self.index.remove_ids(np.asarray(rowids, dtype=np.int64))

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
               ) -> list[tuple[int, float]]:
        """The ``k`` nearest passages as (rowid, cosine) best first, optionally among ``allowed`` only."""
        if self.size == 0 or k <= 0 or (allowed is not None and len(allowed) == 0):
            return []
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        params = None
        if allowed is not None:
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64)))
        scores, ids = self.index.search(q, min(k, self.size), params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    # -- persistence ------------------------------------------------------------

    def save(self, directory: Path, generation: int, model: str) -> None:
        """Write the index and its meta atomically (temporary file, fsync, rename)."""
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / (FAISS_FILE + ".tmp")
        faiss.write_index(self.index, str(tmp))
        _fsync_replace(tmp, directory / FAISS_FILE)
        meta_tmp = directory / (META_FILE + ".tmp")
        meta_tmp.write_text(json.dumps({"generation": generation, "dim": self.dim, "model": model,
                                        "size": self.size}), encoding="utf-8")
        _fsync_replace(meta_tmp, directory / META_FILE)

    @classmethod
    def load(cls, directory: Path, generation: int, model: str) -> DenseIndex | None:
        """The saved index if it matches the store's generation and the model, else None."""
        try:
            meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
            if meta.get("generation") != generation or meta.get("model") != model:
                return None
            inst = cls(int(meta["dim"]))
            inst.index = faiss.read_index(str(directory / FAISS_FILE))
        except (OSError, ValueError, KeyError, RuntimeError):
            return None
        return inst if inst.size == meta.get("size") else None


def _fsync_replace(tmp: Path, target: Path) -> None:
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, target)
