#!/usr/bin/env python3
"""Make the committed example runs of tests/examples/ from a real run of the reference platform.

    .venv/bin/python scripts/make_matrix_examples.py RUN_DIR

Each example is the real results.json of RUN_DIR, renamed as another target and edited in one declared
way (a better platform, a later run with a regression, another catalogue version, an incomplete run); the
evidence files behind FAIL results are copied so that the matrix page can show them.
"""

from __future__ import annotations

import copy
import json
import shutil
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "tests" / "examples"


def _as_target(doc: dict[str, Any], target_id: str, name: str, date: str) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["target"].update(id=target_id, name=name, file=f"targets/{target_id}.yaml")
    doc["run"].update(started_at=date, out_dir=f"reports/{target_id}/{date}")
    return doc


def _set(doc: dict[str, Any], test_id: str, status: str, message: str) -> None:
    for r in doc["results"]:
        if r["test_id"] == test_id:
            r["status"], r["message"] = status, message
            r["warning"] = False
            for inst in r["instances"]:
                inst["status"] = status
            decided = [i for i in r["instances"] if i["status"] in ("PASS", "FAIL", "ERROR")]
            r["score"] = [sum(1 for i in decided if i["status"] == "PASS"), len(decided)]
    doc["summary"] = {s: sum(1 for r in doc["results"] if r["status"] == s)
                      for s in ("PASS", "FAIL", "ERROR", "NOT_APPLICABLE", "NOT_TESTED")}
    doc["summary"]["WARNINGS"] = 0


def _write(name: str, doc: dict[str, Any], run_dir: Path) -> None:
    folder = OUT / name
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "evidence").mkdir(parents=True)
    for r in doc["results"]:
        keep = [ref for inst in r["instances"] if inst["status"] in ("FAIL", "ERROR") for ref in inst["evidence"]][:3]
        for inst in r["instances"]:
            inst["evidence"] = [ref for ref in inst["evidence"] if ref in keep]
        r["evidence"] = keep
        for ref in keep:
            if (run_dir / ref).is_file():
                shutil.copy(run_dir / ref, folder / ref)
    (folder / "results.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")


def main(run_dir: Path) -> None:
    real = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    a = _as_target(real, "exemple-a", "Exemple A (pygeoapi de référence)", "2026-11-01T10:00:00+00:00")
    _write("exemple-a", a, run_dir)
    b = _as_target(real, "exemple-b", "Exemple B (plateforme corrigée)", "2026-11-01T11:00:00+00:00")
    b["target"].update(product="exemple", product_version="2.0")
    for test_id in [r["test_id"] for r in real["results"] if r["status"] in ("FAIL", "ERROR")]:
        _set(b, test_id, "PASS", "")
    _write("exemple-b", b, run_dir)
    later = _as_target(b, "exemple-b", "Exemple B (plateforme corrigée)", "2026-11-15T11:00:00+00:00")
    later["target"]["product_version"] = "2.1"
    _set(later, "OAPIF-CORE-019", "FAIL",
         "[collection=parcelles bbox=…] 3 entités renvoyées n'intersectent pas la boîte")
    _write("exemple-b-regression", later, run_dir)
    other = _as_target(real, "exemple-c", "Exemple C (autre version du catalogue)", "2026-10-01T09:00:00+00:00")
    other["suite"].update(version="0.0.9", catalogue_sha256="0" * 64)
    _write("exemple-autre-catalogue", other, run_dir)
    partial = _as_target(real, "exemple-d", "Exemple D (campagne incomplète)", "2026-11-02T09:00:00+00:00")
    _set(partial, "OAPIF-CORE-019", "NOT_TESTED", "désélectionné pour cette campagne")
    partial["run"]["complete"] = False
    _write("exemple-incomplet", partial, run_dir)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
