"""Every check can fail: one defect at a time is injected in front of the real reference server; the
expected test ID detects it, and every other ID keeps its baseline status."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import ROOT, Run, assert_only_changes, expected_statuses, run_suite, statuses, write_target
from tests.faults.defects import CONFORMANT, EXPECTED, OWNER_ONLY, RUN_ENV, TARGET_EXTRA
from tests.faults.proxy import FaultProxy

BUDGET = ("--max-features", "3")
#: OAPIF IDs proven to fail elsewhere than through the proxy: on the scripted GML API of tests/test_gml_classes.py
SCRIPTED = {"OAPIF-GMLSF0-001", "OAPIF-GMLSF0-002", "OAPIF-GMLSF2-001", "OAPIF-GMLSF2-002"}
TRANSPORT_DEFECTS = {"hang", "huge-body"}


@pytest.fixture(scope="session")
def runs(proxy: FaultProxy, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """One run of the suite per defect (and the baseline), through the proxy, two at a time."""
    base = tmp_path_factory.mktemp("fault-runs")

    def one(name: str) -> tuple[str, Run]:
        extra: dict[str, object] = {"limits": {"read_timeout_s": 3}} if name in TRANSPORT_DEFECTS else {}
        extra.update(TARGET_EXTRA.get(name, {}))
        env = {**os.environ, **RUN_ENV[name]} if name in RUN_ENV else None
        target = write_target(base, f"defaut-{name.replace('.', '-')}", proxy.base(name), **extra)
        code, results, output = run_suite(target, base / name, *BUDGET, env=env)
        assert results is not None, f"{name}: pas de results.json\n{output[-3000:]}"
        return name, (statuses(results), output)

    names = ["none", *EXPECTED, *OWNER_ONLY, *CONFORMANT]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, names))


@pytest.mark.parametrize("defect", sorted(EXPECTED))
def test_defect_is_detected_by_its_id_only(defect: str, runs: dict[str, Run]) -> None:
    assert_only_changes(defect, runs, EXPECTED[defect])


@pytest.mark.parametrize("defect", sorted(OWNER_ONLY))
def test_unusable_resource_fails_its_owner_only(defect: str, runs: dict[str, Run]) -> None:
    (baseline, _), (observed, _), owner = runs["none"], runs[defect], OWNER_ONLY[defect]
    assert (baseline[owner], observed[owner]) == ("PASS", "FAIL"), f"{defect}: {owner} {observed[owner]}"
    changed = {k: (baseline[k], v) for k, v in observed.items() if k != owner and baseline[k] != v}
    assert changed and {v for _, v in changed.values()} == {"NOT_TESTED"}, \
        f"{defect}: les autres identifiants ne peuvent que passer en NOT_TESTED : {changed}"


@pytest.mark.parametrize("repair", sorted(CONFORMANT))
def test_check_passes_on_a_conformant_server(repair: str, runs: dict[str, Run]) -> None:
    observed, _ = runs[repair]
    for test_id, status in CONFORMANT[repair].items():
        assert observed[test_id] == status, f"{repair}: {test_id} est {observed[test_id]}"


def test_at_least_fifteen_distinct_defects() -> None:
    assert len(EXPECTED) >= 15
    assert len({tid for ids in EXPECTED.values() for tid in ids}) >= 15



def test_every_passing_id_has_a_defect() -> None:
    """Every check can fail: each OAPIF ID that PASSes on a reference server (any committed expectations) has a
    defect that turns it FAIL, or FAILs on another reference server for a cited requirement."""
    references = [p for p in sorted((ROOT / "tests" / "expectations").glob("local*.yaml"))
                  if "OAPIF-CORE-001" in p.read_text(encoding="utf-8")]
    statuses_by_reference = [expected_statuses(path) for path in references]
    proven = {k for expected in EXPECTED.values() for k, v in expected.items() if v == "FAIL"}
    proven |= set(OWNER_ONLY.values()) | SCRIPTED
    proven |= {k for found in statuses_by_reference for k, v in found.items() if v == "FAIL"}
    passing = {k for found in statuses_by_reference for k, v in found.items() if k.startswith("OAPIF-") and v == "PASS"}
    assert passing, "aucune attente OGC API Features"
    assert not passing - proven, f"identifiants qu'aucun défaut ne fait échouer : {sorted(passing - proven)}"
