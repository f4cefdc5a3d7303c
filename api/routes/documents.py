"""Documents: upload and ingest, list, get (with sections), delete."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import APIRouter, Depends, File, HTTPException, Request, Response, UploadFile

from api import deps
from api.schemas import MULTIPART_ERRORS, DeletedOut, DocumentOut, DocumentListing, ErrorOut, IngestOut, SectionOut
from api.security import require_token
from api.service import IndexService
from api.uploads import keep, received_upload
from index.search import SearchIndex

log = logging.getLogger("underlag.api")
router = APIRouter(prefix="/api/documents", tags=["documents"])

ERRORS = {404: {"model": ErrorOut}}


@router.get("", response_model=list[DocumentListing], summary="List the indexed documents")
async def list_documents(svc: IndexService = Depends(deps.service)) -> list[DocumentListing]:
    def read(ix: SearchIndex):
        untagged = set(ix.untagged_documents()) if ix.tagger is not None else None
        return ix.documents(), ix.document_stats(), untagged

    docs, stats, untagged = await svc.read(read)
    return [deps.summary(d).model_copy(update={
        "passages": stats.get(d.id, (0, None))[0], "organisation": stats.get(d.id, (0, None))[1],
        "tagged": None if untagged is None else d.id not in untagged}) for d in docs]


def _ingest(index: SearchIndex, doc) -> tuple[int, object]:
    change = index.add(doc)
    stored = next(d for d in index.documents() if d.id == doc.id)
    return len(change.added_rowids), stored


@router.post(
    "", response_model=IngestOut, status_code=201, dependencies=[Depends(require_token)],
    summary="Upload a report (PDF, DOCX, TXT, MD) and add it to the index",
    responses={200: {"model": IngestOut, "description": "The same file is already indexed."},
               **MULTIPART_ERRORS, 401: {"model": ErrorOut},
               422: {"model": ErrorOut, "description": "The file could not be read."}},
)
async def upload_document(request: Request, response: Response,
                          file: UploadFile = File(..., description="The report.")) -> IngestOut:
    settings = request.app.state.settings
    svc: IndexService = deps.service(request)
    uploads = settings.data_dir / "uploads"
    async with received_upload(file, uploads, int(settings.max_upload_mb * 1024 * 1024)) as stored:
        existing = await svc.read(lambda ix: [d for d in ix.documents() if d.id == stored.doc_id])
        if existing:
            response.status_code = 200
            return IngestOut(status="unchanged", document=deps.summary(existing[0]), passages=0)
        doc = await deps.parse_upload(request, stored.path, stored.name)
        # the document names the file it is kept as, not this request's own
        doc = doc.model_copy(update={"source": str(stored.kept_path(uploads))})
        log.info("indexing %s (%s, %d sections)", stored.name, doc.id, len(doc.sections))
        passages, summary = await svc.run(_ingest, doc)
        keep(stored, uploads)
    log.info("indexed %s: %d passages", stored.name, passages)
    return IngestOut(status="ingested", document=deps.summary(summary), passages=passages,
                     warnings=doc.warnings)


@router.get("/{ref}", response_model=DocumentOut, responses=ERRORS,
            summary="A document with its metadata and sections (by id, id prefix or file name)")
async def get_document(ref: str, svc: IndexService = Depends(deps.service)) -> DocumentOut:
    return deps.document_out(await deps.get_document(svc, ref))


@router.get("/{ref}/sections", response_model=list[SectionOut], responses=ERRORS,
            summary="A document's sections")
async def get_sections(ref: str, svc: IndexService = Depends(deps.service)) -> list[SectionOut]:
    return deps.document_out(await deps.get_document(svc, ref)).sections


def _delete(index: SearchIndex, ref: str, uploads: Path) -> str | None:
    doc_id = index.resolve(ref)
    if not doc_id:
        return None
    source = next((Path(d.source) for d in index.documents() if d.id == doc_id), None)
    if index.delete(doc_id) is None:
        return None
    if source is not None and source.parent == uploads.resolve():
        source.unlink(missing_ok=True)  # an uploaded file goes with its document
    return doc_id


@router.delete("/{ref}", response_model=DeletedOut, dependencies=[Depends(require_token)],
               responses={**ERRORS, 401: {"model": ErrorOut}}, summary="Remove a document from the index")
async def delete_document(request: Request, ref: str, svc: IndexService = Depends(deps.service)) -> DeletedOut:
    log.info("deleting %s", ref[:100])
    doc_id = await svc.run(_delete, ref, request.app.state.settings.data_dir / "uploads")
    if doc_id is None:
        raise HTTPException(404, f"no single document matches '{ref}' (see GET /api/documents)")
    return DeletedOut(deleted=doc_id)
