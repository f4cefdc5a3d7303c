"""Start-up: whole-process wall time and peak memory of the commands a user types.

Each command runs as its own process, as a user runs it, median of ``--repeat``
runs, against ``python -c "import faiss, numpy"`` measured in the same run as the
yardstick (on a shared machine the absolute seconds move with the load; the ratio
to the yardstick moves much less):

* ``underlag --help``, ``underlag documents``, ``underlag template list``;
* ``underlag search ... --json`` and ``underlag tag --text ...`` alone;
* ``underlag serve`` to its first answered search, its memory at rest, the end of its
  background tagging, and the same commands again while it runs (once it is idle).

Peak memory is each process's own maximum resident set (``wait4``), the server's
is its resident set once ready.

    python evaluations/bench_startup.py --data-dir DIR [--root CHECKOUT] [--repeat 3]

``--root`` times another checkout's code with the same interpreter (the "before"
column: a checkout of the commit before the lean runtime; it needs the models, e.g. its
``data`` a link to this checkout's). ``DIR`` must hold an
index (``underlag ingest corpus --data-dir DIR``); it is only read.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench_common import ROOT, Row, machine, print_rows

QUERY = "fibernät på glesbygden"
TAG_TEXT = "Regionen bygger ut bredband på landsbygden och stärker kompetensförsörjningen."


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, peak resident MB, exit code) of one process, run in the timed checkout
    (``python -m`` puts the working folder first on the path, before ``PYTHONPATH``)."""
    t = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=env["PYTHONPATH"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode


def median_run(argv: list[str], env: dict[str, str], repeat: int) -> tuple[float, float, int]:
    runs = [run_once(argv, env) for _ in range(repeat)]
    bad = [code for *_, code in runs if code != 0]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs), (bad[0] if bad else 0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(cli: list[str], env: dict[str, str], data_dir: Path,
                 timeout: float) -> tuple[subprocess.Popen, float, str]:
    """The server, the seconds from its start to its first answered search, and its address."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    t = time.perf_counter()
    proc = subprocess.Popen([*cli, "serve", "--port", str(port), "--data-dir", str(data_dir)], env=env,
                            cwd=env["PYTHONPATH"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    probe = f"{url}/api/search?" + urllib.parse.urlencode({"q": QUERY, "k": 5})
    while time.perf_counter() - t < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the server stopped with exit code {proc.returncode}")
        try:
            with urllib.request.urlopen(probe, timeout=5) as r:
                if r.status == 200:
                    return proc, time.perf_counter() - t, url
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError(f"the server answered no search within {timeout:.0f} s")


def wait_for_background(url: str, timeout: float) -> float:
    """Seconds until the server reports no tagging pending (``/api/health``)."""
    t = time.perf_counter()
    while time.perf_counter() - t < timeout:
        with urllib.request.urlopen(f"{url}/api/health", timeout=5) as r:
            if json.loads(r.read()).get("tagging_pending", 0) == 0:
                return time.perf_counter() - t
        time.sleep(0.2)
    raise RuntimeError(f"the server still tags after {timeout:.0f} s")


def main_rows(root: Path, data_dir: Path, repeat: int, server: bool = True, label: str = "") -> list[Row]:
    env = {**os.environ, "PYTHONPATH": str(root), "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "2")}
    cli = [sys.executable, "-m", "api.cli"]
    dd = ["--data-dir", str(data_dir)]
    commands = {
        "--help": [*cli, "--help"],
        "documents": [*cli, "documents", *dd],
        "template list": [*cli, "template", "list"],
        "search --json": [*cli, "search", QUERY, "--k", "5", "--json", *dd],
        "tag --text": [*cli, "tag", "--text", TAG_TEXT, "--json"],
    }
    yard, yard_mb, _ = median_run([sys.executable, "-c", "import faiss, numpy"], env, repeat)
    rows = [Row("startup", f"{label}yardstick: python -c 'import faiss, numpy'",
                {"seconds": f"{yard:.2f}", "x yardstick": "1.0", "peak MB": f"{yard_mb:.0f}"}, f"median of {repeat}")]

    def measure(case: str, argv: list[str], note: str) -> None:
        wall, mb, code = median_run(argv, env, repeat)
        rows.append(Row("startup", f"{label}{case}", {
            "seconds": f"{wall:.2f}", "x yardstick": f"{wall / yard:.1f}", "peak MB": f"{mb:.0f}"},
            note + (f" (exit code {code})" if code else "")))

    for case, argv in commands.items():
        measure(case, argv, "alone")
    if not server:
        return rows
    proc, ready, url = start_server(cli, env, data_dir, timeout=600)
    try:
        time.sleep(1.0)  # let start-up work settle before reading its memory at rest
        rows.append(Row("startup", f"{label}serve: first answered search", {
            "seconds": f"{ready:.2f}", "x yardstick": f"{ready / yard:.1f}", "peak MB": f"{rss_mb(proc.pid):.0f}"},
            "peak MB here: the server's resident set at rest"))
        # The server tags documents ingested without the tagger in the background after it
        # is ready; the commands below time the server at work on requests, not beside it.
        settled = wait_for_background(url, timeout=600)
        rows.append(Row("startup", f"{label}serve: background tagging done", {
            "seconds": f"{ready + 1.0 + settled:.2f}", "x yardstick": f"{(ready + 1.0 + settled) / yard:.1f}",
            "peak MB": f"{rss_mb(proc.pid):.0f}"}, "from the start; peak MB: resident set then"))
        env["UNDERLAG_SERVER"] = url
        for case in ("search --json", "tag --text", "documents"):
            measure(f"{case} (server running)", commands[case], "with the server")
    finally:
        env.pop("UNDERLAG_SERVER", None)
        proc.terminate()
        proc.wait(timeout=30)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True, help="a data folder with an index (read only)")
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout whose code is timed")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-server", action="store_true", help="skip the server measurements")
    args = ap.parse_args()
    print(machine())
    print_rows(main_rows(args.root.resolve(), args.data_dir.resolve(), args.repeat, not args.no_server),
               "Start-up")


if __name__ == "__main__":
    main()
