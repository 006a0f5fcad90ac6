"""The metadata record suite (INSPIRE TG 2.0, CNIG, links) on the project's own record corpus.

(a) fast, no server: each check function over the files of ``src/cicclo/reference/records/`` — conformant
records pass everything, each defect record fails exactly its expected check — plus hostile XML, the CSW
harvest (paging, budget, unreadable pages) and the link checks against a scripted client;
(b) end to end: the suite in a subprocess against real pycsw catalogues (conformant records alone, then
conformant records + one defect each, then every record), in parallel.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import yaml

from cicclo.declare import Declaration
from cicclo.errors import NotApplicable, NotTested
from cicclo.http import Exchange
from cicclo.metadata import inspire, iso19139, links
from cicclo.metadata.harvest import ALL_CHECKS, MetadataContext, Record, parse_record, run_record_check
from cicclo.metadata.uris import COMMON, SDS
from cicclo.model import Level, Status
from cicclo.targets import Budgets, Service
from cicclo.verdict import Verdict
from tests.conftest import ROOT, csw_service, statuses

RECORDS = ROOT / "src" / "cicclo" / "reference" / "records"
EXPECTATIONS = ROOT / "tests" / "expectations"
DEFECTS: dict[str, str] = yaml.safe_load((EXPECTATIONS / "metadata-defects.yaml").read_text(encoding="utf-8"))
CONFORMANT = sorted(p.name for p in RECORDS.glob("conforme-*.xml"))
RECORDS_URL = "http://127.0.0.1:8001/"
CSW_URL = "http://127.0.0.1:8000/csw"
LINK_IDS = ("MD-LINK-001", "MD-LINK-002", "MD-LINK-003")


def load(name: str) -> Record:
    xml = (RECORDS / name).read_bytes().replace(b"{{RECORDS_URL}}", RECORDS_URL.encode()).replace(
        b"{{CSW_URL}}", CSW_URL.encode())
    record = parse_record(xml, name)
    assert record.root is not None, record.error
    return record


def failing_checks(record: Record) -> dict[str, list[str]]:
    """Test ID -> failure messages of every content check (C.1 included) that fails on the record."""
    failures: dict[str, list[str]] = {}
    report = iso19139.validate(record.root)
    if not report.valid:
        failures["MD-C-001"] = report.messages()
    for test_id, check in ALL_CHECKS.items():
        if check.kind not in record.tags:
            continue
        try:
            messages = check.func(record.root)
        except NotApplicable:
            continue
        if messages:
            failures[test_id] = messages
    return failures


def declaration(test_id: str, applies_to: str = COMMON) -> Declaration:
    return Declaration(test_id, "test", ("http://example.org/req",), None, Level.MUST, applies_to, "0.1.0")


# -- (a) content checks on the corpus --------------------------------------------------------------------------


def test_corpus_is_complete() -> None:
    kinds = [load(n).tags for n in CONFORMANT]
    assert sum("dataset" in t for t in kinds) >= 2
    assert any({"service", "network"} <= t for t in kinds)
    assert set(DEFECTS) == {p.name for p in RECORDS.glob("defaut-*.xml")}
    assert len({load(n).identifier for n in [*CONFORMANT, *DEFECTS]}) == len(CONFORMANT) + len(DEFECTS)


@pytest.mark.parametrize("name", CONFORMANT)
def test_conformant_record_passes_every_check(name: str) -> None:
    assert failing_checks(load(name)) == {}


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_defect_record_fails_exactly_its_check(name: str) -> None:
    expected = DEFECTS[name]
    failures = failing_checks(load(name))
    if expected in LINK_IDS:
        assert failures == {}, "un défaut de lien ne doit pas se voir dans le contenu"
    else:
        assert set(failures) == {expected}, failures


def test_thesaurus_defects_have_distinct_messages() -> None:
    missing = failing_checks(load("defaut-theme-manquant.xml"))["MD-DS-004"]
    title = failing_checks(load("defaut-titre-thesaurus.xml"))["MD-DS-004"]
    assert "aucun mot-clé" in missing[0]
    assert "titre doit être exactement" in title[0]


def test_schema_sets_are_compiled_once_and_both_accepted() -> None:
    assert iso19139.compiled() is iso19139.compiled()
    # conforme-01 uses GML 3.2.1 (2007 set only); conforme-02 is valid in both sets
    assert iso19139.validate(load(CONFORMANT[0]).root).accepted_by == "ISO 19139 2007-04-17 + GML 3.2.1"
    assert iso19139.validate(load(CONFORMANT[1]).root).valid


@pytest.mark.parametrize("value, ok", [
    ("https://data.example.fr/id/jeu/1", True), ("urn:uuid:3f6b2a10-5c1e-4d8a-9b7f-0a1c2e3d4f01", True),
    ("IGNF_RPG", False), ("IGNF:RPG", False), ("http://bad host/x", False), ("", False),
])
def test_uri_rule(value: str, ok: bool) -> None:
    assert inspire.is_uri(value) is ok


# -- hostile XML ------------------------------------------------------------------------------------------------

MD_OPEN = b'<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd">'
HOSTILE = {
    "xxe": b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           + MD_OPEN + b"&e;</gmd:MD_Metadata>",
    "billion-laughs": b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">'
                      + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode()
                                 for i in range(8))
                      + b"]>" + MD_OPEN + b"&i;</gmd:MD_Metadata>",
    "huge": MD_OPEN + b"<!--" + b"x" * (21 * 1024 * 1024) + b"--></gmd:MD_Metadata>",
    "malformed": MD_OPEN + b"<gmd:fileIdentifier>",
    "external-dtd": b'<!DOCTYPE m SYSTEM "http://192.0.2.1/evil.dtd">' + MD_OPEN + b"</gmd:MD_Metadata>",
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_record_is_a_failure_never_a_crash(case: str) -> None:
    record = parse_record(HOSTILE[case], f"fiche-{case}")
    verdict = Verdict(declaration("MD-C-002"))
    if record.root is None:
        assert record.error and record.error.startswith("XML illisible")
        with pytest.raises(NotTested):  # the other tests skip it, with a note
            run_record_check(verdict, [record], "MD-C-005")
        assert any("illisible" in n for n in verdict.notes)
    else:  # an external DTD is never fetched: the document is read without it
        assert case == "external-dtd"
        assert inspire.c05_metadata_language(record.root)
        assert not iso19139.validate(record.root).valid


def test_wrong_root_element_fails_c2() -> None:
    record = parse_record(b'<csw:Record xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"/>', "x")
    assert "gmd:MD_Metadata attendu" in inspire.c02_root_element(record.root)[0]
    assert record.tags == frozenset({"any"})


# -- a scripted catalogue and its links -------------------------------------------------------------------------


class FakeClient:
    """Answers like the reference catalogue would, from the corpus files, without any network."""

    def __init__(self, names: list[str]) -> None:
        self.records = [load(n) for n in names]
        self.requests: list[str] = []
        self.page_body: bytes | None = None
        self.failing_start: int | None = None  # the GetRecords page starting there answers HTTP 500

    def is_target_url(self, url: str) -> bool:
        return (urlsplit(url).hostname or "") == "127.0.0.1"

    def head(self, url: str, accept: str | None = None) -> Exchange:
        return self.get(url, accept=accept, method="HEAD")

    def get(self, url: str, *, accept: str | None = None, params: dict[str, str] | None = None,
            method: str = "GET", **_: Any) -> Exchange:
        if params:
            url = str(httpx.URL(url).copy_merge_params(params))
        self.requests.append(f"{method} {url}")
        status, ctype, body = self._answer(url)
        ex = Exchange(ref=f"evidence/{len(self.requests):06d}.json", method=method, url=url, request_headers=[])
        ex.status, ex.headers = status, httpx.Headers({"content-type": ctype})
        ex.body = b"" if method == "HEAD" else body
        return ex

    def _answer(self, url: str) -> tuple[int, str, bytes]:
        query = {k.lower(): v for k, v in parse_qsl(urlsplit(url).query)}
        request = query.get("request", "").lower()
        if url.startswith(CSW_URL) and request == "getcapabilities":
            return 200, "application/xml", b'<csw:Capabilities xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"/>'
        if url.startswith(CSW_URL) and request == "getrecordbyid":
            found = [r.xml for r in self.records if r.identifier == query.get("id")]
            inner = re.sub(rb"^<\?xml[^>]*\?>", b"", found[0]) if found else b""
            return 200, "application/xml", (b'<csw:GetRecordByIdResponse xmlns:csw="http://www.opengis.net/cat/'
                                            b'csw/2.0.2">' + inner + b"</csw:GetRecordByIdResponse>")
        if url.startswith(CSW_URL) and request == "getrecords" and query["startposition"] == str(self.failing_start):
            return 500, "text/html", b"<h1>500 Internal Server Error</h1>"
        if url.startswith(CSW_URL) and request == "getrecords":
            return 200, "application/xml", self.page_body or self._page(int(query["startposition"]),
                                                                        int(query["maxrecords"]))
        if url == RECORDS_URL:
            return 200, "application/json", json.dumps({"links": [{"rel": "self", "href": url}]}).encode()
        return 404, "text/html", b"<p>introuvable</p>"

    def _page(self, start: int, size: int) -> bytes:
        chosen = self.records[start - 1:start - 1 + size]
        following = start + len(chosen)
        inner = b"".join(re.sub(rb"^<\?xml[^>]*\?>", b"", r.xml) for r in chosen)
        return (b'<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><csw:SearchResults '
                + f'numberOfRecordsMatched="{len(self.records)}" numberOfRecordsReturned="{len(chosen)}" '
                  f'nextRecord="{following if following <= len(self.records) else 0}">'.encode()
                + inner + b"</csw:SearchResults></csw:GetRecordsResponse>")


def fake_run(client: FakeClient, max_records: int = 200, csw: Service | None = None) -> Any:
    service = csw if csw is not None else Service(name="csw", url=CSW_URL)
    return SimpleNamespace(target=SimpleNamespace(services={"csw": service}), client=client,
                           budgets=Budgets(max_records=max_records))


def instance_statuses(verdict: Verdict) -> dict[str, Status]:
    return {i.key: i.status for i in verdict.instances}


def test_harvest_pages_and_reports_the_budget_cut() -> None:
    client = FakeClient([*CONFORMANT, *sorted(DEFECTS)])
    context = MetadataContext(fake_run(client, max_records=5))
    verdict = Verdict(declaration("MD-C-005"))
    records = context.records(verdict)
    assert len(records) == 5
    assert sum("GetRecords" in r for r in client.requests) == 1  # one page of 5 (page size 50, budget 5)
    assert any("5 fiches vérifiées sur 14" in n for n in verdict.notes)
    assert any("9 fiches non vérifiées" in n for n in verdict.notes)
    context.records(verdict)
    assert sum("GetRecords" in r for r in client.requests) == 1  # harvested once per run


def test_harvest_with_an_unreadable_page_fails_c2_only() -> None:
    client = FakeClient(CONFORMANT)
    client.page_body = HOSTILE["xxe"]
    context = MetadataContext(fake_run(client))
    verdict = Verdict(declaration("MD-C-002"))
    records = context.records(verdict)
    assert len(records) == 1 and records[0].root is None
    with pytest.raises(NotTested):
        context.run_check(Verdict(declaration("MD-C-005")), "MD-C-005")


def test_harvest_page_announced_then_failing_fails_c2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Page 2, announced by nextRecord, answers 500: MD-C-001/MD-C-002 fail on it with the exchange as evidence;
    the other tests check the records of page 1 and note the page they skip."""
    monkeypatch.setattr("cicclo.metadata.harvest.PAGE_SIZE", 2)
    client = FakeClient(CONFORMANT)
    client.failing_start = 3
    context = MetadataContext(fake_run(client))
    c2 = Verdict(declaration("MD-C-002"))
    context.run_check(c2, "MD-C-002")
    statuses_c2 = instance_statuses(c2)
    assert statuses_c2.pop("page startPosition=3") is Status.FAIL
    assert len(statuses_c2) == 2 and set(statuses_c2.values()) == {Status.PASS}
    failed = next(i for i in c2.instances if i.key == "page startPosition=3")
    assert "nextRecord=3" in " ".join(failed.messages) and "→ 500" in " ".join(failed.messages)
    assert failed.evidence
    c5 = Verdict(declaration("MD-C-005"))
    context.run_check(c5, "MD-C-005")
    assert "page startPosition=3" not in instance_statuses(c5)
    assert any("page startPosition=3 ignorée" in n for n in c5.notes)


