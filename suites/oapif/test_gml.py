"""OGC API Features Part 1, GML Simple Features classes (levels 0 and 2): media types, content, headers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cicclo.declare import conformance
from cicclo.errors import NotTested
from cicclo.oapif.context import OapifContext, media_type
from cicclo.oapif.uris import GMLSF0, GMLSF2, ats, req
from cicclo.oapif.xml import XmlError, parse_xml
from cicclo.verdict import Verdict

SF_NS = "http://www.opengis.net/ogcapi-features-1/1.0/sf"
PROFILE = "http://www.opengis.net/def/profile/ogc/2.0/gml-sf{level}"


def _gml_type(level: int) -> str:
    return f"application/gml+xml;version=3.2;profile={PROFILE.format(level=level)}"


def _definition(level: int) -> Callable[[OapifContext, Verdict], None]:
    def check(api: OapifContext, verdict: Verdict) -> None:
        wanted = _gml_type(level)
        for coll in api.collections(verdict):
            with verdict.instance(f"collection={coll.id}") as rec:
                ex = api.client.get(api.items_url(coll), accept=wanted)
                if ex.status != 200:
                    raise NotTested(f"{ex.describe()} : pas de réponse 200 à vérifier")
                got = ex.content_type.replace(" ", "").lower()
                rec.check(media_type(got) == "application/gml+xml" and f"gml-sf{level}" in got,
                          f"{ex.describe()} : {wanted} attendu")
        with verdict.instance("/collections") as rec:
            ex = api.client.get(api.url("collections"), accept="application/xml")
            if ex.status == 200:
                rec.check(ex.media_type == "application/xml", f"{ex.describe()} : application/xml attendu")
    return check


def _content(level: int) -> Callable[[OapifContext, Verdict], None]:
    def check(api: OapifContext, verdict: Verdict) -> None:
        verdict.note("la validation XSD des documents GML-SF n'est pas faite (schémas d'application non fournis)")
        for coll in api.collections(verdict):
            with verdict.instance(f"collection={coll.id}") as rec:
                ex = api.client.get(api.items_url(coll), accept=_gml_type(level), params={"limit": "10"})
                if ex.status != 200 or "xml" not in ex.media_type:
                    raise NotTested(f"{ex.describe()} : pas de document GML à lire")
                try:
                    root = parse_xml(ex.body)
                except XmlError as exc:
                    rec.require(False, f"{ex.url} : XML illisible ({exc})")
                    return
                rec.check(root.tag == f"{{{SF_NS}}}FeatureCollection",
                          f"élément racine {root.tag} : sf:FeatureCollection attendu")
                _check_headers(rec, ex, root)
    return check


def _check_headers(rec: Any, ex: Any, root: Any) -> None:
    """Metadata carried by headers (/req/gmlsf0/headers) SHALL agree with the document."""
    members = [c for c in root if c.tag == f"{{{SF_NS}}}featureMember"]
    returned = ex.headers.get("OGC-NumberReturned")
    if returned is not None:
        rec.check(returned.strip() == str(len(members)),
                  f"en-tête OGC-NumberReturned {returned} pour {len(members)} entités")
    rec.check("date" in ex.headers, "en-tête Date absent")


def _declare(level: int, cls: str) -> tuple[Callable[..., None], Callable[..., None]]:
    definition = conformance(
        f"OAPIF-GMLSF{level}-001",
        title=f"Les entités demandées en GML-SF{level} sont servies avec le type de média GML-SF{level}",
        requirements=[req(f"gmlsf{level}/definition")],
        abstract_test=ats(f"gmlsf{level}/definition"),
        applies_to=cls,
    )(_definition(level))
    content = conformance(
        f"OAPIF-GMLSF{level}-002",
        title=f"Les documents GML-SF{level} ont le bon élément racine et des en-têtes cohérents",
        requirements=[req(f"gmlsf{level}/content"), req(f"gmlsf{level}/headers")],
        abstract_test=ats(f"gmlsf{level}/content"),
        applies_to=cls,
    )(_content(level))
    return definition, content


test_gmlsf0_definition, test_gmlsf0_content = _declare(0, GMLSF0)
test_gmlsf2_definition, test_gmlsf2_content = _declare(2, GMLSF2)
