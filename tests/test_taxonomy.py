"""Goal frameworks as data: every file in corpus/taxonomies/ loads into one schema."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nlp.taxonomy import load_framework, load_taxonomies, resolve
from underlag.errors import TaxonomyError
from underlag.settings import get_settings


@pytest.fixture(scope="module")
def frameworks():
    return load_taxonomies(get_settings().taxonomies_dir)


def test_loads_every_framework_file_in_the_folder(frameworks):
    assert {"agenda2030", "national_strategy", "rus_orebro", "perspectives"} <= set(frameworks)
    assert next(iter(frameworks)) == "agenda2030"


def test_all_169_agenda_targets_load_with_text(frameworks):
    a = frameworks["agenda2030"]
    assert len(a.goals) == 17
    assert len(a.targets) == 169
    assert len({t.id for t in a.targets}) == 169
    assert all(t.text_sv or t.text_en for t in a.targets)
    assert {t.parent for t in a.targets} == {g.id for g in a.goals}
    assert a.get("9.c").parent == "9" and a.get("17.19").parent == "17"


def test_target_without_swedish_text_falls_back_to_english(frameworks):
    missing = [t for t in frameworks["agenda2030"].targets if not t.text_sv]
    if not missing:
        pytest.skip("every target has Swedish text now")
    t = missing[0]
    assert t.descriptions() == [t.text_en]
    assert t.title and t.title.split()[0] in t.text_en


def test_national_strategy_has_the_four_areas_and_twelve_priorities_of_the_2023_template(frameworks):
    ns = frameworks["national_strategy"]
    assert [g.id for g in ns.goals] == ["S1", "S2", "S3", "S4"]
    assert len(ns.targets) == 12
    assert ns.get("S4.1").title_sv == "Förbättrad tillgång till snabbt bredband och ökad digital användning"
    assert ns.get("S4").title_sv.startswith("Tillgänglighet i hela landet")
    assert [t.id for t in ns.targets_of("S3")] == ["S3.1", "S3.2", "S3.3", "S3.4", "S3.5"]


def test_rus_has_the_three_overall_goals_priority_areas_and_kraftsamlingar(frameworks):
    rus = frameworks["rus_orebro"]
    kinds = {g.id: g.kind for g in rus.goals}
    assert [g for g, k in kinds.items() if k == "overall_goal"] == [
        "stark-konkurrenskraft", "hog-och-jamlik-livskvalitet", "god-resurseffektivitet"]
    assert {"inkludering", "barn-och-unga", "gron-omstallning"} <= {g for g, k in kinds.items() if k == "kraftsamling"}
    assert "naringsliv-och-entreprenorskap" in kinds
    assert rus.get("minskad-klimatpaverkan").parent == "god-resurseffektivitet"
    assert rus.extra["vision"]["text_sv"]


def test_perspectives_cover_what_reviewers_ask_about(frameworks):
    p = frameworks["perspectives"]
    assert {"jamstalldhet", "integration", "miljo-och-klimat", "hallbar-utveckling",
            "territoriellt-perspektiv", "barn-och-unga"} <= {g.id for g in p.goals}
    assert len(p.targets_of("hallbar-utveckling")) == 3


@pytest.mark.parametrize("fid", ["national_strategy", "rus_orebro", "perspectives"])
def test_every_entry_says_where_it_comes_from(frameworks, fid):
    assert all(label.source for label in frameworks[fid].labels)


def test_references_resolve_qualified_and_bare(frameworks):
    assert [x.key for x in resolve(frameworks, "agenda2030:8.5")] == ["agenda2030:8.5"]
    assert [x.key for x in resolve(frameworks, "S4.1")] == ["national_strategy:S4.1"]
    assert {x.framework for x in resolve(frameworks, "barn-och-unga")} == {"rus_orebro", "perspectives"}
    assert resolve(frameworks, "agenda2030:99.9") == []


def test_a_new_regions_rus_is_one_more_file(tmp_path: Path):
    for f in get_settings().taxonomies_dir.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "rus_vastmanland.yaml").write_text(
        "framework: rus_vastmanland\nname: RUS Västmanland\nsource: test\n"
        "goals:\n  - id: hallbar-tillvaxt\n    title_sv: Hållbar tillväxt\n    source: test\n"
        "    targets:\n      - {id: fler-jobb, title_sv: Fler jobb}\n", encoding="utf-8")
    fws = load_taxonomies(tmp_path)
    assert fws["rus_vastmanland"].get("fler-jobb").parent == "hallbar-tillvaxt"
    assert len(fws) == len(load_taxonomies(get_settings().taxonomies_dir)) + 1


def test_a_broken_file_names_itself_and_the_entry(tmp_path: Path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("framework: broken\ngoals:\n  - id: x\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="broken.yaml.*'x'.*title_sv"):
        load_framework(bad)
