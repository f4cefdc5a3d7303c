"""The composition root: the one place that assembles index, models and tagger for the
command line, the web service and the evaluations.

Models are loaded here, on demand, never at import time. Everything below this layer
takes its models as arguments, so tests build their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from index.search import SearchIndex
from ingest.pipeline import parse_many
from nlp.analyzer import Analyzer, default_analyzer
from nlp.embed import Embedder, load_embedder
from nlp.tagger import Tagger
from nlp.tagger_training import build_tagger
from underlag.model import Document
from underlag.settings import Settings


def build_analyzer() -> Analyzer:
    """The production Swedish analyzer (loaded once per process)."""
    return default_analyzer()


def build_embedder(settings: Settings, *, threads: int | None = None) -> Embedder:
    """The embedding model the settings name, loaded offline (``threads``: the runtime's
    intra-op threads, default its own choice)."""
    return load_embedder(settings, threads=threads)


def load_tagger(settings: Settings, embedder: Embedder, analyzer: Analyzer) -> Tagger:
    """The goal tagger (trained on first use from the labelled data, then cached)."""
    return build_tagger(embedder, analyzer, cache_dir=settings.tagger_dir,
                        labels_path=settings.tagging_labels, taxonomy_dir=settings.taxonomies_dir,
                        examples_path=settings.training_dir / "agenda2030_examples.jsonl",
                        indicators_path=settings.taxonomies_dir / "un" / "agenda2030_indicators_en.yml",
                        aurora_dir=settings.taxonomies_dir / "aurora")


def open_index(settings: Settings, embedder: Embedder | None = None,
               analyzer: Analyzer | None = None, *, dense: bool = True) -> SearchIndex:
    """The index in the settings' data folder, with the production models unless given.

    ``dense=False`` opens it without an embedding model, for listing and deleting
    (a deletion removes its vectors from the FAISS file all the same).
    """
    analyzer = analyzer if analyzer is not None else build_analyzer()
    if dense and embedder is None:
        embedder = build_embedder(settings)
    return SearchIndex(settings.index_dir, analyzer, embedder if dense else None,
                       dense_index=settings.dense_index, lexical_engine=settings.lexical_engine)


def open_tagged_index(settings: Settings, notify: Callable[[int], None] | None = None) -> SearchIndex:
    """The index with its embedder and a tagger; documents not yet tagged are tagged now
    (``notify`` hears how many, before the work starts)."""
    index = open_index(settings)
    index.tagger = load_tagger(settings, index.embedder, index.analyzer)
    todo = index.untagged_documents()
    if todo:
        if notify is not None:
            notify(len(todo))
        index.ensure_tags()
    return index


def parse_corpus(folder: Path) -> Iterator[Document]:
    """Every document of a folder that parses (for evaluations over the sample corpus)."""
    for result in parse_many([folder]):
        if result.document is not None:
            yield result.document
