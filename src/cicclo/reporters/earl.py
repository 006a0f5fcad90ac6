"""EARL (W3C Evaluation and Report Language) export of a run, as TEAM Engine produces, in JSON-LD."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cicclo import __version__
from cicclo.classes import KNOWN_CLASSES
from cicclo.reporters.results_json import write_atomic

if TYPE_CHECKING:
    from pathlib import Path

    from cicclo.reporters.record import RunRecord

OUTCOMES = {"PASS": "earl:passed", "FAIL": "earl:failed", "ERROR": "earl:cantTell",
            "NOT_APPLICABLE": "earl:inapplicable", "NOT_TESTED": "earl:untested"}
CONTEXT = {"earl": "http://www.w3.org/ns/earl#", "dct": "http://purl.org/dc/terms/",
           "xsd": "http://www.w3.org/2001/XMLSchema#"}
# the service a test talks to, by suite; classes served by another service of the same suite
SUITE_SERVICE = {"oapif": "oapif", "csw": "csw", "records": "ogcapi_records", "metadata": "csw",
                 "proconnect": "proconnect_rp"}
CLASS_SERVICE = {"DCAT-AP": "dcat", "PC-OP": "proconnect_provider"}


def service_of(result: dict[str, Any]) -> str:
    known = KNOWN_CLASSES.get(result["conformance_class"])
    return CLASS_SERVICE.get(known.code if known else "", SUITE_SERVICE.get(result["suite"], result["suite"]))


def subject(target: dict[str, Any], service: str) -> dict[str, Any]:
    """One earl:TestSubject per service of the target: its URL, else a URN naming target and service."""
    url = (target["services"].get(service) or {}).get("url")
    return {"@id": url or f"urn:cicclo:target:{target['id']}:{service}", "@type": "earl:TestSubject",
            "dct:title": f"{target['name']} — {service}"}


def to_earl(results: dict[str, Any]) -> dict[str, Any]:
    """One earl:Assertion per test ID of a results.json document (its results may be the light ones, without
    instances), about the service the test talks to; only EARL 1.0 and Dublin Core terms."""
    target = results["target"]
    assertor = {"@id": f"urn:cicclo:{__version__}", "@type": ["earl:Assertor", "earl:Software"],
                "dct:title": f"cicclo {results['suite']['version']}"}
    subjects: dict[str, dict[str, Any]] = {}
    graph = []
    for r in results["results"]:
        service = service_of(r)
        subjects.setdefault(service, subject(target, service))
        test = {"@id": f"urn:cicclo:test:{r['test_id']}", "@type": "earl:TestCase",
                "dct:identifier": r["test_id"], "dct:title": r["title"],
                "dct:isPartOf": {"@id": r["conformance_class"]},
                "dct:references": [{"@id": uri} for uri in r["requirements"]]}
        if r["abstract_test"]:
            test["dct:source"] = {"@id": r["abstract_test"]}
        graph.append({
            "@type": "earl:Assertion",
            "earl:assertedBy": {"@id": assertor["@id"]},
            "earl:subject": {"@id": subjects[service]["@id"]},
            "earl:test": test,
            "earl:result": {"@type": "earl:TestResult", "earl:outcome": {"@id": OUTCOMES[r["status"]]},
                            "dct:description": r["message"],
                            "dct:date": {"@value": results["run"]["started_at"], "@type": "xsd:dateTime"}},
            "earl:mode": {"@id": "earl:automatic"},
        })
    return {"@context": CONTEXT, "@graph": [assertor, *subjects.values(), *graph]}


def write(record: RunRecord) -> Path:
    """earl.jsonld beside results.json, from the same run record (so both always agree)."""
    doc = {"suite": record.header["suite"], "target": record.header["target"], "run": record.header["run"],
           "results": record.light()}
    path = record.folder / "earl.jsonld"
    write_atomic(path, json.dumps(to_earl(doc), ensure_ascii=False, indent=1))
    return path
