"""The DCAT-AP suite fails exactly where a DCAT document is broken (deliberately broken servers)."""

from __future__ import annotations

from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, run_suite, statuses
from tests.servers import reply, serve

FIXTURES = ROOT / "tests" / "fixtures" / "dcat"
CONFORMANT = (FIXTURES / "conforme.ttl").read_bytes()


def dcat_target(directory: Path, url: str) -> Path:
    path = directory / "dcat.yaml"
    doc = {"id": "dcat", "name": "catalogue DCAT de test", "services": {"dcat": {"url": url + "catalogue"}}}
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def run_against(tmp_path: Path, route: Callable[[BaseHTTPRequestHandler], None]) -> tuple[dict[str, str], dict]:
    with serve(route) as (url, _):
        code, results, output = run_suite(dcat_target(tmp_path, url), tmp_path / "out", suite="suites/metadata/dcat")
    assert results is not None, output
    return statuses(results), {r["test_id"]: r for r in results["results"]}


def turtle(body: bytes, content_type: str = "text/turtle") -> Callable[[BaseHTTPRequestHandler], None]:
    return lambda h: reply(h, 200, body, content_type)


def test_conformant_document_passes_the_mandatory_shapes(tmp_path: Path) -> None:
    got, _ = run_against(tmp_path, turtle(CONFORMANT))
    assert got["MD-DCAT-001"] == "PASS"
    assert got["MD-DCAT-002"] == "PASS"


@pytest.mark.parametrize(("name", "route", "expected"), [
    ("sans-description", turtle((FIXTURES / "defaut-sans-description.ttl").read_bytes()), {"MD-DCAT-002"}),
    ("html", turtle(CONFORMANT, "text/html"), {"MD-DCAT-001"}),
    ("turtle-invalide", turtle(CONFORMANT[:-40] + b" ;;; <"), {"MD-DCAT-001"}),
    ("sans-catalogue", turtle(CONFORMANT.replace(b"a dcat:Catalog", b"a dcat:Resource")), {"MD-DCAT-001"}),
])
def test_each_defect_fails_its_own_id(tmp_path: Path, name: str, route: Callable[[BaseHTTPRequestHandler], None],
                                      expected: set[str]) -> None:
    got, results = run_against(tmp_path, route)
    failing = {k for k, v in got.items() if v == "FAIL" and results[k]["level"] == "MUST"}
    assert failing == expected, {k: results[k]["message"] for k in failing}


def test_violation_names_focus_node_and_path(tmp_path: Path) -> None:
    _, results = run_against(tmp_path, turtle((FIXTURES / "defaut-sans-description.ttl").read_bytes()))
    message = results["MD-DCAT-002"]["message"]
    assert "<https://catalogue.example.org/jeux/bornes>" in message and "dct:description" in message
    assert "dcat:accessURL" in message


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
          + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(9))
          + b']><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:d="http://www.w3.org/ns/dcat#">'
          b'<d:Catalog rdf:about="http://h/c"><d:title>&j;</d:title></d:Catalog></rdf:RDF>')


@pytest.mark.parametrize(("body", "fmt", "expected"), [
    (b'{"@context": "http://127.0.0.1:9/contexte.jsonld", "@id": "http://h/c"}', "json-ld",
     "contexte distant non fourni avec la suite, non téléchargé : http://127.0.0.1:9/contexte.jsonld"),
    (b'{"@context": ["file:///etc/passwd"], "@id": "http://h/c"}', "json-ld", "file:///etc/passwd"),
    (b'{"@context": {"@import": "file:///dev/zero"}, "@id": "http://h/c"}', "json-ld", "file:///dev/zero"),
    (b'{"@graph": [{"@context": "https://example.org/c"}]}', "json-ld", "https://example.org/c"),
    (b"[" * 100_000 + b"]" * 100_000, "json-ld", "imbriqué à plus de 100 niveaux"),
    (LAUGHS, "xml", "<!ENTITY"),
], ids=["remote", "file", "import", "nested", "deep", "billion-laughs"])
def test_rdf_parsing_never_fetches_nor_expands(body: bytes, fmt: str, expected: str) -> None:
    import time

    from cicclo.dcat import parse_rdf
    from cicclo.errors import CheckFailed

    started = time.monotonic()
    with pytest.raises(CheckFailed, match="contenu invalide|contexte distant") as err:
        parse_rdf(body, fmt)
    assert expected in str(err.value)
    assert time.monotonic() - started < 5


def test_inline_json_ld_contexts_are_parsed() -> None:
    from cicclo.dcat import parse_rdf

    doc = b'{"@context": {"dcat": "http://www.w3.org/ns/dcat#"}, "@id": "http://h/c", "@type": "dcat:Catalog"}'
    assert len(parse_rdf(doc, "json-ld")) == 1
