"""Request and response models of the API (the OpenAPI schema is built from these).

Documents and hits reuse the shared data model; what the API leaves out is
where files live on the server (``source``): a client gets ids and file names.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from underlag.model import Block, DocumentMetadata, DocumentSummary, Footnote, Hit

MAX_TEXT_CHARS = 200_000


class ErrorOut(BaseModel):
    """Every 4xx/5xx answer: a readable message and a short machine-readable code."""

    detail: str
    code: str


class Health(BaseModel):
    status: Literal["ok"]
    documents: int
    passages: int
    embedder: str
    token_required: bool = Field(description="Whether upload and delete need a bearer token.")
    max_upload_mb: float
    tagging_pending: int = Field(0, description="Documents still being tagged with goals in the background "
                                 "(goal filters and the portfolio leave them out until then).")


class DocumentListing(DocumentSummary):
    """A document of the listing as the web service shows it: with its page, without the
    server's own path to the file."""

    source: SkipJsonSchema[str] = Field(exclude=True)
    url: str = Field(description="The document's page in the web interface.")
    passages: int | None = Field(None, description="Passages indexed.")
    organisation: str | None = None
    tagged: bool | None = Field(None, description="Whether its passages are tagged with goals yet "
                                "(None: the server has no tagger).")


class SectionOut(BaseModel):
    index: int = Field(description="Position in the document; the page anchor is #avsnitt-<index>.")
    number: str | None
    title: str
    heading_path: list[str]
    level: int
    page: int | None
    question: str | None
    text: str
    instruction_text: str
    blocks: list[Block]


class DocumentOut(BaseModel):
    id: str
    filename: str
    format: str
    metadata: DocumentMetadata
    page_count: int | None
    warnings: list[str]
    footnotes: list[Footnote]
    sections: list[SectionOut]
    url: str


class IngestOut(BaseModel):
    status: Literal["ingested", "unchanged"]
    document: DocumentListing
    passages: int = Field(description="Passages indexed (0 when unchanged).")
    warnings: list[str] = []


class DeletedOut(BaseModel):
    deleted: str


class AlsoIn(BaseModel):
    """A passage with the same text as a hit (a re-saved copy, a repeated paragraph)."""

    document_id: str
    document: str
    section: str | None
    year: int | None
    url: str


class SearchHit(Hit):
    section_index: int = Field(description="Index of the hit's section in its document.")
    url: str = Field(description="The document's page, opened at the hit's section.")
    also_in: list[AlsoIn] = Field([], description="Passages with the same text, collapsed into this hit.")
    counted: bool = Field(True, description="Whether the hit counts in the total (it has a query word, or "
                                            "its meaning is above the similarity floor); the others are the "
                                            "nearest passages by meaning.")


class FacetValue(BaseModel):
    value: str = Field(description="What the filter of the same name takes (a goal as framework:goal).")
    label: str
    count: int


class SearchOut(BaseModel):
    query: str
    mode: Literal["hybrid", "lexical", "dense", "rrf"]
    hits: list[SearchHit]
    total: int | None = Field(None, description="Relevant hits in all (near-duplicates collapsed): passages "
                              "that contain a query word, or whose meaning is above the similarity floor.")
    total_capped: bool = Field(False, description="The total reached the search depth: at least this many.")
    offset: int = 0
    facets: dict[str, list[FacetValue]] = Field({}, description="Hit counts per year, doc_type, document "
                                                "and goal; a value narrows the search as that filter.")


class FiltersIn(BaseModel):
    document: str | None = Field(None, max_length=200, description="Document id, id prefix or file name.")
    doc_type: str | None = Field(None, max_length=100)
    year: int | None = Field(None, ge=1900, le=2100)
    organisation: str | None = Field(None, max_length=200)
    section: str | None = Field(None, max_length=50, description='"1.3" matches 1.3 and its subsections.')
    goal: str | None = Field(None, max_length=100, description='A goal or target: "8.5", "agenda2030:8.5".')


class PriorWordingIn(BaseModel):
    text: str = Field(min_length=1, max_length=5000, description="The sentence or paragraph to look for.")
    k: int = Field(10, ge=1, le=100)
    filters: FiltersIn = FiltersIn()
    exclude_document: str | None = Field(None, max_length=200)


class PriorWordingOut(BaseModel):
    hits: list[SearchHit]


#: Answers any endpoint with a request body may give, for the OpenAPI schema.
BODY_ERRORS = {400: {"model": ErrorOut, "description": "A body that cannot be decoded."},
               413: {"model": ErrorOut, "description": "The body is over the upload limit."}}
MULTIPART_ERRORS = {**BODY_ERRORS,
                    415: {"model": ErrorOut, "description": "Not a PDF, DOCX, TXT or MD file."}}
