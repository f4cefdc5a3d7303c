"""The embedding model's tokenizer, loaded in the part a text needs.

e5's tokenizer (XLM-R's sentencepiece unigram, 250 002 pieces in ``tokenizer.json``)
takes 0.6-0.9 s to load with the ``tokenizers`` library, which holds the GIL while it
builds its tables: a third of a search from the terminal. Swedish and English text uses
pieces of Latin letters, digits and punctuation only: 110 432 of them, which load in
0.19 s. Setup writes that part as its own tokenizer (:func:`ensure_latin_tokenizer`),
and :class:`ModelTokenizer` encodes with it, mapping its ids back to the model's.

The result is the full tokenizer's, token for token. The pre-tokenizer splits a text
into words and the unigram model segments each word on its own, by the best-scoring
pieces that spell it. A word whose characters are all kept characters can only be
spelled with kept pieces (a piece holding another character does not occur in it), so
both tokenizers see the same candidates and choose the same segmentation. A word with
another character (Cyrillic, Greek, CJK, an emoji) has no piece for it in the small
part and comes out as ``<unk>``: a text whose encoding holds ``<unk>`` is encoded again
by the full tokenizer, loaded on first need. ``tests/test_tokenizer.py`` compares both
on the sample corpus and on texts in other scripts.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

TOKENIZER_FILE = "tokenizer.json"
LATIN_FILE = "tokenizer-latin.json"
#: the model's id of each small-tokenizer id, and the digest of the tokenizer.json it came from
LATIN_IDS_FILE = "tokenizer-latin-ids.npz"
#: ids below this are the special pieces (<s>, <pad>, </s>, <unk>): kept where they are
_SPECIALS = 4
_UNK = "<unk>"


def latin_char(c: str) -> bool:
    """A character of the kept part: Latin letters (Basic Latin to Latin Extended-B), general
    punctuation, currency and letter-like symbols, and sentencepiece's word mark."""
    o = ord(c)
    return o < 0x250 or 0x2000 <= o <= 0x206F or 0x20A0 <= o <= 0x20CF or 0x2100 <= o <= 0x214F or c == "\u2581"


def _digest(path: Path) -> str:
    # 17 MB through sha256: about 20 ms, against 0.6 s for loading the full tokenizer
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ensure_latin_tokenizer(model_dir: Path) -> Path:
    """Write the kept part of ``model_dir``'s tokenizer beside it unless it is there and made
    from the same ``tokenizer.json``. Returns the small tokenizer's path."""
    model_dir = Path(model_dir)
    source = model_dir / TOKENIZER_FILE
    target, ids_path = model_dir / LATIN_FILE, model_dir / LATIN_IDS_FILE
    digest = _digest(source)
    if _latin_ids(model_dir, digest) is not None and target.is_file():
        return target
    spec = json.loads(source.read_text(encoding="utf-8"))
    model = spec["model"]
    if model.get("type") != "Unigram" or model.get("unk_id") is None or model["unk_id"] >= _SPECIALS:
        raise ValueError(f"{source}: expected a unigram tokenizer with <unk> among its first {_SPECIALS} pieces")
    keep = [i for i, (piece, _) in enumerate(model["vocab"])
            if i < _SPECIALS or all(latin_char(c) for c in piece)]
    new_id = {old: new for new, old in enumerate(keep)}
    for token in spec.get("added_tokens", []):
        if token["id"] not in new_id:
            raise ValueError(f"{source}: the added token {token['content']!r} is outside the kept part")
        token["id"] = new_id[token["id"]]
    # the special pieces keep their ids, so the post-processor's <s> and </s> stay right
    model["vocab"] = [model["vocab"][i] for i in keep]
    _write_atomically(target, json.dumps(spec, ensure_ascii=False).encode("utf-8"))
    tmp = ids_path.with_name(ids_path.name + ".tmp.npz")
    np.savez(tmp, ids=np.asarray(keep, dtype=np.int32), source=np.asarray(digest))
    os.replace(tmp, ids_path)
    return target


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _latin_ids(model_dir: Path, digest: str) -> np.ndarray | None:
    """The small tokenizer's id map, if it was made from the tokenizer with this digest."""
    try:
        with np.load(model_dir / LATIN_IDS_FILE) as data:
            return data["ids"] if str(data["source"]) == digest else None
    except (OSError, KeyError, ValueError):
        return None


class ModelTokenizer:
    """Token ids of texts for the model: through the kept part when it holds every piece a
    text needs, through the full tokenizer (loaded on first need) when it does not.

    Truncated to ``max_length`` tokens, special tokens included, and not padded.
    """

    def __init__(self, model_dir: Path, max_length: int = 512) -> None:
        self.model_dir = Path(model_dir)
        self.max_length = max_length
        self._full: Any = None
        self._lock = threading.Lock()
        self._small: Any = None
        self._ids: np.ndarray | None = None
        if (self.model_dir / LATIN_FILE).is_file():
            ids = _latin_ids(self.model_dir, _digest(self.model_dir / TOKENIZER_FILE))
            if ids is not None:
                self._small, self._ids = self._load(self.model_dir / LATIN_FILE), ids
        self._small_unk = None if self._small is None else self._small.token_to_id(_UNK)
        source = self._small if self._small is not None else self.full
        pad = source.token_to_id("<pad>")
        self.pad_id = 1 if pad is None else self._model_id(pad)

    def _load(self, path: Path) -> Any:
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(path))
        tokenizer.enable_truncation(self.max_length)
        tokenizer.no_padding()  # each batch is padded to its own longest text by the embedder
        return tokenizer

    @property
    def full(self) -> Any:
        """The whole tokenizer (loaded on first use)."""
        with self._lock:
            if self._full is None:
                self._full = self._load(self.model_dir / TOKENIZER_FILE)
            return self._full

    @property
    def uses_full(self) -> bool:
        """Whether the full tokenizer has been loaded (for tests and benchmarks)."""
        return self._full is not None

    def _model_id(self, small_id: int) -> int:
        return int(self._ids[small_id]) if self._ids is not None else small_id

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        """Each text's token ids, as the model's full tokenizer gives them."""
        texts = list(texts)
        if self._small is None:
            return [e.ids for e in self.full.encode_batch(texts)]
        out: list[list[int]] = []
        again: list[int] = []
        for i, e in enumerate(self._small.encode_batch(texts)):
            if self._small_unk in e.ids:
                again.append(i)
                out.append([])
            else:
                out.append(self._ids[np.asarray(e.ids, dtype=np.int64)].tolist())
        if again:
            for i, e in zip(again, self.full.encode_batch([texts[i] for i in again])):
                out[i] = e.ids
        return out
