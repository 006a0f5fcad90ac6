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


def _rows(html: str) -> dict[str, list[str]]:
    """The rows of the results table: test ID -> [level, status label]."""
    rows = re.findall(r'<tr class="cicclo-row" data-status="\w+"><td><a href="#([^"]+)">[^<]*</a></td>'
                      r"<td>([^<]*)</td><td>(.*?)</td>", html)
    return {test_id: [level, unescape(re.sub(r"<[^>]+>", "", status))] for test_id, level, status in rows}


def _block(html: str, test_id: str) -> str:
    match = re.search(rf'<details id="{test_id}"( open)?>(.*?)</details>\s*(?=<details id=|</body>)', html, re.S)
    assert match, test_id
    return match.group(0)


def test_results_table_has_id_level_and_french_status_columns(
        fake_run: tuple[int, dict[str, Any], Path, str]) -> None:
    _, results, _, html = fake_run
    assert "<th>Identifiant</th><th>Niveau</th><th>Statut</th>" in html
    cells = _rows(html)
    assert cells["OAPIF-CORE-004"] == ["DOIT", "FAIL Échec"]
    assert cells["OAPIF-CORE-003"] == ["DOIT", "PASS Réussi"]
    assert len(cells) == len(results["results"])


def test_report_frame_is_french_with_cicclo_counts_only(fake_run: tuple[int, dict[str, Any], Path, str]) -> None:
    _, results, _, html = fake_run
    summary = results["summary"]
    assert (f"{len(results['results'])} identifiants : {summary['PASS']} PASS, {summary['FAIL']} FAIL, "
            f"{summary['ERROR']} ERROR, {summary['NOT_APPLICABLE']} NOT_APPLICABLE, {summary['NOT_TESTED']} "
            "NOT_TESTED") in html
    assert '<html lang="fr">' in html
    for english in ("Passed", "Failed", "Skipped", "Environment", "Summary", "pytest-html", "tests took"):
        assert english not in html


def test_failing_test_block_shows_requirements_instances_and_curl(
        fake_run: tuple[int, dict[str, Any], Path, str]) -> None:
    _, _, _, html = fake_run
    block = _block(html, "OAPIF-CORE-004")
    assert block.startswith('<details id="OAPIF-CORE-004" open>')  # failures are shown unfolded
    assert "OAPIF-CORE-004 — " in block
    assert 'href="http://www.opengis.net/spec/ogcapi-features-1/1.0/req/core/root-success"' in block
    assert "aucun lien rel=service-desc ni rel=service-doc" in block
    assert "<th>Instance</th>" in block
    assert re.search(r"<pre>curl -sS -i .*http://127\.0\.0\.1:\d+/</pre>", block)
    assert "<details><summary>Corps de la réponse" in block
    assert "Fausse API &lt;b&gt;" in block  # the body is escaped, never interpreted


def test_a_cached_exchange_names_the_test_that_made_it_and_the_one_that_reused_it(
        fake_run: tuple[int, dict[str, Any], Path, str]) -> None:
    _, results, out, html = fake_run
    makers = {}
    for path in (out / "evidence").glob("*.json"):
        makers[f"evidence/{path.name}"] = json.loads(path.read_text(encoding="utf-8"))["test_id"]
    reused = [(r["test_id"], ref) for r in results["results"] for ref in r["evidence"]
              if makers.get(ref) not in (None, r["test_id"])]
    assert reused, "the discovery tests share the landing page through the cache"
    test_id, ref = reused[0]
    assert (f"Échange fait par le test {makers[ref]} (en-tête X-Cicclo-Test-Id de la ligne curl), réutilisé "
            f"depuis le cache par {test_id}.") in _block(html, test_id)


def test_evidence_of_failing_instances_comes_first_and_is_capped() -> None:
    instances = [InstanceResult("a", Status.PASS, evidence=["evidence/1.json", "evidence/2.json"]),
                 InstanceResult("b", Status.FAIL, evidence=[f"evidence/{n}.json" for n in range(3, 20)])]
    result = TestResult("OAPIF-CORE-999", "t", Status.FAIL, Level.MUST, ["http://x"], None, CORE_CLASS, "oapif",
                        "m", instances)
    assert evidence_refs(result.to_json())[:2] == ["evidence/1.json", "evidence/3.json"]
    assert "evidence/2.json" not in evidence_refs(result.to_json())


def test_should_level_failure_is_labelled_a_warning() -> None:
    result = TestResult("OAPIF-CORE-999", "t", Status.FAIL, Level.SHOULD, ["http://x"], None, CORE_CLASS,
                        "oapif", "m")
    assert status_label(result.to_json()) == "Échec (avertissement)"


def test_inline_evidence_is_capped_and_the_rest_counted(tmp_path: Path) -> None:
    from cicclo.reporters.html import MAX_INLINE_EVIDENCE, evidence_html

    refs = [f"evidence/{n:06d}.json" for n in range(1, 21)]
    result = TestResult("OAPIF-CORE-999", "t", Status.FAIL, Level.MUST, ["http://x"], None, CORE_CLASS, "oapif",
                        "m", [InstanceResult("b", Status.FAIL, evidence=refs)])
    html = evidence_html(tmp_path, result.to_json())
    assert html.count("preuve illisible") == MAX_INLINE_EVIDENCE
    assert f"… et {20 - MAX_INLINE_EVIDENCE} autre(s) échange(s)" in html
