"""Settings in one place, read from the environment (prefix ``UNDERLAG_``).

Defaults work on a fresh clone: the data folder (the index and the document
store) lives in ``data/`` at the project root, which git ignores.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="UNDERLAG_", extra="ignore")

    #: Where the index and the document store live (``UNDERLAG_DATA_DIR``).
    data_dir: Path = PROJECT_ROOT / "data"
    #: Files larger than this are refused with a clear error instead of being read.
    max_file_mb: float = 100.0
    #: A .docx whose zip members inflate to more than this in all is refused
    #: (``UNDERLAG_DOCX_MAX_INFLATED_MB``): a zip bomb of 1 MB inflating to 1 GiB grew
    #: the server by 2 GB before. Images count: they do not shrink in the zip.
    docx_max_inflated_mb: float = 256.0
    #: ...and any one XML part over this (``UNDERLAG_DOCX_MAX_XML_MB``): lxml's tree takes
    #: several times the text's size; a 1 000-page report's document.xml is ~20 MB.
    docx_max_xml_mb: float = 64.0
    #: PDFs with more pages than this are refused (a 2 000-page PDF is not a report).
    max_pdf_pages: int = 2000
    #: The converted embedding model (``UNDERLAG_MODEL_DIR``), made once by
    #: ``python -m nlp.model_setup``. Shared by every data folder, so a second
    #: index (or a test's temporary one) does not convert the model again.
    model_dir: Path = PROJECT_ROOT / "data" / "models" / "multilingual-e5-small-q4"
    #: Embed with dynamic int8 quantisation (``UNDERLAG_EMBED_INT8``). With the ONNX backend:
    #: a 118 MB graph instead of 470 MB (load 3.4 s and 259 MB peak instead of 14-28 s and
    #: 868 MB, measured under load 20 on 2 cores), vectors at cosine 0.989 or more to float32.
    #: With PyTorch: 2.3x the passages per second, hybrid nDCG@10 0.654 -> 0.634. The index
    #: records the model, so switching re-embeds every passage.
    embed_int8: bool = False
    #: What runs the embedding model (``UNDERLAG_EMBED_BACKEND``): "onnx" (ONNX Runtime and
    #: ``tokenizers`` only: no torch import, so a command starts seconds sooner) or "torch"
    #: (sentence-transformers, the reference). Their float32 vectors agree to cosine 0.9999.
    embed_backend: Literal["onnx", "torch"] = "onnx"
    #: FAISS index kind (``UNDERLAG_DENSE_INDEX``): "auto" searches exactly below
    #: 200 000 passages and builds an IVF index above; or force "flat", "ivf" or "hnsw".
    dense_index: Literal["auto", "flat", "hnsw", "ivf"] = "auto"
    #: BM25 engine (``UNDERLAG_LEXICAL_ENGINE``): "tantivy" (fast at any size; its files
    #: are derived from the store and rebuilt from it when stale) or "fts5" (SQLite's own).
    lexical_engine: Literal["tantivy", "fts5"] = "tantivy"
    #: Web service: when set, requests that change the index (upload, delete) or send a
    #: file to check or tag must send ``Authorization: Bearer <token>`` (``UNDERLAG_API_TOKEN``).
    api_token: str | None = None
    #: Web service: when set, every request but ``/api/health`` and the static files needs
    #: this token (or the write token), as a Bearer token or as the password of HTTP Basic,
    #: which a browser asks for itself (``UNDERLAG_READ_TOKEN``). ``underlag serve``
    #: beyond loopback refuses to start without it: the reports can be internal drafts.
    read_token: str | None = None
    #: Web service: serve beyond loopback without a read token, readable by anyone who
    #: reaches the port (``UNDERLAG_PUBLIC_READ``; writes still need ``api_token``).
    public_read: bool = False
    #: Web service: the address ``underlag serve`` listens on (its ``--host``).
    host: str = "127.0.0.1"
    #: Web service: the host names a request may name in its ``Host`` header, comma-separated
    #: (``UNDERLAG_ALLOWED_HOSTS``, e.g. ``underlag.intern.regionorebrolan.se``; ``*`` for any).
    #: Default: the address listened on and the loopback names (and this machine's name
    #: when listening on every address). Other hosts get 400: no DNS rebinding.
    allowed_hosts: Annotated[list[str], NoDecode] = []
    #: Web service: request bodies (uploads included) larger than this are refused with 413.
    max_upload_mb: float = 20.0
    #: Web service: the most a request line and its headers may take, in KiB
    #: (``UNDERLAG_MAX_REQUEST_HEAD_KB``). uvicorn's default of 16 KiB refused a
    #: 100 000-character query before the app saw it; at 1 MiB such a query gets the
    #: API's own answer (422), and a longer head a JSON 400.
    max_request_head_kb: int = 1024
    #: Web service: analyses of a text or an uploaded draft (tagging, coverage, a
    #: document's goal profile) that run at once, beside searches and uploads
    #: (``UNDERLAG_API_HEAVY_JOBS``). One keeps a core for searches on a 2-core machine.
    api_heavy_jobs: int = Field(1, ge=1)
    #: Web service: analyses that may wait for one of those; one more is refused at
    #: once with 503 and Retry-After (``UNDERLAG_API_HEAVY_QUEUE``).
    api_heavy_queue: int = Field(4, ge=0)
    #: Web service: the Retry-After of that 503, in seconds (``UNDERLAG_API_BUSY_RETRY_S``).
    api_busy_retry_s: int = Field(10, ge=1)
    #: Web service: "hashing" serves with the instant test embedder instead of the
    #: real model (end-to-end tests and load runs only; never mix with a real index).
    api_embedder: Literal["e5", "hashing"] = "e5"
    #: A running server for the command line to ask first (``UNDERLAG_SERVER``, e.g.
    #: http://127.0.0.1:8000). Unset: the one announced in the data folder, if any.
    server: str | None = None
    #: The cosine similarity a passage needs to count as a hit by meaning alone in a search's
    #: total and facets (``UNDERLAG_SEARCH_DENSE_FLOOR``); a passage with a query word always
    #: counts. None: the floor measured for the model (index/paging.py, evaluations/README.md).
    search_dense_floor: float | None = None

    #: The project's own data: templates, taxonomies, training examples and the sample
    #: corpus (``UNDERLAG_CORPUS_DIR``).
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    #: Hand-labelled passages the tagger's classifier and combiner are trained on.
    tagging_labels: Path = PROJECT_ROOT / "corpus" / "training" / "tagging_labels.jsonl"

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return [h.strip() for h in value.split(",") if h.strip()] if isinstance(value, str) else value

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def templates_dir(self) -> Path:
        """Report templates (``underlag template list``)."""
        return self.corpus_dir / "templates"

    @property
    def taxonomies_dir(self) -> Path:
        """Goal frameworks: Agenda 2030, the national strategy, the RUS, perspectives."""
        return self.corpus_dir / "taxonomies"

    @property
    def training_dir(self) -> Path:
        """Example texts the tagger is trained on (shipped with the product)."""
        return self.corpus_dir / "training"

    @property
    def tagger_dir(self) -> Path:
        """Trained tagger models, next to the embedding model and shared by every data folder."""
        return self.model_dir.parent / "tagger"

    @property
    def cache_dir(self) -> Path:
        """What is built once from installed word lists and kept (the Swedish lexicon and its
        SQLite copy, the repair lexicon's answers), next to the models, for every data folder."""
        return self.model_dir.parent / "cache"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own :class:`Settings` instead."""
    return Settings()
