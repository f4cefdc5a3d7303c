"""Uploaded files: checked, hashed, and kept under content-addressed names once indexed.

A client's file name is never used as a path: each request writes its bytes to
a file of its own, and an indexed upload is kept as
``<data dir>/uploads/<sha256 prefix><suffix>`` with the suffix from a fixed
list; the original name is kept (cleaned) only as the document's label. A
refused or failed upload leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import HTTPException, UploadFile

from ingest.pipeline import SUPPORTED_SUFFIXES
from underlag.errors import EmptyDocumentError

CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredUpload:
    path: Path  # the request's own file (``.incoming-<uuid><suffix>``), removed when it is done
    name: str  # the client's file name, cleaned, for display only
    doc_id: str

    def kept_path(self, folder: Path) -> Path:
        """Where the upload is kept once indexed: its content-addressed name in ``folder``."""
        return (folder / f"{self.doc_id}{self.path.suffix}").resolve()


def clean_filename(name: str | None) -> str:
    """The last path component of a client's file name, without control characters, at most 200 chars."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().lstrip(".")
    return name[-200:] or "namnlös.txt"


def suffix_of(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise HTTPException(415, f"{name}: unsupported file type '{suffix or '(none)'}'; "
                                 f"upload one of {', '.join(SUPPORTED_SUFFIXES)}")
    return suffix


@asynccontextmanager
async def received_upload(upload: UploadFile, folder: Path, limit_bytes: int) -> AsyncIterator[StoredUpload]:
    """The upload written to a file of this request's own in ``folder``, refused over
    ``limit_bytes``; the file is removed when the block ends, however it ends.

    Two requests with the same bytes get two files: a shared content-hash name let one
    request delete the file another was still parsing (a 500 with 4-6 identical drafts at
    once). Only :func:`keep` gives an indexed upload its content-addressed name, so a
    refused file never stays on disk.
    """
    name = clean_filename(upload.filename)
    suffix = suffix_of(name)
    folder.mkdir(parents=True, exist_ok=True)
    # the suffix picks the reader; the leading dot keeps it out of folder scans
    path = folder / f".incoming-{uuid.uuid4().hex}{suffix}"
    try:
        h = hashlib.sha256()
        size = 0
        with open(path, "wb") as f:
            while chunk := await upload.read(CHUNK):
                size += len(chunk)
                if size > limit_bytes:
                    raise HTTPException(413, f"{name}: the file is over the {limit_bytes / 1024 / 1024:g} MB "
                                             "upload limit (UNDERLAG_MAX_UPLOAD_MB)")
                h.update(chunk)
                f.write(chunk)
        if size == 0:
            raise EmptyDocumentError(name, "file is empty")
        # the same id ingest.pipeline.content_id gives
        yield StoredUpload(path, name, h.hexdigest()[:16])
    finally:
        path.unlink(missing_ok=True)


def keep(stored: StoredUpload, folder: Path) -> Path:
    """Move an indexed upload to its content-addressed name (identical bytes may replace
    each other there); flushed to disk first, as the document that names it is."""
    target = stored.kept_path(folder)
    with open(stored.path, "rb") as f:
        os.fsync(f.fileno())
    os.replace(stored.path, target)
    return target


async def received_for_job(upload: UploadFile, folder: Path, limit_bytes: int) -> StoredUpload:
    """An upload handed over to a job that outlives the request: a file of the job's own
    (``.job-<uuid><suffix>``), which the job :func:`keep`s or :func:`discard`s when it ends
    (and a restart removes, with the other partial uploads)."""
    async with received_upload(upload, folder, limit_bytes) as received:
        owned = received.path.with_name(f".job-{uuid.uuid4().hex}{received.path.suffix}")
        os.replace(received.path, owned)
    return StoredUpload(owned, received.name, received.doc_id)


def discard(stored: StoredUpload) -> None:
    """Remove an upload that was not kept (refused, unchanged, or only looked at)."""
    stored.path.unlink(missing_ok=True)
