"""The searches of :mod:`api.cli.search` when no server answers: open the index and the model here.

Imported by the command only on that path (:func:`api.cli.common.lazy`); it prints nothing
itself, so the output is the same whichever path answered.
"""

from __future__ import annotations

from api.cli.common import notify_tagging
from api import components
from index.filters import MAX_RESULTS, SEARCH_DEPTH, Filters
from index.paging import search_page
from index.search import Mode
from nlp.taxonomy import resolve
from underlag.errors import QueryError
from underlag.model import Hit
from underlag.settings import Settings


def search_alone(settings: Settings, query: str, filters: Filters, mode: Mode, *, k: int, offset: int,
                 goal: str | None, total: list[str] | None) -> list[Hit]:
    """Hits ``offset`` to ``offset + k``; with ``total`` given, the line that counts the relevant
    hits is appended to it, from the same read of both indexes (the query embedded once)."""
    index = components.open_tagged_index(settings, notify_tagging) if goal else components.open_index(settings)
    with index:
        if goal and index.tagger is not None and not resolve(index.tagger.frameworks, goal):
            raise QueryError(f"no goal or target '{goal}' in any framework (e.g. 8.5, agenda2030:8.5, S4.1)")
        depth = max(SEARCH_DEPTH, offset + k)
        read = index.candidates(query, filters, mode, max(depth, MAX_RESULTS) if total is not None else depth)
        hits = index.hits(index.rank(read, depth), offset + k)[offset:]
        if total is not None:
            page = search_page(index, query, filters, mode, limit=0,
                               dense_floor=settings.search_dense_floor, candidates=read)
            total.append(f"{'minst ' if page.total_capped else ''}{page.total} träffar")
        return hits


def similar_alone(settings: Settings, text: str, filters: Filters, *, k: int,
                  exclude_document: str | None) -> list[Hit]:
    """Earlier wording of ``text``, near-identical passages first."""
    with components.open_index(settings) as index:
        return index.prior_wording(text, k=k, filters=filters, exclude_document=exclude_document)
