"""Factories that assemble the components the CLI, the API and the evaluations share.

Models are loaded here, on demand, never at import time. Everything that
takes a model takes it as an argument, so tests build their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from index.search import SearchIndex
from nlp.analyzer import Analyzer, default_analyzer
from nlp.embed import Embedder
from underlag.model import Document
from underlag.settings import Settings


def build_analyzer() -> Analyzer:
    return default_analyzer()


def build_embedder(settings: Settings, *, threads: int | None = None) -> Embedder:
    """The embedding model the settings name, loaded offline (``threads``: PyTorch's
    intra-op threads, default PyTorch's own choice)."""
    from nlp.embed import load_e5_embedder

    return load_e5_embedder(settings.model_dir, quantize=settings.embed_int8, threads=threads)


def tagger_cache_dir(settings: Settings) -> Path:
    """Trained tagger models live next to the embedding model, shared by every data folder."""
    return settings.model_dir.parent / "tagger"


def load_tagger(settings: Settings, embedder: Embedder | None = None, analyzer: Analyzer | None = None):
    """The goal tagger (trained on first use from the labelled data in the repository, then cached)."""
    from nlp.tagger import build_tagger

    return build_tagger(embedder if embedder is not None else build_embedder(settings),
                        analyzer if analyzer is not None else build_analyzer(),
                        cache_dir=tagger_cache_dir(settings))


def open_index(settings: Settings, embedder: Embedder | None = None,
               analyzer: Analyzer | None = None, *, dense: bool = True) -> SearchIndex:
    """The index in the settings' data folder, with the default models unless given.

    ``dense=False`` opens it without an embedding model, for listing and deleting
    (a deletion removes its vectors from the FAISS file all the same).
    """
    if not dense:
        return SearchIndex(settings.index_dir, analyzer or build_analyzer(), None,
                           dense_index=settings.dense_index, lexical_engine=settings.lexical_engine)
    return SearchIndex(settings.index_dir, analyzer or build_analyzer(),
                       embedder if embedder is not None else build_embedder(settings),
                       dense_index=settings.dense_index, lexical_engine=settings.lexical_engine)


def parse_corpus(folder: Path) -> Iterator[Document]:
    """Every document of a folder that parses (for evaluations over the sample corpus)."""
    from ingest.pipeline import parse_many

    for result in parse_many([folder]):
        if result.document is not None:
            yield result.document
