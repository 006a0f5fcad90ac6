"""Differences between two runs or two matrices, target by target (matched by their ``id``): tests added,
removed, changed; what improved and what regressed (wpt.fyi-style categories).

Declaring less is no improvement: a required class of a profile that stopped being declared, and a test of
such a class turned NOT_APPLICABLE, are regressions of every profile that requires the class.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cicclo.matrix import MatrixError, choose_latest, load_run
from cicclo.profiles import load_profiles, profiles_requiring, run_classes

# how good a status is, for telling an improvement from a regression (NOT_APPLICABLE apart: see _category)
RANK = {"PASS": 3, "NOT_APPLICABLE": 3, "NOT_TESTED": 1, "ERROR": 1, "FAIL": 0}


@dataclass
class Campaign:
    """One campaign of one target, as a diff sees it."""

    target: str
    started_at: str
    source: str
    catalogue: str
    statuses: dict[str, str]
    test_classes: dict[str, str]
    classes: dict[str, bool | None]

    @property
    def label(self) -> str:
        return f"{self.target}, campagne du {self.started_at} ({self.source})"


def campaigns_of(path: Path, chosen: dict[str, str] | None = None) -> dict[str, Campaign]:
    """{target id: campaign} from a results.json (or its folder) or a matrix.json (or its folder); of several
    campaigns of one target in a matrix, the latest, or the one ``chosen`` ({id: started_at})."""
    file = path / "matrix.json" if path.is_dir() and (path / "matrix.json").is_file() else path
    if file.is_file() and _format_of(file) == "cicclo/matrix":  # whatever its name (precedente.json…)
        doc = json.loads(file.read_text(encoding="utf-8"))
        test_classes = {t["test_id"]: t["conformance_class"] for t in doc["tests"]}
        found = []
        for t in doc["targets"]:
            statuses = {i: row[t["column"]]["status"] for i, row in doc["cells"].items() if t["column"] in row}
            classes = t.get("classes")
            if classes is None:  # matrices written before cicclo 0.3.0
                classes = run_classes({"run": {}, "results": [
                    {"conformance_class": test_classes[i], "status": s} for i, s in statuses.items()]})
            found.append(Campaign(t["id"], t["run_date"], str(file), ",".join(doc["catalogue_sha256"]), statuses,
                                  test_classes, classes))
        kept, _ = choose_latest(found, lambda c: c.target, lambda c: c.started_at, chosen or {})
        return {c.target: c for c in kept}
    run = load_run(path)
    return {run.column: Campaign(run.column, run.doc["run"]["started_at"], str(run.path), run.catalogue,
                                 {r["test_id"]: r["status"] for r in run.doc["results"]},
                                 {r["test_id"]: r["conformance_class"] for r in run.doc["results"]},
                                 run_classes(run.doc))}


def _format_of(file: Path) -> str | None:
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MatrixError(f"{file} : illisible ({exc})") from None
    return doc.get("format") if isinstance(doc, dict) else None


def _pairs(old: dict[str, Campaign], new: dict[str, Campaign], other_target: bool) -> list[tuple[str, Campaign,
                                                                                                  Campaign]]:
    """The campaigns to compare, target by target; two different targets only when asked for."""
    shared = sorted(set(old) & set(new))
    if shared:
        return [(t, old[t], new[t]) for t in shared]
    if other_target and len(old) == len(new) == 1:
        (a,), (b,) = old.values(), new.values()
        return [(f"{a.target} → {b.target}", a, b)]
    raise MatrixError(
        "aucune cible commune : l'ancienne série porte sur " + ", ".join(sorted(old)) + ", la nouvelle sur "
        + ", ".join(sorted(new)) + " — des cibles différentes ne se comparent pas"
        + (" (--autre-cible : comparer quand même deux campagnes de cibles différentes)"
           if len(old) == len(new) == 1 else ""))


def diff(old: dict[str, Campaign], new: dict[str, Campaign], other_target: bool = False) -> dict[str, Any]:
    profiles = load_profiles()
    old_ids = {i for c in old.values() for i in c.statuses}
    new_ids = {i for c in new.values() for i in c.statuses}
    targets: dict[str, Any] = {}
    pairs = _pairs(old, new, other_target)
    for key, before, after in pairs:
        shared = sorted(set(before.statuses) & set(after.statuses))
        changed = {i: [before.statuses[i], after.statuses[i]] for i in shared
                   if before.statuses[i] != after.statuses[i]}
        lost = [{"class": uri, "profiles": profiles_requiring(uri, profiles)} for uri in sorted(before.classes)
                if before.classes[uri] is True and after.classes.get(uri) is False]
        requiring = {i: profiles_requiring(after.test_classes.get(i, ""), profiles) for i in changed}
        categories = {i: _category(a, b, requiring[i]) for i, (a, b) in changed.items()}
        targets[key] = {
            "compared": {"old": before.label, "new": after.label,
                         "catalogues": [before.catalogue, after.catalogue]},
            "changed": changed,
            "improved": sorted(i for i, c in categories.items() if c == "improved"),
            "regressed": sorted(i for i, c in categories.items() if c == "regressed"),
            "classes_lost": lost,
            "withdrawn": {i: {"class": after.test_classes.get(i, ""), "profiles": requiring[i]}
                          for i, (a, b) in changed.items() if b == "NOT_APPLICABLE" and a != b},
        }
    compared = {k for k, _, _ in pairs}
    for only, side in ((set(old) - set(new), "old"), (set(new) - set(old), "new")):
        for target in sorted(only):
            if not any(target in k.split(" → ") for k in compared):
                targets[target] = {"only_in": side}
    regressions = sum(len(t.get("regressed", [])) + sum(1 for c in t.get("classes_lost", []) if c["profiles"])
                      for t in targets.values())
    return {
        "format": "cicclo/diff",
        "format_version": "1.1",
        "tests": {"added": sorted(new_ids - old_ids), "removed": sorted(old_ids - new_ids)},
        "targets": targets,
        "regressions": regressions,
    }


def _category(before: str, after: str, requiring: list[str]) -> str:
    """A test that turns NOT_APPLICABLE was withdrawn, no improvement: a regression when a profile requires its
    class, a plain change otherwise."""
    if after == "NOT_APPLICABLE" and before != "NOT_APPLICABLE":
        return "regressed" if requiring else "changed"
    if RANK[after] > RANK[before]:
        return "improved"
    return "regressed" if RANK[after] < RANK[before] else "changed"


def render_text(result: dict[str, Any]) -> str:
    lines = []
    if result["tests"]["added"]:
        lines.append("tests ajoutés : " + ", ".join(result["tests"]["added"]))
    if result["tests"]["removed"]:
        lines.append("tests retirés : " + ", ".join(result["tests"]["removed"]))
    for target, t in result["targets"].items():
        if "only_in" in t:
            lines.append(f"{target} : seulement dans la {'nouvelle' if t['only_in'] == 'new' else 'ancienne'} "
                         "série, non comparée")
            continue
        lines.append(f"comparé : {t['compared']['old']} → {t['compared']['new']}")
        old_cat, new_cat = t["compared"]["catalogues"]
        if old_cat != new_cat:
            lines.append(f"  catalogues différents ({old_cat[:12] or '?'} → {new_cat[:12] or '?'}) : seuls les "
                         "identifiants communs sont comparés")
        for lost in t["classes_lost"]:
            what = (f"RÉGRESSION {target} : la classe requise {lost['class']} n'est plus déclarée (profils "
                    f"{', '.join(lost['profiles'])})" if lost["profiles"]
                    else f"retrait {target} : la classe {lost['class']} n'est plus déclarée")
            lines.append(what)
        for test_id in t["regressed"]:
            a, b = t["changed"][test_id]
            why = t["withdrawn"].get(test_id)
            lines.append(f"RÉGRESSION {target} {test_id} : {a} → {b}" + (
                f" (classe {why['class']}, requise par les profils {', '.join(why['profiles'])})" if why else ""))
        for test_id in t["improved"]:
            a, b = t["changed"][test_id]
            lines.append(f"amélioration {target} {test_id} : {a} → {b}")
        for test_id, (a, b) in t["changed"].items():
            if test_id not in t["regressed"] and test_id not in t["improved"]:
                lines.append(f"changement {target} {test_id} : {a} → {b}")
    lines.append(f"{result['regressions']} régression(s)")
    return "\n".join(lines)
