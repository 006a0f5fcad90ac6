"""Fixtures of the project's own tests: the real reference platform, the fault proxy, suite runs."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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


def csw_service(catalogue: Any) -> dict[str, Any]:
    """The CSW of a reference catalogue as a target's service. Its records link to the catalogue's Records API and
    DCAT document, on other loopback ports: those are declared, since a link to an undeclared port is not followed."""
    others = [u for u in (catalogue.records_url, catalogue.dcat_url) if u]
    return {"url": catalogue.csw_url, "extra_hosts": sorted({urlsplit(u).netloc for u in others})}


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


# -- one run per defect, compared with the run without defect -----------------------------------------------

Run = tuple[dict[str, str], str]  # statuses by ID (empty when the run wrote no results), output


def expected_statuses(path: Path) -> dict[str, str]:
    """The statuses of an expectations file (``ID: {status: ..., ...}``)."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {test_id: entry["status"] for test_id, entry in doc.items()}


def run_each(names: Iterable[str], target_of: Callable[[str], Path], suite: str, out: Path,
             parallel: int = 4) -> dict[str, Run]:
    """Run ``suite`` once per name (a defect, or ``none``) against its target, ``parallel`` at a time."""
    def one(name: str) -> tuple[str, Run]:
        _, results, output = run_suite(target_of(name), out / name, suite=suite)
        return name, (statuses(results) if results else {}, output)

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return dict(pool.map(one, names))


def assert_matches(run: Run, expected: dict[str, str]) -> None:
    """Same IDs, same statuses."""
    observed, output = run
    assert observed, output[-3000:]
    assert set(observed) == set(expected), \
        f"identifiants sans attente ou attentes sans test : {set(observed) ^ set(expected)}"
    wrong = {k: (v, expected[k]) for k, v in observed.items() if v != expected[k]}
    assert not wrong, f"statuts (observé, attendu) : {wrong}"


def assert_only_changes(defect: str, runs: dict[str, Run], changes: dict[str, str]) -> None:
    """The defect's run differs from the ``none`` run by exactly ``changes`` (ID -> status)."""
    baseline, _ = runs["none"]
    observed, output = runs[defect]
    assert observed, f"{defect}: pas de résultats\n{output[-3000:]}"
    assert set(observed) == set(baseline), f"{defect}: identifiants différents {set(observed) ^ set(baseline)}"
    for test_id, status in changes.items():
        assert baseline[test_id] != status, f"{test_id} est déjà {status} sans défaut"
        assert observed[test_id] == status, f"{defect}: {test_id} est {observed[test_id]}, {status} attendu"
    changed = {k: (baseline[k], v) for k, v in observed.items() if k not in changes and baseline[k] != v}
    assert not changed, f"{defect}: d'autres identifiants ont changé de statut (sans défaut, avec) : {changed}"
