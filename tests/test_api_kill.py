"""Killing the server (SIGKILL) in the middle of an upload's ingest leaves an
index that loads with every earlier document, searches in every mode and takes
new documents."""

from __future__ import annotations

import os
import queue
import signal
import threading
import time

import httpx

from api.subprocess_server import free_port, start_server, stop, wait_until_up
from index.search import Filters
from ingest.pipeline import parse_file
from nlp.embed import HashingEmbedder
from api.components import open_index
from underlag.settings import Settings


def big_report(sections: int = 400) -> str:
    """A long report of numbered sections (thousands of passages), with a word found nowhere else."""
    parts = ["Stor uppföljning av regionalt utvecklingsarbete 2026"]
    for i in range(1, sections + 1):
        parts.append(f"{i}. Insatsområde {i}")
        parts += [f"Under året genomfördes insats {i}.{j} om kvarnstensmodellen, kompetensförsörjning och "
                  f"samverkan med kommunerna i Örebro län, med uppföljning av mål och resultat. " * 3
                  for j in range(4)]
    return "\n\n".join(parts) + "\n"


def follow(proc) -> queue.Queue:
    """The server's output, line by line, as it comes."""
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        for raw in proc.stdout:
            lines.put(raw.decode(errors="replace"))

    threading.Thread(target=pump, daemon=True).start()
    return lines


def wait_for_line(lines: queue.Queue, needle: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        if needle in line:
            return line
    raise AssertionError(f"the server never logged {needle!r}")


def test_kill_during_ingest_keeps_every_earlier_document(tmp_path):
    data = tmp_path / "data"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(data, port)
    lines = follow(proc)
    try:
        wait_until_up(base, proc, timeout=600)  # a loaded 2-core machine starts slowly (3+ min seen)
        small = httpx.post(f"{base}/api/documents", timeout=60, files={"file": (
            "liten.txt", "Liten rapport 2026\n\n1. Bredband\n\nBredband till alla hushåll i Lekeberg.\n".encode())})
        assert small.status_code == 201, small.text
        before = {d["id"] for d in httpx.get(f"{base}/api/documents").json()}
        assert len(before) == 5  # the sample corpus, seeded at start, and one upload

        def upload_big() -> None:
            try:
                httpx.post(f"{base}/api/documents", timeout=120,
                           files={"file": ("stor.txt", big_report().encode())})
            except httpx.HTTPError:
                pass  # the server dies under it

        threading.Thread(target=upload_big, daemon=True).start()
        # killed while the index thread embeds, writes SQLite and saves the FAISS file
        wait_for_line(lines, "indexing stor.txt", timeout=90)
        time.sleep(0.3)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        stop(proc)

    # the next start opens the same index: in-process here, as the server does
    index = open_index(Settings(data_dir=data), HashingEmbedder())
    try:
        after = {d.id for d in index.store.list()}
        assert before <= after and len(after - before) <= 1
        for mode in ("hybrid", "lexical", "dense"):
            hits = index.search("bredband Lekeberg", k=50, mode=mode)
            assert any(h.filename == "liten.txt" for h in hits), mode
        # the big report is all there or not there at all: no passage without its document
        assert {p.document_id for _, p in index.store.all_passages()} == after
        for doc_id in after - before:
            assert index.store.get(doc_id).filename == "stor.txt"
            assert index.search("kvarnstensmodellen", k=5, filters=Filters(document=doc_id), mode="dense")
        # and the index takes new documents
        doc = parse_file(_write(tmp_path / "ny.txt", "Ny rapport 2027\n\n1. Kollektivtrafik\n\n"
                                                     "Fler avgångar i Askersund.\n"))
        index.add(doc)
        assert index.search("avgångar Askersund", k=1, mode="dense")[0].document_id == doc.id
    finally:
        index.close()


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def counts(index) -> tuple[int, int, int]:
    """Passages in SQLite, in the Tantivy index and in the FAISS index, as the next start opens them."""
    return index.sizes()


def _kill_at(proc, lines: queue.Queue, needle: str, after_s: float) -> None:
    wait_for_line(lines, needle, timeout=120)
    time.sleep(after_s)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def test_kill_during_an_upload_and_during_a_delete_keeps_every_acknowledged_change(tmp_path):
    data = tmp_path / "data"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    acknowledged_in: set[str] = set()
    acknowledged_out: set[str] = set()

    def post(name: str, text: str) -> str:
        r = httpx.post(f"{base}/api/documents", timeout=120, files={"file": (name, text.encode())})
        assert r.status_code == 201, r.text
        return r.json()["document"]["id"]

    def in_background(fn) -> None:
        def run() -> None:
            try:
                fn()
            except httpx.HTTPError:
                pass  # the server dies under it
        threading.Thread(target=run, daemon=True).start()

    # first life: an acknowledged upload, then killed during the next one
    proc = start_server(data, port)
    lines = follow(proc)
    try:
        wait_until_up(base, proc, timeout=600)  # a loaded 2-core machine starts slowly (3+ min seen)
        acknowledged_in.add(post("liten.txt", "Liten rapport 2026\n\n1. Bredband\n\nBredband i Lekeberg.\n"))
        big_id = post("stor-1.txt", big_report(150))
        acknowledged_in.add(big_id)
        in_background(lambda: httpx.post(f"{base}/api/documents", timeout=120,
                                         files={"file": ("stor-2.txt", big_report(300) + "Andra.\n")}))
        _kill_at(proc, lines, "indexing stor-2.txt", 0.3)
    finally:
        stop(proc)

    # second life: an acknowledged delete, then killed during the next delete
    proc = start_server(data, port)
    lines = follow(proc)
    try:
        wait_until_up(base, proc, timeout=600)  # a loaded 2-core machine starts slowly (3+ min seen)
        listed = {d["id"] for d in httpx.get(f"{base}/api/documents").json()}
        assert acknowledged_in <= listed
        small_id = next(iter(acknowledged_in - {big_id}))
        assert httpx.delete(f"{base}/api/documents/{small_id}", timeout=60).status_code == 200
        acknowledged_out.add(small_id)
        acknowledged_in.discard(small_id)
        in_background(lambda: httpx.delete(f"{base}/api/documents/{big_id}", timeout=60))
        _kill_at(proc, lines, f"deleting {big_id}", 0.05)
    finally:
        stop(proc)

    # after the restart: every acknowledged change is there, and the three indexes agree
    proc = start_server(data, port)
    follow(proc)
    try:
        wait_until_up(base, proc, timeout=600)  # a loaded 2-core machine starts slowly (3+ min seen)
        listed = {d["id"] for d in httpx.get(f"{base}/api/documents").json()}
        assert (acknowledged_in - {big_id}) <= listed and not (acknowledged_out & listed)
        hits = httpx.get(f"{base}/api/search", params={"q": "bredband Lekeberg", "k": 50}).json()["hits"]
        assert small_id not in {h["document_id"] for h in hits}
    finally:
        stop(proc)
    index = open_index(Settings(data_dir=data), HashingEmbedder())
    try:
        stored, lexical, dense = counts(index)
        assert stored == lexical == dense > 0
        # each document is all there or not at all: no passage without its document
        assert {p.document_id for _, p in index.store.all_passages()} == {d.id for d in index.store.list()}
    finally:
        index.close()