def test_harvest_first_page_failing_is_not_tested() -> None:
    client = FakeClient(CONFORMANT)
    client.failing_start = 1
    context = MetadataContext(fake_run(client))
    with pytest.raises(NotTested, match="aucune fiche moissonnée"):
        context.run_check(Verdict(declaration("MD-C-002")), "MD-C-002")


@pytest.mark.parametrize("service, reason", [
    (None, "ne déclare pas de service csw"),
    (Service(name="csw", documented=False, note="catalogue interne"), "non documenté"),
])
def test_no_catalogue_is_not_tested(service: Service | None, reason: str) -> None:
    run = fake_run(FakeClient([]))
    if service is None:
        run.target.services = {}
    else:
        run.target.services = {"csw": service}
    with pytest.raises(NotTested, match=reason):
        MetadataContext(run).check_applicable(declaration("MD-C-001"))


def test_link_checks_on_the_corpus() -> None:
    names = [*CONFORMANT, "defaut-localisateur-404.xml", "defaut-service-sans-ressource-couplee.xml"]
    client = FakeClient(names)
    records = client.records
    v1, v2, v3 = (Verdict(declaration(i)) for i in LINK_IDS)
    links.check_locators(v1, records, client, 50)
    links.check_capabilities(v2, records, client, 50)
    links.check_coupled_resources(v3, records, client, 50)
    bad = {k for k, s in instance_statuses(v1).items() if s is Status.FAIL}
    assert bad == {"defaut-localisateur-404"}
    assert Status.FAIL not in instance_statuses(v2).values()
    assert Status.PASS in instance_statuses(v2).values()
    assert instance_statuses(v3) == {"b41e0c7a-92d5-4a3b-a6f8-3d7e1c0f5a03": Status.PASS,
                                     "e9a05d31-6f47-4c8b-b1d2-7a4c3e2f1b04": Status.NOT_APPLICABLE,
                                     "defaut-service-sans-ressource-couplee": Status.NOT_APPLICABLE}
    assert any(r.startswith("HEAD ") for r in client.requests)


