"""The conformance matrix: test IDs × targets, built from the ``results.json`` of several runs.

Runs are aligned on the catalogue they were made with: runs of different catalogues are refused (or, on
request, reduced to the IDs they share), so that a cell always means the same test.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cicclo import __version__
from cicclo.classes import KNOWN_CLASSES
from cicclo.model import Status
from cicclo.reporters.results_json import write_atomic
from cicclo.resources import published_path

FORMAT = "cicclo/matrix"
FORMAT_VERSION = "1.0"
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


def _columns(runs: list[Run]) -> list[str]:
    """One column per run: the target id, dated when a target appears several times."""
    names = [r.column for r in runs]
    return [f"{r.column}@{r.doc['run']['started_at']}" if names.count(r.column) > 1 else r.column for r in runs]


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


def build(runs: list[Run], shared_only: bool = False) -> dict[str, Any]:
    if not runs:
        raise MatrixError("aucune campagne à assembler")
    catalogues = {r.catalogue for r in runs}
    if len(catalogues) > 1 and not shared_only:
        lines = [f"  {r.path} : cible {r.column}, catalogue {r.catalogue[:12] or '?'}" for r in runs]
        raise MatrixError("les campagnes ne viennent pas du même catalogue (cellules incomparables) :\n"
                          + "\n".join(lines) + "\n(--shared-only : ne garder que les identifiants communs)")
    per_run = [{res["test_id"]: res for res in r.doc["results"]} for r in runs]
    ids = set(per_run[0])
    for results in per_run[1:]:
        ids = ids & set(results) if shared_only else ids | set(results)
    columns = _columns(runs)
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
            row[column] = {"status": res["status"], "score": res["score"], "warning": res.get("warning", False),
                           "message": res["message"], "evidence": _cell_evidence(run, res)}
        cells[test_id] = row
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "suite_version": __version__,
        "catalogue_sha256": sorted(catalogues),
        "shared_only": shared_only,
        "targets": [{"column": c, "id": r.column, "name": r.doc["target"]["name"],
                     "product": r.doc["target"].get("product", ""),
                     "product_version": r.doc["target"].get("product_version", ""),
                     "run_date": r.doc["run"]["started_at"], "complete": r.complete,
                     "suite_version": r.doc["suite"]["version"], "results_file": published_path(r.path)}
                    for c, r in zip(columns, runs, strict=True)],
        "tests": tests,
        "cells": cells,
        "summary": summaries(tests, cells, columns),
    }


def summaries(tests: list[dict[str, Any]], cells: dict[str, Any], columns: list[str]) -> dict[str, Any]:
    """Per target, per conformance class and per test: how many pass."""
    per_target = {}
    for column in columns:
        statuses = [cells[t["test_id"]][column]["status"] for t in tests if column in cells[t["test_id"]]]
        counts = {s.value: statuses.count(s.value) for s in Status}
        decided = counts["PASS"] + counts["FAIL"] + counts["ERROR"]
        per_target[column] = {**counts, "pass_rate": round(counts["PASS"] / decided, 3) if decided else None}
    per_class = {}
    for uri in dict.fromkeys(t["conformance_class"] for t in tests):
        ids = [t["test_id"] for t in tests if t["conformance_class"] == uri]
        passing = [c for c in columns if all(cells[i].get(c, {}).get("status") in ("PASS", "NOT_APPLICABLE")
                                             for i in ids) and any(c in cells[i] for i in ids)]
        cls = KNOWN_CLASSES.get(uri)
        per_class[uri] = {"title": cls.title_fr if cls else uri, "tests": len(ids),
                          "targets_passing": len(passing), "targets": len(columns)}
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
