"""The run record (run.jsonl): reporters read it alone, results.json is written from it as before."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from referencing import Registry, Resource

from cicclo.plugin import write_reports
from cicclo.reporters import results_json
from cicclo.reporters.record import FILE_NAME, RecordError, RunRecord, write_record
from tests.conftest import ROOT

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
SCHEMAS = ROOT / "schemas"


def _schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _validator(name: str) -> jsonschema.Draft202012Validator:
    registry: Registry[Any] = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in (_schema("results.schema.json"), _schema(name)))
    return jsonschema.Draft202012Validator(_schema(name), registry=registry,
                                           format_checker=jsonschema.FormatChecker())


def instance(key: str, status: str, message: str = "", evidence: list[str] | None = None) -> dict[str, Any]:
    return {"instance": key, "status": status, "messages": [message] if message else [], "notes": [],
            "evidence": evidence or []}


def result(test_id: str, status: str, instances: list[dict[str, Any]], level: str = "MUST",
           message: str = "") -> dict[str, Any]:
    decided = [i for i in instances if i["status"] in ("PASS", "FAIL", "ERROR")]
    evidence: list[str] = []
    for i in instances:
        evidence += [r for r in i["evidence"] if r not in evidence]
    return {"test_id": test_id, "title": f"titre de {test_id}", "status": status, "level": level,
            "warning": level == "SHOULD" and status == "FAIL", "requirements": [f"{CORE}/req/{test_id}"],
            "abstract_test": None, "conformance_class": CORE, "suite": "oapif", "message": message, "notes": [],
            "score": [sum(i["status"] == "PASS" for i in decided), len(decided)], "duration_s": 0.25,
            "nodeid": f"suites/oapif/test_x.py::test_{test_id}", "instances": instances,
            "skipped": [{"instance": i["instance"], "status": i["status"], "reason": " ; ".join(i["messages"])
                         or "sans motif"} for i in instances if i["status"] in ("NOT_TESTED", "NOT_APPLICABLE")],
            "evidence": evidence}


HEADER: dict[str, Any] = {
    "suite": {"name": "cicclo", "version": "0.4.0", "catalogue_sha256": ""},
    "target": {"id": "ecrite-a-la-main", "name": "Campagne <écrite> à la main", "product": "Produit",
               "product_version": "1", "editor": "Éditeur", "file": "targets/ecrite.yaml",
               "services": {"oapif": {"url": "http://127.0.0.1:9/", "builtin": None, "documented": True,
                                      "note": "service de test"}}},
    "run": {"started_at": "2026-12-04T01:00:00+00:00", "out_dir": "out",
            "budgets": {"max_collections": None, "max_pages": None, "max_features": 5, "max_records": 100},
            "runner": {"python": "3.12.0", "platform": "linux"}},
}
FOOTER: dict[str, Any] = {"run": {
    "stats": {"requests": 3, "cache_hits": 1, "bytes_received": 1000, "server_wait_s": 0.1, "transport_errors": 0,
              "wall_s": 1.5, "peak_rss_mb": 50.0},
    "classes": {CORE: {"declared": True, "reason": ""}}, "profile": None, "complete": True, "interrupted": False}}
RESULTS = [  # out of test ID order, and one test ID recorded twice: its last line counts
    result("OAPIF-CORE-002", "FAIL", [instance("collection a", "PASS", evidence=["evidence/000001.json"]),
                                      instance("collection <b>", "FAIL", "lien « next » en 400")],
           message="[collection <b>] lien « next » en 400"),
    result("OAPIF-CORE-001", "NOT_TESTED", []),
    result("OAPIF-CORE-001", "PASS", [instance("page d'accueil", "PASS")]),
    result("OAPIF-CORE-003", "FAIL", [instance("définition", "FAIL", "pas d'OpenAPI")], level="SHOULD"),
]


@pytest.fixture()
def record(tmp_path: Path) -> RunRecord:
    return RunRecord(write_record(tmp_path / FILE_NAME, HEADER, RESULTS, FOOTER))


def test_each_line_of_a_hand_written_record_validates_against_its_schema(record: RunRecord) -> None:
    validator = _validator("run-record.schema.json")
    for line in record.path.read_text(encoding="utf-8").splitlines():
        validator.validate(json.loads(line))
    assert record.test_ids == ["OAPIF-CORE-001", "OAPIF-CORE-002", "OAPIF-CORE-003"]
    assert "instances" not in record.light()[0]


def test_reporters_render_every_report_from_the_record_alone(record: RunRecord) -> None:
    paths = write_reports(record.path)
    assert [p.name for p in paths] == ["results.json", "junit.xml", "earl.jsonld", "report.html"]
    doc = json.loads((record.folder / "results.json").read_text(encoding="utf-8"))
    _validator("results.schema.json").validate(doc)
    assert [r["test_id"] for r in doc["results"]] == record.test_ids
    assert doc["results"][0]["status"] == "PASS"  # the last line of OAPIF-CORE-001
    assert doc["summary"] == {"PASS": 1, "FAIL": 2, "ERROR": 0, "NOT_APPLICABLE": 0, "NOT_TESTED": 0,
                              "WARNINGS": 1}
    assert doc["run"] == {**HEADER["run"], **FOOTER["run"]}
    html = (record.folder / "report.html").read_text(encoding="utf-8")
    assert "Campagne &lt;écrite&gt; à la main" in html and "collection &lt;b&gt;" in html
    assert "lien « next » en 400" in html and "Échec (avertissement)" in html
    suite = ET.parse(record.folder / "junit.xml").getroot()[0]
    assert (suite.get("tests"), suite.get("failures"), suite.get("time")) == ("3", "1", "1.500")
    earl = json.loads((record.folder / "earl.jsonld").read_text(encoding="utf-8"))
    outcomes = {a["earl:test"]["dct:identifier"]: a["earl:result"]["earl:outcome"]["@id"]
                for a in earl["@graph"] if a.get("@type") == "earl:Assertion"}
    assert outcomes == {"OAPIF-CORE-001": "earl:passed", "OAPIF-CORE-002": "earl:failed",
                        "OAPIF-CORE-003": "earl:failed"}


def test_results_json_is_written_as_the_whole_document_would_be(record: RunRecord) -> None:
    results_json.write(record)
    whole = {**results_json.head(record), "results": list(record.results())}
    assert (record.folder / "results.json").read_text(encoding="utf-8") == json.dumps(
        whole, ensure_ascii=False, indent=1)


def test_results_json_of_a_record_without_results(tmp_path: Path) -> None:
    record = RunRecord(write_record(tmp_path / FILE_NAME, HEADER, [], FOOTER))
    results_json.write(record)
    text = (tmp_path / "results.json").read_text(encoding="utf-8")
    assert text == json.dumps({**results_json.head(record), "results": []}, ensure_ascii=False, indent=1)


def test_a_truncated_record_is_refused(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    path.write_text(json.dumps({"record": "header", "format": "cicclo/run-record", "format_version": "1.0",
                                **HEADER}) + "\n", encoding="utf-8")
    with pytest.raises(RecordError, match="incomplète"):
        RunRecord(path)


def test_reporters_import_nothing_of_the_live_harness() -> None:
    """Reporters take the record: no run context, result object or HTTP client reaches them."""
    forbidden = {"cicclo.plugin", "cicclo.verdict", "cicclo.targets"}
    for path in (ROOT / "src" / "cicclo" / "reporters").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
        assert not names & forbidden, path.name
        assert not imported & {"RunContext", "TestResult", "InstanceResult", "HttpClient"}, path.name


def test_a_real_run_writes_a_record_whose_reports_can_be_rendered_again(tmp_path: Path) -> None:
    """A real run: every line of its run.jsonl validates, its results.json validates, and the reports made
    again from a copy of the record and the evidence alone are the run's own."""
    from tests.servers import reply, serve

    pages = {"/": {"title": "API", "links": [{"href": "/conformance", "rel": "conformance",
                                              "type": "application/json"}]},
             "/conformance": {"conformsTo": [CORE]}}

    def handler(h: Any) -> None:
        page = pages.get(h.path.split("?")[0])
        reply(h, 200 if page else 404, json.dumps(page or {"code": "NotFound"}))

    from tests.conftest import write_target

    with serve(handler) as (url, _):
        target = write_target(tmp_path, "record-reel", url)
        proc = subprocess.run([sys.executable, "-m", "pytest", "suites/oapif/test_core_discovery.py", "-q",
                               "-p", "no:randomly", "--target", str(target), "--cicclo-out", str(tmp_path / "out")],
                              cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    out = tmp_path / "out"
    assert (out / FILE_NAME).is_file(), proc.stdout + proc.stderr
    validator = _validator("run-record.schema.json")
    lines = [json.loads(line) for line in (out / FILE_NAME).read_text(encoding="utf-8").splitlines()]
    for line in lines:
        validator.validate(line)
    assert [line["record"] for line in (lines[0], lines[-1])] == ["header", "footer"]
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    _validator("results.schema.json").validate(doc)
    again = tmp_path / "again"
    again.mkdir()
    shutil.copy(out / FILE_NAME, again / FILE_NAME)
    shutil.copytree(out / "evidence", again / "evidence")
    write_reports(again / FILE_NAME)
    for name in ("results.json", "junit.xml", "earl.jsonld", "report.html"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name
