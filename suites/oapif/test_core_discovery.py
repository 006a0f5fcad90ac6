"""OGC API Features Part 1, Core: HTTP, landing page, API definition and conformance declaration."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import yaml

from cicclo.classes import declared_classes
from cicclo.declare import conformance
from cicclo.errors import CheckFailed, NotTested
from cicclo.oapif.context import ACCEPT_JSON, OapifContext, find_links, links_of, media_type
from cicclo.oapif.schemas import schema_errors
from cicclo.oapif.uris import CORE, HTML, ats, req
from cicclo.verdict import Verdict


@conformance(
    "OAPIF-CORE-003",
    title="La page d'accueil répond à GET {racine}/ par 200",
    requirements=[req("core/root-op")],
    abstract_test=ats("core/root-op"),
    applies_to=CORE,
)
def test_root_op(api: OapifContext, verdict: Verdict) -> None:
    """The server SHALL support HTTP GET at the path / (the landing page)."""
    with verdict.instance("page d'accueil") as rec:
        ex = api.landing()
        rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")


@conformance(
    "OAPIF-CORE-007",
    title="La déclaration de conformité répond à GET {racine}/conformance par 200",
    requirements=[req("core/conformance-op")],
    abstract_test=ats("core/conformance-op"),
    applies_to=CORE,
)
def test_conformance_op(api: OapifContext, verdict: Verdict) -> None:
    """The API SHALL support GET at /conformance, and every `conformance` link of the landing page SHALL
    resolve (200)."""
    with verdict.instance("/conformance") as rec:
        ex = api.client.get(api.url("conformance"), accept=ACCEPT_JSON)
        rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")
    landing = api.landing_json()
    for link in find_links(landing, "conformance"):
        url = urljoin(api.root, str(link.get("href", "")))
        with verdict.instance(f"lien conformance {link.get('type', '')}".strip()) as rec:
            if not api.client.is_target_url(url):
                raise NotTested(f"{url} est hors des hôtes de la cible : non contacté")
            ex = api.client.get(url, accept=link.get("type") or ACCEPT_JSON)
            rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")


@conformance(
    "OAPIF-CORE-001",
    title="Le serveur répond en HTTP/1.1",
    requirements=[req("core/http")],
    abstract_test=ats("core/http"),
    applies_to=CORE,
)
def test_http(api: OapifContext, verdict: Verdict) -> None:
    """The server SHALL conform to HTTP 1.1 (and, if it offers HTTPS, to HTTP over TLS)."""
    for name, url in (("page d'accueil", api.root), ("/conformance", api.url("conformance")),
                      ("/collections", api.url("collections"))):
        with verdict.instance(name) as rec:
            ex = api.client.get(url, accept=ACCEPT_JSON)
            rec.check(ex.http_version == "HTTP/1.1",
                      f"{ex.describe()} : réponse en {ex.http_version}, HTTP/1.1 attendu")


@conformance(
    "OAPIF-CORE-004",
    title="La page d'accueil contient les liens vers la définition de l'API, la conformité et les données",
    requirements=[req("core/root-success")],
    abstract_test=ats("core/root-success"),
    applies_to=CORE,
)
def test_root_success(api: OapifContext, verdict: Verdict) -> None:
    """The landing page SHALL link the API definition (service-desc and/or service-doc), the conformance
    declaration (conformance) and the collections (data), and validate against landingPage.yaml."""
    with verdict.instance("page d'accueil") as rec:
        ex = api.landing()
        if ex.status != 200:
            raise NotTested(f"{ex.describe()} : page d'accueil indisponible (vérifié par OAPIF-CORE-003)")
        doc = ex.json()
        rec.require(isinstance(doc, dict), "la page d'accueil n'est pas un objet JSON")
        rels = {lk.get("rel") for lk in links_of(doc)}
        rec.check(rels & {"service-desc", "service-doc"}, "aucun lien rel=service-desc ni rel=service-doc")
        rec.check("conformance" in rels, "aucun lien rel=conformance")
        rec.check("data" in rels, "aucun lien rel=data vers /collections")
        for err in schema_errors("landingPage", doc):
            rec.fail(f"schéma landingPage.yaml : {err}")


def _definition_links(api: OapifContext) -> list[dict[str, Any]]:
    landing = api.landing_json()
    links = [lk for lk in links_of(landing)
             if lk.get("rel") in ("service-desc", "service-doc") and isinstance(lk.get("href"), str)]
    if not links:
        raise NotTested("aucun lien service-desc ou service-doc sur la page d'accueil (vérifié par OAPIF-CORE-004)")
    return links


@conformance(
    "OAPIF-CORE-005",
    title="Chaque définition de l'API liée depuis la page d'accueil répond par 200",
    requirements=[req("core/api-definition-op")],
    abstract_test=ats("core/api-definition-op"),
    applies_to=CORE,
)
def test_api_definition_op(api: OapifContext, verdict: Verdict) -> None:
    """Every service-desc and service-doc link of the landing page SHALL answer GET with 200."""
    for link in _definition_links(api):
        url = urljoin(api.root, link["href"])
        with verdict.instance(f"{link['rel']} {link.get('type', '')}".strip()) as rec:
            if not api.client.is_target_url(url):
                raise NotTested(f"{url} est hors des hôtes de la cible : non contacté")
            ex = api.client.get(url, accept=link.get("type") or "*/*")
            rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")


@conformance(
    "OAPIF-CORE-006",
    title="La définition de l'API est servie dans le format annoncé et s'y lit",
    requirements=[req("core/api-definition-success")],
    abstract_test=ats("core/api-definition-success"),
    applies_to=CORE,
)
def test_api_definition_success(api: OapifContext, verdict: Verdict) -> None:
    """The API definition SHALL be served in the format its link announces and parse as such.

    Its conformance to OpenAPI 3.0 is OAPIF-OAS30-004's concern.
    """
    for link in [lk for lk in _definition_links(api) if lk["rel"] == "service-desc"]:
        url = urljoin(api.root, link["href"])
        with verdict.instance(f"service-desc {link.get('type', '')}".strip()) as rec:
            if not api.client.is_target_url(url):
                raise NotTested(f"{url} est hors des hôtes de la cible : non contacté")
            ex = api.client.get(url, accept=link.get("type") or "*/*")
            if ex.status != 200:
                raise NotTested(f"{ex.describe()} : définition indisponible (vérifié par OAPIF-CORE-005)")
            announced = media_type(link.get("type"))
            if announced:
                rec.check(media_type(ex.content_type) == announced,
                          f"{ex.describe()} : type annoncé par le lien {link.get('type')!r}")
            if "json" in (announced or ex.media_type):
                doc = ex.json()
            else:
                try:
                    doc = yaml.safe_load(ex.text())
                except yaml.YAMLError as exc:
                    raise CheckFailed(f"{ex.url} : YAML illisible ({exc})") from None
            rec.require(isinstance(doc, dict), "la définition n'est pas un objet")
            rec.check("openapi" in doc or "swagger" in doc, "ni champ « openapi » ni « swagger » : format inconnu")
            rec.check(isinstance(doc.get("paths"), dict), "pas d'objet « paths »")


@conformance(
    "OAPIF-CORE-008",
    title="La déclaration de conformité est valide et déclare la classe Cœur",
    requirements=[req("core/conformance-success")],
    abstract_test=ats("core/conformance-success"),
    applies_to=CORE,
)
def test_conformance_success(api: OapifContext, verdict: Verdict) -> None:
    """The conformance declaration SHALL validate against confClasses.yaml, list the Core class and every
    conformance class the API implements."""
    with verdict.instance("/conformance") as rec:
        ex = api.client.get(api.url("conformance"), accept=ACCEPT_JSON)
        if ex.status != 200:
            raise NotTested(f"{ex.describe()} : déclaration indisponible (vérifié par OAPIF-CORE-007)")
        doc = ex.json()
        for err in schema_errors("confClasses", doc):
            rec.fail(f"schéma confClasses.yaml : {err}")
        conforms = doc.get("conformsTo") if isinstance(doc, dict) else None
        rec.require(isinstance(conforms, list), "pas de tableau conformsTo")
        declared, notes = declared_classes([c for c in conforms if isinstance(c, str)])
        for note in notes:
            rec.note(note)
        rec.check(CORE in declared, f"{CORE} absent de conformsTo")
        landing = api.landing_json()
        if find_links(landing, "alternate", "text/html") or find_links(landing, "self", "text/html"):
            rec.check(HTML in declared, "la page d'accueil est offerte en HTML mais la classe html n'est pas déclarée")
