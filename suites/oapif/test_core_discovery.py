"""OGC API Features Part 1, Core: HTTP, landing page, API definition and conformance declaration."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml

from cicclo.classes import declared_classes
from cicclo.declare import conformance
from cicclo.errors import CheckFailed, NotTested
from cicclo.http import Exchange
from cicclo.oapif.checks import api_definition_problems
from cicclo.oapif.context import ACCEPT_JSON, OPENAPI_JSON, OapifContext, find_links, links_of, media_type
from cicclo.oapif.schemas import schema_errors
from cicclo.oapif.uris import CORE, HTML, OAS30, ats, req
from cicclo.verdict import InstanceRecorder, Verdict


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
    landing = verdict.attempt("page d'accueil", api.landing_json) or {}
    for link in find_links(landing, "conformance"):
        url = urljoin(api.root, str(link.get("href", "")))
        with verdict.instance(f"lien conformance {link.get('type', '')}".strip()) as rec:
            ex = _get_on_target(api, rec, url, link.get("type") or ACCEPT_JSON)
            rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")


@conformance(
    "OAPIF-CORE-001",
    title="Le serveur répond en HTTP/1.1",
    requirements=[req("core/http")],
    abstract_test=ats("core/http"),
    applies_to=CORE,
)
def test_http(api: OapifContext, verdict: Verdict) -> None:
    """The server SHALL conform to HTTP 1.1 and, when the API is offered over HTTPS, to HTTP over TLS: the
    landing page, /conformance, /collections and the API definition links answer in HTTP/1.1 (over TLS for
    an https target)."""
    resources = [("page d'accueil", api.root, ACCEPT_JSON), ("/conformance", api.url("conformance"), ACCEPT_JSON),
                 ("/collections", api.url("collections"), ACCEPT_JSON)]
    links = verdict.attempt("liens de définition de l'API", lambda: _definition_links(api)) or []
    resources += [(f"{lk['rel']} {lk.get('type', '')}".strip(), urljoin(api.root, lk["href"]), lk.get("type") or "*/*")
                  for lk in links]
    for name, url, accept in resources:
        with verdict.instance(name) as rec:
            ex = _get_on_target(api, rec, url, accept)
            rec.check(ex.http_version == "HTTP/1.1",
                      f"{ex.describe()} : réponse en {ex.http_version}, HTTP/1.1 attendu")
            if urlsplit(api.root).scheme == "https":
                rec.check(urlsplit(ex.url).scheme == "https",
                          f"{ex.describe()} : réponse hors TLS (HTTPS) pour une cible https")


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


def _get_on_target(api: OapifContext, rec: InstanceRecorder, url: str, accept: str) -> Exchange:
    """GET ``url`` when it is on the target's hosts; a foreign link is noted and left untested."""
    if not api.client.is_target_url(url):
        rec.note(f"{url} est hors des hôtes de la cible : non contacté, à vérifier à la main")
        raise NotTested(f"{url} est hors des hôtes de la cible : non contacté")
    return api.client.get(url, accept=accept)


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
            ex = _get_on_target(api, rec, url, link.get("type") or "*/*")
            rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")


def _parse_definition(ex: Exchange, announced: str) -> Any:
    """The body read in the format the link announces (JSON or YAML), else the one the server declares."""
    kind = announced or ex.media_type
    if "json" in kind:
        return ex.json()
    if "yaml" in kind:
        try:
            return yaml.safe_load(ex.text())
        except yaml.YAMLError as exc:
            raise CheckFailed(f"{ex.url} : YAML illisible ({str(exc).splitlines()[0]})") from None
    raise NotTested(f"{ex.describe()} : format {kind or 'non annoncé'} ni JSON ni YAML, à examiner à la main")


@conformance(
    "OAPIF-CORE-006",
    title="La définition de l'API se lit dans le format annoncé et en a la structure",
    requirements=[req("core/api-definition-success")],
    abstract_test=ats("core/api-definition-success"),
    applies_to=CORE,
)
def test_api_definition_success(api: OapifContext, verdict: Verdict) -> None:
    """Each machine-readable API definition (service-desc) SHALL parse in the format its link announces and
    have the structure of an OpenAPI 3 description (openapi version, info, paths; Swagger 2.0 refused).

    Its validity as OpenAPI 3.0 is OAPIF-OAS30-004's concern, its media type OAPIF-OAS30-003's.
    """
    links = [lk for lk in _definition_links(api) if lk["rel"] == "service-desc"]
    if any(lk["rel"] == "service-doc" for lk in _definition_links(api)):
        verdict.note("la documentation HTML de l'API (service-doc) est à examiner à la main")
    for link in links:
        url = urljoin(api.root, link["href"])
        with verdict.instance(f"service-desc {link.get('type', '')}".strip()) as rec:
            ex = _get_on_target(api, rec, url, link.get("type") or "*/*")
            if ex.status != 200:
                raise NotTested(f"{ex.describe()} : définition indisponible (vérifié par OAPIF-CORE-005)")
            doc = _parse_definition(ex, media_type(link.get("type")))
            for problem in api_definition_problems(doc):
                rec.fail(problem)


@conformance(
    "OAPIF-CORE-008",
    title="La déclaration de conformité est valide et déclare la classe Cœur",
    requirements=[req("core/conformance-success")],
    abstract_test=ats("core/conformance-success"),
    applies_to=CORE,
)
def test_conformance_success(api: OapifContext, verdict: Verdict) -> None:
    """The conformance declaration SHALL validate against confClasses.yaml and list the Core class; that it
    lists every class the API implements is checked by hand (hints are given as notes)."""
    with verdict.instance("/conformance") as rec:
        ex = api.client.get(api.url("conformance"), accept=ACCEPT_JSON)
        if ex.status != 200:
            raise NotTested(f"{ex.describe()} : déclaration indisponible (vérifié par OAPIF-CORE-007)")
        doc = ex.json()
        for err in schema_errors("confClasses", doc):
            rec.fail(f"schéma confClasses.yaml : {err}")
        conforms = doc.get("conformsTo") if isinstance(doc, dict) else None
        rec.require(isinstance(conforms, list), "pas de tableau conformsTo")
        assert isinstance(conforms, list)
        declared, notes = declared_classes([c for c in conforms if isinstance(c, str)])
        for note in notes:
            rec.note(note)
        rec.check(CORE in declared, f"{CORE} absent de conformsTo")
        for hint in _undeclared_class_hints(api, declared):
            rec.note(hint)
        rec.note("que la déclaration liste toutes les classes réellement implémentées reste à vérifier à la main")


def _undeclared_class_hints(api: OapifContext, declared: set[str]) -> list[str]:
    """Signs of a class the API seems to implement without declaring it (hints, not proof)."""
    landing = api.landing_json()
    hints = []
    html_links = find_links(landing, "alternate", "text/html") + find_links(landing, "self", "text/html")
    if HTML not in declared and html_links:
        hints.append(f"la page d'accueil est offerte en HTML mais {HTML} n'est pas déclarée : à vérifier")
    if OAS30 not in declared and find_links(landing, "service-desc", OPENAPI_JSON):
        hints.append(f"une définition OpenAPI 3.0 est liée mais {OAS30} n'est pas déclarée : à vérifier")
    return hints
