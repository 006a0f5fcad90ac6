"""Fixtures of the project's own tests: the real reference platform, the fault proxy, suite runs."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from cicclo.reference import ReferencePlatform
from tests.faults.defects import DEFECTS
from tests.faults.proxy import FaultProxy

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReferencePlatform]:
    platform = ReferencePlatform(tmp_path_factory.mktemp("reference"))
    platform.start()
    yield platform
    platform.stop()


@pytest.fixture(scope="session")
def proxy(reference: ReferencePlatform) -> Iterator[FaultProxy]:
    assert reference.url
    fault_proxy = FaultProxy(reference.url, DEFECTS).start()
    yield fault_proxy
    fault_proxy.stop()


def write_target(directory: Path, target_id: str, url: str, **extra: Any) -> Path:
    """A target file for ``url`` (extra top-level fields allowed: auth, limits, budgets...)."""
    path = directory / f"{target_id}.yaml"
    doc = {"id": target_id, "name": f"cible de test {target_id}", "services": {"oapif": {"url": url}}, **extra}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def run_suite(target: str | Path, out: Path, *args: str, env: dict[str, str] | None = None,
              timeout: float = 300, suite: str = "suites/oapif") -> tuple[int, dict[str, Any] | None, str]:
    """Run a suite (OGC API Features by default) in a subprocess, as a user would; returns (exit, results,
    output)."""
    cmd = [sys.executable, "-m", "pytest", suite, "--target", str(target), "--cicclo-out", str(out),
           "-q", "-p", "no:cacheprovider", *args]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    results_path = out / "results.json"
    results = json.loads(results_path.read_text(encoding="utf-8")) if results_path.exists() else None
    return proc.returncode, results, proc.stdout + proc.stderr


def statuses(results: dict[str, Any]) -> dict[str, str]:
    return {r["test_id"]: r["status"] for r in results["results"]}
