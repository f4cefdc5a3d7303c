"""Sentence evidence in re-ranking: sentence vectors stored at ingest, read for the fused top
passages, filled in for data folders from before them, never mixed across models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from api.cli import app
from index.fusion import adaptive
from index.passages import sentence_texts
from index.query import plan_query
from index import rerank
from index.rerank import SENTENCE_WEIGHT, by_best_sentence, sentence_weight
from index.search import SearchIndex
from ingest.pipeline import parse_file
from nlp.analyzer import default_analyzer
from nlp.embed import HashingEmbedder
from underlag.model import Passage

from conftest import SEEDS

PROJECT = SEEDS["projektbeskrivning"]


@pytest.fixture(scope="module")
def analyzer():
    return default_analyzer()


@pytest.fixture()
def small_index(tmp_path: Path, analyzer, corpus_dir: Path):
    index = SearchIndex(tmp_path / "index", analyzer, HashingEmbedder())
    index.add(parse_file(corpus_dir / PROJECT))
    yield index
    index.close()


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


# -- the re-scoring itself ------------------------------------------------------------

def test_a_passage_whose_one_sentence_answers_the_query_rises_above_a_vaguely_closer_one():
    q = _unit([1, 0, 0])
    # passage 1 is a little closer as a whole; passage 2 averages one exact sentence with others
    den = [(1, 0.80), (2, 0.75), (3, 0.40), (4, 0.35)]
    ranked = adaptive([], den, 0.0)
    assert [r for r, _ in ranked][:2] == [1, 2]
    sentences = {2: np.vstack([_unit([0, 1, 0]), q]), 1: np.vstack([_unit([0.6, 0.8, 0]), _unit([0.5, 0, 0.87])])}
    out = by_best_sentence(ranked, q, den, lambda rs: {r: sentences[r] for r in rs if r in sentences},
                           lambda rs: {}, weight=0.7)
    assert [r for r, _ in out][:2] == [2, 1]
    # without sentence vectors nothing moves (a passage keeps its passage cosine)
    same = by_best_sentence(ranked, q, den, lambda rs: {}, lambda rs: {}, weight=0.7)
    assert same == ranked


def test_only_the_head_is_rescored_and_it_stays_above_the_tail():
    q = _unit([1, 0])
    den = [(i, 0.9 - 0.01 * i) for i in range(10)]
    ranked = adaptive([], den, 0.0)
    sentences = {9: np.vstack([q, q])}  # the last passage's sentences match exactly, but it is in the tail
    out = by_best_sentence(ranked, q, den, lambda rs: {r: sentences[r] for r in rs if r in sentences},
                           lambda rs: {}, depth=3)
    assert out == ranked


def test_a_passage_only_bm25_found_is_rescored_by_its_own_cosine_not_the_floor():
    q = _unit([1, 0])
    den = [(1, 0.9), (2, 0.5)]
    ranked = adaptive([(7, 10.0)], den, 4.0)  # rowid 7: BM25's only hit, not in the dense list
    floor_score = dict(ranked)[7]
    half = _unit([1, 1])
    out = dict(by_best_sentence(ranked, q, den, lambda rs: {7: np.vstack([half, half])}, lambda rs: {7: q}))
    # passage cosine 1.0 (not the list's lowest, 0.5) and best sentence 0.71
    assert out[7] > floor_score


def test_a_long_question_is_rescored_by_whole_passages_only(analyzer):
    short = plan_query("kostnadsfri coachning för små firmor", analyzer)
    long = plan_query("Beskriv kortfattat hur arbetet med kommersiell service har genomförts under året "
                      "och hur stödet till dagligvaruhandeln och drivmedelsstationer på landsbygden "
                      "har fördelats mellan kommunerna", analyzer)
    assert sentence_weight(short) == SENTENCE_WEIGHT > 0
    assert sentence_weight(long) == 0


# -- what ingest stores -----------------------------------------------------------------

def test_ingest_stores_one_vector_per_sentence_of_each_passage(small_index: SearchIndex, analyzer):
    rows = small_index.store.document_passages(small_index.store.list()[0].id)
    stored = small_index.store.sentence_vectors([r for r, _ in rows])
    expected = {r: len(sentence_texts(p, analyzer.sentences)) for r, p in rows}
    assert {r: len(m) for r, m in stored.items()} == {r: n for r, n in expected.items() if n}
    assert any(n >= 2 for n in expected.values())
    # each stored row is the embedding of that sentence (float16: ~1e-3)
    r, p = next((r, p) for r, p in rows if expected[r])
    again = small_index.embedder.encode_passages(sentence_texts(p, analyzer.sentences))
    assert np.allclose(stored[r], again, atol=2e-3)
    assert small_index.store.passages_without_sentences() == []


def test_a_passage_of_one_sentence_stores_none(analyzer):
    p = Passage(id="d:0:0", document_id="d", filename="f", document="f", section_title="Rubrik", heading_path=["Rubrik"],
                text="Projektet har anställt två personer under året.")
    assert sentence_texts(p, analyzer.sentences) == []
    two = p.model_copy(update={"text": p.text + " De arbetar med kompetensförsörjning i länet."})
    assert sentence_texts(two, analyzer.sentences) == [
        "Projektet har anställt två personer under året.", "De arbetar med kompetensförsörjning i länet."]


def test_deleting_a_document_deletes_its_sentence_vectors(small_index: SearchIndex):
    doc_id = small_index.store.list()[0].id
    small_index.delete(doc_id)
    assert small_index.store._db.execute("SELECT count(*) FROM passage_sentences").fetchone()[0] == 0


# -- data folders from before sentence vectors, and a change of model -------------------------

def _forget_sentences(index: SearchIndex) -> None:
    """The data folder as it was before the sentence table: no rows in it."""
    index.store._db.execute("DELETE FROM passage_sentences")
    index.store._db.execute("DELETE FROM meta WHERE key = 'sentence_embedder'")


def test_an_old_data_folder_searches_without_sentences_until_reindexed(small_index: SearchIndex, monkeypatch):
    query = "mötesplatser för företag"
    with_sentences = [(h.id, h.score) for h in small_index.search(query, k=10)]
    _forget_sentences(small_index)
    n = small_index.passage_count()
    assert len(small_index.store.passages_without_sentences()) == n
    without = [(h.id, h.score) for h in small_index.search(query, k=10)]
    assert without and without != with_sentences  # works, ranked by passage vectors only
    monkeypatch.setattr(rerank, "SENTENCE_DEPTH", 0)  # as before sentence vectors existed
    assert [(h.id, h.score) for h in small_index.search(query, k=10)] == without
    monkeypatch.undo()
    assert small_index.embed_missing_sentences() == n
    assert small_index.store.passages_without_sentences() == []
    assert [(h.id, h.score) for h in small_index.search(query, k=10)] == with_sentences


def test_underlag_reindex_fills_in_missing_sentence_vectors(tmp_path: Path, corpus_dir: Path, monkeypatch):
    from api import components

    monkeypatch.setattr(components, "build_embedder", lambda settings: HashingEmbedder())
    runner = CliRunner()
    data = str(tmp_path / "data")
    assert runner.invoke(app, ["ingest", str(corpus_dir / PROJECT), "--data-dir", data]).exit_code == 0
    assert "alla stycken" in runner.invoke(app, ["reindex", "--data-dir", data]).stdout
    from underlag.settings import Settings

    with components.open_index(Settings(data_dir=Path(data))) as index:
        _forget_sentences(index)
        n = index.passage_count()
    result = runner.invoke(app, ["reindex", "--data-dir", data, "--json"])
    assert result.exit_code == 0 and f'"passages": {n}' in result.stdout


def test_sentence_vectors_of_another_model_are_ignored_and_redone(small_index: SearchIndex, tmp_path: Path,
                                                                  analyzer, corpus_dir: Path):
    rowids = [r for r, _ in small_index.store.all_passages()]
    assert small_index._sentence_vectors(rowids)
    other = SearchIndex(small_index.directory, analyzer, HashingEmbedder(dim=128))
    try:
        assert other._sentence_vectors(rowids) == {}  # 256-dim vectors of another model: unused
        other.add(parse_file(corpus_dir / SEEDS["uppfoljning"]))  # a write redoes them all first
        stored = other.store.sentence_vectors(other.store.passages_without_sentences() or
                                              [r for r, _ in other.store.all_passages()])
        assert stored and {m.shape[1] for m in stored.values()} == {128}
        assert other.store.sentence_embedder_name() == "hashing-test-128"
    finally:
        other.close()


# -- the server fills them in itself -----------------------------------------------------------

def test_embed_missing_sentences_with_a_limit_does_that_many_and_the_next_call_the_rest(small_index: SearchIndex):
    _forget_sentences(small_index)
    n = small_index.sentences_missing()
    assert n == small_index.passage_count() > 3
    assert small_index.embed_missing_sentences(limit=3) == 3
    assert small_index.sentences_missing() == n - 3
    assert small_index.embed_missing_sentences(limit=n) == n - 3
    assert small_index.sentences_missing() == 0 and small_index.embed_missing_sentences(limit=3) == 0


def test_with_a_limit_another_models_vectors_are_dropped_at_once_never_mixed(small_index: SearchIndex, analyzer):
    other = SearchIndex(small_index.directory, analyzer, HashingEmbedder(dim=128))
    try:
        n = other.passage_count()
        assert other.sentences_missing() == n  # the stored vectors are another model's
        assert other.embed_missing_sentences(limit=2) == 2
        stored = other.store.sentence_vectors([r for r, _ in other.store.all_passages()])
        assert {m.shape[1] for m in stored.values()} == {128}  # only the new model's left
        assert other.sentences_missing() == n - 2
    finally:
        other.close()


def test_the_server_embeds_the_sentences_of_a_data_folder_from_before_them(tmp_path: Path, analyzer,
                                                                           corpus_dir: Path, monkeypatch):
    import time

    from fastapi.testclient import TestClient

    import api.service
    from api.app import create_app
    from underlag.settings import Settings

    from conftest import LOCAL

    monkeypatch.setattr(api.service, "SENTENCE_BATCH", 4)  # several calls, as at scale
    settings = Settings(data_dir=tmp_path / "data")
    with SearchIndex(settings.index_dir, analyzer, HashingEmbedder()) as index:
        index.add(parse_file(corpus_dir / PROJECT))
        rows = index.store.document_passages(index.store.list()[0].id)
        expected = index.store.sentence_vectors([r for r, _ in rows])
        _forget_sentences(index)
        assert index.sentences_missing() == len(rows)
    with TestClient(create_app(settings, HashingEmbedder(), seed_corpus=None), base_url=LOCAL) as c:
        deadline = time.monotonic() + 60
        with SearchIndex(settings.index_dir, analyzer, HashingEmbedder()) as index:
            while index.sentences_missing() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert index.sentences_missing() == 0
            stored = index.store.sentence_vectors([r for r, _ in rows])
        assert stored.keys() == expected.keys()
        assert all(np.array_equal(stored[r], expected[r]) for r in expected)
        assert c.app.state.service.sentences_pending == 0
