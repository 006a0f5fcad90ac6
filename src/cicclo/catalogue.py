"""The test catalogue: generated from the declarations, committed, and checked for drift.

An ID of the committed catalogue never disappears: a test that is removed or changes meaning keeps its
entry, marked ``deprecated`` (with ``replaced_by``) by hand; the generator refuses to drop it silently.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from cicclo import __version__
from cicclo.classes import KNOWN_CLASSES
from cicclo.declare import Declaration, declaration_of
from cicclo.model import LEVEL_LABELS_FR
from cicclo.targets import REPO_ROOT

SUITES_DIR = REPO_ROOT / "suites"
CATALOGUE_PATH = SUITES_DIR / "catalogue.yaml"
RETIRED = ("deprecated", "withdrawn")


class CatalogueError(Exception):
    pass


def collect_declarations(suites_dir: Path = SUITES_DIR) -> list[Declaration]:
    """Import every test module under ``suites/`` and return its declarations, sorted by ID."""
    found: dict[str, Declaration] = {}
    for path in sorted(suites_dir.rglob("test_*.py")):
        name = "cicclo_catalogue_" + "_".join(path.relative_to(suites_dir).with_suffix("").parts)
        module = sys.modules.get(name)
        if module is None:
            spec = importlib.util.spec_from_file_location(name, path)
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
        for obj in vars(module).values():
            decl = declaration_of(obj)
            if decl is None:
                continue
            if decl.test_id in found and found[decl.test_id] is not decl:
                raise CatalogueError(f"identifiant {decl.test_id} déclaré deux fois ({path})")
            found[decl.test_id] = decl
    return [found[k] for k in sorted(found)]


def entry(decl: Declaration) -> dict[str, Any]:
    return {
        "id": decl.test_id,
        "title": decl.title,
        "level": decl.level.value,
        "level_fr": LEVEL_LABELS_FR[decl.level],
        "suite": decl.suite,
        "conformance_class": decl.applies_to,
        "requirements": list(decl.requirements),
        "abstract_test": decl.abstract_test,
        "since": decl.since,
        "status": "stable",
    }


def load_committed(path: Path = CATALOGUE_PATH) -> dict[str, dict[str, Any]]:
    if not path.is_file():
        return {}
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {e["id"]: e for e in doc.get("tests", [])}


def build(declarations: list[Declaration], committed: dict[str, dict[str, Any]]) -> dict[str, Any]:
    tests = {d.test_id: entry(d) for d in declarations}
    missing = [k for k, e in committed.items() if k not in tests and e.get("status") not in RETIRED]
    if missing:
        raise CatalogueError(
            "identifiants du catalogue sans test : " + ", ".join(sorted(missing))
            + " — un identifiant ne disparaît jamais : marquez-le `status: deprecated` (avec `replaced_by`)"
        )
    for key, old in committed.items():
        if key in tests:
            tests[key]["since"] = old.get("since", tests[key]["since"])
            if old.get("status") in RETIRED:
                raise CatalogueError(f"{key} est {old['status']} : un identifiant retiré n'est jamais réutilisé")
        else:
            tests[key] = old
    return {
        "format": "cicclo/catalogue",
        "format_version": "1.0",
        "suite_version": __version__,
        "classes": {uri: {"suite": c.suite, "code": c.code, "title": c.title_fr, "standard": c.standard}
                    for uri, c in KNOWN_CLASSES.items()},
        "tests": [tests[k] for k in sorted(tests)],
    }


def render(doc: dict[str, Any]) -> str:
    header = ("# Catalogue des tests cicclo — FICHIER GÉNÉRÉ par `cicclo catalogue --write`.\n"
              "# Les identifiants sont un contrat : jamais renumérotés ni réutilisés.\n")
    return header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120)


def generate() -> str:
    return render(build(collect_declarations(), load_committed()))


def stale_reason() -> str | None:
    """Why the committed catalogue does not match the declarations, or None when it does."""
    try:
        fresh = generate()
    except CatalogueError as exc:
        return str(exc)
    if not CATALOGUE_PATH.is_file():
        return f"{CATALOGUE_PATH} absent : lancer `cicclo catalogue --write`"
    if CATALOGUE_PATH.read_text(encoding="utf-8") != fresh:
        return f"{CATALOGUE_PATH} n'est plus à jour : lancer `cicclo catalogue --write` et le committer"
    return None


@cache
def catalogue_sha256() -> str:
    return hashlib.sha256(CATALOGUE_PATH.read_bytes()).hexdigest() if CATALOGUE_PATH.is_file() else ""
