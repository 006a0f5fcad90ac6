"""The conformance matrix: test IDs × targets, built from the ``results.json`` of several runs.

Runs are aligned on the catalogue they were made with: runs of different catalogues are refused (or, on
request, reduced to the IDs they share), so that a cell always means the same test.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from cicclo import __version__
from cicclo.classes import KNOWN_CLASSES
from cicclo.model import Status
from cicclo.profiles import profile_state, run_classes, run_verdicts, verdict_lines
from cicclo.reporters.results_json import write_atomic
from cicclo.resources import published_path

FORMAT = "cicclo/matrix"
FORMAT_VERSION = "1.1"
MAX_CELL_EVIDENCE = 3


class MatrixError(Exception):
    pass


@dataclass
class Run:
    path: Path
    doc: dict[str, Any]

    @property
    def column(self) -> str:
        return str(self.doc["target"]["id"])

    @property
    def catalogue(self) -> str:
        return str(self.doc["suite"].get("catalogue_sha256", ""))

    @property
    def complete(self) -> bool:
        return bool(self.doc["run"].get("complete", True))


def load_run(path: Path) -> Run:
    file = path / "results.json" if path.is_dir() else path
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MatrixError(f"{file} : résultats illisibles ({exc})") from None
    if doc.get("format") != "cicclo/results":
        raise MatrixError(f"{file} : pas un results.json de cicclo")
    return Run(file, doc)


T = TypeVar("T")


def choose_latest(items: list[T], target_of: Callable[[T], str], date_of: Callable[[T], str],
                  chosen: dict[str, str]) -> tuple[list[T], list[T]]:
    """One campaign per target id: the one ``chosen`` ({id: started_at}), else the latest; and those set aside."""
    by_target: dict[str, list[T]] = {}
    for item in items:
        by_target.setdefault(target_of(item), []).append(item)
    for target, date in chosen.items():
        if target not in by_target or not any(date_of(i) == date for i in by_target[target]):
            dates = ", ".join(date_of(i) for i in by_target.get(target, [])) or "aucune campagne"
            raise MatrixError(f"campagne choisie introuvable : {target}@{date} (campagnes de {target} : {dates})")
    kept = [next(i for i in group if date_of(i) == chosen[target]) if target in chosen
            else max(group, key=date_of) for target, group in by_target.items()]
    return kept, [i for i in items if not any(i is k for k in kept)]


def parse_choices(values: list[str]) -> dict[str, str]:
    """``--campagne ID@DATE`` values as {id: started_at}."""
    choices = {}
    for value in values:
        target, sep, date = value.partition("@")
        if not sep or not target or not date:
            raise MatrixError(f"--campagne {value!r} : attendu CIBLE@DATE (date de début de la campagne, "
                              "run.started_at de son results.json)")
        choices[target] = date
    return choices


def _cell_evidence(run: Run, result: dict[str, Any]) -> list[dict[str, Any]]:
    """The exchanges behind a failing cell, read from the run's evidence folder when it is there."""
    if result["status"] not in ("FAIL", "ERROR"):
        return []
    refs = [ref for inst in result["instances"] if inst["status"] in ("FAIL", "ERROR") for ref in inst["evidence"]]
    shown = []
    for ref in dict.fromkeys(refs):
        path = run.path.parent / ref
        if not path.is_file():
            continue
        ev = json.loads(path.read_text(encoding="utf-8"))
        resp = ev.get("response") or {}
        shown.append({"ref": ref, "method": ev["request"]["method"], "url": ev["request"]["url"],
                      "status": resp.get("status"), "error": ev.get("error"), "curl": ev["curl"]})
        if len(shown) >= MAX_CELL_EVIDENCE:
            break
    return shown


def build(runs: list[Run], shared_only: bool = False, chosen: dict[str, str] | None = None,
          published_at: str | None = None) -> dict[str, Any]:
    """The matrix of one campaign per target (the latest, or the one ``chosen``), dated ``published_at`` (by
    default the date of its latest campaign)."""
    if not runs:
        raise MatrixError("aucune campagne à assembler")
    runs, set_aside = choose_latest(runs, lambda r: r.column, lambda r: str(r.doc["run"]["started_at"]),
                                    chosen or {})
    catalogues = {r.catalogue for r in runs}
    if len(catalogues) > 1 and not shared_only:
        lines = [f"  {r.path} : cible {r.column}, catalogue {r.catalogue[:12] or '?'}" for r in runs]
        raise MatrixError("les campagnes ne viennent pas du même catalogue (cellules incomparables) :\n"
                          + "\n".join(lines) + "\n(--shared-only : ne garder que les identifiants communs)")
    per_run = [{res["test_id"]: res for res in r.doc["results"]} for r in runs]
    ids = set(per_run[0])
    for results in per_run[1:]:
        ids = ids & set(results) if shared_only else ids | set(results)
    columns = [r.column for r in runs]
    tests, cells = [], {}
    for test_id in sorted(ids):
        meta = next(results[test_id] for results in per_run if test_id in results)
        tests.append({k: meta[k] for k in ("test_id", "title", "level", "suite", "conformance_class",
                                            "requirements", "abstract_test")})
        row = {}
        for column, run, results in zip(columns, runs, per_run, strict=True):
            res = results.get(test_id)
            if res is None:
                continue
            row[column] = {"status": res["status"], **_instance_counts(res), "warning": res.get("warning", False),
                           "message": res["message"], "evidence": _cell_evidence(run, res)}
        cells[test_id] = row
    described = [{"column": c, "classes": run_classes(r.doc)} for c, r in zip(columns, runs, strict=True)]
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "suite_version": __version__,
        "catalogue_sha256": sorted(catalogues),
        "published_at": published_at or max(str(r.doc["run"]["started_at"]) for r in runs),
        "shared_only": shared_only,
        "targets": [{"column": c, "id": r.column, "name": r.doc["target"]["name"],
                     "product": r.doc["target"].get("product", ""),
                     "product_version": r.doc["target"].get("product_version", ""),
                     "run_date": r.doc["run"]["started_at"], "complete": r.complete,
                     "suite_version": r.doc["suite"]["version"], "results_file": published_path(r.path),
                     "services": {name: bool(svc.get("documented") and svc.get("url"))
                                  for name, svc in r.doc["target"].get("services", {}).items()},
                     "classes": run_classes(r.doc), "profiles": _profile_states(r.doc)}
                    for c, r in zip(columns, runs, strict=True)],
        "set_aside": [{"id": r.column, "run_date": r.doc["run"]["started_at"], "results_file": published_path(r.path)}
                      for r in set_aside],
        "tests": tests,
        "cells": cells,
        "summary": summaries(tests, cells, described),
    }


