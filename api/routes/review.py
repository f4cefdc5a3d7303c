"""Templates, coverage of an uploaded draft, and suggestions for a template question.

Thin wrappers over :mod:`review.templates`, :mod:`review.coverage` (and
:mod:`review.suggest`, :mod:`review.report` when present): the JSON is theirs. A
template is named by its id from ``GET /api/templates`` only, never by a path.
Reads run on the reader thread, analyses of a draft on the bounded heavy pool (see :mod:`api.service`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field

from api import deps
from api.schemas import MULTIPART_ERRORS, ErrorOut
from api.security import require_token
from api.service import IndexService
from review.coverage import CoverageReport, check_coverage, coverage_json
from review.report import render_suggestion_docx
from review.suggest import Suggestion, suggest, suggestion_json
from review.templates import Template, list_templates
from underlag.settings import Settings

router = APIRouter(prefix="/api", tags=["review"])


class TemplateSummary(BaseModel):
    id: str
    title: str
    year: int | None
    questions: int


def template_by_id(template_id: str, settings: Settings) -> Template:
    """A template of ``settings.templates_dir`` by id; 404 for anything else (paths included)."""
    known = {t.id: t for t in list_templates(settings.templates_dir)}
    if template_id not in known:
        raise HTTPException(404, f"no template '{template_id[:100]}'; known: {', '.join(sorted(known)) or 'none'}")
    return known[template_id]


@router.get("/templates", response_model=list[TemplateSummary], summary="The report templates")
async def templates(settings: Settings = Depends(deps.settings)) -> list[TemplateSummary]:
    return [TemplateSummary(id=t.id, title=t.title, year=t.year, questions=len(t.questions))
            for t in list_templates(settings.templates_dir)]


@router.get("/templates/{template_id}", response_model=Template, response_model_exclude_none=True,
            responses={404: {"model": ErrorOut}}, summary="A template's questions, limits and elements")
async def template(template_id: str, settings: Settings = Depends(deps.settings)) -> Template:
    return template_by_id(template_id, settings)


@router.post(
    "/coverage", response_model=CoverageReport, summary="Check an uploaded draft against a template",
    dependencies=[Depends(require_token)],
    responses={**MULTIPART_ERRORS, 401: {"model": ErrorOut}, 404: {"model": ErrorOut},
               422: {"model": ErrorOut, "description": "The draft could not be read."}},
)
async def coverage(request: Request, file: UploadFile = File(..., description="The draft (PDF, DOCX, TXT, MD)."),
                   template: str = Form(..., max_length=200, description="Template id."),
                   svc: IndexService = Depends(deps.service)) -> dict:
    t = template_by_id(template, svc.settings)
    async with svc.heavy_slot():  # a whole report takes 10-30 s: off the index, a bounded few at once
        draft = await deps.parse_draft(request, file)
        report = await svc.analyse(lambda m: check_coverage(draft, t, m.embedder, m.analyzer))
    return coverage_json(report)


class SuggestIn(BaseModel):
    template: str = Field(max_length=200, description="Template id.")
    question: str = Field(max_length=50, description='Question id, e.g. "1.1".')
    exclude_document: str | None = Field(None, max_length=200,
                                         description="Leave this document out (e.g. last year's own answer).")
    prefer_recent: bool = Field(False, description="Prefer passages from later years.")
    max_chars: int | None = Field(None, ge=200, le=50_000, description="Length of the draft (default: the limit).")


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def _suggestion(params: SuggestIn, svc: IndexService) -> Suggestion:
    t = template_by_id(params.template, svc.settings)
    q = t.question(params.question)  # UnknownQuestionError -> 404
    return await svc.read(lambda ix: suggest(q, t, ix, exclude_document=params.exclude_document,
                                            prefer_recent=params.prefer_recent, max_chars=params.max_chars))


SUGGEST_ERRORS = {404: {"model": ErrorOut, "description": "No such template, question or document."}}


@router.get("/suggest", response_model=Suggestion, responses=SUGGEST_ERRORS,
            summary="A cited draft answer to a template question, from earlier reports")
async def suggestion(params: Annotated[SuggestIn, Query()], svc: IndexService = Depends(deps.service)) -> dict:
    return suggestion_json(await _suggestion(params, svc))


@router.get("/suggest.docx", response_class=Response, summary="The same draft as a Word document",
            responses={**SUGGEST_ERRORS, 200: {"content": {DOCX: {}}, "description": "The draft as .docx."}})
async def suggestion_docx(params: Annotated[SuggestIn, Query()], svc: IndexService = Depends(deps.service)) -> Response:
    s = await _suggestion(params, svc)
    with tempfile.TemporaryDirectory() as tmp:
        data = render_suggestion_docx(s, Path(tmp) / "forslag.docx").read_bytes()
    name = f"forslag-{s.template}-{s.question}.docx".replace('"', "")
    return Response(data, media_type=DOCX, headers=deps.attachment(name))
