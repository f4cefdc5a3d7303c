"""spaCy is imported without torch and without its own command line (nlp.analyzer.import_spacy),
and both still work afterwards for code that asks for them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys
from nlp.analyzer import import_spacy
spacy = import_spacy()
nlp = spacy.blank("sv")
nlp.add_pipe("sentencizer")
doc = nlp("Regionen bygger ut bredband t.ex. i Laxå-Askersund 2021–2023. Det är bra!")
light = {m: m in sys.modules for m in ("torch", "weasel", "spacy.cli", "jinja2")}
import spacy.cli
print(json.dumps({"tokens": [t.text for t in doc], "sentences": len(list(doc.sents)), "light": light,
                  "cli": hasattr(spacy.cli, "setup_cli"), "info": callable(spacy.info)}))
"""


def test_spacy_loads_without_torch_and_its_command_line_and_both_still_import():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=120).stdout
    got = json.loads(out)
    assert got["tokens"] == ["Regionen", "bygger", "ut", "bredband", "t.ex.", "i", "Laxå-Askersund",
                             "2021–2023", ".", "Det", "är", "bra", "!"]
    assert got["sentences"] == 2
    assert got["light"] == {"torch": False, "weasel": False, "spacy.cli": False, "jinja2": False}
    assert got["cli"] and got["info"]
