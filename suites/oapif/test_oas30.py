"""OGC API Features Part 1, OpenAPI 3.0 class: the API definition and what the API really does."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from openapi_spec_validator import OpenAPIV30SpecValidator

from cicclo.declare import conformance
from cicclo.errors import NotTested
from cicclo.http import Exchange
from cicclo.oapif.context import (
    ACCEPT_GEOJSON,
    ACCEPT_JSON,
    HTML,
    OPENAPI_JSON,
    CollectionRef,
    OapifContext,
    find_links,
    media_type,
    same_media_type,
)
from cicclo.oapif.openapi import ApiDefinition, load_definition, schema_path
from cicclo.oapif.uris import OAS30, ats, req
from cicclo.verdict import Verdict

UNKNOWN_FEATURE_ID = "cicclo-entite-inexistante-000"
MAX_IMPL_REQUESTS = 60


def _note_unresolved(definition: ApiDefinition, verdict: Verdict) -> None:
    if definition.unresolved:
        verdict.note("références externes non disponibles hors ligne, non vérifiées : "
                     + ", ".join(sorted(definition.unresolved)))


def _documented_statuses(definition: ApiDefinition, url: str) -> tuple[str | None, set[str]]:
    template = definition.match_path(definition.relative_path(url))
    op = definition.operation(template) if template else None
    responses = op.get("responses") if op else None
    return template, set(map(str, responses)) if isinstance(responses, dict) else set()


Fetch = Callable[[], Exchange]


def _observed_resources(api: OapifContext, collections: list[CollectionRef]) -> list[tuple[str, Fetch]]:
    """Each kind of resource of the API, fetched as a client really gets it (lazily, inside its instance)."""
    resources: list[tuple[str, Fetch]] = [
        ("page d'accueil", api.landing),
        ("/conformance", lambda: api.client.get(api.url("conformance"), accept=ACCEPT_JSON)),
        ("/collections", api.collections_exchange),
    ]
    for coll in collections:
        resources.append((f"/collections/{coll.id}", lambda c=coll: api.collection_exchange(c.id)))
        resources.append((f"/collections/{coll.id}/items", lambda c=coll: api.client.get(
            api.items_url(c), accept=ACCEPT_GEOJSON, params={"limit": "2"})))
        resources.append((f"/collections/{coll.id}/items/{{featureId}}", lambda c=coll: _first_feature(api, c)))
    return resources


def _first_feature(api: OapifContext, coll: CollectionRef) -> Exchange:
    ids = api.sample_feature_ids(coll)[:1]
    if not ids:
        raise NotTested("aucune entité dans la collection")
    return api.client.get(api.feature_url(coll, ids[0]), accept=ACCEPT_GEOJSON)


@conformance(
    "OAPIF-OAS30-001",
    title="La définition OpenAPI décrit toutes les réponses réellement produites par l'API",
    requirements=[req("oas30/completeness")],
    abstract_test=ats("oas30/completeness"),
    applies_to=OAS30,
)
def test_completeness(api: OapifContext, verdict: Verdict) -> None:
    """The OpenAPI definition SHALL cover every status code and response the API really produces: each real
    response is validated against the definition (openapi-core, offline)."""
    definition = load_definition(api)
    _note_unresolved(definition, verdict)
    collections = api.collections(verdict)
    for name, fetch in _observed_resources(api, collections):
        with verdict.instance(name) as rec:
            ex = fetch()
            for err in definition.response_errors(ex):
                rec.fail(f"{ex.describe()} : {err}")


@conformance(
    "OAPIF-OAS30-002",
    title="La définition OpenAPI décrit les codes d'erreur que l'API renvoie",
    requirements=[req("oas30/exceptions-codes")],
    abstract_test=ats("oas30/exceptions-codes"),
    applies_to=OAS30,
)
def test_exceptions_codes(api: OapifContext, verdict: Verdict) -> None:
    """Every HTTP status code the API returns for an error (invalid parameter, unknown feature) SHALL be
    described in the definition for that operation (explicitly or by a default response)."""
    definition = load_definition(api)
    for coll in api.collections(verdict):
        cases = [("limit invalide", api.items_url(coll), {"limit": "unlimited"}),
                 ("entité inconnue", api.feature_url(coll, UNKNOWN_FEATURE_ID), None)]
        for label, url, params in cases:
            with verdict.instance(f"collection={coll.id} {label}") as rec:
                ex = api.client.get(url, accept=ACCEPT_GEOJSON, params=params)
                if ex.status is not None and ex.status < 400:
                    raise NotTested(f"{ex.describe()} : pas de code d'erreur à vérifier")
                template, documented = _documented_statuses(definition, ex.url)
                rec.require(template, f"{ex.url} : aucun chemin de la définition ne correspond")
                rec.check(str(ex.status) in documented or "default" in documented
                          or f"{str(ex.status)[0]}XX" in documented,
                          f"{ex.describe()} : le code {ex.status} n'est pas décrit pour GET {template} "
                          f"(décrits : {', '.join(sorted(documented)) or 'aucun'})")


@conformance(
    "OAPIF-OAS30-003",
    title="La définition OpenAPI 3.0 est liée en JSON (service-desc) et sa documentation en HTML (service-doc)",
    requirements=[req("oas30/oas-definition-1")],
    abstract_test=ats("oas30/oas-definition-1"),
    applies_to=OAS30,
)
def test_oas_definition_1(api: OapifContext, verdict: Verdict) -> None:
    """An OpenAPI 3.0 definition in JSON SHALL be available (service-desc, media type
    application/vnd.oai.openapi+json;version=3.0), and an HTML version (service-doc, text/html)."""
    landing = api.landing_json()
    for rel, expected in (("service-desc", OPENAPI_JSON), ("service-doc", HTML)):
        with verdict.instance(rel) as rec:
            links = [lk for lk in find_links(landing, rel) if same_media_type(lk.get("type"), expected)
                     or (expected == HTML and media_type(lk.get("type")) == HTML)]
            rec.require(links, f"aucun lien rel={rel} de type {expected}")
            url = urljoin(api.root, str(links[0].get("href", "")))
            if not api.client.is_target_url(url):
                raise NotTested(f"{url} est hors des hôtes de la cible : non contacté")
            ex = api.client.get(url, accept=expected)
            rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")
            ok = same_media_type(ex.content_type, expected) if expected == OPENAPI_JSON else ex.media_type == HTML
            rec.check(ok, f"{ex.describe()} : servi en {ex.content_type!r}, {expected} attendu")


@conformance(
    "OAPIF-OAS30-004",
    title="La définition de l'API est un document OpenAPI 3.0 valide",
    requirements=[req("oas30/oas-definition-2")],
    abstract_test=ats("oas30/oas-definition-2"),
    applies_to=OAS30,
)
def test_oas_definition_2(api: OapifContext, verdict: Verdict) -> None:
    """The JSON API definition SHALL conform to the OpenAPI Specification 3.0 (validated offline)."""
    definition = load_definition(api)
    _note_unresolved(definition, verdict)
    with verdict.instance("service-desc") as rec:
        version = str(definition.document.get("openapi", definition.document.get("swagger", "")))
        rec.require(re.match(r"^3\.0\.\d+$", version), f"version OpenAPI {version!r} : 3.0.x attendue")
        errors = list(OpenAPIV30SpecValidator(schema_path(definition.offline)).iter_errors())
        for err in errors[:10]:
            rec.fail(f"OpenAPI 3.0 : {str(err).splitlines()[0][:300]}")
        if len(errors) > 10:
            rec.fail(f"… et {len(errors) - 10} autres erreurs")


def _concrete_paths(definition: ApiDefinition, api: OapifContext, collections: list[CollectionRef],
                    verdict: Verdict) -> list[str]:
    """Every GET path of the definition, with its templates filled from the API's own data."""
    values: dict[str, list[str]] = {"collectionId": [c.id for c in collections]}
    concrete: list[str] = []
    for template in definition.paths():
        if definition.operation(template) is None:
            continue
        names = re.findall(r"\{([^}]+)\}", template)
        if not names:
            concrete.append(template)
        elif names == ["collectionId"]:
            concrete.extend(template.replace("{collectionId}", cid) for cid in values["collectionId"])
        elif names == ["collectionId", "featureId"]:
            for coll in collections:
                ids = (verdict.attempt(f"collection={coll.id}", lambda c=coll: api.sample_feature_ids(c)) or [])[:1]
                concrete.extend(template.replace("{collectionId}", coll.id).replace("{featureId}", str(i))
                                for i in ids)
        elif names == ["featureId"]:
            coll_id = template.split("/")[2] if template.startswith("/collections/") else None
            coll = next((c for c in collections if c.id == coll_id), None)
            ids = verdict.attempt(f"collection={coll.id}", lambda c=coll: api.sample_feature_ids(c)) if coll else None
            concrete.extend(template.replace("{featureId}", str(i)) for i in (ids or [])[:1])
    return concrete


