"""The list of documents in an index, read from its store alone: no search index opened and
no model loaded, so ``underlag documents`` answers in a fraction of a second."""

from __future__ import annotations

from pathlib import Path

from index.store import DocumentStore
from underlag.model import DocumentSummary


def documents_in(directory: Path) -> list[DocumentSummary]:
    """The documents of the index in ``directory`` (an empty list for a folder with none)."""
    with DocumentStore(Path(directory)) as store:
        return store.list()
