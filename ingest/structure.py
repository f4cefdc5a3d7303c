"""PLACEHOLDER, being written now: sections, questions, blocks, footnotes, metadata."""
from __future__ import annotations
from ingest.raw import RawDocument
from underlag.model import Document


def build(raw: RawDocument, *, doc_id: str, lexicon) -> Document:
    raise NotImplementedError
