"""The OGC API Features suite against the second built-in implementation, MapServer 8 (target local-mapserver),
as a user runs it: ``cicclo run --target local-mapserver --suite oapif``; statuses compared with
``tests/expectations/local-mapserver.yaml``."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from cicclo.reference import mapserver
from tests.conftest import ROOT, statuses

EXPECTATIONS = ROOT / "tests" / "expectations" / "local-mapserver.yaml"


@pytest.fixture(scope="module")
def mapserver_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any], Path]:
    try:
        mapserver.MapServerPlatform._require_installed()
    except mapserver.MapServerError as exc:
        pytest.fail(str(exc))  # installed by scripts/setup.sh: its absence is a setup defect, not a skip
    out = tmp_path_factory.mktemp("mapserver-run")
    proc = subprocess.run(
        [sys.executable, "-m", "cicclo", "run", "--target", "local-mapserver", "--suite", "oapif", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    results_path = out / "results.json"
    assert results_path.exists(), (proc.stdout + proc.stderr)[-3000:]
    return proc.returncode, json.loads(results_path.read_text(encoding="utf-8")), out


def test_statuses_match_committed_expectations(mapserver_run: tuple[int, dict[str, Any], Path]) -> None:
    _, results, _ = mapserver_run
    expected: dict[str, Any] = yaml.safe_load(EXPECTATIONS.read_text(encoding="utf-8"))
    observed = statuses(results)
    assert set(observed) == set(expected)
    mismatches = {}
    for test_id, entry in expected.items():
        known = (entry.get("suite_defect") or {}).get("status")
        if observed[test_id] == entry["status"]:
            if known:
                warnings.warn(f"{test_id} : le défaut de la suite est corrigé, retirer suite_defect", stacklevel=1)
            continue
        if observed[test_id] == known:
            warnings.warn(f"{test_id} : {known} dû à un défaut connu de la suite ({entry['status']} attendu)",
                          stacklevel=1)
            continue
        mismatches[test_id] = (entry["status"], observed[test_id])
    assert not mismatches, f"(attendu, observé) : {mismatches}"


def test_every_status_other_than_pass_cites_its_requirement(mapserver_run: tuple[int, dict[str, Any], Path]) -> None:
    expected: dict[str, Any] = yaml.safe_load(EXPECTATIONS.read_text(encoding="utf-8"))
    for test_id, entry in expected.items():
        if entry["status"] != "PASS":
            assert entry.get("reason", "").startswith(entry["status"] + " : "), test_id
        if entry["status"] == "FAIL":
            assert "/req/" in entry["reason"], f"{test_id} : un FAIL cite l'exigence enfreinte"
        if "suite_defect" in entry:
            assert entry["suite_defect"].get("reason"), test_id


def test_every_request_went_to_mapserver_and_exit_reflects_must_failures(
        mapserver_run: tuple[int, dict[str, Any], Path]) -> None:
    code, results, out = mapserver_run
    must_fail = any(r["status"] == "FAIL" and r["level"] == "MUST" for r in results["results"])
    assert code == (1 if must_fail else 0)
    urls = {json.loads(p.read_text(encoding="utf-8"))["request"]["url"] for p in (out / "evidence").glob("*.json")}
    assert urls and all(urlsplit(u).hostname == "127.0.0.1" and
                        urlsplit(u).path.startswith(f"/mapserv/{mapserver.MAP_ALIAS}/ogcapi") for u in urls)
