"""EARL export: parsed as RDF with rdflib, one subject per service, only EARL 1.0 and Dublin Core terms."""

from __future__ import annotations

import json
from typing import Any

from rdflib import RDF, Graph, Namespace, URIRef

from cicclo.reporters.earl import to_earl

EARL = Namespace("http://www.w3.org/ns/earl#")
DCT = "http://purl.org/dc/terms/"
# EARL 1.0 Schema (W3C, https://www.w3.org/TR/EARL10-Schema/): classes, properties and outcome values
EARL_TERMS = {"Assertion", "Assertor", "TestSubject", "TestResult", "TestCriterion", "TestRequirement", "TestCase",
              "OutcomeValue", "Pass", "Fail", "CannotTell", "NotApplicable", "NotTested", "TestMode", "Software",
              "assertedBy", "subject", "test", "result", "mode", "mainAssertor", "outcome", "pointer", "info",
              "passed", "failed", "cantTell", "inapplicable", "untested", "automatic", "manual", "semiAuto",
              "undisclosed", "unknownMode"}
DCT_TERMS = {"title", "description", "date", "identifier", "isPartOf", "references", "source"}


def result(test_id: str, suite: str, conformance_class: str, status: str) -> dict[str, Any]:
    return {"test_id": test_id, "title": f"titre {test_id}", "status": status, "suite": suite,
            "conformance_class": conformance_class, "requirements": [f"http://example.org/req/{test_id}"],
            "abstract_test": None, "message": "m"}


RESULTS = {
    "suite": {"version": "0.2.0"},
    "run": {"started_at": "2026-12-03T10:00:00+00:00"},
    "target": {"id": "t", "name": "Cible", "services": {
        "oapif": {"url": "http://127.0.0.1:5000/"}, "csw": {"url": "http://127.0.0.1:5001/csw"},
        "dcat": {"url": "http://127.0.0.1:5001/dcat.ttl"}, "proconnect_provider": {"url": None}}},
    "results": [
        result("OAPIF-CORE-001", "oapif", "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core", "PASS"),
        result("CSW-CORE-001", "csw", "http://www.opengis.net/cat/csw/2.0.2", "FAIL"),
        result("MD-DCAT-001", "metadata", "https://semiceu.github.io/DCAT-AP/releases/3.0.1/", "ERROR"),
        result("PC-OP-001", "proconnect", "https://openid.net/specs/openid-connect-discovery-1_0.html",
               "NOT_APPLICABLE"),
    ],
}


def graph() -> Graph:
    return Graph().parse(data=json.dumps(to_earl(RESULTS)), format="json-ld")


def test_one_subject_per_service() -> None:
    g = graph()
    subjects = {str(g.value(a, EARL.subject)) for a in g.subjects(RDF.type, EARL.Assertion)}
    assert subjects == {"http://127.0.0.1:5000/", "http://127.0.0.1:5001/csw", "http://127.0.0.1:5001/dcat.ttl",
                        "urn:cicclo:target:t:proconnect_provider"}
    assert set(g.subjects(RDF.type, EARL.TestSubject)) == {URIRef(s) for s in subjects}


def test_outcomes_and_only_earl_and_dublin_core_terms() -> None:
    g = graph()
    outcomes = {str(o).rsplit("#", 1)[1] for o in g.objects(None, EARL.outcome)}
    assert outcomes == {"passed", "failed", "cantTell", "inapplicable"}
    for _s, p, o in g:
        for term in (p, o if p == RDF.type else None):
            if term is None or term == RDF.type:
                continue
            text = str(term)
            if text.startswith(str(EARL)):
                assert text[len(str(EARL)):] in EARL_TERMS, text
            else:
                assert text.startswith(DCT) and text[len(DCT):] in DCT_TERMS, text
