"""underlag.yamlfile reads YAML with libyaml's C parser and gives what yaml.safe_load gives."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from underlag import yamlfile
from underlag.settings import PROJECT_ROOT

SHIPPED = sorted([*PROJECT_ROOT.glob("corpus/**/*.yaml"), *PROJECT_ROOT.glob("corpus/**/*.yml"),
                  *PROJECT_ROOT.glob("nlp/data/*.yaml")])


def test_the_shipped_yaml_files_are_found():
    names = {p.name for p in SHIPPED}
    assert "goal_lexicon.yaml" in names and "gazetteer.yaml" in names and len(SHIPPED) >= 6


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_reads_every_shipped_file_as_the_safe_loader_does(path: Path):
    text = path.read_text(encoding="utf-8")
    assert yamlfile.safe_load(text) == yaml.safe_load(text)


def test_uses_the_c_parser_when_pyyaml_has_it_and_stays_safe():
    if yaml.__with_libyaml__:
        assert yamlfile._LOADER is yaml.CSafeLoader
    with pytest.raises(yaml.YAMLError):
        yamlfile.safe_load("!!python/object/apply:os.system ['echo hej']")
