"""Long jobs of the web page: an id at once, then progress (stage and share done) and a result.

Adding a report to the index, checking a whole draft and tagging a CSV take 10-60 s on
a shared machine; a request that waits that long leaves the page silent. A job runs as
an asyncio task in the server (its heavy steps on the index thread or the thread pool,
as the synchronous endpoints run them), and the page polls ``GET /api/jobs/{id}``.

Jobs live in memory: a restart forgets them (their effects on the index stay). Finished
jobs are kept for :data:`KEEP_S` seconds, at most :data:`MAX_JOBS` of them.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import HTTPException

from underlag.errors import UnderlagError

log = logging.getLogger("underlag.api")

KEEP_S = 3600.0
MAX_JOBS = 200

Status = Literal["running", "done", "failed"]


@dataclass
class Job:
    id: str
    kind: str
    label: str
    stage: str = "queued"
    done: float = 0.0
    # what the stage works on now (a draft: the question's id), or None
    detail: str | None = None
    status: Status = "running"
    result: Any = None
    error: dict[str, str] | None = None
    # what the job keeps for downloads (a coverage report, a tagged CSV), never sent as JSON
    artefact: Any = None
    started: float = field(default_factory=time.time)
    finished: float | None = None

    def progress(self, stage: str, done: float, detail: str | None = None) -> None:
        """Report a stage (a short code the page names in Swedish), the share done (0..1)
        and, optionally, what the stage works on now."""
        self.stage = stage
        self.done = max(0.0, min(1.0, done))
        self.detail = detail

    def json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "label": self.label, "status": self.status,
                "stage": self.stage, "done": round(self.done, 3), "detail": self.detail,
                "result": self.result, "error": self.error,
                "seconds": round((self.finished or time.time()) - self.started, 2)}


Work = Callable[[Job], Awaitable[Any]]


class Jobs:
    """The server's jobs by id."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._tasks: set[asyncio.Task] = set()

    def start(self, kind: str, label: str, work: Work) -> Job:
        """Run ``work(job)`` in the background; its return value becomes the job's result."""
        self._forget_old()
        job = Job(id=uuid.uuid4().hex[:16], kind=kind, label=label)
        self._jobs[job.id] = job
        task = asyncio.create_task(self._run(job, work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    async def _run(self, job: Job, work: Work) -> None:
        try:
            job.result = await work(job)
            job.status = "done"
            job.progress("done", 1.0)
        except UnderlagError as e:
            job.status, job.error = "failed", {"code": e.code, "detail": str(e)}
        except HTTPException as e:
            job.status, job.error = "failed", {"code": _http_code(e.status_code), "detail": str(e.detail)}
        except asyncio.CancelledError:
            job.status, job.error = "failed", {"code": "cancelled", "detail": "the server stopped"}
            raise
        except Exception:
            log.exception("job %s (%s) failed", job.id, job.kind)
            job.status, job.error = "failed", {"code": "internal",
                                               "detail": "internal error; the server log has the details"}
        finally:
            job.finished = time.time()

    def get(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise HTTPException(404, f"no job '{job_id[:40]}' (jobs are forgotten an hour after they end)")
        return job

    def _forget_old(self) -> None:
        now = time.time()
        for j in [j for j in self._jobs.values() if j.finished and now - j.finished > KEEP_S]:
            del self._jobs[j.id]
        finished = sorted((j for j in self._jobs.values() if j.finished), key=lambda j: j.finished or 0)
        while len(self._jobs) >= MAX_JOBS and finished:
            del self._jobs[finished.pop(0).id]

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def _http_code(status: int) -> str:
    # the same codes api.security gives these statuses
    return {400: "bad_request", 401: "unauthorized", 404: "not_found", 413: "too_large",
            415: "unsupported_format", 422: "invalid"}.get(status, "error")
