"""The FastAPI application: :func:`create_app` assembles it from settings and models.

The embedding model, the analyzer and the repair lexicon are loaded once, when
the app starts (its lifespan), or passed in by tests. At start an empty index
is filled with the sample corpus, so a fresh clone serves something to search.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from fastapi.staticfiles import StaticFiles

from api.access import AccessMiddleware
from api.jobs import Jobs
from api.routes import apidocs, documents, drafting, export, jobs, pages, review, search, system, tagging
from api.schemas import ErrorOut
from api.security import BodyLimitMiddleware, install_error_handlers
from api import remote
from api.service import IndexService, fill_sentences_in_background, seed_if_empty, tag_in_background
from nlp.analyzer import Analyzer
from api.components import build_analyzer, build_embedder
from ingest import repair
from nlp.embed import Embedder, HashingEmbedder
from underlag.errors import ModelMissingError
from underlag.settings import Settings

log = logging.getLogger("underlag.api")

# Multipart framing around an upload: the body limit allows this much over the file limit.
MULTIPART_SLACK = 64 * 1024

DESCRIPTION = """Search, tag and check Swedish regional development reports (Region Örebro län).

Endpoints that change the index (upload, delete) or take a file (coverage, tag/file) need
`Authorization: Bearer <token>` when the server is started with `UNDERLAG_API_TOKEN`;
with `UNDERLAG_READ_TOKEN` every endpoint but /api/health needs a token. Requests for
another host than the server's (`UNDERLAG_ALLOWED_HOSTS`) and writes from another site are refused. Request bodies over
`UNDERLAG_MAX_UPLOAD_MB` are refused with 413. Every error is JSON `{"detail", "code"}`.
"""


def default_embedder(settings: Settings) -> Embedder:
    """The model the settings ask for: the real one, or the instant test stand-in."""
    if settings.api_embedder == "hashing":
        return HashingEmbedder()
    # One intra-op thread: a search embeds one short query, and on a small shared
    # machine two OpenMP threads spin against each other (measured here under load:
    # 2 s per query with two threads, 35-55 ms with one).
    return build_embedder(settings, threads=1)


def _remove_partial_uploads(data_dir: Path) -> None:
    """Uploads cut off by a crash or a kill (never indexed), and drafts left from a check."""
    for partial in [*(data_dir / "uploads").glob(".incoming-*"), *(data_dir / "uploads").glob(".job-*"),
                    *(data_dir / "drafts").glob("*"), *(data_dir / "drafts").glob(".*")]:
        partial.unlink(missing_ok=True)


def create_app(settings: Settings, embedder: Embedder | None = None,
               analyzer: Analyzer | None = None, *, seed_corpus: Path | None | bool = True,
               announce_url: str | None = None) -> FastAPI:
    """The web service over the index in ``settings.data_dir``.

    Models not given are loaded at start-up; ``seed_corpus`` (True: the sample corpus in
    ``settings.corpus_dir``; None or False: none) is ingested when the index is empty.
    ``announce_url``: once ready, tell command-line runs on the same data folder where
    to find this server (api.remote), until it stops.
    """
    if seed_corpus is True:
        seed_corpus = settings.corpus_dir
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        _remove_partial_uploads(settings.data_dir)
        try:
            emb = embedder or default_embedder(settings)
        except ModelMissingError as e:
            # the service still starts and answers every request with this error (503), so a
            # client sees what is missing and how to make it instead of a refused connection
            log.error("%s", e)
            app.state.unavailable = e
            yield
            return
        app.state.lexicon = repair.default_lexicon()
        app.state.service = IndexService(settings, emb, analyzer or build_analyzer())
        # parsing is CPU- and memory-heavy: a couple at a time, the rest wait
        app.state.parse_slots = threading.BoundedSemaphore(max(1, min(2, os.cpu_count() or 1)))
        # the tagger first, so the sample corpus is tagged as it goes in
        untagged = await asyncio.to_thread(app.state.service.call, tagging.attach_tagger, settings)
        app.state.service.attach_tagger(app.state.service.index.tagger)
        # documents ingested without the tagger (CLI) or tagged by an older model: tagged one
        # at a time on the index thread while the service already answers (100k passages
        # take minutes); /api/health counts what is left
        background = asyncio.create_task(tag_in_background(app.state.service, untagged))
        # passages stored before sentence evidence (or by another model) get their sentence
        # vectors the same way, a batch per index-thread call; until then they rank by their
        # passage vector alone
        sentences = asyncio.create_task(fill_sentences_in_background(app.state.service))
        if seed_corpus:
            n = await asyncio.to_thread(seed_if_empty, app.state.service, seed_corpus, app.state.lexicon)
            if n:
                log.info("ingested %d documents of the sample corpus", n)
        log.info("serving the index in %s with the %s embedder", settings.index_dir, emb.name)
        if announce_url:
            remote.announce(settings, announce_url)
        try:
            yield
        finally:
            await app.state.jobs.close()
            if announce_url:
                remote.withdraw(settings)
            background.cancel()
            sentences.cancel()
            await asyncio.gather(background, sentences, return_exceptions=True)
            app.state.service.close()

    # /docs and /redoc with Swagger UI's and ReDoc's files from the fastapi-offline package,
    # not a CDN: the service runs where only the package registry is reachable
    # (/redoc is api.routes.apidocs, which keeps ReDoc's logo request on the machine)
    app = FastAPIOffline(title="underlag", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                         redoc_url=None)
    app.state.settings = settings
    app.state.jobs = Jobs()
    app.add_middleware(BodyLimitMiddleware, limit=int(settings.max_upload_mb * 1024 * 1024) + MULTIPART_SLACK)
    app.add_middleware(AccessMiddleware, settings=settings)  # outermost: checked first
    install_error_handlers(app)
    for module in (system, documents, search, export, review, drafting, tagging, jobs, pages, apidocs):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC), name="static")
    _document_json_errors(app)
    return app


def _document_json_errors(app: FastAPI) -> None:
    """Make the schema say what the error handlers send: 422 is ``ErrorOut`` too, not FastAPI's list."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            spec = build()
            error = {"description": "Invalid request",
                     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
            for operations in spec.get("paths", {}).values():
                for op in operations.values():
                    if "422" in op.get("responses", {}):
                        op["responses"]["422"] = {**error, "description": op["responses"]["422"]["description"]}
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            schemas.setdefault("ErrorOut", ErrorOut.model_json_schema())
            for name in ("HTTPValidationError", "ValidationError"):
                schemas.pop(name, None)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


#: The address ``underlag serve`` listens on, for :func:`served_app` to announce.
SERVE_URL_ENV = "UNDERLAG_SERVE_URL"


def served_app() -> FastAPI:
    """The app ``underlag serve`` runs, made by uvicorn from its import string (``factory=True``):
    the settings read afresh from the environment (the command sets the data folder there), announced at the address the command put in
    ``UNDERLAG_SERVE_URL``. The command names the app by string so that the rest of the
    command line never imports FastAPI (a quarter of ``underlag --help``'s start-up)."""
    return create_app(Settings(), announce_url=os.environ.get(SERVE_URL_ENV))
