"""``cicclo validate``: the metadata record suite on record files, folders, CSW responses and record URLs.

(a) the real-record corpus (``tests/fixtures/records-corpus``) gives exactly the committed FAILs of
``tests/expectations/records-corpus.yaml``, each citing the requirement it breaks;
(b) nothing is dropped: an unreadable file, an ISO 19115-3 record, a missing path, the records of a CSW response and
a record URL each get their MD-C-001/MD-C-002 instance; reports are written and printed, exit statuses as ``run``.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from cicclo.metadata import sources
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "fixtures" / "records-corpus"
EXPECTED: dict[str, dict[str, str]] = yaml.safe_load(
    (ROOT / "tests" / "expectations" / "records-corpus.yaml").read_text(encoding="utf-8"))
CONFORMANT = ROOT / "src" / "cicclo" / "reference" / "records" / "conforme-02-zones-inondables.xml"
MDB = b"""<?xml version="1.0" encoding="UTF-8"?>
<mdb:MD_Metadata xmlns:mdb="http://standards.iso.org/iso/19115/-3/mdb/2.0"
                 xmlns:mcc="http://standards.iso.org/iso/19115/-3/mcc/1.0"
                 xmlns:gco="http://standards.iso.org/iso/19115/-3/gco/1.0">
  <mdb:metadataIdentifier><mcc:MD_Identifier><mcc:code><gco:CharacterString>mdb-1</gco:CharacterString>
  </mcc:code></mcc:MD_Identifier></mdb:metadataIdentifier>
