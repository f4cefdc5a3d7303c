"""What a reader hands to the later ingest stages: lines with layout hints.

Readers (``ingest/pdf.py``, ``ingest/docx.py``, ``ingest/text.py``) know their
format and nothing about Swedish or report structure; ``ingest/repair.py`` and
``ingest/structure/`` know Swedish and structure and nothing about formats.
This module is the seam between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RawLine:
    """One line of a source document, in reading order.

    ``text`` is a physical line for PDF and text files (hard wraps are still
    there; structure joins them) and a whole paragraph for Word.
    ``heading_level`` is set when the source itself says the line is a heading
    (a Word heading style, a Markdown "#"); ``list_item`` when it says the line
    is a list item. ``table`` carries a whole table as rows of cells, with
    ``text`` empty. ``blank`` lines separate paragraphs in text files.
    """

    text: str
    page: int | None = None
    heading_level: int | None = None
    list_item: bool = False
    table: tuple[tuple[str, ...], ...] | None = None

    @property
    def blank(self) -> bool:
        return self.table is None and not self.text.strip()


@dataclass(frozen=True)
class RawDocument:
    """A source file read into lines, before repair and structure."""

    path: str
    format: str
    lines: list[RawLine]
    page_count: int | None = None
    # Metadata the container states (Word core properties, PDF info dict).
    title: str | None = None
    author: str | None = None
    created: str | None = None
    warnings: list[str] = field(default_factory=list)
