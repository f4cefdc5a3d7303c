"""Shared pieces of the routers: the app's components and how documents are shown."""

from __future__ import annotations

import threading
import unicodedata
from pathlib import Path
from urllib.parse import quote

from fastapi import HTTPException, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from api.schemas import DocumentListing, DocumentOut, SectionOut
from api.service import IndexService
from api.uploads import received_upload
from index.search import SearchIndex
from ingest.pipeline import parse_file
from underlag.errors import IngestError
from underlag.model import Document, DocumentSummary
from underlag.settings import Settings


def service(request: Request) -> IndexService:
    """The index service; a service that could not load its model answers with why (503)."""
    unavailable = getattr(request.app.state, "unavailable", None)
    if unavailable is not None:
        raise unavailable
    return request.app.state.service


def settings(request: Request) -> Settings:
    return request.app.state.settings


def document_url(doc_id: str, section_index: int | None = None) -> str:
    return f"/dokument/{doc_id}" + (f"#avsnitt-{section_index}" if section_index is not None else "")


def summary(d: DocumentSummary) -> DocumentListing:
    return DocumentListing(**dict(d), url=document_url(d.id))


def document_out(doc: Document) -> DocumentOut:
    return DocumentOut(
        id=doc.id, filename=doc.filename, format=doc.format, metadata=doc.metadata,
        page_count=doc.page_count, warnings=doc.warnings, footnotes=doc.footnotes, url=document_url(doc.id),
        sections=[SectionOut(index=i, number=s.number, title=s.title, heading_path=s.heading_path,
                             level=s.level, page=s.page, question=s.question, text=s.text,
                             instruction_text=s.instruction_text, blocks=s.blocks)
                  for i, s in enumerate(doc.sections)],
    )


def _get(index: SearchIndex, ref: str) -> Document | None:
    doc_id = index.resolve(ref)
    return index.document(doc_id) if doc_id else None


async def get_document(svc: IndexService, ref: str) -> Document:
    """The document an id, unique id prefix or file name names, or 404."""
    doc = await svc.read(_get, ref)
    if doc is None:
        raise HTTPException(404, f"no single document matches '{ref}' (see GET /api/documents)")
    return doc


async def parse_upload(request: Request, path: Path, name: str) -> Document:
    """Parse a stored upload in the thread pool (a few at a time), labelled with the client's file name.

    Errors name the client's file, never the server's path.
    """
    slots: threading.BoundedSemaphore = request.app.state.parse_slots

    def parse() -> Document:
        with slots:
            return parse_file(path, request.app.state.settings, request.app.state.lexicon)

    try:
        doc = await run_in_threadpool(parse)
    except IngestError as e:
        raise type(e)(name, e.reason, e.hint) from None
    return doc.model_copy(update={"filename": name})


async def parse_draft(request: Request, file: UploadFile) -> Document:
    """Parse an uploaded file that is only looked at (a draft to check, a file to tag).

    It is on disk, under a name of this request's own, only while it is parsed: never indexed.
    """
    settings = request.app.state.settings
    async with received_upload(file, settings.data_dir / "drafts", int(settings.max_upload_mb * 1024 * 1024)) as stored:
        return await parse_upload(request, stored.path, stored.name)


def attachment(filename: str) -> dict[str, str]:
    """The Content-Disposition header that downloads a file under ``filename``.

    HTTP headers are latin-1: a name from a query or an upload ("träffar-ā.csv", a Chinese
    file name) gets an ASCII fallback and the real name as RFC 6266 ``filename*`` in UTF-8
    (it was a 500 when the name was put in the header as it was).
    """
    name = filename.replace('"', "").replace("\\", "")
    if name.isascii():
        return {"Content-Disposition": f'attachment; filename="{name}"'}
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or "underlag"
    return {"Content-Disposition": f'attachment; filename="{fallback}"; filename*=UTF-8\'\'{quote(name)}'}
