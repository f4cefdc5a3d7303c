"""The floors of the house: each top-level package imports only from the floors below it.

    underlag (kernel) < nlp < ingest | index < review < api

ingest and index share a floor and never import each other. Function-local imports
count too, and a project import inside a function is refused outright: it would only
hide a loop. Heavy optional libraries (torch, spaCy, ...) may still load lazily.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOOR = {"underlag": 0, "nlp": 1, "ingest": 2, "index": 2, "review": 3, "api": 4}


def project_imports(path: Path) -> list[tuple[int, str, bool]]:
    """(line, imported top-level package, inside a function?) for every project import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                names = [child.module]
            else:
                names = []
            for name in names:
                top = name.split(".")[0]
                if top in FLOOR:
                    found.append((child.lineno, top, in_function))
            visit(child, inner)

    visit(tree, False)
    return found


SOURCES = sorted(p for pkg in FLOOR for p in (ROOT / pkg).rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_imports_only_from_lower_floors(path):
    home = path.relative_to(ROOT).parts[0]
    wrong = [f"line {line}: {home} imports {top}" for line, top, _ in project_imports(path)
             if top != home and FLOOR[top] >= FLOOR[home]]
    assert not wrong, f"{path.relative_to(ROOT)} imports upward or sideways: {wrong}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_project_import_hides_inside_a_function(path):
    hidden = [f"line {line}: {top}" for line, top, inside in project_imports(path) if inside]
    assert not hidden, f"{path.relative_to(ROOT)} imports project code inside a function: {hidden}"


def test_the_layer_check_sees_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from api.cli import app\n    return app\n", encoding="utf-8")
    assert project_imports(bad) == [(2, "api", True)]
