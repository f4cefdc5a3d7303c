"""The web service: time from start to the first answered request, and memory at rest.

Starts ``underlag serve`` in a subprocess on a free port over a prepared data
folder and polls ``/api/health`` and ``/api/search`` until each answers 200;
then, after a few idle seconds, reads the server's resident memory (VmRSS of
the process and its children) from /proc.

Data folders: ``corpus`` is the sample corpus ingested once with the real
model (cached in ``evaluations/out/server-corpus``, so the server does not
spend its start seeding an empty index); ``synthetic-<size>`` serves a corpus
``bench_query.py`` built (run it first for that size).

    python evaluations/bench_server.py [--sizes 100k]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench_common import OUT, ROOT, Row, machine, print_rows, size_label

START_TIMEOUT = 600


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        kids = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return kids + [g for c in kids for g in _children(c)]


def wait_ok(url: str, proc: subprocess.Popen, deadline: float) -> float:
    """Seconds (since the epoch, perf counter) at which ``url`` first answered 200."""
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                if r.status == 200:
                    r.read()
                    return time.perf_counter()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {START_TIMEOUT} s")


def serve_command(data_dir: Path, port: int) -> list[str]:
    exe = Path(sys.executable).parent / "underlag"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "api.cli"]
    return [*cmd, "serve", "--port", str(port), "--data-dir", str(data_dir)]


def measure(case: str, data_dir: Path, query: str = "kompetensförsörjning") -> Row:
    port = free_port()
    log = OUT / f"server-{re.sub(r'[^a-z0-9]+', '-', case.lower()).strip('-')}.log"
    with open(log, "w") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(serve_command(data_dir, port), stdout=out, stderr=subprocess.STDOUT,
                                cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = t0 + START_TIMEOUT
            health = wait_ok(f"{base}/api/health", proc, deadline) - t0
            search = wait_ok(f"{base}/api/search?q={urllib.request.quote(query)}", proc, deadline) - t0
            t = time.perf_counter()
            wait_ok(f"{base}/api/search?q={urllib.request.quote('bredband på landsbygden')}", proc, deadline)
            second = (time.perf_counter() - t) * 1000
            time.sleep(3)
            rest = rss_mb(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    return Row("server", case, {"first /api/health s": f"{health:.1f}", "first search s": f"{search:.1f}",
                                "next search ms": f"{second:.0f}", "RSS at rest MB": f"{rest:.0f}"},
               "underlag serve; log in evaluations/out/")


def corpus_data_dir() -> Path:
    """A data folder holding the sample corpus, ingested once with the real model."""
    data = OUT / "server-corpus"
    if not (data / "complete").exists():
        shutil.rmtree(data, ignore_errors=True)
        exe = Path(sys.executable).parent / "underlag"
        subprocess.run([str(exe), "ingest", str(ROOT / "corpus"), "--data-dir", str(data)], check=True,
                       stdout=subprocess.DEVNULL, cwd=ROOT)
        (data / "complete").write_text("ok")
    return data


def synthetic_data_dir(n: int) -> Path | None:
    """A data folder whose index is a bench_query.py corpus (None if that was not built)."""
    found = sorted(OUT.glob(f"synth-{size_label(n)}-*"))
    if not found or not (found[0] / "complete").exists():
        return None
    data = OUT / f"server-synth-{size_label(n)}"
    data.mkdir(parents=True, exist_ok=True)
    link = data / "index"
    if not link.exists():
        link.symlink_to(found[0].resolve())
    return data


def main_rows(sizes: list[int]) -> list[Row]:
    rows = [measure("corpus (4 reports)", corpus_data_dir())]
    for n in sizes:
        data = synthetic_data_dir(n)
        if data is None:
            rows.append(Row("server", f"synthetic {size_label(n)}", {}, "not built: run bench_query.py first"))
        else:
            rows.append(measure(f"synthetic {size_label(n)}", data))
    return rows


def main() -> None:
    from bench_common import parse_size

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100k", help="synthetic corpora to serve as well (comma-separated; '' none)")
    args = ap.parse_args()
    print(machine())
    print_rows(main_rows([parse_size(s) for s in args.sizes.split(",") if s]), "Server")


if __name__ == "__main__":
    main()