</mdb:MD_Metadata>
"""
CSW_NS = "http://www.opengis.net/cat/csw/2.0.2"


def validate(*inputs: str, out: Path) -> tuple[int, str, dict[str, Any]]:
    done = subprocess.run([sys.executable, "-m", "cicclo.cli", "validate", *inputs, "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return done.returncode, done.stdout, {r["test_id"]: r for r in results["results"]}


def failures_by_record(results: dict[str, Any], prefix: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for test_id, result in results.items():
        for instance in result.get("instances", []):
            key = instance["instance"].removeprefix(prefix)
            found.setdefault(key, set())
            if instance["status"] == "FAIL":
                found[key].add(test_id)
    return found


def rendered(text: bytes) -> bytes:
    return text.replace(b"{{RECORDS_URL}}", b"http://127.0.0.1:8001/").replace(b"{{CSW_URL}}",
                                                                               b"http://127.0.0.1:8000/csw")


def test_corpus_matches_its_expectations(tmp_path: Path) -> None:
    status, stdout, results = validate(str(CORPUS), out=tmp_path / "out")
    got = failures_by_record(results, f"{CORPUS}/")
    files = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.xml")}
    assert {k.split("#")[0] for k in got} == files, "chaque fichier du corpus a ses instances"
    assert {k: sorted(v) for k, v in got.items() if v} == {k: sorted(v) for k, v in EXPECTED.items()}
    assert all(reason.strip() for reasons in EXPECTED.values() for reason in reasons.values())
    assert status == 1, "des FAIL : statut 1 comme cicclo run"
    for name in ("report.html", "results.json", "junit.xml"):
        assert str(tmp_path / "out" / name) in stdout


@pytest.fixture()
def record_server() -> Iterator[str]:
    body = rendered(CONFORMANT.read_bytes())

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/fiche.xml"
    server.shutdown()


def test_nothing_is_dropped(tmp_path: Path, record_server: str) -> None:
    folder = tmp_path / "fiches"
    (folder / "sous-dossier").mkdir(parents=True)
    (folder / "illisible.xml").write_bytes(b"<gmd:MD_Metadata xmlns:gmd='http://www.isotc211.org/2005/gmd'>")
    (folder / "sous-dossier" / "iso19115-3.xml").write_bytes(MDB)
    record = rendered(CONFORMANT.read_bytes()).split(b"?>", 1)[1]
    (folder / "getrecords.xml").write_bytes(
        f'<csw:GetRecordsResponse xmlns:csw="{CSW_NS}" version="2.0.2"><csw:SearchResults numberOfRecordsMatched="2"'
        ' numberOfRecordsReturned="2" nextRecord="0">'.encode() + record + record
        + b"</csw:SearchResults></csw:GetRecordsResponse>")
    status, stdout, results = validate(str(folder), str(tmp_path / "absent.xml"), record_server,
                                       out=tmp_path / "out")
    c1 = {i["instance"]: i for i in results["MD-C-001"]["instances"]}
    c2 = {i["instance"]: i for i in results["MD-C-002"]["instances"]}
    unreadable, mdb = str(folder / "illisible.xml"), str(folder / "sous-dossier" / "iso19115-3.xml")
    assert set(c1) == set(c2) == {unreadable, mdb, str(folder / "getrecords.xml#1"),
                                  str(folder / "getrecords.xml#2"), str(tmp_path / "absent.xml"), record_server}
    for key in (unreadable, mdb, str(tmp_path / "absent.xml")):
        assert c1[key]["status"] == c2[key]["status"] == "FAIL", key
    assert "XML illisible" in c2[unreadable]["messages"][0] and "Premature end" in c2[unreadable]["messages"][0]
    assert "ISO 19115-3" in c2[mdb]["messages"][0]
    assert "No matching global declaration" in " ".join(c1[mdb]["messages"])
    for key in (f"{folder}/getrecords.xml#1", record_server):
        assert c1[key]["status"] == c2[key]["status"] == "PASS", key
    assert c1[record_server]["evidence"], "la fiche obtenue par HTTP garde son échange"
    notes = " ".join(results["MD-C-008"]["notes"])
    assert "illisible.xml ignorée ici" in notes and "iso19115-3.xml ignorée ici" in notes
    assert results["MD-LINK-001"]["status"] == "NOT_TESTED"
    assert status == 1


def test_conformant_file_exits_zero(tmp_path: Path) -> None:
    record = tmp_path / "fiche.xml"
    record.write_bytes(rendered(CONFORMANT.read_bytes()))
    status, stdout, results = validate(str(record), out=tmp_path / "out")
    assert {r["status"] for r in results.values()} <= {"PASS", "NOT_APPLICABLE", "NOT_TESTED"}
    assert status == 0
    assert "Rapports de fichiers" in stdout


def test_csw_response_records_are_unwrapped() -> None:
    record = rendered(CONFORMANT.read_bytes()).split(b"?>", 1)[1]
    response = (f'<csw:GetRecordByIdResponse xmlns:csw="{CSW_NS}">'.encode() + record
                + b"</csw:GetRecordByIdResponse>")
    (only,) = sources.records_of(response, "reponse.xml")
    assert only.identifier == "reponse.xml#1" and only.error is None and only.tags >= {"dataset"}
    (empty,) = sources.records_of(f'<csw:GetRecordByIdResponse xmlns:csw="{CSW_NS}"/>'.encode(), "vide.xml")
    assert empty.error is not None and "sans aucune fiche" in empty.error


def test_records_the_catalogue_refused_are_reported(tmp_path: Path) -> None:
    """pycsw refuses an unreadable record and an ISO 19115-3 record at load: the harvest reports both under
    MD-C-001/MD-C-002 with pycsw's message (handed over as the csw service option refused_records)."""
    from cicclo.reference.catalogue import CatalogueError, ReferenceCatalogue
    from tests.conftest import run_suite

    (tmp_path / "illisible.xml").write_bytes(b"<gmd:MD_Metadata xmlns:gmd='http://www.isotc211.org/2005/gmd'>")
    (tmp_path / "iso19115-3.xml").write_bytes(MDB)
    catalogue = ReferenceCatalogue(tmp_path / "catalogue", record_files=[
        CONFORMANT, tmp_path / "illisible.xml", tmp_path / "iso19115-3.xml"])
    try:
        services = catalogue.start(timeout=120)
    except CatalogueError as exc:
        pytest.skip(f"catalogue de référence indisponible : {exc}")
    try:
        refused = services["csw"]["options"]["refused_records"]
        assert set(refused) == {"illisible.xml", "iso19115-3.xml"} and all(refused.values()), refused
        target = tmp_path / "cible.yaml"
        doc = {"id": "refus", "name": "fiches refusées", "services": {"csw": services["csw"]}}
        target.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        code, results, output = run_suite(target, tmp_path / "out", suite="suites/metadata/iso19139", timeout=240)
    finally:
        catalogue.stop()
    assert results is not None, output[-3000:]
    by_id = {r["test_id"]: r for r in results["results"]}
    for test_id in ("MD-C-001", "MD-C-002"):
        statuses = {i["instance"]: (i["status"], " ".join(i["messages"])) for i in by_id[test_id]["instances"]}
        for name in ("illisible.xml", "iso19115-3.xml"):
            status, message = statuses[f"{name} (refusée par le catalogue)"]
            assert status == "FAIL" and "refusée au chargement par le catalogue" in message, (test_id, name)
    assert any("2 fiches refusées" in n for n in by_id["MD-C-008"]["notes"])