def _instance_counts(result: dict[str, Any]) -> dict[str, Any]:
    """Counted from the instances themselves: passing / checked, and every instance left unchecked (NOT_APPLICABLE,
    NOT_TESTED) with its reason, so that a PASS cell never hides an instance."""
    instances = result["instances"]
    passed = sum(1 for i in instances if i["status"] == "PASS")
    decided = sum(1 for i in instances if i["status"] in ("PASS", "FAIL", "ERROR"))
    skipped = [{"instance": i["instance"], "status": i["status"], "reason": "; ".join(i["messages"]) or "—"}
               for i in instances if i["status"] in ("NOT_APPLICABLE", "NOT_TESTED")]
    return {"score": [passed, decided], "instances": len(instances), "skipped": skipped}


def class_state(statuses: list[str], declared: bool | None) -> str:
    """A class on one target: not declared (nothing applicable: never a success), failed, passed or incomplete."""
    if declared is False or (statuses and set(statuses) == {"NOT_APPLICABLE"}):
        return "non déclarée"
    if {"FAIL", "ERROR"} & set(statuses):
        return "en échec"
    if statuses and "PASS" in statuses and set(statuses) <= {"PASS", "NOT_APPLICABLE"}:
        return "réussie"
    return "incomplète"


def _profile_states(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: {"version": v["version"], "state": profile_state(v), "met": v["met"],
                   "profile_run": v["profile_run"], "reasons": verdict_lines(v)}
            for name, v in run_verdicts(doc).items()}


def summaries(tests: list[dict[str, Any]], cells: dict[str, Any], targets: list[dict[str, Any]]) -> dict[str, Any]:
    """Per target, per conformance class (its state on each target) and per test: how many pass."""
    columns = [t["column"] for t in targets]
    per_target = {}
    for column in columns:
        statuses = [cells[t["test_id"]][column]["status"] for t in tests if column in cells[t["test_id"]]]
        counts = {s.value: statuses.count(s.value) for s in Status}
        decided = counts["PASS"] + counts["FAIL"] + counts["ERROR"]
        per_target[column] = {**counts, "pass_rate": round(counts["PASS"] / decided, 3) if decided else None}
    per_class = {}
    for uri in dict.fromkeys(t["conformance_class"] for t in tests):
        ids = [t["test_id"] for t in tests if t["conformance_class"] == uri]
        states = {t["column"]: class_state([cells[i][t["column"]]["status"] for i in ids if t["column"] in cells[i]],
                                           t.get("classes", {}).get(uri))
                  for t in targets if any(t["column"] in cells[i] for i in ids)}
        cls = KNOWN_CLASSES.get(uri)
        per_class[uri] = {"title": cls.title_fr if cls else uri, "tests": len(ids), "targets": len(columns),
                          "targets_passing": sum(1 for s in states.values() if s == "réussie"),
                          "targets_failing": sum(1 for s in states.values() if s == "en échec"),
                          "targets_undeclared": sum(1 for s in states.values() if s == "non déclarée"),
                          "targets_incomplete": sum(1 for s in states.values() if s == "incomplète"),
                          "per_target": states}
    per_test = {t["test_id"]: sum(1 for c in cells[t["test_id"]].values() if c["status"] == "PASS") for t in tests}
    return {"per_target": per_target, "per_class": per_class, "per_test_passing": per_test}


def to_csv(matrix: dict[str, Any]) -> str:
    columns = [t["column"] for t in matrix["targets"]]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["test_id", "titre", "niveau", "classe", *columns])
    for test in matrix["tests"]:
        row = matrix["cells"][test["test_id"]]
        writer.writerow([test["test_id"], test["title"], test["level"], test["conformance_class"],
                         *(f"{row[c]['status']} {row[c]['score'][0]}/{row[c]['score'][1]}" if c in row else ""
                           for c in columns)])
    return buf.getvalue()


def write(matrix: dict[str, Any], out: Path) -> list[Path]:
    """matrix.json, matrix.csv and index.html, each written atomically."""
    from cicclo.reporters.matrix_html import render

    out.mkdir(parents=True, exist_ok=True)
    files = {"matrix.json": json.dumps(matrix, ensure_ascii=False, indent=1), "matrix.csv": to_csv(matrix),
             "index.html": render(matrix)}
    for name, text in files.items():
        write_atomic(out / name, text)
    return [out / name for name in files]
