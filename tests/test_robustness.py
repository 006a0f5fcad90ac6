"""Bad input gets a clear outcome and nothing is lost: dead and hanging targets, secrets."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.conftest import run_suite, write_target
from tests.faults.proxy import FaultProxy
from tests.servers import free_port_with_nothing_listening, hang, serve

SECRET = "cle-tres-secrete-0123456789"


def _assert_dead_target_outcome(code: int, results: dict | None, elapsed: float) -> None:
    assert results is not None
    assert elapsed < 30
    assert code == 6  # ERROR only (not pytest's internal error 3)
    found = {r["status"] for r in results["results"]}
    assert "FAIL" not in found and "PASS" not in found and "ERROR" in found


def test_a_target_with_nothing_listening_ends_quickly_in_error(tmp_path: Path) -> None:
    target = write_target(tmp_path, "morte", f"http://127.0.0.1:{free_port_with_nothing_listening()}/")
    started = time.monotonic()
    code, results, _ = run_suite(target, tmp_path / "out")
    _assert_dead_target_outcome(code, results, time.monotonic() - started)


def test_a_target_that_never_answers_ends_in_under_30_seconds_in_error(tmp_path: Path) -> None:
    with serve(hang) as (url, _):
        target = write_target(tmp_path, "muette", url)
        started = time.monotonic()
        code, results, _ = run_suite(target, tmp_path / "out")
        _assert_dead_target_outcome(code, results, time.monotonic() - started)


@pytest.mark.parametrize("auth", [
    {"type": "query", "name": "apikey", "env": "CICCLO_TEST_SECRET"},
    {"type": "bearer", "env": "CICCLO_TEST_SECRET"},
    {"type": "header", "name": "X-API-Key", "env": "CICCLO_TEST_SECRET"},
], ids=lambda a: a["type"])
def test_no_secret_reaches_any_output_file(tmp_path: Path, proxy: FaultProxy, auth: dict[str, str]) -> None:
    """A real server that echoes the key in its links; the value appears in no file of the run."""
    target = write_target(tmp_path, "secrete", proxy.base("none"), auth=auth)
    env = {**os.environ, "CICCLO_TEST_SECRET": SECRET}
    code, results, output = run_suite(target, tmp_path / "out", "--max-features", "2", env=env)
    assert results is not None, output[-2000:]
    assert SECRET not in output
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert any(p.name == "report.html" for p in files) and len(files) > 10
    leaking = [p for p in files if SECRET.encode() in p.read_bytes()]
    assert not leaking, f"secret en clair dans : {leaking}"