@conformance(
    "OAPIF-OAS30-005",
    title="Chaque chemin de la définition OpenAPI se comporte comme elle le décrit",
    requirements=[req("oas30/oas-impl")],
    abstract_test=ats("oas30/oas-impl"),
    applies_to=OAS30,
)
def test_oas_impl(api: OapifContext, verdict: Verdict) -> None:
    """Every path of the definition, instantiated with the API's own collections and features, SHALL
    answer GET with a status code the definition documents for it."""
    definition = load_definition(api)
    paths = _concrete_paths(definition, api, api.collections(verdict), verdict)
    if len(paths) > MAX_IMPL_REQUESTS:
        verdict.note(f"budget : {MAX_IMPL_REQUESTS} chemins vérifiés sur {len(paths)}")
        paths = paths[:MAX_IMPL_REQUESTS]

    def check(path: str) -> None:
        with verdict.instance(path) as rec:
            url = api.root.rstrip("/") + path if not definition.base_path else urljoin(api.root, path.lstrip("/"))
            ex = api.client.get(url, accept=ACCEPT_JSON)
            template, documented = _documented_statuses(definition, ex.url)
            rec.check(str(ex.status) in documented or "default" in documented,
                      f"{ex.describe()} : code {ex.status} non décrit pour GET {template}")

    list(api.client.parallel(check, paths))