def test_link_budget_is_reported() -> None:
    client = FakeClient(CONFORMANT)
    verdict = Verdict(declaration("MD-LINK-001"))
    links.check_locators(verdict, client.records, client, 1)
    notes = [n for i in verdict.instances for n in i.notes]
    assert any("budget max_links (1)" in n for n in notes)


@pytest.mark.parametrize("body, problem", [
    (b'<WMS_Capabilities xmlns="http://www.opengis.net/wms"/>', None),
    (b'<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows"><ows:Exception/></ows:ExceptionReport>',
     "rapport d'exception"),
    (b'<wfs:WFS_Capabilities xmlns:wfs="http://www.opengis.net/wfs/2.0"/>', "capacités WMS attendues"),
    (b"<html>", "illisible"),
])
def test_capabilities_must_be_what_they_claim(body: bytes, problem: str | None) -> None:
    assert links.claimed_service("http://h/wms?SERVICE=WMS&REQUEST=GetCapabilities", "") == "WMS"
    found = links.capabilities_problem("WMS", body, "application/xml")
    assert (found is None) if problem is None else (problem in str(found))


def test_coupled_resource_kind_is_service_only() -> None:
    verdict = Verdict(declaration("MD-LINK-003", SDS))
    with pytest.raises(NotTested, match="aucune fiche de ce type"):
        links.check_coupled_resources(verdict, [load(CONFORMANT[0])], FakeClient([]), 5)


