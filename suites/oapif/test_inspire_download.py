"""INSPIRE download service based on OGC API – Features (good practice 1.0), class pre-defined data sets:
the data set metadata and the licence linked from /collections.

The good practice (https://github.com/INSPIRE-MIF/gp-ogc-api-features, spec/oapif-inspire-download.md) has
no abstract test suite yet: the tests follow the TEST paragraphs of its requirements. Its test of the
metadata link says HEAD; a GET is needed to see the root element of the linked document.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from cicclo.classes import INSPIRE_OAPIF
from cicclo.declare import conformance
from cicclo.errors import NotTested
from cicclo.oapif.context import OapifContext, links_of, media_type
from cicclo.oapif.xml import XmlError, parse_xml
from cicclo.verdict import Verdict

PRE_DEFINED = f"{INSPIRE_OAPIF}/conf/pre-defined"
GMD = "{http://www.isotc211.org/2005/gmd}MD_Metadata"
GMI = "{http://standards.iso.org/iso/19115/-2/gmi/1.0}MI_Metadata"
CSW_RESPONSE = "{http://www.opengis.net/cat/csw/2.0.2}GetRecordByIdResponse"
ACCEPT_XML = "application/xml"


def req(path: str) -> str:
    return f"{INSPIRE_OAPIF}/req/{path}"


def _collections_links(api: OapifContext) -> tuple[str, list[dict[str, Any]]]:
    ex = api.collections_exchange()
    doc = api.precondition_json(ex, "liste des collections (/collections)")
    return ex.url, links_of(doc)


def _metadata_problem(root: Any) -> str | None:
    """Why a linked document is not a data set metadata record (None when it is one)."""
    if root.tag in (GMD, GMI):
        return None
    if root.tag == CSW_RESPONSE:
        inner = [c for c in root if isinstance(c.tag, str)]
        if len(inner) == 1 and inner[0].tag in (GMD, GMI):
            return None
        return f"csw:GetRecordByIdResponse contenant {len(inner)} éléments, un seul gmd:MD_Metadata attendu"
    return f"racine {root.tag} : gmd:MD_Metadata, gmi:MI_Metadata ou csw:GetRecordByIdResponse attendu"


@conformance(
    "OAPIF-INSPIRE-001",
    title="/collections lie les métadonnées du jeu de données (rel=describedby, XML ISO 19139)",
    requirements=[req("pre-defined/spatial-data-set-metadata")],
    abstract_test=None,
    applies_to=PRE_DEFINED,
)
def test_data_set_metadata(api: OapifContext, verdict: Verdict) -> None:
    """/collections SHALL link the data set metadata with rel=describedby and type=application/xml; each such
    link SHALL answer 200 with a gmd:MD_Metadata or gmi:MI_Metadata root, or a csw:GetRecordByIdResponse
    wrapping exactly one of them."""
    base, links = _collections_links(api)
    described = [lk for lk in links if lk.get("rel") == "describedby" and isinstance(lk.get("href"), str)]
    xml_links = [lk for lk in described if media_type(lk.get("type")) == ACCEPT_XML]
    if not xml_links:
        with verdict.instance("/collections") as rec:
            rec.fail("aucun lien rel=describedby de type application/xml vers les métadonnées du jeu de données"
                     + (f" (liens describedby d'autres types : {[lk.get('type') for lk in described]})"
                        if described else ""))
        return
    for lk in xml_links:
        href = urljoin(base, lk["href"])
        with verdict.instance(f"describedby={href}") as rec:
            if not api.client.is_target_url(href):
                raise NotTested(f"{href} est hors des hôtes de la cible : non contacté (extra_hosts du service)")
            ex = api.client.get(href, accept=ACCEPT_XML)
            rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")
            try:
                root = parse_xml(ex.body)
            except XmlError as exc:
                rec.require(False, f"{ex.describe()} : document XML illisible ({exc})")
                return
            problem = _metadata_problem(root)
            rec.check(problem is None, f"{href} : {problem}")


@conformance(
    "OAPIF-INSPIRE-002",
    title="/collections porte un lien de licence (rel=license) qui répond 200",
    requirements=[req("pre-defined/licence")],
    abstract_test=None,
    applies_to=PRE_DEFINED,
)
def test_licence(api: OapifContext, verdict: Verdict) -> None:
    """/collections SHALL carry at least one rel=license link, and each SHALL answer HTTP 200."""
    base, links = _collections_links(api)
    licences = [lk for lk in links if lk.get("rel") == "license" and isinstance(lk.get("href"), str)]
    if not licences:
        with verdict.instance("/collections") as rec:
            rec.fail("aucun lien rel=license dans /collections")
        return
    for lk in licences:
        href = urljoin(base, lk["href"])
        with verdict.instance(f"license={href}") as rec:
            if not api.client.is_target_url(href):
                raise NotTested(f"{href} est hors des hôtes de la cible : non contacté (extra_hosts du service)")
            ex = api.client.get(href, accept=lk.get("type") or None)
            rec.check(ex.status == 200, f"{ex.describe()} : 200 attendu")
