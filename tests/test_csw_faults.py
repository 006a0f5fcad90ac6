"""Every CSW check can fail: the CSW suite through the CSW fault proxy, one named defect at a time.

One reference catalogue (pycsw 2.6.2) and one fault proxy serve the whole module. The suite runs once through
the proxy without defect (``none``), whose statuses must be those of ``tests/expectations/local-csw.yaml``,
then once per defect of ``tests.faults.csw_proxy.CSW_DEFECTS``: the ID the defect breaks turns FAIL and every
other CSW ID keeps its status of the ``none`` run, except the statuses a defect declares below (a test whose
precondition is owned by the broken ID is NOT_TESTED, never FAIL). The runs are subprocesses, four at a time.

IDs already FAIL on the real pycsw (CSW-003, CSW-015, CSW-INSPIRE-004, see local-csw.yaml) are proven by it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cicclo.reference.catalogue import ReferenceCatalogue
from tests.conftest import (
    ROOT,
    Run,
    assert_matches,
    assert_only_changes,
    expected_statuses,
    run_each,
    write_target,
)
from tests.faults.csw_proxy import CSW_DEFECTS, CswFaultProxy

BASELINE = ROOT / "tests" / "expectations" / "local-csw.yaml"
PARALLEL_RUNS = 4

# defect: the statuses it must produce; every ID not listed keeps its status of the run without defect.
CSW_FAULTS: dict[str, dict[str, str]] = {
    "capabilities-as-html": {"CSW-001": "FAIL"},
    "no-describerecord": {"CSW-002": "FAIL"},
    "case-sensitive-kvp": {"CSW-004": "FAIL"},
    "no-version-negotiation": {"CSW-005": "FAIL"},
    "no-exception-report": {"CSW-006": "FAIL"},
    "wrong-exception-code": {"CSW-007": "FAIL"},
    "wrong-matched": {"CSW-008": "FAIL"},
    "paging-repeats": {"CSW-009": "FAIL"},
    "page-two-500": {"CSW-009": "FAIL"},
    "hits-ignore-constraint": {"CSW-010": "FAIL"},
    "cql-ignored": {"CSW-011": "FAIL"},
    "filter-ignored": {"CSW-012": "FAIL"},
    "getrecordbyid-other-record": {"CSW-013": "FAIL"},
    "unknown-id-returns-record": {"CSW-014": "FAIL"},
    "inspire-no-mandatory-keyword": {"CSW-INSPIRE-001": "FAIL"},
    # CSW-INSPIRE-004 checks the answer against the one default language: with two, which answer is right is
    # undetermined, so it is NOT_TESTED (precondition owned by CSW-INSPIRE-002), whatever its own status.
    "two-default-languages": {"CSW-INSPIRE-002": "FAIL", "CSW-INSPIRE-004": "NOT_TESTED"},
    "language-639-2t": {"CSW-INSPIRE-003": "FAIL"},
    # without extended capabilities, the three other INSPIRE checks have nothing to read
    "no-extended-capabilities": {"CSW-INSPIRE-001": "FAIL", "CSW-INSPIRE-002": "NOT_TESTED",
                                 "CSW-INSPIRE-003": "NOT_TESTED", "CSW-INSPIRE-004": "NOT_TESTED"},
}


def _target(directory: Path, defect: str, url: str) -> Path:
    return write_target(directory, f"csw-{defect}", url, services={"csw": {"url": url, "options": {"inspire": True}}})


# -- without a catalogue: the table itself ---------------------------------------------------------------


def test_every_defect_has_its_expectations() -> None:
    assert set(CSW_FAULTS) == set(CSW_DEFECTS) - {"none"}


def test_every_check_can_fail() -> None:
    """Each defect turns exactly one ID FAIL, and every ID that passes on pycsw has a defect of its own."""
    baseline = expected_statuses(BASELINE)
    for defect, expected in CSW_FAULTS.items():
        failing = [k for k, v in expected.items() if v == "FAIL"]
        assert len(failing) == 1, f"{defect}: {failing} (un seul identifiant FAIL attendu)"
        assert set(expected) <= set(baseline), f"{defect}: identifiants inconnus {set(expected) - set(baseline)}"
    proven = {k for expected in CSW_FAULTS.values() for k, v in expected.items() if v == "FAIL"}
    unproven = {k for k, v in baseline.items() if v != "FAIL"} - proven
    assert not unproven, f"identifiants qu'aucun défaut ne fait échouer : {sorted(unproven)}"


# -- through the proxy -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def csw_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CswFaultProxy]:
    catalogue = ReferenceCatalogue(tmp_path_factory.mktemp("catalogue"))
    services = catalogue.start()
    try:
        with CswFaultProxy(services["csw"]["url"]) as proxy:
            yield proxy
    finally:
        catalogue.stop()


@pytest.fixture(scope="module")
def fault_runs(csw_proxy: CswFaultProxy, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    base = tmp_path_factory.mktemp("csw-faults")
    return run_each(["none", *CSW_FAULTS], lambda defect: _target(base, defect, csw_proxy.base(defect)),
                    "suites/metadata/csw", base, PARALLEL_RUNS)


def test_without_defect_matches_expectations(fault_runs: dict[str, Run]) -> None:
    assert_matches(fault_runs["none"], expected_statuses(BASELINE))


@pytest.mark.parametrize("defect", sorted(CSW_FAULTS))
def test_defect_fails_its_id_only(defect: str, fault_runs: dict[str, Run]) -> None:
    assert_only_changes(defect, fault_runs, CSW_FAULTS[defect])
