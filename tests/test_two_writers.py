"""Two processes on one data folder (the server, and the CLI ingesting next to it):
each sees what the other wrote, and neither saves a FAISS or Tantivy file that
claims the store's generation without the other's passages.

The second process is a second SearchIndex on the same folder; its write is made
to happen exactly between the first one's opening of the indexes and its commit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_dense import _doc

from index import dense, lexical
from index.search import Filters, SearchIndex
from index.sync import DerivedIndexes
from index.store import DocumentStore
from nlp.analyzer import default_analyzer
from nlp.embed import HashingEmbedder

TOPICS = {"a": "bredband på landsbygden", "b": "kollektivtrafik och pendling", "c": "innovation och företagande"}


@pytest.fixture
def docs(tmp_path: Path):
    return {c: _doc(c * 16, tmp_path / f"{c}.txt", [f"Rapport {c}: {t}."]) for c, t in TOPICS.items()}


def open_index(tmp_path: Path) -> SearchIndex:
    return SearchIndex(tmp_path / "index", default_analyzer(), HashingEmbedder())


def found(index: SearchIndex, query: str, mode: str, filters: Filters = Filters()) -> set[str]:
    return {h.document_id[0] for h in index.search(query, k=10, mode=mode, filters=filters)}


def recorded(tmp_path: Path, meta_file: str) -> tuple[int, int]:
    meta = json.loads((tmp_path / "index" / meta_file).read_text())
    return meta["generation"], meta.get("size", -1)


def test_an_open_index_sees_what_another_process_added(tmp_path: Path, docs, monkeypatch):
    with open_index(tmp_path) as server:
        server.add(docs["a"])
        assert found(server, "kollektivtrafik pendling", "dense") == {"a"}
        assert found(server, "kollektivtrafik pendling", "dense", Filters(year=2023)) == {"a"}
        with open_index(tmp_path) as cli:
            cli.add(docs["b"])
        # the server catches up from the store's change log, without reading the FAISS file again
        monkeypatch.setattr(dense.DenseIndex, "load", lambda *a, **k: pytest.fail("FAISS file read again"))
        for mode in ("lexical", "dense", "hybrid"):
            assert "b" in found(server, "kollektivtrafik pendling", mode), mode
            assert "b" in found(server, "kollektivtrafik pendling", mode, Filters(year=2023)), mode
        monkeypatch.undo()
        # b had the last rowids: SQLite gives them to c, and the server must not keep b's vectors
        with open_index(tmp_path) as cli:
            b_rowids = cli.store._document_rowids(docs["b"].id)
            cli.delete(docs["b"].id)
            cli.add(docs["c"])
            assert cli.store._document_rowids(docs["c"].id) == b_rowids
        monkeypatch.setattr(dense.DenseIndex, "load", lambda *a, **k: pytest.fail("FAISS file read again"))
        for mode in ("lexical", "dense"):
            assert found(server, "kollektivtrafik pendling", mode) <= {"a", "c"}, mode
            assert "c" in found(server, "innovation företagande", mode), mode
        assert server._derived._dense.size == 2


def _write_in_between(monkeypatch, server: SearchIndex, other_write) -> None:
    """Run ``other_write`` once, right before ``server`` commits its next change."""
    real_put = server.store.put

    def put(*args, **kwargs):
        other_write()
        monkeypatch.setattr(server.store, "put", real_put)
        return real_put(*args, **kwargs)
    monkeypatch.setattr(server.store, "put", put)


def test_a_write_in_between_is_taken_up_not_dropped(tmp_path: Path, docs, monkeypatch):
    """Before, the server added its change to the FAISS index it had in memory and
    saved it under the new generation: the CLI's passages were gone from dense search
    for good."""
    with open_index(tmp_path) as server:
        server.add(docs["a"])

        def cli_adds_b():
            with open_index(tmp_path) as cli:
                cli.add(docs["b"])
        _write_in_between(monkeypatch, server, cli_adds_b)
        change = server.add(docs["c"])
        assert change.generation == 3
        assert found(server, "rapport", "dense") == {"a", "b", "c"}
    # both files took up the CLI's change and record the store's generation: no rebuild
    assert recorded(tmp_path, dense.META_FILE) == (3, 3)
    assert recorded(tmp_path, lexical.META_FILE)[0] == 3
    monkeypatch.setattr(DerivedIndexes, "_rebuild_dense", lambda self: pytest.fail("FAISS rebuilt"))
    monkeypatch.setattr(lexical.LexicalIndex, "build", lambda *a, **k: pytest.fail("Tantivy rebuilt"))
    with open_index(tmp_path) as fresh:
        for mode in ("lexical", "dense"):
            assert found(fresh, "rapport", mode) == {"a", "b", "c"}, mode


def test_a_write_whose_indexes_were_never_updated_is_caught_up_or_rebuilt(tmp_path: Path, docs, monkeypatch):
    """The CLI stored its document but died before updating FAISS and Tantivy: the
    server's next change takes the CLI's passages into FAISS from the change log, and
    leaves the Tantivy files, which lack them, to a rebuild instead of recording its
    generation in them."""
    with open_index(tmp_path) as server:
        server.add(docs["a"])

        def cli_stores_b_and_dies():
            with open_index(tmp_path) as cli:
                monkeypatch.setattr(cli._derived, "follow", lambda change, vectors: None)
                cli.add(docs["b"])
        _write_in_between(monkeypatch, server, cli_stores_b_and_dies)
        server.add(docs["c"])
    with DocumentStore(tmp_path / "index") as store:
        assert store.generation() == 3
    assert recorded(tmp_path, dense.META_FILE) == (3, 3)
    assert recorded(tmp_path, lexical.META_FILE)[0] != 3
    with open_index(tmp_path) as fresh:
        for mode in ("lexical", "dense"):
            assert found(fresh, "rapport", mode) == {"a", "b", "c"}, mode


def test_beyond_the_change_log_the_saved_file_is_taken_up(tmp_path: Path, docs, monkeypatch):
    monkeypatch.setattr("index.store.CHANGE_LOG_KEEP", 1)
    with open_index(tmp_path) as server:
        server.add(docs["a"])
        with open_index(tmp_path) as cli:
            cli.add(docs["b"])
            cli.add(docs["c"])
        assert found(server, "rapport", "dense") == {"a", "b", "c"}
        assert server._derived._dense_gen == 3
