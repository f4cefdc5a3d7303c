"""The Tantivy lexical engine: same matches as FTS5 under every filter, kept in step
with the store through adds and deletes, rebuilt from the store when stale or broken."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from index import lexical
from index.lexical import LexicalIndex, section_prefixes
from index.search import Filters, SearchIndex
from ingest.pipeline import parse_file
from nlp.analyzer import default_analyzer

from conftest import SEEDS

QUERIES = ["kompetensförsörjning", "bredband landsbygd", "samverkan med länsstyrelsen",
           "hållbar utveckling", "RUS"]


@pytest.fixture(scope="module")
def docs(corpus_dir):
    return {name: parse_file(corpus_dir / filename) for name, filename in SEEDS.items()}


@pytest.fixture()
def index_dir(tmp_path, docs) -> Path:
    """An index of all four reports (lexical only), closed again."""
    directory = tmp_path / "index"
    with SearchIndex(directory, default_analyzer()) as index:
        for doc in docs.values():
            index.add(doc)
    return directory


def matches(index: SearchIndex, query: str, filters: Filters = Filters()) -> dict[int, float]:
    return dict(index.lexical(index.analyzer.query_terms(query), 10_000, filters))


def no_rebuild(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the lexical index was rebuilt")
    monkeypatch.setattr(LexicalIndex, "build", classmethod(refuse))


def test_section_prefixes():
    assert section_prefixes("1.3.2") == ["1", "1.3", "1.3.2"]
    assert section_prefixes("4.") == ["4"]
    assert section_prefixes(None) == []


def test_tantivy_matches_the_same_passages_as_fts5_under_every_filter(index_dir, docs):
    project = docs["projektbeskrivning"]
    report_2023 = docs["aterrapportering_2023"]
    every_filter = [
        Filters(), Filters(year=2021), Filters(year=2023), Filters(doc_type=project.metadata.doc_type),
        Filters(document=report_2023.filename), Filters(section="1"), Filters(section="1.3"),
        Filters(organisation="Region Örebro län"), Filters(year=2023, section="1", doc_type="återrapportering"),
    ]
    with SearchIndex(index_dir, default_analyzer()) as tv, \
            SearchIndex(index_dir, default_analyzer(), lexical_engine="fts5") as fts:
        checked = 0
        for query in QUERIES:
            for filters in every_filter:
                found, expected = matches(tv, query, filters), matches(fts, query, filters)
                assert set(found) == set(expected), (query, filters)
                checked += bool(expected)
                scores = list(found.values())
                assert all(s > 0 for s in scores)
        assert checked >= len(QUERIES) * 5  # most combinations match something


def test_tantivy_ranking_agrees_with_fts5(index_dir):
    """Both are BM25 with k1 1.2, b 0.75; they differ in IDF details only."""
    with SearchIndex(index_dir, default_analyzer()) as tv, \
            SearchIndex(index_dir, default_analyzer(), lexical_engine="fts5") as fts:
        overlaps = []
        for query in QUERIES:
            top_tv = [h.id for h in tv.search(query, k=10, mode="lexical")]
            top_fts = [h.id for h in fts.search(query, k=10, mode="lexical")]
            assert top_tv[0] == top_fts[0], query
            overlaps.append(len(set(top_tv) & set(top_fts)) / 10)
        # Tantivy's IDF stays positive for words in most passages ("utveckling"), FTS5's
        # falls to zero: their orders part there (0.5 for "hållbar utveckling")
        assert sum(overlaps) / len(overlaps) >= 0.75, overlaps


def test_adds_and_deletes_reach_the_lexical_index_without_a_rebuild(tmp_path, docs, monkeypatch):
    directory = tmp_path / "index"
    project, report = docs["projektbeskrivning"], docs["aterrapportering_2021"]
    with SearchIndex(directory, default_analyzer()) as index:
        index.add(project)
        no_rebuild(monkeypatch)
        index.add(report)
        assert {h.document_id for h in index.search("bredband", k=50, mode="lexical")} == {report.id}
        index.delete(report.id)
        assert not index.search("Tångeråsa", k=5, mode="lexical")
    # a new process finds the files at the store's generation and does not rebuild them
    with SearchIndex(directory, default_analyzer()) as index:
        generation = index.store.generation()
        assert json.loads((directory / lexical.META_FILE).read_text())["generation"] == generation
        hits = index.search("projekt", k=50, mode="lexical")
        assert hits and {h.document_id for h in hits} == {project.id}


@pytest.mark.parametrize("damage", ["stale generation", "no meta", "no index folder", "garbage index"])
def test_stale_or_broken_lexical_index_is_rebuilt_from_the_store(index_dir, damage):
    with SearchIndex(index_dir, default_analyzer(), lexical_engine="fts5") as fts:
        expected = {q: set(matches(fts, q)) for q in QUERIES}
        generation = fts.store.generation()
    meta, folder = index_dir / lexical.META_FILE, index_dir / lexical.INDEX_DIR
    if damage == "stale generation":
        meta.write_text(json.dumps({"format": lexical.FORMAT, "generation": generation - 1}))
    elif damage == "no meta":
        meta.unlink()
    elif damage == "no index folder":
        shutil.rmtree(folder)
    else:
        shutil.rmtree(folder)
        folder.mkdir()
        (folder / "meta.json").write_text("{not json")
    with SearchIndex(index_dir, default_analyzer()) as tv:
        assert {q: set(matches(tv, q)) for q in QUERIES} == expected
    assert json.loads(meta.read_text())["generation"] == generation


def test_a_write_the_lexical_index_missed_is_caught_up_on_open(tmp_path, docs):
    """A store change the Tantivy files never saw (another engine, or a crash between the
    two commits) leaves them at an older generation: the next open rebuilds them."""
    directory = tmp_path / "index"
    project, report = docs["projektbeskrivning"], docs["aterrapportering_2021"]
    with SearchIndex(directory, default_analyzer()) as index:
        index.add(project)
    with SearchIndex(directory, default_analyzer(), lexical_engine="fts5") as index:
        index.add(report)  # the Tantivy files are not touched
    with SearchIndex(directory, default_analyzer()) as index:
        assert {h.document_id for h in index.search("Tångeråsa", k=5, mode="lexical")} == {report.id}


def test_a_write_waits_for_another_writer_and_survives_one_that_never_ends(tmp_path, docs, monkeypatch):
    """Tantivy allows one writer per index (the server and the CLI may both write): a
    write waits for it, and if it holds on too long the change is still stored and the
    lexical files are rebuilt from the store when next opened."""
    import tantivy

    directory = tmp_path / "index"
    project, report = docs["projektbeskrivning"], docs["aterrapportering_2021"]
    with SearchIndex(directory, default_analyzer()) as index:
        index.add(project)
    other = tantivy.Index.open(str(directory / lexical.INDEX_DIR)).writer(heap_size=15_000_000, num_threads=1)
    monkeypatch.setattr(lexical, "WRITER_WAIT_S", 0.3)
    with SearchIndex(directory, default_analyzer()) as index:
        change = index.add(report)  # does not raise
        assert change.added_rowids
        del other  # the other writer ends
        assert {h.document_id for h in index.search("Tångeråsa", k=5, mode="lexical")} == {report.id}
