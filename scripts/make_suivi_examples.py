#!/usr/bin/env python3
"""Make the committed example publications of tests/examples/suivi/ from the example runs of tests/examples/.

    .venv/bin/python scripts/make_suivi_examples.py

Three dated publications of three platforms (OGC API Features, ProConnect and CSW tests only), each
platform's campaign being exemple-a (the reference pygeoapi run) or exemple-b (the corrected platform) edited
in one declared way per date: a service not yet declared, a service declared but silent, a family taken from
the corrected platform, a class no longer declared. Cells keep their status and counts only (no message, no
evidence), so the publications stay small.
"""

from __future__ import annotations

import copy
import json
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cicclo.classes import OAPIF1  # noqa: E402
from cicclo.matrix import Run, build  # noqa: E402
from cicclo.profiles import run_classes  # noqa: E402
from cicclo.suivi import FAMILIES  # noqa: E402

EXAMPLES = ROOT / "tests" / "examples"
OUT = EXAMPLES / "suivi"
FAMILY = {f.key: f for f in FAMILIES}


def _load(name: str) -> dict[str, Any]:
    """An example run reduced to the tracked families (a campaign of those suites only)."""
    doc = json.loads((EXAMPLES / name / "results.json").read_text(encoding="utf-8"))
    doc["results"] = [r for r in doc["results"] if any(f.owns(r["conformance_class"]) for f in FAMILIES)]
    doc["run"].setdefault("classes", {uri: {"declared": d, "reason": ""} for uri, d in run_classes(doc).items()})
    doc["run"]["budgets"].setdefault("max_records", 200)
    return doc


def _as(doc: dict[str, Any], target_id: str, name: str, date: str) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["target"].update(id=target_id, name=name, file=f"targets/{target_id}.yaml")
    doc["run"].update(started_at=date, out_dir=f"reports/{target_id}/{date}")
    return doc


def _set_family(doc: dict[str, Any], family: str, status: str, message: str) -> None:
    for r in doc["results"]:
        if FAMILY[family].owns(r["conformance_class"]):
            r.update(status=status, message=message, instances=[], score=[0, 0], warning=False)


def not_declared(doc: dict[str, Any], family: str) -> None:
    """The platform does not offer the service yet: no such service in its target file."""
    for service in FAMILY[family].services:
        doc["target"]["services"].pop(service, None)
    _set_family(doc, family, "NOT_APPLICABLE", "service non déclaré par la cible")
    for uri in list(doc["run"]["classes"]):
        if FAMILY[family].owns(uri):
            doc["run"]["classes"][uri] = {"declared": False, "reason": "service non déclaré par la cible"}


def silent(doc: dict[str, Any], family: str) -> None:
    """The service is declared but does not answer."""
    _set_family(doc, family, "ERROR", "pas de réponse : connexion refusée")
    for uri in list(doc["run"]["classes"]):
        if FAMILY[family].owns(uri):
            doc["run"]["classes"][uri] = {"declared": None, "reason": "pas de réponse"}


def family_from(doc: dict[str, Any], other: dict[str, Any], family: str) -> None:
    """The platform's results of one family become those of another campaign (a fixed deployment)."""
    better = {r["test_id"]: r for r in other["results"]}
    doc["results"] = [copy.deepcopy(better[r["test_id"]]) if FAMILY[family].owns(r["conformance_class"]) else r
                      for r in doc["results"]]
    doc["run"]["classes"].update({uri: c for uri, c in other["run"]["classes"].items() if FAMILY[family].owns(uri)})


def class_not_declared(doc: dict[str, Any], uri: str) -> None:
    """The server stops declaring one class in /conformance: its tests turn NOT_APPLICABLE."""
    for r in doc["results"]:
        if r["conformance_class"] == uri:
            r.update(status="NOT_APPLICABLE", message=f"la cible ne déclare pas {uri} dans /conformance",
                     instances=[], score=[0, 0], warning=False)
    doc["run"]["classes"][uri] = {"declared": False, "reason": f"la cible ne déclare pas {uri} dans /conformance"}


def _summary(doc: dict[str, Any]) -> None:
    doc["summary"] = {s: sum(1 for r in doc["results"] if r["status"] == s)
                      for s in ("PASS", "FAIL", "ERROR", "NOT_APPLICABLE", "NOT_TESTED")}
    doc["summary"]["WARNINGS"] = sum(1 for r in doc["results"] if r.get("warning"))


def _publish(date: str, docs: list[dict[str, Any]]) -> None:
    for doc in docs:
        _summary(doc)
    matrix = build([Run(Path(f"reports/{d['target']['id']}/{date}/results.json"), d) for d in docs],
                   published_at=date)
    for row in matrix["cells"].values():
        for cell in row.values():
            cell.update(message="", evidence=[])
    folder = OUT / date
    folder.mkdir(parents=True)
    (folder / "matrix.json").write_text(json.dumps(matrix, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def main() -> None:
    a, b = _load("exemple-a"), _load("exemple-b")
    # the corrected platform also passes OAPIF-CORE-025, not tested on the reference (so it can meet the profile)
    core025 = next(r for r in b["results"] if r["test_id"] == "OAPIF-CORE-025")
    core025.update(status="PASS", message="", score=[1, 1],
                   instances=[{"instance": "API", "status": "PASS", "messages": [], "notes": [], "evidence": []}])
    shutil.rmtree(OUT, ignore_errors=True)
    dates = ("2025-03-25", "2025-07-09", "2025-12-01")
    names = {"exemple-a": "Exemple A (pygeoapi de référence)", "exemple-b": "Exemple B (plateforme corrigée)",
             "exemple-e": "Exemple E (nouvelle plateforme)"}
    # March: A and B serve OGC API Features (only B meets the base profile); nobody has ProConnect yet
    a1, b1 = _as(a, "exemple-a", names["exemple-a"], dates[0]), _as(b, "exemple-b", names["exemple-b"], dates[0])
    for doc in (a1, b1):
        not_declared(doc, "proconnect")
    _publish(dates[0], [a1, b1])
    # July: A and B deploy ProConnect (only B meets its profile); E joins, its OGC API Features not answering
    a2, b2 = _as(a, "exemple-a", names["exemple-a"], dates[1]), _as(b, "exemple-b", names["exemple-b"], dates[1])
    e2 = _as(b, "exemple-e", names["exemple-e"], dates[1])
    silent(e2, "oapif")
    not_declared(e2, "proconnect")
    _publish(dates[1], [a2, b2, e2])
    # December: A fixes its OGC API Features, E's answers; B stops declaring GeoJSON and loses the base profile
    a3, b3 = _as(a, "exemple-a", names["exemple-a"], dates[2]), _as(b, "exemple-b", names["exemple-b"], dates[2])
    e3 = _as(b, "exemple-e", names["exemple-e"], dates[2])
    family_from(a3, b, "oapif")
    class_not_declared(b3, OAPIF1 + "/conf/geojson")
    not_declared(e3, "proconnect")
    _publish(dates[2], [a3, b3, e3])


if __name__ == "__main__":
    main()
