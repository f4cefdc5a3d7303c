"""The dense index: every kind (flat, HNSW, IVF) finds what exact search finds,
survives save and load, honours filters and removals, and is chosen by size."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index import dense
from index.dense import DenseIndex, choose_kind
from index.sync import DerivedIndexes

DIM = 32
N = 3000


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Clustered unit vectors with rowids that are not positions (1, 4, 7, ...), and queries near them."""
    rng = np.random.default_rng(7)
    centres = rng.standard_normal((30, DIM))
    vectors = unit(centres[rng.integers(0, 30, N)] + 0.4 * rng.standard_normal((N, DIM)))
    queries = unit(vectors[rng.integers(0, N, 20)] + 0.05 * rng.standard_normal((20, DIM)))
    return np.arange(1, 3 * N, 3, dtype=np.int64), vectors, queries


def exact_top(vectors: np.ndarray, rowids: np.ndarray, q: np.ndarray, mask: np.ndarray | None = None) -> int:
    scores = vectors @ q
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    return int(rowids[int(np.argmax(scores))])


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_every_kind_returns_the_exact_top_hit(data, kind):
    rowids, vectors, queries = data
    index = DenseIndex.build(DIM, rowids, vectors, kind=kind)
    assert index.kind == kind and index.size == N
    for q in queries:
        assert index.search(q, 10)[0][0] == exact_top(vectors, rowids, q)


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_index_round_trips_through_save_and_load_with_its_kind(data, kind, tmp_path: Path):
    rowids, vectors, queries = data
    index = DenseIndex.build(DIM, rowids, vectors, kind=kind)
    index.save(tmp_path, generation=3, model="m")
    assert json.loads((tmp_path / dense.META_FILE).read_text())["kind"] == kind
    loaded = DenseIndex.load(tmp_path, generation=3, model="m", setting=kind)
    assert loaded is not None and loaded.kind == kind
    assert [loaded.search(q, 10) for q in queries] == [index.search(q, 10) for q in queries]


def test_saved_index_of_another_generation_model_or_kind_is_not_loaded(data, tmp_path: Path):
    rowids, vectors, _ = data
    DenseIndex.build(DIM, rowids, vectors, kind="hnsw").save(tmp_path, generation=3, model="m")
    assert DenseIndex.load(tmp_path, generation=4, model="m", setting="hnsw") is None
    assert DenseIndex.load(tmp_path, generation=3, model="other", setting="hnsw") is None
    assert DenseIndex.load(tmp_path, generation=3, model="m", setting="flat") is None


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
@pytest.mark.parametrize("exact_below", [0, dense.EXACT_FILTER_MAX], ids=["selector", "exact"])
def test_filtered_search_returns_only_allowed_rowids_and_their_top_hit(data, kind, exact_below, monkeypatch):
    # exact_below=0 forces the FAISS selector path even for a small filter
    monkeypatch.setattr(dense, "EXACT_FILTER_MAX", exact_below)
    rowids, vectors, queries = data
    index = DenseIndex.build(DIM, rowids, vectors, kind=kind)
    mask = np.zeros(N, dtype=bool)
    mask[::2] = True  # half the passages
    allowed = rowids[mask]
    for q in queries:
        hits = index.search(q, 10, allowed=allowed)
        assert len(hits) == 10 and set(r for r, _ in hits) <= set(allowed.tolist())
        assert hits[0][0] == exact_top(vectors, rowids, q, mask)


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_removed_rowids_are_never_returned_and_reused_rowids_get_their_new_vector(data, kind):
    rowids, vectors, queries = data
    index = DenseIndex.build(DIM, rowids, vectors, kind=kind)
    q = queries[0]
    top = index.search(q, 1)[0][0]
    index.remove([top])
    assert top not in [r for r, _ in index.search(q, 50)]
    assert index.size == N - 1
    # SQLite hands a deleted last rowid out again: it must now stand for the new vector
    last = int(rowids[-1])
    index.add(np.array([last]), -q.reshape(1, -1))
    assert index.search(-q, 1)[0][0] == last
    assert index.size == N - 1


