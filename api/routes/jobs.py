"""Long jobs the web page follows: add a report to the index, check a whole draft,
tag a portfolio table, write a first draft of a whole report. Each answers 202 with
a job at once; ``GET /api/jobs/{id}`` gives its stage, the share done and, at the
end, its result (see :mod:`api.jobs`).
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field

from api import deps
from api.jobs import Job, Jobs
from api.routes.documents import _ingest
from api.routes.drafting import docx_response, run_draft
from api.routes.review import DOCX, template_by_id
from api.schemas import MULTIPART_ERRORS, ErrorOut, IngestOut
from api.security import require_token
from api.service import IndexService
from api.uploads import discard, keep, received_for_job
from review.coverage import CoverageReport, check_coverage, coverage_json
from review.draft import Draft, draft_json
from review.report import render_coverage_docx, render_coverage_html
from review.table_tags import read_table, write_tagged
from underlag.errors import UnknownDocumentError
from underlag.settings import Settings

router = APIRouter(prefix="/api/jobs", tags=["jobs"])

#: Rows tagged per call on the index thread: a search waits for one batch at most (~1 s).
TAG_BATCH = 32


class JobOut(BaseModel):
    id: str
    kind: Literal["ingest", "coverage", "tag-table", "draft"]
    label: str = Field(description="The file the job works on (a draft: the template id).")
    status: Literal["running", "done", "failed"]
    stage: str = Field(description="queued, parsing, indexing, mapping, embedding, elements, tagging, "
                                   "drafting, checking or done.")
    done: float = Field(description="Share of the work done, 0..1.")
    detail: str | None = Field(None, description="What the stage works on now (drafting: the question id).")
    result: Any = Field(None, description="When done: what the synchronous endpoint would answer.")
    error: dict[str, str] | None = Field(None, description='When failed: {"code", "detail"}.')
    seconds: float


def jobs(request: Request) -> Jobs:
    return request.app.state.jobs


def _limit(request: Request) -> int:
    return int(request.app.state.settings.max_upload_mb * 1024 * 1024)


JOB_ERRORS = {**MULTIPART_ERRORS, 404: {"model": ErrorOut}}


@router.post("/documents", response_model=JobOut, status_code=202, dependencies=[Depends(require_token)],
             responses={**JOB_ERRORS, 401: {"model": ErrorOut}},
             summary="Add a report to the index as a job (parse, then index)")
async def ingest_job(request: Request, file: UploadFile = File(..., description="The report."),
                     svc: IndexService = Depends(deps.service), registry: Jobs = Depends(jobs)) -> dict:
    uploads = request.app.state.settings.data_dir / "uploads"
    stored = await received_for_job(file, uploads, _limit(request))

    async def work(job: Job) -> dict:
        try:
            existing = await svc.read(lambda ix: [d for d in ix.documents() if d.id == stored.doc_id])
            if existing:
                return IngestOut(status="unchanged", document=deps.summary(existing[0]), passages=0).model_dump()
            job.progress("parsing", 0.05)
            doc = await deps.parse_upload(request, stored.path, stored.name)
            # the document names the file it is kept as, not the job's own
            doc = doc.model_copy(update={"source": str(stored.kept_path(uploads))})
            job.progress("indexing", 0.4)
            passages, summary = await svc.run(_ingest, doc)
            keep(stored, uploads)
            return IngestOut(status="ingested", document=deps.summary(summary), passages=passages,
                             warnings=doc.warnings).model_dump()
        finally:
            discard(stored)

    return registry.start("ingest", stored.name, work).json()


@router.post("/coverage", response_model=JobOut, status_code=202, responses=JOB_ERRORS,
             summary="Check a draft against a template as a job; the report as JSON, .docx or .html")
async def coverage_job(request: Request, file: UploadFile = File(..., description="The draft."),
                       template: str = Form(..., max_length=200, description="Template id."),
                       svc: IndexService = Depends(deps.service), registry: Jobs = Depends(jobs)) -> dict:
    t = template_by_id(template, svc.settings)
    settings = request.app.state.settings
    stored = await received_for_job(file, settings.data_dir / "drafts", _limit(request))

    async def work(job: Job) -> dict:
        job.progress("parsing", 0.0)
        try:
            draft = await deps.parse_upload(request, stored.path, stored.name)
        finally:
            discard(stored)
        # off the index thread, in the bounded pool of heavy analyses (api.service)
        async with svc.heavy_slot():
            report = await svc.analyse(lambda m: check_coverage(draft, t, m.embedder, m.analyzer,
                                                                progress=job.progress))
        job.artefact = report
        return coverage_json(report)

    return registry.start("coverage", stored.name, work).json()


@router.post("/tag-table", response_model=JobOut, status_code=202, responses=JOB_ERRORS,
             summary="Tag every row of a CSV table as a job; the tagged table from /download")
async def tag_table_job(request: Request, file: UploadFile = File(..., description="A CSV file."),
                        column: str = Form(..., max_length=200, description="The column with the text."),
                        svc: IndexService = Depends(deps.service), registry: Jobs = Depends(jobs)) -> dict:
    name = file.filename or "tabell.csv"
    if not name.lower().endswith((".csv", ".txt", ".tsv")):
        raise HTTPException(415, f"{name[:200]}: a table must be a .csv file")
    raw = await file.read(_limit(request) + 1)
    if len(raw) > _limit(request):
        raise HTTPException(413, f"{name[:200]}: the file is over the upload limit")
    fields, rows = read_table(raw, name)
    if column not in fields:
        raise HTTPException(422, f"{name[:200]} has no column '{column[:100]}'; columns: {', '.join(fields)[:500]}")

    async def work(job: Job) -> dict:
        texts = [r.get(column) or "" for r in rows]
        results: list = []
        job.progress("tagging", 0.0)
        for start in range(0, len(texts), TAG_BATCH):
            chunk = texts[start:start + TAG_BATCH]
            async with svc.heavy_slot():
                results += await svc.analyse(lambda m: m.tagger.tag_texts(chunk))
            job.progress("tagging", len(results) / max(1, len(texts)))
        frameworks = list(svc.models.tagger.frameworks)
        sink = io.StringIO()
        write_tagged(fields, rows, results, frameworks, sink)
        job.artefact = sink.getvalue().encode("utf-8-sig")  # BOM: Excel reads the letters right
        return {"rows": len(rows), "tagged": sum(bool(r) for r in results), "columns": len(fields)}

    return registry.start("tag-table", name, work).json()


@router.post("/draft", response_model=JobOut, status_code=202, responses=JOB_ERRORS,
             summary="A first draft of every question of a template as a job; JSON as /api/draft, .docx from /download")
async def draft_job(template: str = Form(..., max_length=200, description="Template id."),
                    exclude: list[str] = Form([], description="Leave these documents out (id, id prefix or file "
                                              "name; repeat the field for more)."),
                    prefer_recent: bool = Form(False, description="Prefer passages from later years."),
                    svc: IndexService = Depends(deps.service), registry: Jobs = Depends(jobs)) -> dict:
    t = template_by_id(template, svc.settings)
    unknown = [ref for ref, found in zip(exclude, await svc.read(lambda ix: [ix.resolve(r) for r in exclude]))
               if found is None]
    if unknown:
        raise UnknownDocumentError(f"no document {unknown[0][:100]!r} in the index")

    async def work(job: Job) -> dict:
        draft = await run_draft(svc, t, exclude, prefer_recent, on_step=job.progress)
        job.artefact = draft
        return draft_json(draft)

    return registry.start("draft", t.id, work).json()


@router.get("/{job_id}", response_model=JobOut, responses={404: {"model": ErrorOut}},
            summary="A job's stage, share done, and result")
async def job_status(job_id: str, registry: Jobs = Depends(jobs)) -> dict:
    return registry.get(job_id).json()


@router.get("/{job_id}/download", response_class=Response, responses={404: {"model": ErrorOut}},
            summary="A finished job's file: the coverage report (.docx or .html), the tagged table (.csv) "
                    "or the draft (.docx)")
async def job_download(job_id: str, format: Literal["docx", "html", "csv"] = Query("csv"),
                       registry: Jobs = Depends(jobs), settings: Settings = Depends(deps.settings)) -> Response:
    job = registry.get(job_id)
    if job.status != "done" or job.artefact is None:
        raise HTTPException(404, f"job '{job_id[:40]}' has nothing to download ({job.status})")
    stem = Path(job.label).stem.replace('"', "") or "underlag"
    if isinstance(job.artefact, CoverageReport):
        t = template_by_id(job.artefact.template, settings)
        if format == "html":
            return Response(render_coverage_html(job.artefact, t), media_type="text/html; charset=utf-8",
                            headers=deps.attachment(f"granskning-{stem}.html"))
        if format == "docx":
            with tempfile.TemporaryDirectory() as tmp:
                data = render_coverage_docx(job.artefact, Path(tmp) / "granskning.docx", t).read_bytes()
            return Response(data, media_type=DOCX,
                            headers=deps.attachment(f"granskning-{stem}.docx"))
    elif isinstance(job.artefact, Draft):
        if format == "docx":
            return docx_response(job.artefact)
    elif format == "csv":
        return Response(job.artefact, media_type="text/csv; charset=utf-8",
                        headers=deps.attachment(f"{stem}-taggad.csv"))
    raise HTTPException(404, f"job '{job_id[:40]}' has no .{format} file")
