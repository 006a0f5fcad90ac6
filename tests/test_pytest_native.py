"""The suites as a pytest plugin, from any folder: selection by ID (-k) and by marker (-m), and a pytest-xdist
run (-n 2) that gives the same results.json as a serial run."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cicclo.http import current_umask
from cicclo.plugin import class_marker
from tests.conftest import write_target
from tests.servers import serve
from tests.test_report_html import fake_ogc_api


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with serve(fake_ogc_api) as (url, _):
        yield write_target(tmp_path_factory.mktemp("cible"), "fausse-api", url)


def pytest_from(folder: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """pytest run in ``folder`` (outside the repository) with the installed plugin, output in ./out."""
    proc = subprocess.run([sys.executable, "-m", "pytest", "--pyargs", "cicclo", "-p", "no:cacheprovider",
                           "-p", "no:randomly", "-q", "--cicclo-out", "out", *args],
                          cwd=folder, capture_output=True, text=True, timeout=300, check=False)
    results = folder / "out" / "results.json"
    assert results.is_file(), proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.returncode, json.loads(results.read_text(encoding="utf-8")), proc.stdout


def run_statuses(results: dict[str, Any]) -> dict[str, str]:
    return {r["test_id"]: r["status"] for r in results["results"] if r["message"] != "désélectionné pour cette "
            "campagne"}


def comparable(results: dict[str, Any]) -> dict[str, Any]:
    """What a run decides, without timings, evidence file names and the order of concurrent instances."""
    return {r["test_id"]: (r["status"], r["message"], r["score"],
                           sorted((i["instance"], i["status"], i["messages"]) for i in r["instances"]))
            for r in results["results"]}


def test_k_with_an_id_runs_exactly_that_test_from_any_folder(target: Path, tmp_path: Path) -> None:
    status, results, stdout = pytest_from(tmp_path, "--target", str(target), "-k", "OAPIF-CORE-004")
    assert run_statuses(results) == {"OAPIF-CORE-004": "FAIL"}
    assert status == 1 and "1 FAIL" in stdout.splitlines()[-1]
    assert Path(results["run"]["out_dir"]).parent == tmp_path or results["run"]["out_dir"] == "out"


def test_markers_select_by_level_suite_and_class(target: Path, tmp_path: Path) -> None:
    _, results, _ = pytest_from(tmp_path, "--target", str(target), "-m", f"must and {class_marker('oapif', 'CORE')}")
    ran = [r for r in results["results"] if r["test_id"] in run_statuses(results)]
    assert ran and all(r["level"] == "MUST" and r["conformance_class"].endswith("/conf/core") for r in ran)
    assert len(ran) == sum(1 for r in results["results"] if r["level"] == "MUST"
                           and r["conformance_class"].endswith("/conf/core"))


def test_markers_are_registered(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pytest", "--markers"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)
    for marker in ("@pytest.mark.must:", "@pytest.mark.should:", "@pytest.mark.oapif:", "@pytest.mark.oapif_core:",
                   "@pytest.mark.records_html:", "@pytest.mark.proconnect:"):
        assert marker in proc.stdout


def test_xdist_gives_the_same_results_as_a_serial_run(target: Path, tmp_path: Path) -> None:
    (tmp_path / "serie").mkdir()
    (tmp_path / "parallele").mkdir()
    serial_status, serial, _ = pytest_from(tmp_path / "serie", "--target", str(target), "-m", "oapif")
    status, parallel, stdout = pytest_from(tmp_path / "parallele", "--target", str(target), "-m", "oapif", "-n", "2")
    assert "INTERNALERROR" not in stdout
    assert status == serial_status
    assert comparable(parallel) == comparable(serial)
    assert parallel["summary"] == serial["summary"]
    evidence = list((tmp_path / "parallele" / "out" / "evidence").glob("gw*-*.json"))
    assert evidence, "each worker names its own evidence files"


def test_outputs_follow_the_umask_and_hold_no_runner_path(target: Path, tmp_path: Path) -> None:
    _, results, stdout = pytest_from(tmp_path, "--target", str(target), "-k", "OAPIF-CORE-004")
    assert "cicclo : FAIL et ERROR" in stdout and "FAIL  OAPIF-CORE-004 (DOIT)" in stdout  # end-of-run list
    assert "1 FAIL" in stdout.splitlines()[-1]  # pytest's closing line counts cicclo's statuses
    for name in ("results.json", "junit.xml", "earl.jsonld"):
        path = tmp_path / "out" / name
        assert path.stat().st_mode & 0o777 == 0o666 & ~current_umask(), name
        for absolute in (str(tmp_path), str(target.parent)):
            assert absolute not in path.read_text(encoding="utf-8"), (name, absolute)
