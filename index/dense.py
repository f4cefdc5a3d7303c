"""The dense index: passage embeddings in FAISS, inner product on normalised vectors.

Three kinds, chosen by size or by the ``dense_index`` setting:

* ``flat``: exact search; the default below :data:`AUTO_ANN_FROM` passages,
  where scanning every vector is fast enough (5 to 30 ms at 100k on 2 cores).
* ``ivf``: an inverted file (``IndexIVFFlat``) trained by k-means, probing a
  tenth of its cells; the default above the threshold: recall@10 0.99 of
  exact at 100k with e5 query vectors, and it builds in a fraction of HNSW's time.
* ``hnsw``: a graph index (``IndexHNSWFlat``). e5's query vectors lie apart from
  its passage vectors, and the graph needs a wide search (efSearch 512) to
  reach recall@10 0.95 on them; its build is the slowest.

Every kind keeps its vectors at consecutive positions; ``labels`` maps a
position to the passage rowid (-1 once removed). HNSW cannot remove vectors, so
removal marks a tombstone for all kinds alike and the index is compacted when
tombstones pile up. Filters and tombstones are passed to FAISS as a bitmap
selector over positions; a small filtered set is scored exactly instead, as a
graph or inverted file searched under a narrow filter can miss true neighbours.

The vectors' source of truth is the SQLite store (each passage row keeps its
vector); ``dense.faiss`` and ``dense.labels.npy`` are derived files that record
the store generation they match in ``dense.json``, written last. Each file is
written to a temporary file and renamed into place, so a crash leaves a meta
file that does not match the store's generation, and the index is rebuilt
from SQLite on open.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import faiss
import numpy as np

FAISS_FILE = "dense.faiss"
LABELS_FILE = "dense.labels.npy"
META_FILE = "dense.json"

KINDS = ("flat", "hnsw", "ivf")
#: ``auto`` switches from exact search to HNSW at this many passages (and back below a quarter of it).
AUTO_ANN_FROM = 200_000
#: ``auto``'s approximate kind (evaluations/README.md, Performance: recall, latency and build time).
AUTO_ANN_KIND = "ivf"
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 40
HNSW_EF_SEARCH = 512
#: IVF needs this many vectors to train its centroids; below it an ``ivf`` setting searches exactly.
IVF_MIN_TRAIN = 10_000
#: IVF probes this share of its cells (at least IVF_MIN_PROBES).
IVF_PROBE_SHARE = 0.1
IVF_MIN_PROBES = 32
#: A filter that leaves at most this many passages is scored exactly over those passages.
EXACT_FILTER_MAX = 20_000
#: Compact (rebuild without tombstones) when more than this share of positions is removed.
COMPACT_SHARE = 0.2


def choose_kind(setting: str, n: int, current: str | None = None) -> str:
    """The index kind for ``n`` passages under the ``dense_index`` setting.

    ``current`` is the kind in use: ``auto`` keeps an approximate index until the
    corpus shrinks well below the threshold, so it does not flip back and forth.
    """
    if setting not in ("auto", *KINDS):
        raise ValueError(f"dense_index must be auto, flat, hnsw or ivf, not {setting!r}")
    if setting == "auto":
        if current in ("hnsw", "ivf") and n >= AUTO_ANN_FROM // 4:
            return current
        setting = AUTO_ANN_KIND if n >= AUTO_ANN_FROM else "flat"
    if setting == "ivf" and n < IVF_MIN_TRAIN and current != "ivf":
        return "flat"
    return setting


def ivf_lists(n: int) -> int:
    """Number of IVF cells: about 4 sqrt(n), so a cell holds some hundreds of vectors."""
    return max(16, min(65_536, int(4 * math.sqrt(max(n, 1)))))


def ivf_probes(nlist: int) -> int:
    return min(nlist, max(IVF_MIN_PROBES, int(nlist * IVF_PROBE_SHARE)))


class DenseIndex:
    """Inner-product search over passage vectors, keyed by passage rowid."""

    def __init__(self, dim: int, kind: str = "flat"):
        if kind not in KINDS:
            raise ValueError(f"unknown dense index kind {kind!r}")
        self.dim = dim
        self.kind = kind
        self.index: faiss.Index = _new_flat(dim) if kind == "flat" else _new_hnsw(dim)
        self.labels = np.zeros(0, dtype=np.int64)  # position -> rowid, -1 = removed
        self.trained_on = 0  # IVF: how many vectors its centroids were trained on
        self._lookup: tuple[np.ndarray, np.ndarray] | None = None
        self._live_bits: np.ndarray | None = None

    @classmethod
    def build(cls, dim: int, rowids: np.ndarray, vectors: np.ndarray, kind: str = "flat") -> DenseIndex:
        """An index of ``kind`` over the given vectors (IVF is trained on them)."""
        inst = cls(dim, "flat" if kind == "ivf" else kind)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, dim)
        if kind == "ivf":
            inst.kind = "ivf"
            inst.index = _new_ivf(dim, vectors)
            inst.trained_on = len(vectors)
        inst.add(np.asarray(rowids, dtype=np.int64), vectors)
        return inst

    @property
    def size(self) -> int:
        """Live (not removed) vectors."""
        return int(np.count_nonzero(self.labels >= 0))

    def add(self, rowids: np.ndarray, vectors: np.ndarray) -> None:
        if not len(rowids):
            return
        rowids = np.asarray(rowids, dtype=np.int64)
        # SQLite reuses the rowids of a deleted last document: retire their old positions
        self.remove(rowids, compact=False)
        self.index.add(np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dim))
        self.labels = np.concatenate([self.labels, rowids])
        self._changed()

    def remove(self, rowids: list[int] | np.ndarray, compact: bool = True) -> None:
        pos = self._positions(np.asarray(rowids, dtype=np.int64))
        if not len(pos):
            return
        self.labels[pos] = -1
        self._changed()
        removed = len(self.labels) - self.size
        if compact and removed > max(1000, COMPACT_SHARE * len(self.labels)):
            self._compact()

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """The live (rowids, vectors), in position order."""
        live = np.flatnonzero(self.labels >= 0)
        if not len(live):
            return np.zeros(0, dtype=np.int64), np.zeros((0, self.dim), dtype=np.float32)
        return self.labels[live], self.index.reconstruct_batch(live)

    def adapt(self, setting: str) -> DenseIndex:
        """This index, or a rebuilt one of the kind the setting wants at the current size."""
        kind = choose_kind(setting, self.size, self.kind)
        # an IVF trained on a small corpus gets too few, too full cells as it grows: retrain
        regrown = kind == "ivf" and self.kind == "ivf" and self.size > 4 * self.trained_on
        if kind == self.kind and not regrown:
            return self
        return DenseIndex.build(self.dim, *self.vectors(), kind=kind)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
               ) -> list[tuple[int, float]]:
        """The ``k`` nearest passages as (rowid, cosine) best first, optionally among ``allowed`` only."""
        if self.size == 0 or k <= 0 or (allowed is not None and len(allowed) == 0):
            return []
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        if allowed is not None:
            pos = self._positions(np.asarray(allowed, dtype=np.int64))
            if len(pos) <= EXACT_FILTER_MAX and self.kind != "flat":
                return self._exact(q[0], pos, k)
            bits = np.zeros(len(self.labels), dtype=bool)
            bits[pos] = True
            share = len(pos) / len(self.labels)
        else:
            bits = None if self.size == len(self.labels) else self.labels >= 0
            share = 1.0
        return self._search(q, min(k, self.size), bits, share)

    # -- internals ----------------------------------------------------------------

    def _search(self, q: np.ndarray, k: int, bits: np.ndarray | None, share: float
                ) -> list[tuple[int, float]]:
        packed = None if bits is None else np.packbits(bits, bitorder="little")
        sel = None if packed is None else faiss.IDSelectorBitmap(len(bits), faiss.swig_ptr(packed))
        # a selector that admits a fraction of the vectors needs a wider search to find k of them
        widen = 1.0 / max(share, 1e-3)
        if self.kind == "hnsw":
            ef = int(min(max(HNSW_EF_SEARCH, 2 * k) * widen, 4096))
            params: faiss.SearchParameters = faiss.SearchParametersHNSW(sel=sel, efSearch=ef)
        elif self.kind == "ivf":
            nprobe = int(min(ivf_probes(self.index.nlist) * widen, self.index.nlist))
            params = faiss.SearchParametersIVF(sel=sel, nprobe=nprobe)
        else:
            params = faiss.SearchParameters(sel=sel)
        with _one_thread():
            scores, pos = self.index.search(q, k, params=params)
        del packed  # the selector points into it; keep it alive until the search is done
        return [(int(self.labels[p]), float(s)) for p, s in zip(pos[0], scores[0]) if p >= 0]

    def _exact(self, q: np.ndarray, pos: np.ndarray, k: int) -> list[tuple[int, float]]:
        with _one_thread():
            vectors = self.index.reconstruct_batch(pos)
        # einsum, not @: BLAS would start threads for this small product (see _one_thread)
        scores = np.einsum("ij,j->i", vectors, q)
        top = np.argsort(-scores, kind="stable")[:k]
        return [(int(self.labels[pos[i]]), float(scores[i])) for i in top]

    def _positions(self, rowids: np.ndarray) -> np.ndarray:
        """Positions of the live vectors of these rowids (unknown rowids are skipped)."""
        if not len(rowids) or not len(self.labels):
            return np.zeros(0, dtype=np.int64)
        if self._lookup is None:
            live = np.flatnonzero(self.labels >= 0)
            order = np.argsort(self.labels[live], kind="stable")
            self._lookup = (self.labels[live][order], live[order])
        ids, positions = self._lookup
        if not len(ids):
            return np.zeros(0, dtype=np.int64)
        at = np.minimum(np.searchsorted(ids, rowids), len(ids) - 1)
        found = ids[at] == rowids
        return np.sort(positions[at[found]])

    def _changed(self) -> None:
        self._lookup = None

    def _compact(self) -> None:
        fresh = DenseIndex.build(self.dim, *self.vectors(), kind=self.kind)
        self.index, self.labels, self.trained_on = fresh.index, fresh.labels, fresh.trained_on
        self._changed()

    # -- persistence ------------------------------------------------------------

    def save(self, directory: Path, generation: int, model: str) -> None:
        """Write the index, its labels and its meta atomically (temporary file, fsync, rename)."""
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / (FAISS_FILE + ".tmp")
        faiss.write_index(self.index, str(tmp))
        _fsync_replace(tmp, directory / FAISS_FILE)
        labels_tmp = directory / (LABELS_FILE + ".tmp")
        with open(labels_tmp, "wb") as f:
            np.save(f, self.labels)
        _fsync_replace(labels_tmp, directory / LABELS_FILE)
        meta_tmp = directory / (META_FILE + ".tmp")
        meta_tmp.write_text(json.dumps({
            "generation": generation, "dim": self.dim, "model": model, "kind": self.kind,
            "size": self.size, "positions": len(self.labels), "trained_on": self.trained_on,
        }), encoding="utf-8")
        _fsync_replace(meta_tmp, directory / META_FILE)

    @classmethod
    def load(cls, directory: Path, generation: int, model: str, setting: str = "auto") -> DenseIndex | None:
        """The saved index if it matches the store's generation, the model and the
        kind the setting wants at its size; else None (the caller rebuilds it)."""
        try:
            meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
            if meta.get("generation") != generation or meta.get("model") != model:
                return None
            kind = meta["kind"]
            if choose_kind(setting, int(meta["size"]), kind) != kind:
                return None
            inst = cls(int(meta["dim"]), kind)
            inst.index = faiss.read_index(str(directory / FAISS_FILE))
            inst.labels = np.load(directory / LABELS_FILE)
            inst.trained_on = int(meta.get("trained_on", 0))
        except (OSError, ValueError, KeyError, RuntimeError):
            return None
        if inst.index.ntotal != len(inst.labels) or inst.size != meta.get("size"):
            return None
        return inst


def _new_flat(dim: int) -> faiss.Index:
    return faiss.IndexFlatIP(dim)


def _new_hnsw(dim: int) -> faiss.Index:
    index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    index.hnsw.efSearch = HNSW_EF_SEARCH
    return index


def _new_ivf(dim: int, sample: np.ndarray) -> faiss.Index:
    nlist = min(ivf_lists(len(sample)), max(1, len(sample) // 39))  # k-means wants ~39 points a cell
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
    index.set_direct_map_type(faiss.DirectMap.Array)  # reconstruct by position (filters, compaction)
    train = sample
    if len(sample) > 64 * nlist:  # k-means needs some tens of points a cell, and time grows with them
        train = sample[np.random.default_rng(0).choice(len(sample), 64 * nlist, replace=False)]
    index.train(train)
    index.nprobe = ivf_probes(nlist)
    return index


@contextmanager
def _one_thread() -> Iterator[None]:
    """Run FAISS on one OpenMP thread: a single query gains nothing from more, and on
    a busy machine their spin-waits cost 30x (flat search over 10k passages: 16 ms
    against 0.5 ms; gathering 3 300 vectors: 24 ms against 0.1 ms)."""
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(threads)


def _fsync_replace(tmp: Path, target: Path) -> None:
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, target)
