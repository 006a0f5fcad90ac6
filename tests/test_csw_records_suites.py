"""The CSW, OGC API Records and INSPIRE download suites against real servers.

- baseline: ``suites/metadata/csw`` and ``suites/metadata/records`` against the built-in reference catalogue
  (pycsw 2.6.2 and pygeoapi's CSWFacade), statuses compared with ``tests/expectations/local-{csw,records}.yaml``;
- (the CSW faults, one per CSW check, are in ``tests/test_csw_faults.py``);
- Records faults on a scripted catalogue: the expected ID turns FAIL, the others keep their status;
- INSPIRE download: ``test_inspire_download.py`` against a scripted loopback OGC API (with and without the
  describedby metadata link).
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, Run, assert_matches, assert_only_changes, statuses
from tests.servers import reply, serve

EXPECTATIONS = ROOT / "tests" / "expectations"


def _target(directory: Path, target_id: str, services: dict[str, Any]) -> Path:
    path = directory / f"{target_id}.yaml"
    doc = {"id": target_id, "name": f"cible de test {target_id}", "services": services}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _run(suites: list[str], target: Path, out: Path, timeout: float = 600) -> tuple[dict[str, str], str]:
    cmd = [sys.executable, "-m", "pytest", *suites, "--target", str(target), "--cicclo-out", str(out), "-q",
           "-p", "no:cacheprovider"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    results_path = out / "results.json"
    assert results_path.exists(), f"pas de results.json\n{(proc.stdout + proc.stderr)[-3000:]}"
    results = json.loads(results_path.read_text(encoding="utf-8"))
    return statuses(results), proc.stdout + proc.stderr


def _expected(name: str) -> dict[str, str]:
    doc = yaml.safe_load((EXPECTATIONS / name).read_text(encoding="utf-8"))
    for test_id, entry in doc.items():
        assert entry["status"] != "FAIL" or entry.get("reason"), f"{name}: {test_id} FAIL sans raison"
    return {k: v["status"] for k, v in doc.items()}


# -- baseline against the built-in catalogue ---------------------------------------------------------


@pytest.fixture(scope="module")
def builtin_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("catalogue-builtin")
    target = _target(base, "catalogue-local", {"csw": {"builtin": "catalogue", "options": {"inspire": True}},
                                               "ogcapi_records": {"builtin": "catalogue"}})
    observed, output = _run(["suites/metadata/csw", "suites/metadata/records"], target, base / "out")
    assert observed, output[-3000:]
    return observed


@pytest.mark.parametrize("expectations", ["local-csw.yaml", "local-records.yaml"])
def test_builtin_catalogue_statuses(expectations: str, builtin_run: dict[str, str]) -> None:
    expected = _expected(expectations)
    prefix = "CSW-" if "csw" in expectations else "OAREC-"
    assert_matches(({k: v for k, v in builtin_run.items() if k.startswith(prefix)}, ""), expected)


# -- INSPIRE download service on OGC API Features -----------------------------------------------------

ISO_RECORD = ('<?xml version="1.0" encoding="UTF-8"?><gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" '
              'xmlns:gco="http://www.isotc211.org/2005/gco"><gmd:fileIdentifier><gco:CharacterString>jdd-1'
              '</gco:CharacterString></gmd:fileIdentifier></gmd:MD_Metadata>')


def _inspire_api(describedby: bool, root_element: str = "iso") -> Any:
    """A minimal OGC API whose /collections links (or not) an ISO record and a licence."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        base = f"http://127.0.0.1:{handler.server.server_address[1]}/"  # type: ignore[index]  # an AF_INET server
        path = handler.path.split("?")[0]
        links = [{"rel": "self", "type": "application/json", "href": f"{base}collections"},
                 {"rel": "license", "type": "text/html", "href": f"{base}licence"}]
        if describedby:
            links.append({"rel": "describedby", "type": "application/xml", "href": f"{base}metadonnees.xml"})
        pages = {
            "/": {"title": "API INSPIRE de test", "links": [{"rel": "data", "href": f"{base}collections"}]},
            "/conformance": {"conformsTo": ["http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"]},
            "/collections": {"links": links, "collections": []},
        }
        if path in pages:
            reply(handler, 200, json.dumps(pages[path]))
        elif path == "/metadonnees.xml":
            body = ISO_RECORD if root_element == "iso" else "<html><body>pas une fiche</body></html>"
            reply(handler, 200, body, "application/xml")
        elif path == "/licence":
            reply(handler, 200, "<html><body>Licence Ouverte</body></html>", "text/html")
        else:
            reply(handler, 404, json.dumps({"code": "NotFound"}))

    return route


