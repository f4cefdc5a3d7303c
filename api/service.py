"""The app's one search index, and the single thread every index operation runs on.

``DocumentStore`` holds one SQLite connection, which belongs to the thread that
opened it, and a write (SQLite commit, then the FAISS file) must never
interleave with another write or with a search that reads the in-memory FAISS
index. So the index is opened on a dedicated worker thread and every call to
it is queued there: reads and writes are serialised, and the event loop stays
free. Work that does not touch the index (parsing an upload, tagging a text)
runs in the ordinary thread pool beside it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TypeVar

from index.search import SearchIndex
from ingest.pipeline import ingest_files, iter_files
from nlp.analyzer import Analyzer
from nlp.embed import Embedder
from api.components import open_index
from underlag.settings import Settings

log = logging.getLogger("underlag.api")
T = TypeVar("T")


class IndexService:
    """Owns the :class:`SearchIndex` and runs every call to it on one thread."""

    def __init__(self, settings: Settings, embedder: Embedder, analyzer: Analyzer):
        self.settings = settings
        self._closed = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="underlag-index")
        # opened on the worker thread, so its SQLite connection lives there
        self.index: SearchIndex = self._executor.submit(open_index, settings, embedder, analyzer).result()
        self.call(SearchIndex.load)
        # documents still to be tagged in the background (tag_in_background)
        self.tagging_pending = 0

    def call(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """Run ``fn(index, *args, **kwargs)`` on the index thread and wait (for sync code)."""
        return self._executor.submit(fn, self.index, *args, **kwargs).result()

    async def run(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """Run ``fn(index, *args, **kwargs)`` on the index thread without blocking the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(fn, self.index, *args, **kwargs))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
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
