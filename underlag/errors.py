"""Every error a user can act on, in one hierarchy, each saying what to do.

Each class carries its machine-readable ``code`` (the JSON ``code`` field of the
CLI's and the API's error output), the CLI's ``exit_code`` and the API's
``http_status``: the command line prints ``str(error)`` on one line and exits with
``exit_code``; the web service answers ``{"detail", "code"}`` with ``http_status``.
Both read these attributes; neither keeps a table of its own.

Anything else that escapes is a bug: the CLI shows its traceback, the API logs it
and answers 500.
"""

from __future__ import annotations

from pathlib import Path


class UnderlagError(Exception):
    """Base class for errors a user can act on."""

    code = "bad_request"
    exit_code = 2
    http_status = 400


# -- requests --------------------------------------------------------------------------


class QueryError(UnderlagError):
    """A query that cannot be searched (empty, only stop words, too long)."""

    code = "bad_query"


class UnknownDocumentError(UnderlagError):
    """A filter or request names a document the index does not hold."""

    code = "unknown_document"
    http_status = 404


class UnknownGoalError(UnderlagError):
    """A goal filter that names no goal or target of any framework."""

    code = "unknown_goal"
    http_status = 404


class TaxonomyError(UnderlagError):
    """A goal framework file that cannot be read, or a goal it does not have."""

    code = "taxonomy"


class TemplateError(UnderlagError):
    """A template that cannot be found or read."""

    code = "template"


class UnknownQuestionError(TemplateError):
    """A question id the template does not have."""

    code = "unknown_question"
    http_status = 404


# -- set-up ----------------------------------------------------------------------------


class ModelMissingError(UnderlagError):
    """A model the command needs is not on disk; the message says how to make it."""

    code = "model_missing"
    exit_code = 2
    http_status = 503


class ModelSetupError(UnderlagError):
    """The embedding model could not be prepared; the message says what to do."""

    code = "model_setup"
    exit_code = 1
    http_status = 503


# -- files -----------------------------------------------------------------------------


class IngestError(UnderlagError):
    """A file could not be read into a document."""

    code = "ingest_error"
    exit_code = 1
    http_status = 422

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
    http_status = 415


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
    http_status = 413


class UnreadableError(IngestError):
    """A reader failed in a way nobody foresaw (a bug to report): the file is skipped and the
    rest of the batch goes on."""

    code = "internal"


class EncodingError(IngestError):
    """A text file in no encoding we can decode with confidence."""

    code = "encoding"


class FileNameError(IngestError):
    """A file whose name the index cannot store (not valid UTF-8 on disk)."""

    code = "file_name"


class BusyError(UnderlagError):
    """The service has as many heavy analyses running and waiting as it takes: try again later."""

    code = "busy"
    exit_code = 1
    http_status = 503

    def __init__(self, message: str, retry_after: int):
        self.retry_after = retry_after
        super().__init__(message)