# -- (b) end to end against real catalogues -----------------------------------------------------------------------


def _target(directory: Path, csw: dict[str, Any]) -> Path:
    path = directory / "target.yaml"
    doc = {"id": "metadonnees-test", "name": "catalogue de test", "services": {"csw": csw}}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _run_suite(target: Path, out: Path) -> dict[str, str]:
    cmd = [sys.executable, "-m", "pytest", "suites/metadata/iso19139", "--target", str(target),
           "--cicclo-out", str(out), "-q", "-p", "no:cacheprovider"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    results = out / "results.json"
    assert results.exists(), (proc.stdout + proc.stderr)[-3000:]
    return statuses(json.loads(results.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def catalogue_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, str]]]:
    """Suite statuses per catalogue: 'baseline' (conformant records), each defect file, and 'all' (every record).
    The catalogues start in parallel, the suites run in parallel, then everything stops."""
    from cicclo.reference.catalogue import CatalogueError, ReferenceCatalogue, default_record_files

    conformant = [RECORDS / n for n in CONFORMANT]
    sets = {"baseline": conformant, **{d: [*conformant, RECORDS / d] for d in DEFECTS},
            "all": default_record_files()}
    base = tmp_path_factory.mktemp("catalogues")
    catalogues = {name: ReferenceCatalogue(base / name, record_files=files) for name, files in sets.items()}

    def start(name: str) -> None:
        catalogues[name].start(timeout=180)
        assert not catalogues[name].rejected, f"{name} : fiches refusées par pycsw {catalogues[name].rejected}"

    def run(name: str) -> tuple[str, dict[str, str]]:
        assert catalogues[name].csw_url
        return name, _run_suite(_target(base / name, csw_service(catalogues[name])), base / name / "out")

    try:
        with ThreadPoolExecutor(max_workers=len(catalogues)) as pool:
            list(pool.map(start, catalogues))
        with ThreadPoolExecutor(max_workers=4) as pool:
            yield dict(pool.map(run, catalogues))
    except CatalogueError as exc:
        pytest.skip(f"catalogue de référence indisponible : {exc}")
    finally:
        with ThreadPoolExecutor(max_workers=len(catalogues)) as pool:
            list(pool.map(lambda c: c.stop(), catalogues.values()))


