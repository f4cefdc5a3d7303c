"""Search with filters, and prior wording of a given text."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query

from api import deps
from api.schemas import BODY_ERRORS, ErrorOut, FiltersIn, PriorWordingIn, PriorWordingOut, SearchHit, SearchOut
from api.service import IndexService
from index.search import MAX_QUERY_CHARS, Filters
from underlag.model import Hit

router = APIRouter(prefix="/api", tags=["search"])

ERRORS = {400: {"model": ErrorOut, "description": "A query with nothing to search for."},
          404: {"model": ErrorOut, "description": "The document filter matches no single document."}}


def with_link(hit: Hit) -> SearchHit:
    """A hit with the web page address of its section (the passage id carries the section index)."""
    section_index = int(hit.id.split(":")[1])
    return SearchHit(**hit.model_dump(), section_index=section_index,
                     url=deps.document_url(hit.document_id, section_index))


def _filters(f: FiltersIn) -> Filters:
    return Filters(document=f.document or None, doc_type=f.doc_type or None, year=f.year,
                   organisation=f.organisation or None, section=f.section or None, goal=f.goal or None)


@router.get("/search", response_model=SearchOut, responses=ERRORS, summary="Search earlier reports")
async def search(
    q: str = Query(..., min_length=1, max_length=MAX_QUERY_CHARS, description="What to look for."),
    k: int = Query(10, ge=1, le=100, description="How many hits."),
    mode: Literal["hybrid", "lexical", "dense", "rrf"] = Query("hybrid"),
    document: str | None = Query(None, max_length=200, description="Document id, id prefix or file name."),
    doc_type: str | None = Query(None, max_length=100, description="E.g. återrapportering."),
    year: int | None = Query(None, ge=1900, le=2100),
    organisation: str | None = Query(None, max_length=200),
    section: str | None = Query(None, max_length=50, description='"1.3" matches 1.3 and its subsections.'),
    goal: str | None = Query(None, max_length=100, description='Passages tagged with a goal or target: '
                             '"8.5", "agenda2030:8.5", "S4.1".'),
    svc: IndexService = Depends(deps.service),
) -> SearchOut:
    filters = _filters(FiltersIn(document=document, doc_type=doc_type, year=year,
                                 organisation=organisation, section=section, goal=goal))
    hits = await svc.read(lambda ix: ix.search(q, k=k, filters=filters, mode=mode))
    return SearchOut(query=q, mode=mode, hits=[with_link(h) for h in hits])


@router.post("/prior-wording", response_model=PriorWordingOut, responses={**ERRORS, **BODY_ERRORS},
             summary="Earlier wording of the same thing, near-identical passages first")
async def prior_wording(body: PriorWordingIn, svc: IndexService = Depends(deps.service)) -> PriorWordingOut:
    filters = _filters(body.filters)
    hits = await svc.read(lambda ix: ix.prior_wording(body.text, k=body.k, filters=filters,
                                                     exclude_document=body.exclude_document))
    return PriorWordingOut(hits=[with_link(h) for h in hits])
