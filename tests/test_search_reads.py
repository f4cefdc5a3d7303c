"""One search request reads each index once and embeds the query once: a page, its total
and its facets (index.paging), and `underlag search --with-total`, fuse from the same reads."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from api.cli import app
from index.paging import duplicate_key, search_page
from index.search import SearchIndex
from ingest.pipeline import parse_file
from nlp.analyzer import default_analyzer
from nlp.embed import HashingEmbedder

from conftest import SEEDS


class CountingEmbedder(HashingEmbedder):
    """The hashing test model, counting the queries it embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.queries: list[str] = []

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.queries.extend(texts)
        return super().encode_queries(texts)


@pytest.fixture(scope="module")
def index(tmp_path_factory, corpus_dir: Path):
    ix = SearchIndex(tmp_path_factory.mktemp("reads") / "index", default_analyzer(), CountingEmbedder())
    ix.add(parse_file(corpus_dir / SEEDS["projektbeskrivning"]))
    ix.add(parse_file(corpus_dir / SEEDS["uppfoljning"]))
    yield ix
    ix.close()


@pytest.mark.parametrize("mode", ["hybrid", "dense", "rrf"])
def test_a_page_with_its_total_and_facets_embeds_the_query_once(index: SearchIndex, mode):
    index.embedder.queries.clear()
    page = search_page(index, "samverkan med kommunerna", mode=mode, limit=5)
    assert page.total > 0 and page.facets["document"]
    assert index.embedder.queries == ["samverkan med kommunerna"]


@pytest.mark.parametrize("mode", ["hybrid", "lexical", "dense", "rrf"])
def test_fusing_the_head_of_a_deep_read_ranks_as_a_shallow_read(index: SearchIndex, mode):
    query = "mötesplatser för små företag"
    deep = index.candidates(query, mode=mode, depth=1000)
    assert index.rank(deep, 20).ranked == index.ranking(query, mode=mode, depth=20).ranked


def test_a_pages_hits_are_the_searchs_hits_copies_collapsed(index: SearchIndex):
    query = "utmaningsdrivna kraftsamlingar"
    leaders, seen = [], set()
    for h in index.search(query, k=100):
        if duplicate_key(h.text) not in seen:
            seen.add(duplicate_key(h.text))
            leaders.append(h.id)
    page = search_page(index, query, limit=10)
    assert [ph.hit.id for ph in page.hits] == leaders[:10]
    assert [ph.hit.score for ph in page.hits][:1] == [index.search(query, k=1)[0].score]


def test_search_with_total_embeds_the_query_once(tmp_path: Path, corpus_dir: Path, monkeypatch):
    from api import components

    embedder = CountingEmbedder()
    monkeypatch.setattr(components, "build_embedder", lambda settings: embedder)
    runner = CliRunner()
    data = str(tmp_path / "data")
    assert runner.invoke(app, ["ingest", str(corpus_dir / SEEDS["projektbeskrivning"]),
                               "--data-dir", data]).exit_code == 0
    embedder.queries.clear()
    result = runner.invoke(app, ["search", "samverkan", "--data-dir", data, "--json", "-k", "3", "--with-total"])
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)) == 3 and result.stderr.strip().endswith("träffar")
    assert embedder.queries == ["samverkan"]
    # and the hits are those of a search without the total
    plain = runner.invoke(app, ["search", "samverkan", "--data-dir", data, "--json", "-k", "3"])
    assert [h["id"] for h in json.loads(plain.stdout)] == [h["id"] for h in json.loads(result.stdout)]
