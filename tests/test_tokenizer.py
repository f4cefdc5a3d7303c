"""nlp.tokenizer: the small Latin part of e5's tokenizer gives the full tokenizer's ids."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tokenizers import Tokenizer

from nlp.model_setup import PASSAGE_PREFIX, QUERY_PREFIX
from nlp.tokenizer import LATIN_FILE, LATIN_IDS_FILE, TOKENIZER_FILE, ModelTokenizer, ensure_latin_tokenizer
from underlag.settings import get_settings

MODEL_DIR = get_settings().model_dir
OTHER_SCRIPTS = [
    "Региональное развитие и Örebro län",  # Cyrillic beside Swedish
    "Η περιφέρεια 2030",
    "地域開発 Region Örebro län",
    "Bredband 🚀 på landsbygden",
    "Ett <mask> i texten och </s> mitt i",
    "ﬁnansiering ½ Ａ fullbredd ² och é med kombinerande accent",
    "tabb\tradbrytning\nmellanslag  dubbla",
    "",
]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    """A copy of the model's tokenizer files with the small part written by setup's own code."""
    folder = tmp_path_factory.mktemp("tokenizer")
    shutil.copy(MODEL_DIR / TOKENIZER_FILE, folder / TOKENIZER_FILE)
    ensure_latin_tokenizer(folder)
    return folder


@pytest.fixture(scope="module")
def full(model_dir) -> Tokenizer:
    tokenizer = Tokenizer.from_file(str(model_dir / TOKENIZER_FILE))
    tokenizer.enable_truncation(512)
    tokenizer.no_padding()
    return tokenizer


def corpus_texts(corpus_dir: Path) -> list[str]:
    from ingest.pipeline import parse_many
    from index.passages import indexed_text, passages, sentence_texts

    texts: list[str] = []
    for result in parse_many([corpus_dir]):
        for p in passages(result.document):
            texts += [PASSAGE_PREFIX + indexed_text(p), QUERY_PREFIX + p.section_title]
            texts += [PASSAGE_PREFIX + s for s in sentence_texts(p)]
    return texts


def test_the_sample_corpus_gets_the_full_tokenizers_ids_without_loading_it(model_dir, full, corpus_dir):
    texts = corpus_texts(corpus_dir)
    assert len(texts) > 3000
    tokenizer = ModelTokenizer(model_dir)
    assert tokenizer.encode_batch(texts) == [e.ids for e in full.encode_batch(texts)]
    assert not tokenizer.uses_full, "Swedish text needed the full tokenizer"
    assert tokenizer.pad_id == full.token_to_id("<pad>")


def test_other_scripts_and_special_tokens_get_the_full_tokenizers_ids(model_dir, full):
    tokenizer = ModelTokenizer(model_dir)
    assert tokenizer.encode_batch(OTHER_SCRIPTS) == [e.ids for e in full.encode_batch(OTHER_SCRIPTS)]
    assert tokenizer.uses_full  # the Cyrillic, Greek, CJK and emoji texts went to it


def test_a_long_text_is_truncated_like_the_full_tokenizer(model_dir, full):
    text = "Kompetensförsörjning i Örebro län. " * 400 + "Региональное"
    tokenizer = ModelTokenizer(model_dir)
    ids = tokenizer.encode_batch([text])[0]
    assert len(ids) == 512
    assert ids == full.encode(text).ids


def test_a_small_part_made_from_another_tokenizer_file_is_not_used(model_dir, tmp_path):
    for name in (TOKENIZER_FILE, LATIN_FILE, LATIN_IDS_FILE):
        shutil.copy(model_dir / name, tmp_path / name)
    with (tmp_path / TOKENIZER_FILE).open("a", encoding="utf-8") as f:
        f.write("\n")  # the same tokenizer, another file
    tokenizer = ModelTokenizer(tmp_path)
    assert tokenizer.uses_full  # its digest no longer matches: the full tokenizer from the start
    assert tokenizer.encode_batch(["Bredband på landsbygden"]) == [
        Tokenizer.from_file(str(tmp_path / TOKENIZER_FILE)).encode("Bredband på landsbygden").ids]
    ensure_latin_tokenizer(tmp_path)  # setup writes it again for the changed file
    assert not ModelTokenizer(tmp_path).uses_full


def test_without_the_small_part_the_full_tokenizer_is_used(tmp_path, full):
    shutil.copy(MODEL_DIR / TOKENIZER_FILE, tmp_path / TOKENIZER_FILE)
    tokenizer = ModelTokenizer(tmp_path)
    assert tokenizer.uses_full
    assert tokenizer.encode_batch(["Örebro län"]) == [full.encode("Örebro län").ids]
