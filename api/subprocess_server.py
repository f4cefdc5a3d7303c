"""``underlag serve`` in a child process on loopback, for the end-to-end test,
the kill test and the load run (they need a real server, not an in-process app)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from underlag.settings import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, port: int, **env: str) -> subprocess.Popen:
    """Start the server; output (stdout and stderr) is readable from ``proc.stdout``.

    ``UNDERLAG_API_EMBEDDER`` defaults to "hashing" (instant start); pass
    ``UNDERLAG_API_EMBEDDER="e5"`` for the real model.
    """
    environment = {**os.environ, "UNDERLAG_API_EMBEDDER": "hashing", "PYTHONUNBUFFERED": "1", **env}
    return subprocess.Popen(
        [sys.executable, "-c", "from api.cli import app; app()", "serve",
         "--port", str(port), "--data-dir", str(data_dir)],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT)


def wait_until_up(base: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    """Wait for ``/api/health`` to answer; fail with the server's output if it exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            raise RuntimeError(f"the server exited with {proc.returncode}: {out[-3000:]}")
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the server did not answer at {base} within {timeout:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def served(data_dir: Path, timeout: float = 300, **env: str) -> Iterator[str]:
    """A real ``underlag serve`` on a free loopback port over ``data_dir`` while the block
    runs; yields its base URL. Seeding the sample corpus and loading the tagger take minutes
    on a busy machine, hence the long default ``timeout``."""
    port = free_port()
    proc = start_server(data_dir, port, **env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, proc, timeout=timeout)
        yield base
    finally:
        stop(proc)
