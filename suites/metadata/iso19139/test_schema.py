"""INSPIRE TG metadata 2.0, common requirements C.1 (XML Schema) and C.2 (root element)."""

from __future__ import annotations

from cicclo.declare import conformance
from cicclo.http import attach_evidence
from cicclo.metadata import inspire, iso19139
from cicclo.metadata.harvest import MetadataContext, Record, run_record_check
from cicclo.metadata.uris import COMMON, ats, req
from cicclo.verdict import InstanceRecorder, Verdict


@conformance(
    "MD-C-001",
    title="Chaque fiche est valide selon un des jeux de schémas ISO 19139 admis (hors ligne)",
    requirements=[req("common/xml-schema")],
    abstract_test=ats("common/xml-schema"),
    applies_to=COMMON,
)
def test_xml_schema(suite_context: MetadataContext, verdict: Verdict) -> None:
    """The record SHALL be valid against one of the accepted schema sets: CSW ISO AP 1.0.0 (ISO 19139
    2006-05-04) or ISO/TS 19139:2007 (2007-04-17, GML 3.2.1); both with gmx. Local copies, nothing fetched."""

    def one(rec: InstanceRecorder, record: Record) -> None:
        report = iso19139.validate(record.root)
        for message in report.messages():
            rec.fail(message)
        if report.valid:
            rec.note(f"accepté par {report.accepted_by}")

    run_record_check(verdict, suite_context.records(verdict), "MD-C-001", one)


@conformance(
    "MD-C-002",
    title="Chaque fiche est un document XML lisible dont la racine est gmd:MD_Metadata",
    requirements=[req("common/root-element")],
    abstract_test=ats("common/root-element"),
    applies_to=COMMON,
)
def test_root_element(suite_context: MetadataContext, verdict: Verdict) -> None:
    """The root element SHALL be gmd:MD_Metadata. A record that cannot be read as XML (malformed, DTD or
    entities, too large) fails here; the other tests skip it."""
    for record in suite_context.records(verdict):
        with verdict.instance(record.identifier) as rec:
            if record.evidence:
                attach_evidence([record.evidence])
            if record.root is None:
                rec.fail(record.error or "XML illisible")
                continue
            for message in inspire.c02_root_element(record.root):
                rec.fail(message)
