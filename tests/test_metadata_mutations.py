"""Every metadata record check can fail: one targeted mutation of a conformant record per test ID.

(a) fast, no server: for each entry of ``tests/faults/record_mutations.py``, the mutated record fails its test ID,
and no other ID newly fails compared with the unmutated (prepared) record, except the IDs the table lists as
unavoidable; every ID of ``ALL_CHECKS`` (plus MD-C-001 and MD-C-002) has an entry;
(b) end to end: every mutated record (one fileIdentifier each) in one real pycsw catalogue, the metadata suite
in a subprocess, and each record's instance is FAIL for its ID (content and links).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from cicclo.metadata import inspire
from cicclo.metadata.harvest import ALL_CHECKS, Record, parse_record
from tests.conftest import csw_service, run_suite
from tests.faults.record_mutations import CANNOT_FAIL, LINK_MUTATIONS, MUTATIONS, Mutation, mutate, template
from tests.test_metadata_content import CSW_URL, RECORDS_URL, failing_checks

SCHEMA_IDS = ("MD-C-001", "MD-C-002")
ALL_IDS = sorted({*ALL_CHECKS, *SCHEMA_IDS})


def render(xml: bytes, records_url: str = RECORDS_URL, csw_url: str = CSW_URL) -> bytes:
    return xml.replace(b"{{RECORDS_URL}}", records_url.encode()).replace(b"{{CSW_URL}}", csw_url.encode())


def failures(record: Record) -> dict[str, list[str]]:
    """Every failing content check, MD-C-002 (root element) included."""
    found = failing_checks(record)
    root_problems = inspire.c02_root_element(record.root)
    if root_problems:
        found["MD-C-002"] = root_problems
    return found


def parsed(xml: bytes, name: str) -> Record:
    record = parse_record(xml, name)
    assert record.root is not None, record.error
    return record


def case(test_id: str, mutation: Mutation) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=CANNOT_FAIL[test_id])] if test_id in CANNOT_FAIL else []
    return pytest.param(test_id, mutation, id=test_id, marks=marks)


CASES = [case(t, m) for t, m in sorted(MUTATIONS.items())]


# -- (a) without a server -----------------------------------------------------------------------------------------


def test_every_check_has_a_mutation() -> None:
    assert sorted(MUTATIONS) == ALL_IDS, "chaque vérification doit avoir sa mutation (preuve qu'elle peut échouer)"
    assert set(CANNOT_FAIL) <= set(MUTATIONS)
    for test_id, mutation in MUTATIONS.items():
        assert mutation.description and test_id not in mutation.also
        assert mutation.also <= set(ALL_IDS), mutation.also
        assert bool(mutation.also) == bool(mutation.why), f"{test_id} : tout ID supplémentaire doit être justifié"


BASES: list[tuple[str, Any]] = sorted({(m.record, m.prepare) for m in MUTATIONS.values()},
                                     key=lambda base: (base[0], base[1] is not None))


@pytest.mark.parametrize("name, prepare", BASES)
def test_prepared_records_are_conformant(name: str, prepare: Any) -> None:
    """The records the mutations start from (a corpus record, or one turned into another kind) pass everything."""
    base = Mutation(name, lambda r: None, "", prepare=prepare)
    record = parsed(render(mutate(template(name), base, edit=False)), name)
    assert failures(record) == {}
    if prepare is not None:
        assert "invocable" in record.tags


@pytest.mark.parametrize("test_id, mutation", CASES)
def test_mutation_fails_its_check_only(test_id: str, mutation: Mutation) -> None:
    xml = render(template(mutation.record))
    before = failures(parsed(mutate(xml, mutation, edit=False), "avant"))
    after = failures(parsed(mutate(xml, mutation), "après"))
    assert test_id in after, f"{test_id} ne détecte pas : {mutation.description} (échecs : {sorted(after)})"
    newly = {k for k in after if k not in before}
    assert newly == {test_id, *mutation.also}, {k: after[k] for k in newly}


@pytest.mark.parametrize("test_id", sorted(LINK_MUTATIONS))
def test_link_mutation_is_invisible_to_content_checks(test_id: str) -> None:
    mutation = LINK_MUTATIONS[test_id]
    assert failures(parsed(render(mutate(template(mutation.record), mutation)), test_id)) == {}


# -- (b) end to end -----------------------------------------------------------------------------------------------


def key_of(test_id: str) -> str:
    return f"mutation-{test_id.lower()}"


def write_mutated_records(folder: Path) -> list[Path]:
    """Each mutated record under its own file name and fileIdentifier (its own GetRecordById link follows)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for test_id, mutation in sorted({**MUTATIONS, **LINK_MUTATIONS}.items()):
        original = parsed(render(template(mutation.record)), mutation.record).identifier
        xml = mutate(template(mutation.record), mutation).replace(original.encode(), key_of(test_id).encode())
        path = folder / f"{key_of(test_id)}.xml"
        path.write_bytes(xml)
        files.append(path)
    return files


