"""The HTML report and results.json of a real run against a tiny fake OGC API server on the loopback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from html import unescape
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cicclo.model import InstanceResult, Level, Status, TestResult
from cicclo.reporters.html import evidence_refs, status_label
from tests.conftest import ROOT, write_target
from tests.servers import reply, serve

CORE_CLASS = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
# the landing page lacks its service-desc / service-doc link: OAPIF-CORE-004 fails, OAPIF-CORE-003 passes
PAGES: dict[str, dict[str, Any]] = {
    "/": {"title": "Fausse API <b>", "links": [
        {"href": "/", "rel": "self", "type": "application/json"},
        {"href": "/conformance", "rel": "conformance", "type": "application/json"},
        {"href": "/collections", "rel": "data", "type": "application/json"},
    ]},
    "/conformance": {"conformsTo": [CORE_CLASS]},
    "/collections": {"links": [{"href": "/collections", "rel": "self", "type": "application/json"}],
                     "collections": []},
}


def fake_ogc_api(handler: BaseHTTPRequestHandler) -> None:
    page = PAGES.get(handler.path.split("?")[0])
    if page is None:
        reply(handler, 404, '{"code": "NotFound"}')
    else:
        reply(handler, 200, json.dumps(page))


@pytest.fixture(scope="module")
def fake_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, dict[str, Any], Path, str]]:
    """One run of the discovery tests against the fake server: (exit status, results.json, out dir, html)."""
    tmp = tmp_path_factory.mktemp("fake-run")
    with serve(fake_ogc_api) as (url, _):
        target = write_target(tmp, "fausse-api", url, product="FausseAPI", product_version="1.2")
        proc = subprocess.run([sys.executable, "-m", "pytest", "suites/oapif/test_core_discovery.py", "-q",
                               "--target", str(target), "--cicclo-out", str(tmp / "out")],
                              cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    results_path = tmp / "out" / "results.json"
    assert results_path.is_file(), proc.stdout + proc.stderr
    results = json.loads(results_path.read_text(encoding="utf-8"))
    yield proc.returncode, results, tmp / "out", (tmp / "out" / "report.html").read_text(encoding="utf-8")


def test_run_fails_on_the_missing_link_with_exit_status_1(fake_run: tuple[int, dict[str, Any], Path, str]) -> None:
    code, results, _, _ = fake_run
    statuses = {r["test_id"]: r["status"] for r in results["results"]}
    assert statuses["OAPIF-CORE-003"] == "PASS"
    assert statuses["OAPIF-CORE-004"] == "FAIL"
    assert code == 1


def test_results_json_validates_against_its_schema(fake_run: tuple[int, dict[str, Any], Path, str]) -> None:
    _, results, _, _ = fake_run
    schema = json.loads((ROOT / "schemas" / "results.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(results)


def test_schema_refuses_an_unknown_status(fake_run: tuple[int, dict[str, Any], Path, str]) -> None:
    _, results, _, _ = fake_run
    schema = json.loads((ROOT / "schemas" / "results.schema.json").read_text(encoding="utf-8"))
    broken = json.loads(json.dumps(results))
    broken["results"][0]["status"] = "SKIPPED"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(broken)


def test_report_has_french_title_target_and_summary_per_class(
        fake_run: tuple[int, dict[str, Any], Path, str]) -> None:
    _, _, _, html = fake_run
    assert "Rapport de conformité cicclo — cible de test fausse-api" in html
    assert "Synthèse par classe de conformité" in html
    assert "Cœur (Core)" in html and CORE_CLASS in html
    assert "FausseAPI 1.2" in html
    assert "Non applicable" in html and "Avertissements (DEVRAIT)" in html


def _rows(html: str) -> list[dict[str, Any]]:
    """The rows of the results table, as pytest-html stores them in its JSON blob."""
    blob = re.search(r'data-jsonblob="([^"]*)"', html)
    assert blob
    data = json.loads(unescape(blob.group(1)))
    return [row for rows in data["tests"].values() for row in rows]


def test_results_table_has_id_level_and_french_status_columns(
        fake_run: tuple[int, dict[str, Any], Path, str]) -> None:
    _, _, _, html = fake_run
    assert 'data-column-type="cicclo_id">Identifiant' in html and ">Niveau<" in html and ">Statut<" in html
    cells = {r["cicclo_id"]: r for r in _rows(html)}
    assert cells["OAPIF-CORE-004"]["cicclo_status"] == "Échec"
    assert cells["OAPIF-CORE-004"]["cicclo_level"] == "DOIT"
    assert cells["OAPIF-CORE-003"]["cicclo_status"] == "Réussi"


def test_failing_test_block_shows_requirements_instances_and_curl(
        fake_run: tuple[int, dict[str, Any], Path, str]) -> None:
    _, _, _, html = fake_run
    row = next(r for r in _rows(html) if r.get("cicclo_id") == "OAPIF-CORE-004")
    block = "".join(e["content"] for e in row["extras"] if e["format_type"] == "html")
    assert "OAPIF-CORE-004 — " in block
    assert 'href="http://www.opengis.net/spec/ogcapi-features-1/1.0/req/core/root-success"' in block
    assert "aucun lien rel=service-desc ni rel=service-doc" in block
    assert "<th>Instance</th>" in block
    assert re.search(r"<pre>curl -sS -i .*http://127\.0\.0\.1:\d+/</pre>", block)
    assert "<details><summary>Corps de la réponse" in block
    assert "Fausse API &lt;b&gt;" in block  # the body is escaped, never interpreted


def test_evidence_of_failing_instances_comes_first_and_is_capped() -> None:
    instances = [InstanceResult("a", Status.PASS, evidence=["evidence/1.json", "evidence/2.json"]),
                 InstanceResult("b", Status.FAIL, evidence=[f"evidence/{n}.json" for n in range(3, 20)])]
    result = TestResult("OAPIF-CORE-999", "t", Status.FAIL, Level.MUST, ["http://x"], None, CORE_CLASS, "oapif",
                        "m", instances)
    assert evidence_refs(result)[:2] == ["evidence/1.json", "evidence/3.json"]
    assert "evidence/2.json" not in evidence_refs(result)


def test_should_level_failure_is_labelled_a_warning() -> None:
    result = TestResult("OAPIF-CORE-999", "t", Status.FAIL, Level.SHOULD, ["http://x"], None, CORE_CLASS,
                        "oapif", "m")
    assert status_label(result) == "Échec (avertissement)"


def test_inline_evidence_is_capped_and_the_rest_counted(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from cicclo.reporters.html import MAX_INLINE_EVIDENCE, evidence_html

    refs = [f"evidence/{n:06d}.json" for n in range(1, 21)]
    result = TestResult("OAPIF-CORE-999", "t", Status.FAIL, Level.MUST, ["http://x"], None, CORE_CLASS, "oapif",
                        "m", [InstanceResult("b", Status.FAIL, evidence=refs)])
    html = evidence_html(SimpleNamespace(out_dir=tmp_path), result)  # type: ignore[arg-type]
    assert html.count("preuve illisible") == MAX_INLINE_EVIDENCE
    assert f"… et {20 - MAX_INLINE_EVIDENCE} autre(s) échange(s)" in html
