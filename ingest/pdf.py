"""PLACEHOLDER, being written now: the pdf reader."""
from __future__ import annotations
from pathlib import Path
from ingest.raw import RawDocument
from underlag.settings import Settings


def read(path: Path, settings: Settings) -> RawDocument:
    raise NotImplementedError
