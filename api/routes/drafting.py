"""Whole-report work over HTTP: a first draft of a template (JSON or Word), and the reuse report.

Thin wrappers over :mod:`review.draft` and :mod:`review.reuse`: the JSON is
theirs. A template is named by its id only (as in :mod:`api.routes.review`);
documents by id, id prefix or file name in the index. Both only read the index, on the
reader thread (a draft one question per call); a draft also takes a place in the heavy
pool (see :mod:`api.service`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from api import deps
from api.routes.review import DOCX, template_by_id
from api.schemas import ErrorOut
from api.service import IndexService
from index.search import SearchIndex
from review.draft import Draft, DraftProgress, advance, draft_json, drafting
from review.reuse import ReuseReport, reuse_json, reuse_report
from review.templates import Template
from review.whole_reports import render_draft_docx
from underlag.errors import UnknownDocumentError

router = APIRouter(prefix="/api", tags=["drafting"])

ERRORS = {404: {"model": ErrorOut, "description": "No such template or document."}}


class DraftIn(BaseModel):
    template: str = Field(max_length=200, description="Template id.")
    exclude_document: str | None = Field(None, max_length=200,
                                         description="Leave this document out (e.g. this year's own report).")
    prefer_recent: bool = Field(False, description="Prefer passages from later years.")


def docx_response(d: Draft) -> Response:
    """The draft as a Word file to download (this endpoint's and the draft job's)."""
    with tempfile.TemporaryDirectory() as tmp:
        data = render_draft_docx(d, Path(tmp) / "utkast.docx").read_bytes()
    name = f"utkast-{d.template}.docx".replace('"', "")
    return Response(data, media_type=DOCX, headers=deps.attachment(name))


async def run_draft(svc: IndexService, t: Template, exclude: list[str], prefer_recent: bool,
                    on_step: DraftProgress | None = None) -> Draft:
    """Draft on the reader thread one question per call, so a search waits for one question
    at most (0.4 s of the 2023 template's 13 s), not for the whole draft; ``on_step`` hears
    each step. A place in the heavy pool bounds how many drafts run at once."""
    async with svc.heavy_slot():
        # made (nothing runs yet) and stepped on the reader thread, over the reading index
        run = await svc.read(lambda ix: drafting(t, ix, exclude_documents=exclude, prefer_recent=prefer_recent))
        while True:
            step, draft = await svc.read(lambda _ix: advance(run))
            if draft is not None:
                return draft
            if on_step is not None and step is not None:
                on_step(*step)


async def _draft(params: DraftIn, svc: IndexService) -> Draft:
    t = template_by_id(params.template, svc.settings)
    return await run_draft(svc, t, [params.exclude_document] if params.exclude_document else [],
                           params.prefer_recent)


@router.get("/draft", response_model=Draft, responses=ERRORS,
            summary="A cited first draft of every question of a template, within every limit")
async def draft(params: Annotated[DraftIn, Query()], svc: IndexService = Depends(deps.service)) -> dict:
    return draft_json(await _draft(params, svc))


@router.get("/draft.docx", response_class=Response, summary="The same draft as a Word document",
            responses={**ERRORS, 200: {"content": {DOCX: {}}, "description": "The draft as .docx."}})
async def draft_docx(params: Annotated[DraftIn, Query()], svc: IndexService = Depends(deps.service)) -> Response:
    return docx_response(await _draft(params, svc))


def _reuse(ix: SearchIndex, report: str, against: list[str] | None, year: int | None) -> ReuseReport:
    def doc(ref: str):
        doc_id = ix.resolve(ref)
        d = ix.document(doc_id) if doc_id else None
        if d is None:
            raise UnknownDocumentError(f"no document {ref!r} in the index")
        return d

    this = doc(report)
    earlier = [doc(ref) for ref in against or []]
    if year is not None:
        earlier += [d for d in (ix.document(s.id) for s in ix.documents())
                    if d is not None and year in d.metadata.years and d.id != this.id]
    if not earlier:
        raise UnknownDocumentError("nothing to compare with: give against= or a year with indexed documents")
    return reuse_report(this, earlier)


@router.get("/reuse", response_model=ReuseReport, responses=ERRORS,
            summary="How much of each answer of an indexed report repeats earlier reports")
async def reuse(report: Annotated[str, Query(max_length=200, description="The report (indexed document).")],
                against: Annotated[list[str] | None, Query(description="Earlier documents.")] = None,
                year: Annotated[int | None, Query(description="Every indexed document of this year.")] = None,
                svc: IndexService = Depends(deps.service)) -> dict:
    return reuse_json(await svc.read(_reuse, report, against, year))