@pytest.fixture(scope="module")
def mutated_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One catalogue with every mutated record, the metadata suite run once against it."""
    from cicclo.reference.catalogue import CatalogueError, ReferenceCatalogue

    base = tmp_path_factory.mktemp("mutations")
    catalogue = ReferenceCatalogue(base / "catalogue", record_files=write_mutated_records(base / "records"))
    try:
        catalogue.start(timeout=120)
    except CatalogueError as exc:
        pytest.skip(f"catalogue de référence indisponible : {exc}")
    try:
        assert catalogue.csw_url
        target = base / "target.yaml"
        target.write_text(yaml.safe_dump({"id": "mutations", "name": "fiches mutées",
                                          "services": {"csw": csw_service(catalogue)}}), encoding="utf-8")
        code, results, output = run_suite(target, base / "out", suite="suites/metadata/iso19139", timeout=240)
        assert results is not None, output[-3000:]
        loaded = {}
        for path in sorted((catalogue.workdir / "records").glob("*.xml")):
            if path.name in catalogue.loaded:
                loaded[path.stem] = parsed(path.read_bytes(), path.stem)
        yield {"results": {r["test_id"]: r for r in results["results"]}, "rejected": catalogue.rejected,
               "records": loaded}
    finally:
        catalogue.stop()


def instance_statuses(run: dict[str, Any], test_id: str) -> dict[str, str]:
    result = run["results"].get(test_id)
    assert result is not None, f"{test_id} absent de results.json"
    return {i["instance"]: i["status"] for i in result["instances"]}


def test_catalogue_serves_every_mutated_record(mutated_run: dict[str, Any]) -> None:
    # pycsw refuses nothing: even the gmi:MI_Metadata record (MD-C-002) is loaded and served
    assert mutated_run["rejected"] == []
    assert set(mutated_run["records"]) == {key_of(t) for t in {*MUTATIONS, *LINK_MUTATIONS}}


E2E_CASES = [case(t, m) for t, m in sorted({**MUTATIONS, **LINK_MUTATIONS}.items())]


@pytest.mark.parametrize("test_id, mutation", E2E_CASES)
def test_mutated_record_fails_end_to_end(test_id: str, mutation: Mutation, mutated_run: dict[str, Any]) -> None:
    statuses = instance_statuses(mutated_run, test_id)
    assert statuses.get(key_of(test_id)) == "FAIL", (mutation.description, statuses.get(key_of(test_id)))
    assert mutated_run["results"][test_id]["status"] == "FAIL"


def test_end_to_end_content_verdicts_match_the_offline_checks(mutated_run: dict[str, Any]) -> None:
    """Through pycsw, each content check fails exactly on the records it fails on offline: nothing is lost or
    altered by the harvest (the same bytes give the same verdicts)."""
    offline = {key: set(failures(record)) for key, record in mutated_run["records"].items()}
    for test_id in ALL_IDS:
        statuses = instance_statuses(mutated_run, test_id)
        failed = {k for k, s in statuses.items() if s == "FAIL"}
        expected = {k for k, ids in offline.items() if test_id in ids}
        assert failed == expected, (test_id, sorted(failed ^ expected))
        assert "ERROR" not in statuses.values(), test_id

