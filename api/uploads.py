"""Uploaded files: checked, hashed and stored under content-addressed names.

A client's file name is never used as a path: the bytes go to
``<data dir>/uploads/<sha256 prefix><suffix>`` with the suffix from a fixed
list, and the original name is kept (cleaned) only as the document's label.
Parsing runs in the thread pool, a bounded number at a time.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from fastapi import HTTPException, UploadFile

from ingest.pipeline import SUPPORTED_SUFFIXES
from underlag.errors import EmptyDocumentError

CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredUpload:
    path: Path
    name: str  # the client's file name, cleaned, for display only
    doc_id: str


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


async def store_upload(upload: UploadFile, folder: Path, limit_bytes: int) -> StoredUpload:
    """Write an upload to ``folder`` under its content hash; refuse it over ``limit_bytes``."""
    name = clean_filename(upload.filename)
    suffix = suffix_of(name)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".incoming-{uuid.uuid4().hex}"
    h = hashlib.sha256()
    size = 0
    try:
        with open(tmp, "wb") as f:
            while chunk := await upload.read(CHUNK):
                size += len(chunk)
                if size > limit_bytes:
                    raise HTTPException(413, f"{name}: the file is over the {limit_bytes / 1024 / 1024:g} MB "
                                             "upload limit (UNDERLAG_MAX_UPLOAD_MB)")
                h.update(chunk)
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        if size == 0:
            raise EmptyDocumentError(name, "file is empty")
        digest = h.hexdigest()[:16]  # the same id ingest.pipeline.content_id gives
        target = folder / f"{digest}{suffix}"
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return StoredUpload(target, name, digest)