def test_conformant_catalogue_has_no_failure(catalogue_runs: dict[str, dict[str, str]]) -> None:
    baseline = catalogue_runs["baseline"]
    assert not {k: s for k, s in baseline.items() if s in ("FAIL", "ERROR")}
    assert baseline["MD-C-001"] == baseline["MD-LINK-001"] == baseline["MD-SDS-006"] == "PASS"


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_defect_turns_its_id_fail_and_nothing_else(defect: str, catalogue_runs: dict[str, dict[str, str]]) -> None:
    baseline, run = catalogue_runs["baseline"], catalogue_runs[defect]
    expected = DEFECTS[defect]
    assert run[expected] == "FAIL"
    changed = {k: (baseline.get(k), s) for k, s in run.items() if k != expected and s != baseline.get(k)}
    assert not changed, changed


def test_catalogue_with_every_record_matches_expectations(catalogue_runs: dict[str, dict[str, str]]) -> None:
    doc = yaml.safe_load((EXPECTATIONS / "local-metadata.yaml").read_text(encoding="utf-8"))
    for test_id, entry in doc.items():
        assert entry["status"] != "FAIL" or entry.get("reason"), f"{test_id} FAIL sans raison"
    assert catalogue_runs["all"] == {k: v["status"] for k, v in doc.items()}
