"""How long a search waits while the server writes a whole first draft (``GET /api/draft``).

    python evaluations/draft_job_latency.py DATA_DIR

In process (TestClient) with the hashing embedder, over the sample corpus seeded into
an empty ``DATA_DIR``: ten searches on an idle server, then one search every 0.2 s
while a draft of the 2023 template (002 left out) runs in another thread. The draft
job of the web page (``POST /api/jobs/draft``) drafts through the same
``api.routes.drafting.run_draft``. For the baseline, run it from an export of an
earlier commit (``git archive 20a83c6 | tar -x -C /tmp/old``, ``PYTHONPATH=/tmp/old``).
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from nlp.embed import HashingEmbedder
from underlag.settings import Settings


def main(data: Path) -> None:
    with TestClient(create_app(Settings(data_dir=data), HashingEmbedder()), base_url="http://localhost") as c:
        def search() -> float:
            t = time.perf_counter()
            assert c.get("/api/search", params={"q": "kompetensförsörjning", "k": 10}).status_code == 200
            return time.perf_counter() - t

        search()
        idle = [search() for _ in range(10)]
        out: dict = {}

        def draft() -> None:
            t = time.perf_counter()
            r = c.get("/api/draft", params={"template": "aterrapportering-2023",
                                            "exclude_document": "002_aee3b258286ac5e7.txt"})
            out["seconds"], out["summary"] = time.perf_counter() - t, r.json()["summary"]

        worker = threading.Thread(target=draft)
        worker.start()
        time.sleep(0.5)
        during = []
        while worker.is_alive():
            during.append(search())
            time.sleep(0.2)
        worker.join()
        print(f"idle median {statistics.median(idle):.3f} s; during the draft: {len(during)} searches, median "
              f"{statistics.median(during):.3f} s, max {max(during):.3f} s; draft {out['seconds']:.1f} s; "
              f"{out['summary']}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
