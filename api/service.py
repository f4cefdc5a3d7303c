"""The app's search index behind three kinds of worker, so no request waits for
another kind: one writer, one reader and a bounded pool of heavy analyses.

``DocumentStore`` holds one SQLite connection, which belongs to the thread that
opened it, and a write (SQLite commit, then the FAISS file) must never
interleave with another write. So the index is opened on a dedicated writer
thread and every change is queued there. Reads (search, listing, documents)
go to a second :class:`SearchIndex` over the same folder, opened on a reader
thread with its own SQLite connection: it follows the writer's changes the way
it follows another process's (the store's generation and change log), so a
search never waits for an upload's embedding or a delete (an upload of a
130 KB report held searches for 26.5 s when both shared one thread).

Analyses of a text or an uploaded draft (tagging, coverage, a document's goal
profile) touch no index, only the models: they run on their own pool of
``api_heavy_jobs`` threads, and when ``api_heavy_queue`` more already wait, a
new one is refused at once with :class:`~underlag.errors.BusyError` (503 with
Retry-After) instead of waiting without end (a 199k-character tag took 42 s,
and every search sent meanwhile waited as long).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from index.search import SearchIndex
from ingest.pipeline import ingest_files, iter_files
from nlp.analyzer import Analyzer
from nlp.embed import Embedder
from nlp.tagger import Tagger
from api.components import open_index
from underlag.errors import BusyError
from underlag.settings import Settings

log = logging.getLogger("underlag.api")
T = TypeVar("T")


@dataclass(frozen=True)
class Models:
    """What a heavy analysis needs: the models, never the index."""

    embedder: Embedder
    analyzer: Analyzer
    tagger: Tagger | None


class IndexService:
    """Owns the writing and the reading :class:`SearchIndex` and the heavy-analysis pool."""

    def __init__(self, settings: Settings, embedder: Embedder, analyzer: Analyzer):
        self.settings = settings
        self._closed = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="underlag-index")
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="underlag-read")
        self._heavy = ThreadPoolExecutor(max_workers=settings.api_heavy_jobs, thread_name_prefix="underlag-heavy")
        # opened on the worker thread, so its SQLite connection lives there
        self.index: SearchIndex = self._executor.submit(open_index, settings, embedder, analyzer).result()
        self.call(SearchIndex.load)
        # opened after the writer has brought the derived files up to the store
        self.reading: SearchIndex = self._reader.submit(open_index, settings, embedder, analyzer).result()
        self._reader.submit(self.reading.load).result()
        # heavy analyses admitted (running or waiting) and those allowed to run at once
        self._admitted = 0
        self._running: asyncio.Semaphore | None = None
        # documents still to be tagged in the background (tag_in_background)
        self.tagging_pending = 0
        # passages whose sentences are still to be embedded (fill_sentences_in_background)
        self.sentences_pending = 0

    def attach_tagger(self, tagger: Tagger) -> None:
        """Tag documents as they go in, and let reads (goal filters, the portfolio) see it."""
        self.index.tagger = tagger
        self.reading.tagger = tagger

    @property
    def models(self) -> Models:
        return Models(self.index.embedder, self.index.analyzer, self.index.tagger)

    def call(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """Run ``fn(index, *args, **kwargs)`` on the writer thread and wait (for sync code)."""
        return self._executor.submit(fn, self.index, *args, **kwargs).result()

    async def run(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """Run ``fn(index, *args, **kwargs)`` on the writer thread: for changes."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(fn, self.index, *args, **kwargs))

    async def read(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """Run ``fn(index, *args, **kwargs)`` on the reader thread, over the reading index:
        for anything that only reads (it sees every change acknowledged before it)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._reader, partial(fn, self.reading, *args, **kwargs))

    @property
    def heavy_admitted(self) -> int:
        """Heavy analyses running or waiting now."""
        return self._admitted

    @asynccontextmanager
    async def heavy_slot(self) -> AsyncIterator[None]:
        """Admission to the heavy pool for a whole request (its upload's parse included):
        refused with BusyError when ``api_heavy_queue`` requests already wait."""
        settings = self.settings
        if self._running is None:
            self._running = asyncio.Semaphore(settings.api_heavy_jobs)
        if self._admitted >= settings.api_heavy_jobs + settings.api_heavy_queue:
            raise BusyError(f"the server is busy with {self._admitted} analyses; try again shortly "
                            "(UNDERLAG_API_HEAVY_JOBS, UNDERLAG_API_HEAVY_QUEUE)",
                            retry_after=settings.api_busy_retry_s)
        self._admitted += 1
        try:
            async with self._running:
                yield
        finally:
            self._admitted -= 1

    async def analyse(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """Run ``fn(models, *args, **kwargs)`` on the heavy pool (inside :meth:`heavy_slot`)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._heavy, partial(fn, self.models, *args, **kwargs))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._heavy.shutdown(wait=True)
        self._reader.submit(self.reading.close).result()
        self._reader.shutdown(wait=True)
        self.call(SearchIndex.close)
        self._executor.shutdown(wait=True)


def seed_if_empty(service: IndexService, corpus: Path, lexicon) -> int:
    """Ingest the sample corpus when the index holds no document; the number ingested."""
    if service.call(lambda ix: ix.documents()):
        return 0
    log.info("the index in %s is empty: ingesting the sample corpus from %s", service.settings.index_dir, corpus)
    n = 0
    for o in ingest_files(iter_files([corpus]), service.settings, lexicon,
                          lambda doc: service.call(SearchIndex.add, doc)):
        if o.status == "failed":
            log.warning("sample corpus: %s", o.error)
        elif o.status == "ingested":
            n += 1
            log.info("sample corpus: ingested %s", o.path.name)
    return n


#: Passages whose sentences one index-thread call of :func:`fill_sentences_in_background` embeds:
#: an upload waits behind one such call at most (~7.5 sentences a passage: 240 short texts,
#: a few seconds on 2 cores), searches not at all (they run on the reader thread).
SENTENCE_BATCH = 32


async def fill_sentences_in_background(service: IndexService, batch: int = SENTENCE_BATCH) -> int:
    """Embed the sentences of the passages stored without them (a data folder from before
    sentence evidence, or after a change of model), ``batch`` passages per index-thread call,
    until none is left; returns how many passages were done. Until a passage's sentences are
    in, it ranks by its passage vector alone (index.rerank.by_best_sentence)."""
    missing = await service.run(SearchIndex.sentences_missing)
    service.sentences_pending = missing
    if not missing:
        return 0
    log.info("embedding the sentences of %d passages stored without them, in the background", missing)
    done = 0
    try:
        while True:
            n = await service.run(SearchIndex.embed_missing_sentences, batch, None, batch)
            if not n:
                break
            done += n
            service.sentences_pending = max(0, missing - done)
    except Exception:
        log.exception("background sentence embedding stopped; the rest is done at the next start")
        raise
    finally:
        service.sentences_pending = 0
    log.info("embedded the sentences of %d passages", done)
    return done


#: How often the background tagger looks for documents another process (the CLI) ingested.
TAG_POLL_S = 5.0


async def tag_in_background(service: IndexService, doc_ids: list[str], poll_s: float | None = None) -> None:
    """Tag ``doc_ids`` one document per index-thread call, so searches and uploads
    queue behind one document at most, not the whole backlog; then, every ``poll_s``
    seconds (:data:`TAG_POLL_S`), tag what the CLI ingested into the index meanwhile.
    Runs until cancelled (at shutdown)."""
    poll_s = TAG_POLL_S if poll_s is None else poll_s
    seen = await service.run(lambda ix: ix.generation())
    try:
        while True:
            if doc_ids:
                await _tag_documents(service, doc_ids)
            await asyncio.sleep(poll_s)
            generation = await service.run(lambda ix: ix.generation())
            # only a write (here or in another process) can bring an untagged document
            doc_ids = await service.run(SearchIndex.untagged_documents) if generation != seen else []
            seen = generation
    except Exception:
        log.exception("background tagging stopped; the rest is tagged at the next start")
        raise
    finally:
        service.tagging_pending = 0


async def _tag_documents(service: IndexService, doc_ids: list[str]) -> int:
    log.info("tagging %d documents that were not tagged yet, in the background", len(doc_ids))
    service.tagging_pending = len(doc_ids)
    done = 0
    for doc_id in doc_ids:
        done += bool(await service.run(SearchIndex.tag_document, doc_id))
        service.tagging_pending -= 1
        if done % 100 == 0:
            log.info("tagged %d of %d documents", done, len(doc_ids))
    log.info("tagged %d documents", done)
    return done
