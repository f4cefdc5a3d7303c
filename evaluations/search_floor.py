"""The dense similarity floor of a search total (``UNDERLAG_SEARCH_DENSE_FLOOR``, index/paging.py).

Embeds every passage of the four sample reports with the real model and prints, for
off-topic queries (no report is about them) and on-topic ones, the best cosine and how
many passages reach each candidate floor. The floor is the lowest value at which every
off-topic query counts no passage by meaning alone.

    python evaluations/search_floor.py
"""

from __future__ import annotations


from api.components import build_embedder
from index.passages import indexed_text, passages
from ingest.pipeline import parse_file
from underlag.settings import Settings

OFF_TOPIC = ["xylofonorkester", "astronaut på månen", "recept på kanelbullar", "fotbollsmatch i Premier League"]
ON_TOPIC = ["kompetensförsörjning", "kollektivtrafik på landsbygden", "bredband", "jämställdhet",
            "innovation och forskning", "samverkan med kommunerna"]
FLOORS = (0.80, 0.82, 0.84)


def main() -> None:
    settings = Settings()
    embedder = build_embedder(settings, threads=1)
    texts = [indexed_text(p) for f in sorted(settings.corpus_dir.glob("*.txt"))
             for p in passages(parse_file(f, settings))]
    vectors = embedder.encode_passages(texts)
    print(f"{len(texts)} passages\n| query | kind | best cosine | " + " | ".join(f">= {f:.2f}" for f in FLOORS) + " |")
    print("|---|---|---|" + "---|" * len(FLOORS))
    for kind, queries in (("off-topic", OFF_TOPIC), ("on-topic", ON_TOPIC)):
        for q in queries:
            sims = vectors @ embedder.encode_queries([q])[0]
            print(f"| {q} | {kind} | {sims.max():.3f} | " + " | ".join(str(int((sims >= f).sum())) for f in FLOORS) + " |")


if __name__ == "__main__":
    main()
