"""The tagger: multi-label goals and targets with calibrated scores and evidence.

Uses the real model (session ``e5`` fixture); the trained tagger is cached next to the
embedding model, so only the first run after a change of the labelled data, the
frameworks or the lexicon trains it.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from index.search import Filters
from nlp.analyzer import default_analyzer
from nlp.tagger import (
    LONG_TEXT, WINDOW_GATE, Combiners, Lexicon, chunk_text, keyword_baseline, merge_spans, window_gate,
)
from nlp.taxonomy import load_taxonomies
from api.components import load_tagger
from api.components import open_index
from underlag.settings import get_settings

BROADBAND = ("Utbyggnaden av bredband och digital infrastruktur på landsbygden har fortsatt under året. "
             "Fler hushåll och företag har fått tillgång till snabb uppkoppling via fiber.")
GENDER = ("Jämställdhetsintegrering är ett krav i alla projekt som finansieras med regionala medel. "
          "Statistiken delas upp på kön och insatserna ska ge kvinnor och män samma möjligheter.")
ENGLISH_BROADBAND = ("The regional programme funds the roll-out of fast broadband and mobile internet "
                     "coverage in rural areas, so that households and firms can go online.")
ENGLISH_EDUCATION = ("Vocational training and adult education help people gain the technical skills "
                     "employers need; validation of prior learning shortens the way to a job.")


@pytest.fixture(scope="session")
def tagger(e5):
    return load_tagger(get_settings(), e5, default_analyzer())


def keys(tags):
    return {t.key for t in tags}


def test_broadband_passage_is_tagged_9c_and_the_national_broadband_priority(tagger):
    got = keys(tagger.tag(BROADBAND))
    assert {"agenda2030:9", "agenda2030:9.c", "national_strategy:S4",
            "national_strategy:S4.1"} <= got


def test_gender_mainstreaming_passage_gets_goal_5(tagger):
    tags = tagger.tag(GENDER)
    assert "agenda2030:5" in keys(tags)
    assert "perspectives:jamstalldhet" in keys(tags)


@pytest.mark.parametrize("text,expected", [
    (ENGLISH_BROADBAND, "agenda2030:9"),
    (ENGLISH_EDUCATION, "agenda2030:4"),
])
def test_english_text_is_tagged_too(tagger, text, expected):
    assert expected in keys(tagger.tag(text))


def test_a_passage_gets_every_goal_it_concerns(tagger):
    text = ("Projektet stöttar kvinnors företagande på landsbygden och energieffektivisering i små och "
            "medelstora företag, med rådgivning om solceller och minskad klimatpåverkan.")
    got = {t.id for t in tagger.tag(text) if t.framework == "agenda2030" and t.level == "goal"}
    # women's enterprise (5), energy (7); SMEs (8) and climate (13) may come too, nothing unrelated
    assert {"5", "7"} <= got <= {"5", "7", "8", "9", "12", "13"}


def test_administrative_text_gets_no_agenda_goal(tagger):
    text = "Projektet följs upp med lägesrapporter. Styrgruppen sammanträder fyra gånger per år."
    assert not [t for t in tagger.tag(text) if t.framework == "agenda2030"]


@pytest.mark.parametrize("text", [BROADBAND, GENDER, ENGLISH_BROADBAND])
def test_scores_are_between_0_and_1_and_evidence_is_a_substring_of_the_input(tagger, text):
    tags = tagger.tag(text)
    assert tags
    for t in tags:
        assert 0.0 <= t.score <= 1.0
        assert t.evidence, t.key
        for e in t.evidence:
            assert text[e.start:e.end] == e.text
            for a, b in e.highlights:
                assert e.start <= a < b <= e.end


def test_evidence_highlights_the_words_that_triggered_the_label(tagger):
    tag = next(t for t in tagger.tag(BROADBAND) if t.key == "agenda2030:9.c")
    words = {BROADBAND[a:b].lower() for e in tag.evidence for a, b in e.highlights}
    assert any("bredband" in w for w in words)


def test_targets_never_score_above_their_goal(tagger):
    probs, *_ = tagger.score([BROADBAND, GENDER])
    fw = tagger.frameworks["agenda2030"]
    gp, tp = probs["agenda2030"]
    goal_of = {g.id: i for i, g in enumerate(fw.goals)}
    for j, t in enumerate(fw.targets):
        assert (tp[:, j] <= gp[:, goal_of[t.parent]] + 1e-9).all()


def test_a_passage_of_forty_words_or_more_is_decided_by_the_passage_combiners(tagger):
    """Short texts and report passages have combiners of their own (nlp.tagger.LONG_TEXT)."""
    passage = BROADBAND + " " + GENDER
    assert len(BROADBAND.split()) < LONG_TEXT <= len(passage.split())
    probs, sigs, _, vectors = tagger.score([BROADBAND, passage])
    model, fw, sig = tagger.model, tagger.frameworks["agenda2030"], sigs["agenda2030"]
    clf = tagger.classifier_probs("agenda2030", vectors, sig)
    head = tagger.target_head_probs("agenda2030", vectors)
    short = model.short.probs("agenda2030", fw, sig, clf, head, model.centre["agenda2030"])
    long = model.long.probs("agenda2030", fw, sig, clf, head, model.centre["agenda2030"])
    gp, tp = probs["agenda2030"]
    assert np.allclose(gp[0], short[0][0]) and np.allclose(tp[0], short[1][0])
    assert np.allclose(gp[1], long[0][1]) and np.allclose(tp[1], long[1][1])
    assert not np.allclose(short[0][1], long[0][1])
    got = {t.key for t in tagger.tag_many([passage])[0]}
    assert {"agenda2030:9", "agenda2030:5"} <= got


def test_a_sentence_window_of_a_longer_text_is_decided_at_the_window_thresholds(tagger):
    """A pasted text's windows use F1 thresholds and add only their strongest goal, a short text
    on its own recall-weighted ones and keeps every goal above them."""
    text = "Fler unga ska få jobb, och bredbandet på landsbygden byggs ut."
    probs, *_ = tagger.score([text])
    gp = probs["agenda2030"][0][0]
    fw = tagger.frameworks["agenda2030"]
    for windows, regime, top in (([True], tagger.model.window, True), ([False], tagger.model.short, False)):
        expected = {g.id for g, p, t in zip(fw.goals, gp, regime.goal_thresholds("agenda2030", len(fw.goals)),
                                            strict=True) if p >= t and (not top or p >= gp.max())}
        got = {t.id for t in tagger.tag_many([text], frameworks=["agenda2030"], windows=windows)[0]
               if t.level == "goal"}
        assert got == expected


def test_a_window_adds_its_goal_only_where_its_long_chunk_gives_that_goal_a_share_of_its_threshold(tagger):
    """nlp.tagger.WINDOW_GATE: a window's main goal that its long chunk scores near zero is a
    word in passing; beside a short chunk, or on its own, the window keeps it."""
    chunk = GENDER + " " + GENDER.replace("projekt", "insatser")
    assert len(chunk.split()) >= LONG_TEXT > len(BROADBAND.split())
    probs, sigs, *_ = tagger.score([chunk, BROADBAND])
    gp = probs["agenda2030"][0]
    fw = tagger.frameworks["agenda2030"]
    nine = [g.id for g in fw.goals].index("9")
    thresholds = tagger.model.long.goal_thresholds("agenda2030", len(fw.goals))
    assert gp[0, nine] < WINDOW_GATE * thresholds[nine]
    gate = window_gate(gp, np.array([-1, 0]), sigs["agenda2030"].length, thresholds)
    assert gate[0].all() and not gate[1, nine]
    alone = {t.id for t in tagger.tag_many([chunk, BROADBAND], frameworks=["agenda2030"],
                                           windows=[False, True])[1]}
    beside = {t.id for t in tagger.tag_many([chunk, BROADBAND], frameworks=["agenda2030"],
                                            windows=[False, True], owners=[-1, 0])[1]}
    assert "9" in alone and "9" not in beside and "9.c" not in beside
    # a short chunk does not gate its windows
    short = window_gate(gp, np.array([-1, 0]), np.array([10.0, 10.0]), thresholds)
    assert short.all()


def test_long_text_is_tagged_in_chunks_with_offsets_into_the_whole_text(tagger):
    filler = "Regionen har under året haft möten med kommunerna om uppföljning. " * 30
    text = filler + BROADBAND
    tag = next(t for t in tagger.tag(text) if t.key == "agenda2030:9.c")
    assert all(text[e.start:e.end] == e.text for e in tag.evidence)
    assert tag.evidence[0].start >= len(filler) - 1


def test_chunks_cover_the_text_without_overlap():
    a = default_analyzer()
    text = "En mening om bredband. " * 200
    spans = chunk_text(text, a, max_chars=300)
    assert all(e - s <= 300 for s, e in spans)
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))


def test_lexicon_matches_compound_parts_and_lemmas():
    lex = Lexicon({"agenda2030": {"9.c": ["bredband"], "5": ["jämställd*"], "11": ["kommersiell service"]}},
                  default_analyzer())
    found = lex.match("Bredbandsutbyggnaden fortsätter. Jämställdheten ökar. Stöd till kommersiell service.")
    assert set(found) == {("agenda2030", "9.c"), ("agenda2030", "5"), ("agenda2030", "11")}


@pytest.mark.parametrize("text,expected", [
    ("Utbyggnaden av bredband på landsbygden fortsätter", {"agenda2030:9", "agenda2030:9.c"}),
    ("Access to safe drinking water and sanitation remains limited in many rural communities, "
     "and groundwater is polluted.", {"agenda2030:6"}),
    ("Reduce poverty and hunger among rural farmers", {"agenda2030:1", "agenda2030:2"}),
    ("Strengthen the rule of law and fight corruption", {"agenda2030:16"}),
    ("Skydda den biologiska mångfalden i skogen", {"agenda2030:15"}),
])
def test_short_plain_topics_get_their_goals(tagger, text, expected):
    assert expected <= keys(tagger.tag(text))


def test_ska_is_not_school():
    """"ska" is lemmatised "skola" (SDG 4): a stop word is never a lexicon term."""
    lex = Lexicon.load(default_analyzer())
    found = lex.match("Andelen kvinnor i ledande befattningar ska öka")
    assert ("agenda2030", "4") not in found
    assert ("agenda2030", "5") in found


def test_the_ska_sentence_gets_no_sdg_4(tagger):
    got = keys(tagger.tag("Andelen kvinnor i ledande befattningar ska öka"))
    assert "agenda2030:4" not in got
    assert "agenda2030:5" in got


def test_phrases_match_on_lemmas_token_by_token():
    lex = Lexicon({"agenda2030": {"15": ["biologisk mångfald"], "3": ["hälso- och sjukvård"]}}, default_analyzer())
    found = lex.match("Vi skyddar den biologiska mångfalden. Biologisk mångfald är viktig. Hälso- och sjukvården.")
    assert [h.term for h in found[("agenda2030", "15")]] == ["biologisk mångfald"] * 2
    assert ("agenda2030", "3") in found
    assert lex.match("Den biologiska forskningen har en stor mångfald.") == {}


def test_a_generic_word_counts_only_beside_its_goals_other_words():
    lex = Lexicon({"agenda2030": {"10": ["~mångfald", "diskriminering"], "15": ["~mångfald", "skog*"]}},
                  default_analyzer())
    assert lex.match("Mångfald på arbetsplatsen är en styrka.") == {}
    assert set(lex.match("Mångfalden i skogen minskar.")) == {("agenda2030", "15")}
    assert set(lex.match("Mångfald och arbete mot diskriminering.")) == {("agenda2030", "10")}


def test_every_goal_has_english_terms():
    lex = Lexicon.load(default_analyzer())
    english = {"poverty", "hunger", "health*", "education", "gender", "water", "energy", "employment",
               "broadband", "inequality", "housing", "waste", "climate", "ocean*", "forest*", "corruption",
               "partnership"}
    for goal in range(1, 18):
        assert english & set(lex.terms["agenda2030"][str(goal)]), goal


def test_a_three_topic_paragraph_keeps_every_topic(tagger):
    text = ("Regionen bygger ut bredband och mobilnät så att hushåll och företag på landsbygden får snabb "
            "uppkoppling. Samtidigt ökar produktionen av förnybar energi från sol och vind, och fler "
            "fastigheter energieffektiviseras. Ett särskilt program ger unga som varken arbetar eller "
            "studerar praktikplatser och jobb i länets företag.")
    got = {t.id for t in tagger.tag(text) if t.framework == "agenda2030" and t.level == "goal"}
    assert {"7", "8", "9"} <= got


def test_a_window_adds_only_its_strongest_goal_and_its_targets():
    fw = load_taxonomies(get_settings().taxonomies_dir)["agenda2030"]
    regime = Combiners(goal=None, target=None, threshold=0.3, thresholds={}, target_threshold=0.3)
    gp = np.full((1, len(fw.goals)), 0.1)
    gp[0, 6], gp[0, 8] = 0.9, 0.6  # goals 7 and 9 both above the threshold
    tp = np.zeros((1, len(fw.targets)))
    tp[0, [t.id for t in fw.targets].index("9.c")] = 0.5
    every, every_t = regime.decide("agenda2030", fw, gp, tp)
    top, top_t = regime.decide("agenda2030", fw, gp, tp, top_only=True)
    goal_ids = [g.id for g in fw.goals]
    assert {goal_ids[j] for j in np.where(every[0])[0]} == {"7", "9"} and every_t.sum() == 1
    assert {goal_ids[j] for j in np.where(top[0])[0]} == {"7"} and top_t.sum() == 0


def test_keyword_baseline_needs_the_literal_word():
    lex = Lexicon({"agenda2030": {"9": ["bredband"]}}, default_analyzer())
    assert keyword_baseline("Bredband till alla.", lex, "agenda2030") == {"9"}
    assert keyword_baseline("Snabb uppkoppling till alla.", lex, "agenda2030") == set()


def test_merge_spans_joins_overlaps():
    assert merge_spans([(5, 9), (0, 3), (2, 4), (9, 10)]) == [(0, 4), (5, 10)]


def test_a_new_framework_file_is_tagged_without_code_change(tmp_path, tagger):
    import shutil

    from nlp.tagger import Tagger
    from nlp.taxonomy import load_taxonomies

    for f in get_settings().taxonomies_dir.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "rus_test.yaml").write_text(
        "framework: rus_test\nname: Test-RUS\nsource: test\ngoals:\n"
        "  - {id: digital, title_sv: Digital infrastruktur, text_sv: 'Bredband och uppkoppling i hela länet', source: test}\n"
        "  - {id: skola, title_sv: Skola, text_sv: 'Fler elever fullföljer gymnasiet', source: test}\n",
        encoding="utf-8")
    # the trained model serves a framework it has not seen (build_tagger would also retrain it)
    t = Tagger(load_taxonomies(tmp_path), tagger.embedder, tagger.analyzer, tagger.lexicon, tagger.model)
    probs, *_ = t.score([BROADBAND])
    gp, _ = probs["rus_test"]
    assert gp[0, 0] > gp[0, 1]


# -- the index stores tags and filters by goal ------------------------------------------------


@pytest.fixture(scope="module")
def tagged_index(tmp_path_factory, e5, tagger, corpus_dir):
    """Seed 000 (bredband, landsbygd, energi och klimat, näringsliv) ingested with a tagger;
    read-only for the tests that use it."""
    from ingest.pipeline import parse_file
    from underlag.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("tagged-index"))
    index = open_index(settings, embedder=e5)
    index.tagger = tagger
    index.add(parse_file(corpus_dir / "000_7fb02ce29b4be31a.txt", settings))
    yield index
    index.close()


def test_search_filters_passages_by_goal(tagged_index):
    hits = tagged_index.search("utbyggnad och samverkan", k=20, filters=Filters(goal="agenda2030:9.c"))
    assert hits
    assert all(re.search(r"bredband|digital", h.text, re.I) for h in hits)
    bare = tagged_index.search("utbyggnad och samverkan", k=20, filters=Filters(goal="9.c"))
    assert [h.id for h in bare] == [h.id for h in hits]
    assert tagged_index.search("utbyggnad", k=5, filters=Filters(goal="agenda2030:14.1"), mode="lexical") == []


def test_tags_are_stored_with_the_passages(tagged_index):
    store = tagged_index.store
    tags = store.document_tags(store.resolve("000_7fb02ce29b4be31a.txt"))
    assert any(("agenda2030", "9.c") == (fw, lid) for ts in tags.values() for fw, lid, _, _ in ts)
    assert all(0 <= s <= 1 for ts in tags.values() for *_, s in ts)


def test_documents_ingested_without_a_tagger_are_tagged_later_and_tags_go_with_them(
        settings, e5, tagger, corpus_dir):
    from ingest.pipeline import parse_file

    with open_index(settings, embedder=e5) as index:
        index.add(parse_file(corpus_dir / "000_7fb02ce29b4be31a.txt", settings))
        assert index.search("bredband", k=5, filters=Filters(goal="9.c"), mode="lexical") == []
        index.tagger = tagger
        assert len(index.ensure_tags()) == 1
        assert index.search("bredband", k=5, filters=Filters(goal="9.c"), mode="lexical")
        assert index.ensure_tags() == []
        doc_id = index.store.resolve("000_7fb02ce29b4be31a.txt")
        rowids = list(index.store.document_tags(doc_id))
        index.delete(doc_id)
        assert index.store.passage_tags(rowids) == {}
        assert doc_id not in index.store.untagged_documents("x")


def test_term_reliability_is_learned_per_goal_and_term():
    """A term that meant its goal every time outweighs one that never did; a text's evidence
    per goal is its most reliable term, and a goal without a term gets none."""
    from nlp.tagger import FrameworkSignals, TermWeights

    terms = [{0: frozenset({"poverty"})}, {0: frozenset({"poverty"})}, {0: frozenset({"poverty"})},
             {0: frozenset({"poor"})}, {0: frozenset({"poor"})}, {0: frozenset({"poor"})}]
    y = np.array([[1, 0], [1, 0], [1, 0], [0, 1], [0, 1], [0, 1]])
    tw = TermWeights.fit(terms, y)
    assert tw.weights[(0, "poverty")] > tw.prior > tw.weights[(0, "poor")]
    z = np.zeros((2, 2))
    sig = FrameworkSignals(z, np.array([[2.0, 0.0], [1.0, 0.0]]), z, z, np.array([5.0, 5.0]), z, z,
                           [{0: frozenset({"poverty", "poor"})}, {0: frozenset({"unseen"})}])
    feat = tw.feature(sig)
    assert feat[0, 0] == tw.weights[(0, "poverty")]
    assert feat[1, 0] == tw.prior
    assert feat[0, 1] == feat[1, 1] == 0
