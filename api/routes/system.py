"""Health of the service."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api import deps
from api.schemas import Health
from api.service import IndexService

router = APIRouter(prefix="/api", tags=["system"])


@router.get("/health", response_model=Health, summary="Is the service up, and what does it hold")
async def health(request: Request) -> Health:
    svc: IndexService = deps.service(request)
    settings = request.app.state.settings
    # pending counted in the store, not by the background tagger: documents the CLI added
    # wait there until its next look (TAG_POLL_S), and they are pending all the same
    documents, passages, pending = await svc.read(
        lambda ix: (len(ix.documents()), ix.passage_count(), len(ix.untagged_documents())))
    return Health(status="ok", documents=documents, passages=passages, embedder=svc.index.embedder.name,
                  token_required=bool(settings.api_token), max_upload_mb=settings.max_upload_mb,
                  tagging_pending=pending)
