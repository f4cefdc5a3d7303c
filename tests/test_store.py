"""The document store keeps documents by content, replaces changed files and survives failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.store import DocumentStore
from underlag.model import Block, BlockKind, Document, DocumentMetadata, Section


def make_doc(doc_id: str, source: Path, title: str = "Återrapportering 2023") -> Document:
    section = Section(number="1.1", title="Regional utvecklingsstrategi", heading_path=["1.1 Regional utvecklingsstrategi"],
                      level=2, blocks=[Block(kind=BlockKind.PARAGRAPH, text="Vi har arbetat med RUS.")])
    return Document(id=doc_id, source=str(source), filename=source.name, format="txt",
                    metadata=DocumentMetadata(title=title, doc_type="återrapportering", years=[2023]),
                    sections=[section])


@pytest.fixture()
def store(tmp_path: Path):
    with DocumentStore(tmp_path / "index") as s:
        yield s


def test_stored_document_round_trips(store, tmp_path):
    doc = make_doc("a" * 16, tmp_path / "r.txt")
    store.put(doc)
    assert store.get(doc.id) == doc
    assert [d.title for d in store.list()] == ["Återrapportering 2023"]


def test_changed_file_replaces_its_old_version(store, tmp_path):
    src = tmp_path / "r.txt"
    store.put(make_doc("a" * 16, src, "Version 1"))
    change = store.put(make_doc("b" * 16, src, "Version 2"))
    assert change.replaced == ["a" * 16]
    assert [(d.id, d.title) for d in store.list()] == [("b" * 16, "Version 2")]


def test_same_content_from_two_files_is_kept_once_per_source(store, tmp_path):
    store.put(make_doc("a" * 16, tmp_path / "x.txt"))
    store.put(make_doc("c" * 16, tmp_path / "y.txt"))
    assert len(store.list()) == 2
    assert store.ids_for_source(tmp_path / "x.txt") == ["a" * 16]


def test_failed_transaction_leaves_earlier_documents_intact(store, tmp_path):
    store.put(make_doc("a" * 16, tmp_path / "x.txt"))
    with pytest.raises(RuntimeError):
        with store.transaction() as db:
            db.execute("DELETE FROM documents")
            raise RuntimeError("crash mid-ingest")
    assert store.has("a" * 16)


def test_store_reopens_with_its_documents(tmp_path):
    with DocumentStore(tmp_path / "index") as s:
        s.put(make_doc("a" * 16, tmp_path / "x.txt"))
    with DocumentStore(tmp_path / "index") as s:
        assert s.get("a" * 16) is not None


def test_delete_and_resolve_by_prefix_or_filename(store, tmp_path):
    store.put(make_doc("abc" + "0" * 13, tmp_path / "x.txt"))
    assert store.resolve("abc") == "abc" + "0" * 13
    assert store.resolve("x.txt") == "abc" + "0" * 13
    assert store.resolve("zzz") is None
    assert store.delete("abc" + "0" * 13) is not None
    assert store.list() == []
    assert store.delete("abc" + "0" * 13) is None
