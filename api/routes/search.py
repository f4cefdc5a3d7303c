"""Search with filters, and prior wording of a given text."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query

from api import deps
from api.schemas import (BODY_ERRORS, AlsoIn, ErrorOut, FacetValue, FiltersIn, PriorWordingIn, PriorWordingOut,
                         SearchHit, SearchOut)
from api.service import IndexService
from index.paging import MAX_RESULTS, PagedHit, ResultPage, search_page
from index.search import MAX_QUERY_CHARS, Filters, SearchIndex
from nlp.taxonomy import resolve
from underlag.errors import UnknownGoalError
from underlag.model import Hit
from underlag.settings import Settings

router = APIRouter(prefix="/api", tags=["search"])

ERRORS = {400: {"model": ErrorOut, "description": "A query with nothing to search for."},
          404: {"model": ErrorOut, "description": "The document filter matches no single document, "
                                                  "or the goal filter no goal (unknown_goal)."}}


def with_link(hit: Hit) -> SearchHit:
    """A hit with the web page address of its section (the passage id carries the section index)."""
    section_index = int(hit.id.split(":")[1])
    return SearchHit(**hit.model_dump(), section_index=section_index,
                     url=deps.document_url(hit.document_id, section_index))


def _filters(f: FiltersIn) -> Filters:
    return Filters(document=f.document or None, doc_type=f.doc_type or None, year=f.year,
                   organisation=f.organisation or None, section=f.section or None, goal=f.goal or None)


class SearchParams:
    """The query and filters of a search, as the search and its exports take them."""

    def __init__(
        self,
        q: str = Query(..., min_length=1, max_length=MAX_QUERY_CHARS, description="What to look for."),
        mode: Literal["hybrid", "lexical", "dense", "rrf"] = Query("hybrid"),
        document: str | None = Query(None, max_length=200, description="Document id, id prefix or file name."),
        doc_type: str | None = Query(None, max_length=100, description="E.g. återrapportering."),
        year: int | None = Query(None, ge=1900, le=2100),
        organisation: str | None = Query(None, max_length=200),
        section: str | None = Query(None, max_length=50, description='"1.3" matches 1.3 and its subsections.'),
        goal: str | None = Query(None, max_length=100, description='Passages tagged with a goal or target: '
                                 '"8.5", "agenda2030:8.5", "S4.1". An unknown goal is 404 unknown_goal.'),
    ):
        self.q = q
        self.mode = mode
        self.filters = _filters(FiltersIn(document=document, doc_type=doc_type, year=year,
                                          organisation=organisation, section=section, goal=goal))


def check_goal(index: SearchIndex, goal: str | None) -> None:
    """An unknown goal filter is an error (404), not an empty result."""
    if goal and index.tagger is not None and not resolve(index.tagger.frameworks, goal):
        raise UnknownGoalError(f"no goal or target '{goal[:100]}' in any framework "
                               "(e.g. 8.5, agenda2030:8.5, S4.1)")


def paged_hit(ph: PagedHit) -> SearchHit:
    """A hit of a page with the web address of its section and the copies collapsed into it."""
    return with_link(ph.hit).model_copy(update={"counted": ph.counted, "also_in": [
        AlsoIn(document_id=p.document_id, document=p.document, section=p.section, year=p.year,
               url=deps.document_url(p.document_id, int(p.id.split(":")[1]))) for p in ph.duplicates]})


async def result_page(svc: IndexService, settings: Settings, params: SearchParams,
                      offset: int, k: int) -> ResultPage:
    def run(ix: SearchIndex) -> ResultPage:
        check_goal(ix, params.filters.goal)
        return search_page(ix, params.q, params.filters, params.mode, offset=offset, limit=k,
                           dense_floor=settings.search_dense_floor)

    return await svc.read(run)


@router.get("/search", response_model=SearchOut, responses=ERRORS, summary="Search earlier reports")
async def search(
    params: SearchParams = Depends(),
    k: int = Query(10, ge=1, le=100, description="How many hits (a page)."),
    offset: int = Query(0, ge=0, le=MAX_RESULTS, description="Skip this many hits (the next page)."),
    svc: IndexService = Depends(deps.service),
    settings: Settings = Depends(deps.settings),
) -> SearchOut:
    """A page of hits with the total and facet counts of all hits. The total counts the
    passages that contain a query word (lemma or compound part) or whose meaning is above
    the similarity floor (``UNDERLAG_SEARCH_DENSE_FLOOR``), near-duplicates collapsed."""
    page = await result_page(svc, settings, params, offset, k)
    return SearchOut(query=params.q, mode=params.mode, hits=[paged_hit(h) for h in page.hits],
                     total=page.total, total_capped=page.total_capped, offset=page.offset,
                     facets={name: [FacetValue(value=f.value, label=f.label, count=f.count) for f in values]
                             for name, values in page.facets.items()})


@router.post("/prior-wording", response_model=PriorWordingOut, responses={**ERRORS, **BODY_ERRORS},
             summary="Earlier wording of the same thing, near-identical passages first")
async def prior_wording(body: PriorWordingIn, svc: IndexService = Depends(deps.service)) -> PriorWordingOut:
    filters = _filters(body.filters)
    hits = await svc.read(lambda ix: ix.prior_wording(body.text, k=body.k, filters=filters,
                                                     exclude_document=body.exclude_document))
    return PriorWordingOut(hits=[with_link(h) for h in hits])
