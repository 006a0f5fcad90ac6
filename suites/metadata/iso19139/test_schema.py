"""INSPIRE TG metadata 2.0, common requirements C.1 (XML Schema) and C.2 (root element)."""

from __future__ import annotations

from cicclo.declare import conformance
from cicclo.metadata.harvest import MetadataContext
from cicclo.metadata.uris import COMMON, ats, req
from cicclo.verdict import Verdict


@conformance(
    "MD-C-001",
    title="Chaque fiche est valide selon un des jeux de schémas ISO 19139 admis (hors ligne)",
    requirements=[req("common/xml-schema")],
    abstract_test=ats("common/xml-schema"),
    applies_to=COMMON,
)
def test_xml_schema(suite_context: MetadataContext, verdict: Verdict) -> None:
    """The record SHALL be valid against one of the accepted schema sets: CSW ISO AP 1.0.0 (ISO 19139
    2006-05-04) or ISO/TS 19139:2007 (2007-04-17, GML 3.2.1); both with gmx. Local copies, nothing fetched. A record
    that cannot be read, or of another schema family (ISO 19115-3), fails here with the parser's message."""
    suite_context.run_check(verdict, "MD-C-001")


@conformance(
    "MD-C-002",
    title="Chaque fiche est un document XML lisible dont la racine est gmd:MD_Metadata",
    requirements=[req("common/root-element")],
    abstract_test=ats("common/root-element"),
    applies_to=COMMON,
)
def test_root_element(suite_context: MetadataContext, verdict: Verdict) -> None:
    """The root element SHALL be gmd:MD_Metadata. A record that cannot be read as XML (malformed, DTD or
    entities, too large) or whose root is another schema family's (ISO 19115-3 mdb:MD_Metadata) fails here; the
    other tests skip it."""
    suite_context.run_check(verdict, "MD-C-002")
