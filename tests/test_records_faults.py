"""Every OGC API Records check that passes on the reference catalogue can fail: the Records suite through the
fault proxy, one named defect at a time.

One reference catalogue (pygeoapi 0.21 CSWFacade over pycsw) and one :class:`tests.faults.proxy.FaultProxy`
with the defects of ``tests.faults.records_defects`` serve the whole module. The suite runs once through the
proxy without defect (``none``), whose statuses must be those of ``tests/expectations/local-records.yaml``, then
once per defect: the ID the defect breaks turns FAIL and every other OAREC ID keeps its status of the ``none``
run. The runs are subprocesses, four at a time.

IDs that already FAIL on pygeoapi are proven by it (see local-records.yaml); OAREC-013, 023, 024, 025, 026, 050
and 058 are proven on a scripted catalogue in ``tests/test_csw_records_suites.py``.
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
from tests.faults.proxy import FaultProxy
from tests.faults.records_defects import RECORDS_DEFECTS

BASELINE = ROOT / "tests" / "expectations" / "local-records.yaml"
PARALLEL_RUNS = 4

# defect: the statuses it must produce; every ID not listed keeps its status of the run without defect.
RECORDS_FAULTS: dict[str, dict[str, str]] = {
    "sans-lien-conformite": {"OAREC-001": "FAIL"},
    "liste-en-erreur": {"OAREC-002": "FAIL"},
    "fiche-inconnue-200": {"OAREC-003": "FAIL"},
    "itemtype-feature": {"OAREC-011": "FAIL"},
    "catalogue-sans-lien-items": {"OAREC-012": "FAIL"},
    "fiche-sans-titre": {"OAREC-020": "FAIL"},
    "bbox-ignore": {"OAREC-030": "FAIL"},
    "q-sans-resultat": {"OAREC-033": "FAIL"},
    "type-ignore": {"OAREC-034": "FAIL"},
    "sortby-ignore": {"OAREC-040": "FAIL"},
    "q-declare-en-chaine": {"OAREC-036": "FAIL"},
    "sortby-non-declare": {"OAREC-042": "FAIL"},
    "catalogue-en-geojson": {"OAREC-053": "FAIL"},
    "conformance-html-en-texte": {"OAREC-055": "FAIL"},
}
# proven elsewhere: on the scripted catalogue of tests/test_csw_records_suites.py
SCRIPTED = {"OAREC-013", "OAREC-023", "OAREC-024", "OAREC-025", "OAREC-026", "OAREC-050", "OAREC-058"}


def _target(directory: Path, defect: str, url: str) -> Path:
    return write_target(directory, f"records-{defect}", url, services={"ogcapi_records": {"url": url}})


# -- without a catalogue: the table itself ---------------------------------------------------------------


def test_every_defect_has_its_expectations() -> None:
    assert set(RECORDS_FAULTS) == set(RECORDS_DEFECTS) - {"none"}


def test_every_passing_check_has_a_defect() -> None:
    """Each defect turns exactly one ID FAIL, and every ID that passes on pygeoapi has a defect of its own."""
    baseline = expected_statuses(BASELINE)
    for defect, expected in RECORDS_FAULTS.items():
        failing = [k for k, v in expected.items() if v == "FAIL"]
        assert len(failing) == 1, f"{defect}: {failing} (un seul identifiant FAIL attendu)"
        assert set(expected) <= set(baseline), f"{defect}: identifiants inconnus {set(expected) - set(baseline)}"
    proven = {k for expected in RECORDS_FAULTS.values() for k, v in expected.items() if v == "FAIL"}
    unproven = {k for k, v in baseline.items() if v == "PASS"} - proven - SCRIPTED
    assert not unproven, f"identifiants qu'aucun défaut ne fait échouer : {sorted(unproven)}"


# -- through the proxy -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def records_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultProxy]:
    catalogue = ReferenceCatalogue(tmp_path_factory.mktemp("catalogue"))
    services = catalogue.start()
    try:
        with FaultProxy(services["ogcapi_records"]["url"], RECORDS_DEFECTS) as proxy:
            yield proxy
    finally:
        catalogue.stop()


@pytest.fixture(scope="module")
def fault_runs(records_proxy: FaultProxy, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    base = tmp_path_factory.mktemp("records-faults")
    return run_each(["none", *RECORDS_FAULTS], lambda defect: _target(base, defect, records_proxy.base(defect)),
                    "suites/metadata/records", base, PARALLEL_RUNS)


def test_without_defect_matches_expectations(fault_runs: dict[str, Run]) -> None:
    assert_matches(fault_runs["none"], expected_statuses(BASELINE))


@pytest.mark.parametrize("defect", sorted(RECORDS_FAULTS))
def test_defect_fails_its_id_only(defect: str, fault_runs: dict[str, Run]) -> None:
    assert_only_changes(defect, fault_runs, RECORDS_FAULTS[defect])
