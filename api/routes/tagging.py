"""Tagging against goal frameworks: a text, an uploaded file or a stored document,
the frameworks themselves, and the portfolio (documents x goals).

Thin wrappers over :mod:`nlp.tagger`, :mod:`nlp.taxonomy` and the tagging
functions of :mod:`review.profile` (the JSON is theirs, the same as
``underlag tag --json`` and ``underlag portfolio --json``). The tagger is loaded
once at start and attached to the index, so documents are tagged as they go
in; analyses of a text or a file run on the bounded heavy pool (see :mod:`api.service`).
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from pydantic import BaseModel, Field

from api import deps
from api.schemas import BODY_ERRORS, MAX_TEXT_CHARS, MULTIPART_ERRORS, ErrorOut
from api.security import require_token
from api.service import IndexService, Models
from api.components import load_tagger
from review.profile import DocumentProfile, Portfolio, document_profile, portfolio_matrix
from index.search import SearchIndex
from underlag.model import Tag
from underlag.settings import Settings

log = logging.getLogger("underlag.api")
router = APIRouter(prefix="/api", tags=["tagging"])


def attach_tagger(index: SearchIndex, settings: Settings) -> list[str]:
    """Load (or train once) the tagger for the index's model; the documents it has yet to tag."""
    index.tagger = load_tagger(settings, index.embedder, index.analyzer)
    return index.untagged_documents()


class LabelOut(BaseModel):
    id: str
    title: str
    parent: str | None = None


class FrameworkOut(BaseModel):
    id: str
    name: str
    source: str
    goals: list[LabelOut]
    targets: list[LabelOut]


class TagIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="The text to tag.")
    frameworks: list[str] | None = Field(None, max_length=20, description="Only these frameworks (default: all).")


class TagResult(BaseModel):
    characters: int
    labels: list[Tag]


def _frameworks(holder: SearchIndex | Models, wanted: list[str] | None) -> list[str] | None:
    """``wanted`` if the tagger (of an index, or of the models) knows each; else 404."""
    if not wanted:
        return None
    unknown = [f for f in wanted if f not in holder.tagger.frameworks]
    if unknown:
        raise HTTPException(404, f"unknown framework {', '.join(unknown)[:200]}; "
                                 f"known: {', '.join(holder.tagger.frameworks)}")
    return wanted


@router.get("/taxonomies", response_model=list[FrameworkOut], summary="The goal frameworks and their goals")
async def taxonomies(svc: IndexService = Depends(deps.service)) -> list[FrameworkOut]:
    frameworks = list(svc.models.tagger.frameworks.values())
    return [FrameworkOut(id=f.id, name=f.name, source=f.source,
                         goals=[LabelOut(id=g.id, title=g.title) for g in f.goals],
                         targets=[LabelOut(id=t.id, title=t.title, parent=t.parent) for t in f.targets])
            for f in frameworks]


@router.post("/tag", response_model=TagResult, responses={**BODY_ERRORS, 404: {"model": ErrorOut}},
             summary="Tag a text with goals and targets, with the sentences that show it")
async def tag_text(body: TagIn, svc: IndexService = Depends(deps.service)) -> dict[str, Any]:
    if not body.text.strip():
        raise HTTPException(422, "the text is empty")

    def run(models: Models) -> list:
        return models.tagger.tag(body.text, _frameworks(models, body.frameworks))

    async with svc.heavy_slot():  # 200k characters take tens of seconds: off the index
        tags = await svc.analyse(run)
    return {"characters": len(body.text), "labels": [t.model_dump(mode="json") for t in tags]}


def _profile(models: Models, doc, frameworks: list[str] | None) -> dict[str, Any]:
    return document_profile(doc, models.tagger, models.analyzer, _frameworks(models, frameworks))


@router.post("/tag/file", response_model=DocumentProfile, dependencies=[Depends(require_token)],
             responses={**MULTIPART_ERRORS, 401: {"model": ErrorOut}, 404: {"model": ErrorOut},
                                     422: {"model": ErrorOut, "description": "The file could not be read."}},
             summary="A file's goal profile: which goals, how much of the text, where (nothing is stored)")
async def tag_file(request: Request, file: UploadFile = File(..., description="A report (PDF, DOCX, TXT, MD)."),
                   framework: list[str] | None = Form(None, description="Only these frameworks."),
                   svc: IndexService = Depends(deps.service)) -> dict[str, Any]:
    async with svc.heavy_slot():
        doc = await deps.parse_draft(request, file)
        return await svc.analyse(_profile, doc, framework)


@router.get("/documents/{ref}/tags", response_model=DocumentProfile, responses={404: {"model": ErrorOut}},
            summary="A stored document's goal profile")
async def document_tags(ref: str, framework: list[str] | None = Query(None, description="Only these frameworks."),
                        svc: IndexService = Depends(deps.service)) -> dict[str, Any]:
    doc = await deps.get_document(svc, ref)
    async with svc.heavy_slot():
        return await svc.analyse(_profile, doc, framework)


@router.get("/portfolio", response_model=Portfolio, responses={404: {"model": ErrorOut}},
            summary="Documents x goals: the share of each document's text tagged with each goal")
async def portfolio(framework: str = Query("agenda2030", max_length=100),
                    level: Literal["goal", "target"] = Query("goal"),
                    svc: IndexService = Depends(deps.service)) -> dict[str, Any]:
    def run(ix: SearchIndex) -> dict[str, Any]:
        _frameworks(ix, [framework])
        return portfolio_matrix(ix, framework, level)

    return await svc.read(run)