def _security(doc: dict[str, Any]) -> tuple[bool, bool]:
    schemes = (doc.get("components") or {}).get("securitySchemes")
    has_requirement = bool(doc.get("security")) or any(
        isinstance(op, dict) and op.get("security")
        for item in (doc.get("paths") or {}).values() if isinstance(item, dict) for op in item.values()
    )
    return bool(schemes), has_requirement


@conformance(
    "OAPIF-OAS30-006",
    title="Les mécanismes d'authentification utilisés sont déclarés dans la définition OpenAPI",
    requirements=[req("oas30/security")],
    abstract_test=ats("oas30/security"),
    applies_to=OAS30,
)
def test_security(api: OapifContext, verdict: Verdict) -> None:
    """Every authentication scheme the API uses SHALL be declared (Security Scheme Object and Security
    Requirement)."""
    definition = load_definition(api)
    with verdict.instance("définition") as rec:
        uses_auth = bool(api.run.target.auth) or api.landing().status in (401, 403)
        if not uses_auth:
            raise NotTested("aucune authentification observée ni déclarée par la cible : rien à vérifier")
        schemes, requirement = _security(definition.document)
        rec.check(schemes, "l'API exige une authentification mais components.securitySchemes est absent")
        rec.check(requirement, "aucune exigence de sécurité (security) dans la définition")
