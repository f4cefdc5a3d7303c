"""PLACEHOLDER, being written now: running headers, footers, page numbers."""
from __future__ import annotations
from ingest.raw import RawLine


def strip_running_lines(lines: list[RawLine]) -> list[RawLine]:
    return lines