@pytest.mark.parametrize(("variant", "describedby", "root_element", "expected"), [
    ("conforme", True, "iso", {"OAPIF-INSPIRE-001": "PASS", "OAPIF-INSPIRE-002": "PASS"}),
    ("sans-describedby", False, "iso", {"OAPIF-INSPIRE-001": "FAIL", "OAPIF-INSPIRE-002": "PASS"}),
    ("fiche-non-iso", True, "html", {"OAPIF-INSPIRE-001": "FAIL", "OAPIF-INSPIRE-002": "PASS"}),
])
def test_inspire_download(variant: str, describedby: bool, root_element: str, expected: dict[str, str],
                          tmp_path: Path) -> None:
    with serve(_inspire_api(describedby, root_element)) as (url, _):
        target = _target(tmp_path, f"inspire-{variant}", {"oapif": {"url": url, "options": {"inspire": True}}})
        observed, output = _run(["suites/oapif/test_inspire_download.py"], target, tmp_path / "out")
    assert {k: observed.get(k) for k in expected} == expected, output[-3000:]


def test_inspire_download_not_applicable_without_option(tmp_path: Path) -> None:
    with serve(_inspire_api(True)) as (url, _):
        target = _target(tmp_path, "inspire-sans-option", {"oapif": {"url": url}})
        observed, output = _run(["suites/oapif/test_inspire_download.py"], target, tmp_path / "out")
    assert observed == {"OAPIF-INSPIRE-001": "NOT_APPLICABLE", "OAPIF-INSPIRE-002": "NOT_APPLICABLE"}, output[-3000:]


# -- OGC API Records: a scripted catalogue, one defect at a time --------------------------------------

OAREC = "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/"
RECORDS_FAULTS = {
    "enfant-non-catalogue": {"OAREC-013": "FAIL"},
    "horodatage-avec-decalage": {"OAREC-025": "FAIL", "OAREC-050": "FAIL"},  # time.yaml also requires « Z »
    "modele-sans-uritemplate": {"OAREC-023": "FAIL", "OAREC-050": "FAIL"},
    "decouverte-mauvais-type": {"OAREC-058": "FAIL"},
}


