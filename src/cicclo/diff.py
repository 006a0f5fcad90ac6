"""Differences between two runs or two matrices: tests added, removed, changed; per target what improved
and what regressed (wpt.fyi-style categories)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cicclo.matrix import MatrixError, load_run

# how good a status is, for telling an improvement from a regression
RANK = {"PASS": 3, "NOT_APPLICABLE": 3, "NOT_TESTED": 1, "ERROR": 1, "FAIL": 0}


def statuses_of(path: Path) -> dict[str, dict[str, str]]:
    """{target: {test ID: status}} from a results.json (or its folder) or a matrix.json."""
    file = path / "matrix.json" if path.is_dir() and (path / "matrix.json").is_file() else path
    if file.is_file() and file.name == "matrix.json":
        doc = json.loads(file.read_text(encoding="utf-8"))
        if doc.get("format") != "cicclo/matrix":
            raise MatrixError(f"{file} : pas une matrice cicclo")
        by_target: dict[str, dict[str, str]] = {t["column"]: {} for t in doc["targets"]}
        for test_id, row in doc["cells"].items():
            for column, cell in row.items():
                by_target[column][test_id] = cell["status"]
        return by_target
    run = load_run(path)
    return {run.column: {r["test_id"]: r["status"] for r in run.doc["results"]}}


def diff(old: dict[str, dict[str, str]], new: dict[str, dict[str, str]]) -> dict[str, Any]:
    old_ids = {i for statuses in old.values() for i in statuses}
    new_ids = {i for statuses in new.values() for i in statuses}
    targets: dict[str, Any] = {}
    for target in sorted(set(old) | set(new)):
        before, after = old.get(target, {}), new.get(target, {})
        changed = {i: [before[i], after[i]] for i in sorted(set(before) & set(after)) if before[i] != after[i]}
        targets[target] = {
            "only_in": "new" if target not in old else "old" if target not in new else None,
            "changed": changed,
            "improved": sorted(i for i, (a, b) in changed.items() if RANK[b] > RANK[a]),
            "regressed": sorted(i for i, (a, b) in changed.items() if RANK[b] < RANK[a]),
        }
    return {
        "format": "cicclo/diff",
        "format_version": "1.0",
        "tests": {"added": sorted(new_ids - old_ids), "removed": sorted(old_ids - new_ids)},
        "targets": targets,
        "regressions": sum(len(t["regressed"]) for t in targets.values()),
    }


def render_text(result: dict[str, Any]) -> str:
    lines = []
    if result["tests"]["added"]:
        lines.append("tests ajoutés : " + ", ".join(result["tests"]["added"]))
    if result["tests"]["removed"]:
        lines.append("tests retirés : " + ", ".join(result["tests"]["removed"]))
    for target, t in result["targets"].items():
        if t["only_in"]:
            lines.append(f"{target} : seulement dans la {'nouvelle' if t['only_in'] == 'new' else 'ancienne'} série")
            continue
        for test_id in t["regressed"]:
            a, b = t["changed"][test_id]
            lines.append(f"RÉGRESSION {target} {test_id} : {a} → {b}")
        for test_id in t["improved"]:
            a, b = t["changed"][test_id]
            lines.append(f"amélioration {target} {test_id} : {a} → {b}")
        for test_id, (a, b) in t["changed"].items():
            if test_id not in t["regressed"] and test_id not in t["improved"]:
                lines.append(f"changement {target} {test_id} : {a} → {b}")
    lines.append(f"{result['regressions']} régression(s)")
    return "\n".join(lines)
