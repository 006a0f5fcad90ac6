"""The whole suite against the built-in reference platform, as the README's first command runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import yaml

from cicclo.catalogue import load_committed
from tests.conftest import ROOT, run_suite, statuses

PART1_ABSTRACT_TESTS = 47
#: IDs probing more values of an abstract test that another ID already covers (bbox across the antimeridian for
#: fc-bbox-response, open datetime bounds written as an empty string for fc-time-response)
EXTRA_PART1_PROBES = {"OAPIF-CORE-034", "OAPIF-CORE-035"}
#: expectation files of other built-in targets, checked by tests/test_mapserver_run.py and tests/test_broker_rps.py
OTHER_TARGETS = {"local-mapserver", "local-keycloak", "local-spring"}
STATUSES = {"PASS", "FAIL", "ERROR", "NOT_APPLICABLE", "NOT_TESTED"}


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("local-run")
    code, results, output = run_suite("local", out, suite="suites", timeout=600)
    assert results is not None, output[-3000:]
    return code, results, out


def test_one_result_per_catalogue_id(local_run: tuple[int, dict[str, Any], Path]) -> None:
    _, results, _ = local_run
    ids = [r["test_id"] for r in results["results"]]
    assert len(ids) == len(set(ids))
    stable = {k for k, e in load_committed().items() if e.get("status") == "stable"}
    assert set(ids) == stable


def test_one_result_per_part1_abstract_test(local_run: tuple[int, dict[str, Any], Path]) -> None:
    _, results, _ = local_run
    abstract = [r["abstract_test"] for r in results["results"] if r["test_id"] not in EXTRA_PART1_PROBES
                and (r["abstract_test"] or "").startswith("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/")]
    assert len(abstract) == len(set(abstract)) == PART1_ABSTRACT_TESTS
    assert {r["status"] for r in results["results"]} <= STATUSES


def test_statuses_match_committed_expectations(local_run: tuple[int, dict[str, Any], Path]) -> None:
    _, results, _ = local_run
    expected: dict[str, Any] = {}
    for path in sorted((ROOT / "tests" / "expectations").glob("local*.yaml")):  # one file per suite
        if path.stem in OTHER_TARGETS:
            continue
        expected.update(yaml.safe_load(path.read_text(encoding="utf-8")))
    observed = statuses(results)
    mismatches = {k: (e["status"], observed.get(k)) for k, e in expected.items() if observed.get(k) != e["status"]}
    assert not mismatches, f"(attendu, observé) : {mismatches}"
    for test_id, entry in expected.items():
        if entry["status"] != "PASS":
            assert entry.get("reason"), f"{test_id} : un statut autre que PASS doit être justifié"


def test_exit_status_reflects_must_failures(local_run: tuple[int, dict[str, Any], Path]) -> None:
    code, results, _ = local_run
    must_fail = any(r["status"] == "FAIL" and r["level"] == "MUST" for r in results["results"])
    assert code == (1 if must_fail else 0)


def test_results_validate_against_their_schema(local_run: tuple[int, dict[str, Any], Path]) -> None:
    _, results, _ = local_run
    schema = json.loads((ROOT / "schemas" / "results.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(results)
    stats = results["run"]["stats"]
    assert stats["requests"] > 0 and stats["bytes_received"] > 0 and stats["wall_s"] > 0


def test_junit_carries_ids_and_requirements(local_run: tuple[int, dict[str, Any], Path]) -> None:
    _, results, out = local_run
    cases = ET.parse(out / "junit.xml").getroot().iter("testcase")
    props = [{(p.get("name"), p.get("value")) for p in case.iter("property")} for case in cases]
    assert len(props) == len(results["results"])
    for case_props in props:
        names = {name for name, _ in case_props}
        assert {"test_id", "requirement", "status", "level"} <= names


def test_every_verdict_keeps_its_evidence_with_a_curl_line(local_run: tuple[int, dict[str, Any], Path]) -> None:
    _, results, out = local_run
    decided = [r for r in results["results"] if r["status"] in ("PASS", "FAIL")]
    assert decided and all(r["evidence"] for r in decided)
    for ref in {ref for r in decided for ref in r["evidence"]}:
        doc = json.loads((out / ref).read_text(encoding="utf-8"))
        assert doc["curl"].startswith("curl ") and doc["request"]["method"] in ("GET", "HEAD", "OPTIONS")


def test_no_request_outside_the_target_host(local_run: tuple[int, dict[str, Any], Path]) -> None:
    """The reference's documents and catalogue records link to other hosts (schemas, licences): none is contacted."""
    _, results, out = local_run
    hosts = {urlsplit(json.loads(p.read_text(encoding="utf-8"))["request"]["url"]).hostname
             for p in (out / "evidence").glob("*.json")}
    assert hosts == {"127.0.0.1"}


def test_html_report_opens_in_headless_chromium_with_the_class_summary(
        local_run: tuple[int, dict[str, Any], Path], tmp_path: Path) -> None:
    _, _, out = local_run
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium absent (installé par scripts/setup.sh)")
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", f"--user-data-dir={tmp_path}",
         "--virtual-time-budget=5000", "--dump-dom", (out / "report.html").as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    ).stdout
    assert "Synthèse par classe de conformité" in dom
    assert "Encodage GeoJSON" in dom and "OAPIF-CORE-017" in dom
    assert "Rejouer avec" in dom and "curl " in dom


def test_matrix_of_this_run_and_the_committed_examples(local_run: tuple[int, dict[str, Any], Path],
                                                       tmp_path: Path) -> None:
    _, _, out = local_run
    examples = ROOT / "tests" / "examples"
    cmd = [sys.executable, "-m", "cicclo", "matrix", str(out), *(str(examples / n) for n in
           ("exemple-a", "exemple-b", "exemple-b-regression", "exemple-incomplet")), "--out", str(tmp_path)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in tmp_path.iterdir()} == {"matrix.json", "matrix.csv", "index.html"}
    matrix = json.loads((tmp_path / "matrix.json").read_text(encoding="utf-8"))
    # one column per target id: exemple-b's later campaign (its regression) sets the earlier one aside
    assert [t["id"] for t in matrix["targets"]] == ["local", "exemple-a", "exemple-b", "exemple-d"]
    assert [t["id"] for t in matrix["set_aside"]] == ["exemple-b"]
