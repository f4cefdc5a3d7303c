"""Errors that name the file and the problem, and say what to do.

The CLI prints one line per failed file (``str(error)``) and continues with
the others; the API maps them to 4xx responses with a JSON body.
"""

from __future__ import annotations

from pathlib import Path


class UnderlagError(Exception):
    """Base class for errors a user can act on."""


class IngestError(UnderlagError):
    """A file could not be read into a document."""

    #: Short machine-readable name of the problem, used in JSON output.
    code = "ingest_error"

    def __init__(self, path: str | Path, reason: str, hint: str | None = None):
        self.path = str(path)
        self.reason = reason
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        msg = f"{self.path}: {self.reason}"
        return f"{msg} ({self.hint})" if self.hint else msg


class UnsupportedFormatError(IngestError):
    code = "unsupported_format"


class EmptyDocumentError(IngestError):
    code = "empty"


class EncryptedDocumentError(IngestError):
    code = "encrypted"


class CorruptDocumentError(IngestError):
    code = "corrupt"


class NoTextLayerError(IngestError):
    """A PDF whose pages are images only (a scan without OCR)."""

    code = "no_text_layer"


class FileTooLargeError(IngestError):
    code = "too_large"


class EncodingError(IngestError):
    """A text file in no encoding we can decode with confidence."""

    code = "encoding"


class FileNameError(IngestError):
    """A file whose name the index cannot store (not valid UTF-8 on disk)."""

    code = "file_name"


class BusyError(UnderlagError):
    """The service has as many heavy analyses running and waiting as it takes: try again later."""

    code = "busy"

    def __init__(self, message: str, retry_after: int):
        self.retry_after = retry_after
        super().__init__(message)
