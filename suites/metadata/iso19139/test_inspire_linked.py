"""INSPIRE TG metadata 2.x, class 8: linked service metadata for data sets (8.1 view, 8.2 download)."""

from __future__ import annotations

from cicclo.declare import conformance
from cicclo.metadata.harvest import MetadataContext
from cicclo.metadata.uris import LINKED, ats, req
from cicclo.verdict import Verdict


@conformance(
    "MD-LS-001",
    title="Le lien vers le service de consultation porte une URL, un protocole et un profil applicatif",
    requirements=[req("linked-service-metadata/view-linkage")],
    abstract_test=ats("ds-linked-service/ds-md-resource-locator"),
    applies_to=LINKED,
)
def test_view_linkage(suite_context: MetadataContext, verdict: Verdict) -> None:
    """A data set record linking its view service SHALL give an http(s) URL, gmd:protocol and
    gmd:applicationProfile view. TG Requirement 8.1 D: an Anchor protocol "shall point to the URI of
    one of the values in https://inspire.ec.europa.eu/metadata-codelist/ProtocolValue" (e.g.
    http://www.opengis.net/def/serviceType/ogc/wms)."""
    suite_context.run_check(verdict, "MD-LS-001")


@conformance(
    "MD-LS-002",
    title="Le lien vers le service de téléchargement porte une URL, un protocole et un profil applicatif",
    requirements=[req("linked-service-metadata/download-linkage")],
    abstract_test=ats("ds-linked-service/ds-md-resource-locator"),
    applies_to=LINKED,
)
def test_download_linkage(suite_context: MetadataContext, verdict: Verdict) -> None:
    """A data set record linking its download service SHALL give an http(s) URL, gmd:protocol and
    gmd:applicationProfile download. TG Requirement 8.2 D: an Anchor protocol "shall point to the URI of
    one of the values in https://inspire.ec.europa.eu/metadata-codelist/ProtocolValue" (e.g.
    http://www.opengis.net/def/serviceType/ogc/wms)."""
    suite_context.run_check(verdict, "MD-LS-002")
