"""Citations of the CSW suite.

OGC 07-006r1 (CSW 2.0.2, which also carries the OWS Common exception codes it uses) numbers no requirements
with URIs: requirements are cited by the document's public URL with a fragment naming the topic (a label
chosen by the suite, not an anchor of the document). Abstract tests are those of the OGC executable test
suite ets-csw202 (test ids of its CTL scripts) and of the INSPIRE discovery-service ATS
(inspire-eu-validation/discovery-service).
"""

from __future__ import annotations

from cicclo.classes import CSW202, INSPIRE_DISCOVERY

CSW_SPEC = "http://portal.opengeospatial.org/files/?artifact_id=20555"
ETS = "https://github.com/opengeospatial/ets-csw202"
TG_DISCOVERY = "http://inspire.jrc.ec.europa.eu/documents/Network_Services/TechnicalGuidance_DiscoveryServices_v3.1.pdf"

CSW_NS = "http://www.opengis.net/cat/csw/2.0.2"
OWS_NAMESPACES = ("http://www.opengis.net/ows", "http://www.opengis.net/ows/1.1", "http://www.opengis.net/ows/2.0")
OWS_NS = OWS_NAMESPACES[0]
GMD_NS = "http://www.isotc211.org/2005/gmd"
GMI_NS = "http://standards.iso.org/iso/19115/-2/gmi/1.0"
GCO_NS = "http://www.isotc211.org/2005/gco"
DC_NS = "http://purl.org/dc/elements/1.1/"
OGC_NS = "http://www.opengis.net/ogc"
INSPIRE_DS_NS = "http://inspire.ec.europa.eu/schemas/inspire_ds/1.0"
INSPIRE_COMMON_NS = "http://inspire.ec.europa.eu/schemas/common/1.0"
NS = {
    "csw": CSW_NS, "ows": OWS_NS, "gmd": GMD_NS, "gmi": GMI_NS, "gco": GCO_NS, "dc": DC_NS, "ogc": OGC_NS,
    "inspire_ds": INSPIRE_DS_NS, "inspire_common": INSPIRE_COMMON_NS, "xlink": "http://www.w3.org/1999/xlink",
}

__all__ = ["CSW202", "INSPIRE_DISCOVERY", "ats", "ets", "spec", "tg"]


def spec(topic: str) -> str:
    """A requirement of OGC 07-006r1, e.g. spec('getrecords-paging')."""
    return f"{CSW_SPEC}#{topic}"


def ets(test: str) -> str:
    """An ets-csw202 test, e.g. ets('GetRecords-tc22.1')."""
    return f"{ETS}#csw-2.0.2-{test}"


def ats(test: str) -> str:
    """An abstract test of the INSPIRE discovery ATS (csw-iso-ap), e.g. ats('at-07-extended-capabilities')."""
    return f"{INSPIRE_DISCOVERY}/{test}"


def tg(requirement: int) -> str:
    """An implementation requirement of the INSPIRE Technical Guidance for discovery services 3.1."""
    return f"{TG_DISCOVERY}#implementation-requirement-{requirement}"
