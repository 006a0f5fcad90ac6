#!/usr/bin/env python3
"""Make the committed examples of tests/examples/ from a real run of the reference platform.

    .venv/bin/python scripts/make_examples.py RUN_DIR

* Example runs (tests/examples/exemple-*/): the real results.json of RUN_DIR, renamed as another target and
  edited in one declared way (a better platform, a later run with a regression, another catalogue version, an
  incomplete run); the evidence files behind FAIL results are copied so that the matrix page can show them.
* Example publications (tests/examples/suivi/): three dated publications of three platforms (OGC API Features,
  ProConnect and CSW tests only), each platform's campaign being exemple-a (the reference pygeoapi run) or
  exemple-b (the corrected platform) edited in one declared way per date: a service not yet declared, a service
  declared but silent, a family taken from the corrected platform, a class no longer declared. Cells keep their
  status and counts only (no message, no evidence), so the publications stay small.
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
SUIVI = EXAMPLES / "suivi"
FAMILY = {f.key: f for f in FAMILIES}
STATUSES = ("PASS", "FAIL", "ERROR", "NOT_APPLICABLE", "NOT_TESTED")


def _as_target(doc: dict[str, Any], target_id: str, name: str, date: str) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["target"].update(id=target_id, name=name, file=f"targets/{target_id}.yaml")
    doc["run"].update(started_at=date, out_dir=f"reports/{target_id}/{date}")
    return doc


def _summary(doc: dict[str, Any]) -> None:
    doc["summary"] = {s: sum(1 for r in doc["results"] if r["status"] == s) for s in STATUSES}
    doc["summary"]["WARNINGS"] = sum(1 for r in doc["results"] if r.get("warning"))


# -- example runs -------------------------------------------------------------------------------------------------

def _set(doc: dict[str, Any], test_id: str, status: str, message: str) -> None:
    for r in doc["results"]:
        if r["test_id"] == test_id:
            r["status"], r["message"] = status, message
            r["warning"] = False
            for inst in r["instances"]:
                inst["status"] = status
            decided = [i for i in r["instances"] if i["status"] in ("PASS", "FAIL", "ERROR")]
            r["score"] = [sum(1 for i in decided if i["status"] == "PASS"), len(decided)]
    _summary(doc)


def _write(name: str, doc: dict[str, Any], run_dir: Path) -> None:
    folder = EXAMPLES / name
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


def make_runs(run_dir: Path) -> None:
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



# -- example publications ------------------------------------------------------------------------------------------

def _load(name: str) -> dict[str, Any]:
    """An example run reduced to the tracked families (a campaign of those suites only)."""
    doc = json.loads((EXAMPLES / name / "results.json").read_text(encoding="utf-8"))
    doc["results"] = [r for r in doc["results"] if any(f.owns(r["conformance_class"]) for f in FAMILIES)]
    doc["run"].setdefault("classes", {uri: {"declared": d, "reason": ""} for uri, d in run_classes(doc).items()})
    doc["run"]["budgets"].setdefault("max_records", 200)
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


def _publish(date: str, docs: list[dict[str, Any]]) -> None:
    for doc in docs:
        _summary(doc)
    matrix = build([Run(Path(f"reports/{d['target']['id']}/{date}/results.json"), d) for d in docs],
                   published_at=date)
    for row in matrix["cells"].values():
        for cell in row.values():
            cell.update(message="", evidence=[])
    folder = SUIVI / date
    folder.mkdir(parents=True)
    (folder / "matrix.json").write_text(json.dumps(matrix, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def make_publications() -> None:
    a, b = _load("exemple-a"), _load("exemple-b")
    # the corrected platform also passes OAPIF-CORE-025, not tested on the reference (so it can meet the profile)
    core025 = next(r for r in b["results"] if r["test_id"] == "OAPIF-CORE-025")
    core025.update(status="PASS", message="", score=[1, 1],
                   instances=[{"instance": "API", "status": "PASS", "messages": [], "notes": [], "evidence": []}])
    shutil.rmtree(SUIVI, ignore_errors=True)
    dates = ("2025-03-25", "2025-07-09", "2025-12-01")
    names = {"exemple-a": "Exemple A (pygeoapi de référence)", "exemple-b": "Exemple B (plateforme corrigée)",
             "exemple-e": "Exemple E (nouvelle plateforme)"}

    def named(doc: dict[str, Any], target_id: str, date: str) -> dict[str, Any]:
        return _as_target(doc, target_id, names[target_id], date)

    # March: A and B serve OGC API Features (only B meets the base profile); nobody has ProConnect yet
    a1, b1 = named(a, "exemple-a", dates[0]), named(b, "exemple-b", dates[0])
    for doc in (a1, b1):
        not_declared(doc, "proconnect")
    _publish(dates[0], [a1, b1])
    # July: A and B deploy ProConnect (only B meets its profile); E joins, its OGC API Features not answering
    a2, b2 = named(a, "exemple-a", dates[1]), named(b, "exemple-b", dates[1])
    e2 = named(b, "exemple-e", dates[1])
    silent(e2, "oapif")
    not_declared(e2, "proconnect")
    _publish(dates[1], [a2, b2, e2])
    # December: A fixes its OGC API Features, E's answers; B stops declaring GeoJSON and loses the base profile
    a3, b3 = named(a, "exemple-a", dates[2]), named(b, "exemple-b", dates[2])
    e3 = named(b, "exemple-e", dates[2])
    family_from(a3, b, "oapif")
    class_not_declared(b3, OAPIF1 + "/conf/geojson")
    not_declared(e3, "proconnect")
    _publish(dates[2], [a3, b3, e3])


def main(run_dir: Path) -> None:
    make_runs(run_dir)
    make_publications()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