def _records_api(defect: str) -> Any:
    """A small OGC API Records (record-core, record-collection, records-api, json, autodiscovery) with one
    collection of two records; ``defect`` breaks one requirement."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        base = f"http://127.0.0.1:{handler.server.server_address[1]}/"  # type: ignore[index]  # an AF_INET server
        path = handler.path.split("?")[0]
        stamp = "2025-01-02T05:04:05+02:00" if defect == "horodatage-avec-decalage" else "2025-01-02T03:04:05Z"
        template = {"rel": "related", "title": "vue"} if defect == "modele-sans-uritemplate" else \
            {"rel": "related", "uriTemplate": base + "vue/{x}", "variables": {"x": {"type": "string"}}}

        def record(rid: str) -> dict[str, Any]:
            return {"id": rid, "type": "Feature", "geometry": None, "time": {"date": "2025-01-02", "timestamp": stamp},
                    "properties": {"title": f"Fiche {rid}", "type": "dataset"}, "linkTemplates": [template],
                    "links": [{"rel": "self", "type": "application/geo+json",
                               "href": f"{base}collections/fiches/items/{rid}"}]}

        def catalog(cid: str, child: bool) -> dict[str, Any]:
            links = [{"rel": "self", "type": "application/json", "href": f"{base}collections/{cid}"},
                     {"rel": "items", "type": "application/geo+json", "href": f"{base}collections/{cid}/items"}]
            if child:
                links.append({"rel": "child", "type": "application/json", "href": f"{base}collections/sous-fiches"})
            return {"id": cid, "type": "Collection", "title": f"Catalogue {cid}", "description": "catalogue de test",
                    "itemType": "record", "links": links}

        catalog_type = "application/ogc-catalog+json" if defect == "decouverte-mauvais-type" else "application/json"
        pages: dict[str, Any] = {
            "/": {"title": "Catalogue Records de test", "description": "catalogue scripté", "links": [
                {"rel": "self", "type": "application/json", "href": base},
                {"rel": "conformance", "type": "application/json", "href": f"{base}conformance"},
                {"rel": "data", "type": "application/json", "href": f"{base}collections"},
                {"rel": "http://www.opengis.net/def/rel/ogc/1.0/ogc-catalog", "type": catalog_type,
                 "href": f"{base}collections/fiches"}]},
            "/conformance": {"conformsTo": [OAREC + c for c in ("record-core", "record-collection", "records-api",
                                                               "json", "autodiscovery")]},
            "/collections": {"links": [{"rel": "self", "type": "application/json", "href": f"{base}collections"}],
                             "collections": [catalog("fiches", True)]},
            "/collections/fiches": catalog("fiches", True),
            "/collections/sous-fiches": {"pas": "un catalogue"} if defect == "enfant-non-catalogue"
            else catalog("sous-fiches", False),
            "/collections/fiches/items": {"type": "FeatureCollection", "features": [record("f1"), record("f2")],
                                          "numberMatched": 2, "numberReturned": 2, "links": []},
        }
        if path in pages:
            reply(handler, 200, json.dumps(pages[path]))
        elif path in ("/collections/fiches/items/f1", "/collections/fiches/items/f2"):
            reply(handler, 200, json.dumps(record(path.rsplit("/", 1)[1])), "application/geo+json",
                  {"Link-Template": f'<{base}vue/{{x}}>; rel="related"'})
        else:
            reply(handler, 404, json.dumps({"code": "NotFound"}))

    return route


@pytest.fixture(scope="module")
def records_fault_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    base = tmp_path_factory.mktemp("records-faults")
    suites = ["suites/metadata/records/test_records_api.py", "suites/metadata/records/test_records_encodings.py"]

    def one(defect: str) -> tuple[str, Run]:
        with serve(_records_api(defect)) as (url, _):
            target = _target(base, f"records-{defect}", {"ogcapi_records": {"url": url}})
            return defect, _run(suites, target, base / defect)

    with ThreadPoolExecutor(max_workers=5) as pool:
        return dict(pool.map(one, ["none", *RECORDS_FAULTS]))


def test_records_scripted_catalogue_without_defect(records_fault_runs: dict[str, Run]) -> None:
    observed, _ = records_fault_runs["none"]
    expected = {"OAREC-013": "PASS", "OAREC-023": "PASS", "OAREC-024": "PASS", "OAREC-025": "PASS",
                "OAREC-026": "PASS", "OAREC-050": "PASS", "OAREC-058": "PASS", "OAREC-030": None}
    assert {k: observed.get(k) for k in expected} == expected


@pytest.mark.parametrize("defect", sorted(RECORDS_FAULTS))
def test_records_defect_is_detected_by_its_ids_only(defect: str, records_fault_runs: dict[str, Run]) -> None:
    assert_only_changes(defect, records_fault_runs, RECORDS_FAULTS[defect])
