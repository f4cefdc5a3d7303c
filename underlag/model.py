"""The typed data model that flows through every stage.

``ingest`` produces a :class:`Document` (metadata, sections, blocks, footnotes),
``nlp`` enriches it, ``index`` stores it and ``api`` returns it. The models are
frozen pydantic models so they serialise to the JSON that the CLI and the API
print, with the field names those interfaces promise.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field, field_serializer, model_validator


class BlockKind(str, Enum):
    """What a block of a section is."""

    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    TABLE = "table"
    # The template's own text (question elaborations, "Observera!" notes):
    # kept, but apart from the region's answer.
    INSTRUCTION = "instruction"
    # A Ja/Nej answer such as "Ja ☒ / Nej ☐"; ``choice`` holds what was ticked.
    CHOICE = "choice"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Block(_Frozen):
    """One paragraph, list item, table, template instruction or Ja/Nej answer."""

    kind: BlockKind
    text: str
    page: int | None = None
    # Tables keep their rows; ``text`` is the rows rendered one per line with " | ".
    rows: list[list[str]] | None = None
    # For CHOICE blocks: the ticked option ("Ja"/"Nej"), or None when nothing is ticked.
    choice: str | None = None


def render_rows(rows: list[list[str]]) -> str:
    """Render table rows as text, one row per line, cells separated by " | "."""
    return "\n".join(" | ".join(cell.strip() for cell in row) for row in rows)


class Section(_Frozen):
    """A heading and the blocks under it, up to the next heading.

    ``number`` is the heading's number ("1.3.2") when it has one. A section that
    is a template question ("1.1 Beskriv hur ...") has ``question`` set to the
    full question text, its INSTRUCTION blocks hold the template's guidance and
    the other blocks are the answer.
    """

    number: str | None = None
    title: str
    heading_path: list[str]
    level: int
    page: int | None = None
    question: str | None = None
    blocks: list[Block] = []

    @model_validator(mode="before")
    @classmethod
    def _ignore_computed_text(cls, data: Any) -> Any:
        # ``text`` is derived from the blocks; serialised documents carry it for
        # readers, and it is dropped when they are loaded back.
        if isinstance(data, dict) and "text" in data:
            data = {k: v for k, v in data.items() if k != "text"}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def text(self) -> str:
        """The section's own content (the answer, for a question), without instructions."""
        return "\n\n".join(b.text for b in self.blocks if b.kind is not BlockKind.INSTRUCTION and b.text)

    @property
    def instruction_text(self) -> str:
        """The template's instruction text inside this section."""
        return "\n\n".join(b.text for b in self.blocks if b.kind is BlockKind.INSTRUCTION)


class Footnote(_Frozen):
    """A footnote's text, kept apart from the body it annotates."""

    number: str
    text: str
    page: int | None = None


class DocumentMetadata(_Frozen):
    """What a document is: every field optional, filled when the source states it."""

    title: str | None = None
    organisation: str | None = None
    # "återrapportering", "projektbeskrivning", "uppföljning", "rapport", ...
    doc_type: str | None = None
    # The year(s) the report covers (2021; 2022 and 2023; 2024 and 2025).
    years: list[int] = []
    # ISO date (YYYY-MM-DD) of the document itself, when stated.
    date: str | None = None
    diarienummer: list[str] = []


class Document(_Frozen):
    """A parsed, repaired and structured document."""

    # Content hash of the source file (hex); stable across re-ingests of the same bytes.
    id: str
    source: str
    filename: str
    format: str  # "pdf", "docx", "txt", "md"
    metadata: DocumentMetadata
    sections: list[Section]
    footnotes: list[Footnote] = []
    page_count: int | None = None
    # Non-fatal problems met while reading ("decoded as cp1252", ...).
    warnings: list[str] = []

    @property
    def text(self) -> str:
        """All section text in reading order (headings included), for whole-document use."""
        parts: list[str] = []
        for s in self.sections:
            parts.append(s.title if s.number is None else f"{s.number} {s.title}")
            if s.text:
                parts.append(s.text)
        return "\n\n".join(parts)


class Passage(_Frozen):
    """A retrievable piece of a section, carrying where it comes from.

    Passages never cross sections; each carries its document's metadata and the
    section's heading path so a hit can be shown and filtered on its own.
    """

    id: str  # "<document id>:<section index>:<passage index>"
    document_id: str
    filename: str
    document: str  # the document's title (or file name)
    doc_type: str | None = None
    organisation: str | None = None
    years: list[int] = []
    section: str | None = None  # the section number, e.g. "1.3"
    section_title: str
    heading_path: list[str]
    page: int | None = None
    kind: str = "text"  # "text" or "table"
    text: str

    @model_validator(mode="before")
    @classmethod
    def _ignore_computed_year(cls, data: Any) -> Any:
        # ``year`` is derived from ``years``; serialised passages carry it for readers
        if isinstance(data, dict) and "year" in data:
            data = {k: v for k, v in data.items() if k != "year"}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def year(self) -> int | None:
        """The (last) year the document covers."""
        return max(self.years) if self.years else None


class Hit(Passage):
    """A passage as a search result: the passage itself plus how it was found.

    ``text``, ``document``, ``section``, ``heading_path``, ``year``, ``page`` and
    ``score`` are the public JSON fields the CLI and the API promise.
    """

    score: float
    # character spans of ``text`` that match the query's words
    highlights: list[tuple[int, int]] = []
    lexical_rank: int | None = None
    dense_rank: int | None = None
    # prior wording only: how much of the given text this passage repeats (0..1)
    overlap: float | None = None

    @classmethod
    def of(cls, passage: Passage, **found: Any) -> Hit:
        """The hit for ``passage`` with what the search found (score, ranks, highlights)."""
        return cls(**dict(passage), **found)


class DocumentSummary(_Frozen):
    """A row of the document listing: what a document is, without its sections."""

    id: str
    source: str
    filename: str
    title: str | None
    doc_type: str | None
    years: list[int]
    sections: int
    ingested_at: str


class TagEvidence(_Frozen):
    """A sentence of the tagged text that supports a tag; spans index the tagged text."""

    text: str
    start: int
    end: int
    # spans of the tagged text (not of ``text``) whose words made the tag
    highlights: list[tuple[int, int]] = []


class Tag(_Frozen):
    """One goal or target a text concerns, with a calibrated score in [0, 1] and its evidence."""

    framework: str
    id: str
    title: str
    level: str  # "goal" or "target"
    score: float
    parent: str | None = None
    evidence: list[TagEvidence] = []
    # the signals the score was combined from (embedding, lexicon, head, ...)
    signals: dict[str, float] = {}

    @property
    def key(self) -> str:
        return f"{self.framework}:{self.id}"

    @field_serializer("score")
    def _rounded(self, score: float) -> float:
        return round(score, 4)

    @field_serializer("signals")
    def _rounded_signals(self, signals: dict[str, float]) -> dict[str, float]:
        return {k: round(v, 4) for k, v in signals.items()}