def test_many_removals_compact_the_index(data):
    rowids, vectors, queries = data
    index = DenseIndex.build(DIM, rowids, vectors, kind="hnsw")
    index.remove(rowids[: N // 2])
    assert len(index.labels) == index.size == N - N // 2  # tombstones dropped
    assert index.search(queries[0], 1)[0][0] == exact_top(vectors[N // 2:], rowids[N // 2:], queries[0])


@pytest.mark.parametrize(("setting", "n", "current", "expected"), [
    ("auto", 1_000, None, "flat"),
    ("auto", dense.AUTO_ANN_FROM, None, dense.AUTO_ANN_KIND),
    ("auto", dense.AUTO_ANN_FROM // 2, "hnsw", "hnsw"),  # no flip-flop just below the threshold
    ("auto", dense.AUTO_ANN_FROM // 8, "hnsw", "flat"),
    ("hnsw", 10, None, "hnsw"),
    ("ivf", dense.IVF_MIN_TRAIN - 1, None, "flat"),  # too few vectors to train cells
    ("ivf", dense.IVF_MIN_TRAIN, None, "ivf"),
    ("flat", 10_000_000, None, "flat"),
])
def test_kind_is_chosen_by_size_or_setting(setting, n, current, expected):
    assert choose_kind(setting, n, current) == expected


def test_unknown_setting_is_refused():
    with pytest.raises(ValueError, match="dense_index"):
        choose_kind("annoy", 10)


def _doc(doc_id: str, source: Path, paragraphs: list[str]):
    from underlag.model import Block, BlockKind, Document, DocumentMetadata, Section

    sections = [Section(number=f"{i}", title=f"Avsnitt {i}", heading_path=[f"{i} Avsnitt {i}"], level=1,
                        blocks=[Block(kind=BlockKind.PARAGRAPH, text=text)])
                for i, text in enumerate(paragraphs, start=1)]
    return Document(id=doc_id, source=str(source), filename=source.name, format="txt",
                    metadata=DocumentMetadata(title=source.stem, doc_type="återrapportering", years=[2023]),
                    sections=sections)


def test_search_index_builds_the_configured_kind_and_searches_with_filters(tmp_path: Path):
    from index.search import Filters, SearchIndex
    from nlp.analyzer import default_analyzer
    from nlp.embed import HashingEmbedder

    topics = ["kompetensförsörjning i länet", "bredband på landsbygden", "kollektivtrafik och pendling",
              "jämställd regional utveckling", "innovation och företagande"]
    docs = [_doc(c * 16, tmp_path / f"{c}.txt", [f"Rapport {c}: {t}." for t in topics]) for c in "ab"]
    with SearchIndex(tmp_path / "index", default_analyzer(), HashingEmbedder(), dense_index="hnsw") as index:
        for doc in docs:
            index.add(doc)
        assert json.loads((tmp_path / "index" / dense.META_FILE).read_text())["kind"] == "hnsw"
        hits = index.search("bredband", k=3, mode="dense", filters=Filters(document=docs[0].id))
        assert hits and all(h.document_id == docs[0].id for h in hits)
        index.delete(docs[0].id)
        assert all(h.document_id != docs[0].id for h in index.search("bredband", k=10, mode="dense"))
    with SearchIndex(tmp_path / "index", default_analyzer(), HashingEmbedder(), dense_index="hnsw") as index:
        assert [h.document_id for h in index.search("bredband", k=1, mode="dense")] == [docs[1].id]


def test_delete_without_the_model_keeps_the_faiss_file_fresh(tmp_path: Path, monkeypatch):
    """`underlag delete` opens the index without the embedding model; removing vectors
    needs none, and rebuilding the FAISS file instead would take minutes at 1M (IVF)."""
    from index.search import SearchIndex
    from nlp.analyzer import default_analyzer
    from nlp.embed import HashingEmbedder

    docs = [_doc(c * 16, tmp_path / f"{c}.txt", [f"Rapport {c}: bredband på landsbygden."]) for c in "ab"]
    with SearchIndex(tmp_path / "index", default_analyzer(), HashingEmbedder()) as index:
        for doc in docs:
            index.add(doc)
    with SearchIndex(tmp_path / "index", default_analyzer()) as index:
        index.delete(docs[0].id)
        generation = index.store.generation()
    assert json.loads((tmp_path / "index" / dense.META_FILE).read_text())["generation"] == generation

    def refuse(*args, **kwargs):
        raise AssertionError("the FAISS file was rebuilt")
    monkeypatch.setattr(DerivedIndexes, "_rebuild_dense", refuse)
    with SearchIndex(tmp_path / "index", default_analyzer(), HashingEmbedder()) as index:
        assert [h.document_id for h in index.search("bredband", k=5, mode="dense")] == [docs[1].id]


def test_a_filter_is_read_from_the_store_once_per_generation(tmp_path: Path, monkeypatch):
    """The dense half keeps a filter's allowed rowids (reading them is most of a filtered
    search at 1M), and a document added or deleted is seen."""
    from index.search import Filters, SearchIndex
    from index.store import DocumentStore
    from nlp.analyzer import default_analyzer
    from nlp.embed import HashingEmbedder

    reads = []
    real = DocumentStore.filter_rowids
    monkeypatch.setattr(DocumentStore, "filter_rowids", lambda self, *a: reads.append(a) or real(self, *a))
    a, b = (_doc(c * 16, tmp_path / f"{c}.txt", [f"Rapport {c}: bredband på landsbygden."]) for c in "ab")
    only_2023 = Filters(year=2023)
    with SearchIndex(tmp_path / "index", default_analyzer(), HashingEmbedder()) as index:
        index.add(a)
        for _ in range(3):
            assert [h.document_id for h in index.search("bredband", k=5, mode="dense", filters=only_2023)] == [a.id]
        assert len(reads) == 1
        # a new document: the next search reads the filter again and finds it
        index.add(b)
        found = {h.document_id for h in index.search("bredband", k=5, mode="dense", filters=only_2023)}
        assert found == {a.id, b.id} and len(reads) == 2
        index.delete(a.id)
        assert [h.document_id for h in index.search("bredband", k=5, mode="dense", filters=only_2023)] == [b.id]
        # a different filter is its own entry
        assert index.search("bredband", k=5, mode="dense", filters=Filters(year=2019)) == []
        assert len(reads) == 4
