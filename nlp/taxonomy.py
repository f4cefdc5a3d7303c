"""Goal frameworks as data: every YAML/JSON file in ``corpus/taxonomies/`` is one framework.

One shape for all of them: a :class:`Framework` has goals (goals, strategic areas,
priority areas, perspectives) and each goal has targets (delmål, priorities,
effektmål), every entry a :class:`Label` with ``id``, ``title_sv``, ``text_sv``,
``text_en`` and ``source``. A new region's RUS is one more file in the folder,
with no code change. The Agenda 2030 file keeps its own schema (flat ``goals``
and ``targets`` lists); :func:`load_framework` reads both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from underlag.errors import TaxonomyError
from underlag import yamlfile

Level = Literal["goal", "target"]


@dataclass(frozen=True)
class Label:
    """One goal or target of a framework."""

    framework: str
    id: str
    level: Level
    title_sv: str | None
    text_sv: str | None = None
    text_en: str | None = None
    source: str | None = None
    parent: str | None = None  # the goal id, for a target
    kind: str = "goal"  # "goal", "target", or the file's own kind ("priority_area", ...)

    @property
    def key(self) -> str:
        """Framework-qualified id, e.g. ``agenda2030:8.5``."""
        return f"{self.framework}:{self.id}"

    @property
    def title(self) -> str:
        """A short name to show: the Swedish title, else the start of the target's text."""
        if self.title_sv:
            return self.title_sv
        text = self.text_sv or self.text_en or self.id
        return text if len(text) <= 90 else text[:text.rfind(" ", 0, 88)] + " …"

    def descriptions(self) -> list[str]:
        """The texts that describe this label (Swedish first, English as well when present).

        Where the official Swedish text is missing, English stands in: the
        embedding model is multilingual.
        """
        out = []
        sv = " – ".join(dict.fromkeys(x for x in (self.title_sv, self.text_sv) if x))
        if sv:
            out.append(sv)
        if self.text_en:
            out.append(self.text_en)
        return list(dict.fromkeys(out))


@dataclass(frozen=True)
class Framework:
    """A goal framework: goals with their targets."""

    id: str
    name: str
    source: str
    goals: tuple[Label, ...]
    targets: tuple[Label, ...]
    path: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def labels(self) -> tuple[Label, ...]:
        return self.goals + self.targets

    def get(self, label_id: str) -> Label | None:
        for label in self.labels:
            if label.id == str(label_id):
                return label
        return None

    def targets_of(self, goal_id: str) -> list[Label]:
        return [t for t in self.targets if t.parent == str(goal_id)]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    text = " ".join(str(value).split())
    return text or None


def _require(entry: dict[str, Any], key: str, where: str) -> Any:
    if entry.get(key) in (None, ""):
        raise TaxonomyError(f"{where}: entry {entry.get('id', '?')!r} has no '{key}'")
    return entry[key]


def _agenda_schema(data: dict[str, Any], fid: str, path: Path) -> Framework:
    """The Agenda 2030 file: flat ``goals`` (int ids) and ``targets`` with ``goal``."""
    goals = tuple(
        Label(framework=fid, id=str(g["id"]), level="goal",
              title_sv=_text(g.get("title_sv")) or _text(g.get("short_en")) or str(g["id"]),
              text_sv=_text(g.get("text_sv")), text_en=_text(g.get("title_en")),
              source="agenda2030.yaml source.sv / source.en", kind="goal")
        for g in data["goals"])
    targets = []
    for t in data["targets"]:
        tid = str(_require(t, "id", str(path)))
        targets.append(Label(
            framework=fid, id=tid, level="target",
            title_sv=_text(t.get("title_sv")),
            text_sv=_text(t.get("text_sv")), text_en=_text(t.get("text_en")),
            source=_text(t.get("source_sv")) or "agenda2030.yaml source.en",
            parent=str(t["goal"]), kind="target"))
    return Framework(id=fid, name=_text(data.get("name")) or fid, source="see agenda2030.yaml",
                     goals=goals, targets=tuple(targets), path=path)


def _generic_schema(data: dict[str, Any], fid: str, path: Path) -> Framework:
    where = str(path)
    goals, targets = [], []
    for g in data.get("goals") or []:
        gid = str(_require(g, "id", where))
        goals.append(Label(
            framework=fid, id=gid, level="goal", title_sv=_text(_require(g, "title_sv", where)),  # type: ignore[arg-type]
            text_sv=_text(g.get("text_sv")), text_en=_text(g.get("text_en")),
            source=_text(g.get("source")) or _text(data.get("source")), kind=g.get("kind", "goal")))
        for t in g.get("targets") or []:
            targets.append(Label(
                framework=fid, id=str(_require(t, "id", where)), level="target",
                title_sv=_text(_require(t, "title_sv", where)),  # type: ignore[arg-type]
                text_sv=_text(t.get("text_sv")), text_en=_text(t.get("text_en")),
                source=_text(t.get("source")) or _text(g.get("source")) or _text(data.get("source")),
                parent=gid, kind=t.get("kind", "target")))
    if not goals:
        raise TaxonomyError(f"{where}: no goals; see corpus/taxonomies/README.md for the schema")
    ids = [label.id for label in goals + targets]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise TaxonomyError(f"{where}: ids used twice: {', '.join(dupes)}")
    extra = {k: v for k, v in data.items() if k not in ("goals", "framework", "name", "source")}
    return Framework(id=fid, name=_text(data.get("name")) or fid, source=_text(data.get("source")) or "",
                     goals=tuple(goals), targets=tuple(targets), path=path, extra=extra)


def load_framework(path: Path) -> Framework:
    """Read one framework file (YAML or JSON)."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
        data = json.loads(raw) if path.suffix == ".json" else yamlfile.safe_load(raw)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as e:
        raise TaxonomyError(f"{path}: cannot be read as a framework file: {e}") from None
    if not isinstance(data, dict):
        raise TaxonomyError(f"{path}: expected a mapping at the top level")
    fid = str(data.get("framework") or path.stem)
    if "framework" not in data and isinstance(data.get("targets"), list):
        return _agenda_schema(data, fid, path)
    return _generic_schema(data, fid, path)


def load_taxonomies(folder: Path) -> dict[str, Framework]:
    """Every framework in ``folder`` (``settings.taxonomies_dir``) by id, Agenda 2030 first, then by file name."""
    files = sorted(p for p in Path(folder).iterdir()
                   if p.suffix in (".yaml", ".yml", ".json") and p.is_file())
    frameworks = [load_framework(p) for p in files]
    frameworks.sort(key=lambda f: (f.id != "agenda2030", str(f.path)))
    out: dict[str, Framework] = {}
    for f in frameworks:
        if f.id in out:
            raise TaxonomyError(f"{f.path}: framework id '{f.id}' is also used by {out[f.id].path}")
        out[f.id] = f
    return out


def resolve(frameworks: dict[str, Framework] | Iterable[Framework], ref: str) -> list[Label]:
    """The labels a reference names: ``agenda2030:8.5``, ``8.5``, ``S4.1``, ``inkludering``.

    A bare id may match labels of several frameworks (``barn-och-unga`` is both a RUS
    kraftsamling and a perspective); all are returned.
    """
    fws = list(frameworks.values()) if isinstance(frameworks, dict) else list(frameworks)
    ref = ref.strip()
    fw_id, _, label_id = ref.rpartition(":")
    found = []
    for f in fws:
        if fw_id and f.id != fw_id:
            continue
        label = f.get(label_id)
        if label is not None:
            found.append(label)
    return found
