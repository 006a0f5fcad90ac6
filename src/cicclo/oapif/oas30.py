"""OGC API Features Part 1, OpenAPI 3.0 class: the checks, one function per abstract test, each running its
instances into a verdict (the Features suite declares them in suites/oapif/test_oas30.py, the Records suite
reuses them on record collections)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import urljoin

from openapi_spec_validator import OpenAPIV30SpecValidator

from cicclo.errors import NotTested
from cicclo.http import Exchange, attach_evidence
from cicclo.oapif.context import (
    ACCEPT_GEOJSON,
    ACCEPT_JSON,
    HTML,
    OPENAPI_JSON,
    CollectionRef,
    OapifContext,
    find_links,
    media_type,
)
from cicclo.oapif.openapi import (
    ApiDefinition,
    duplicate_operation_ids,
    load_definition,
    paths_by_shape,
    schema_path,
)
from cicclo.verdict import InstanceRecorder, Verdict

UNKNOWN_FEATURE_ID = "cicclo-entite-inexistante-000"
INVALID_LIMIT = "unlimited"
MAX_IMPL_REQUESTS = 60
MAX_SPEC_ERRORS = 10
OPENAPI_JSON_TYPE = "application/vnd.oai.openapi+json"

Fetch = Callable[[], Exchange]


def _note_unresolved(definition: ApiDefinition, verdict: Verdict) -> None:
    if definition.unresolved:
        verdict.note("références externes non fournies hors ligne, non vérifiées : "
                     + ", ".join(sorted(definition.unresolved)))


def _is_described(status: int | None, documented: set[str]) -> bool:
    """True when the responses object covers ``status`` (exact code, range such as 4XX, or default)."""
    code = str(status)
    return code in documented or f"{code[0]}XX" in documented or "default" in documented


def _unknown_feature(api: OapifContext, coll: CollectionRef) -> Exchange:
    return api.client.get(api.feature_url(coll, UNKNOWN_FEATURE_ID), accept=ACCEPT_GEOJSON)


def _invalid_limit(api: OapifContext, coll: CollectionRef) -> Exchange:
    return api.client.get(api.items_url(coll), accept=ACCEPT_GEOJSON, params={"limit": INVALID_LIMIT})


def _first_feature(api: OapifContext, coll: CollectionRef) -> Exchange:
    ids = api.sample_feature_ids(coll)[:1]
    if not ids:
        raise NotTested("aucune entité dans la collection : pas de ressource entité à observer")
    return api.client.get(api.feature_url(coll, ids[0]), accept=ACCEPT_GEOJSON)


def _observed_resources(api: OapifContext, collections: list[CollectionRef]) -> list[tuple[str, Fetch]]:
    """Each kind of resource of the API, fetched as a client gets it (lazily, inside its instance)."""
    resources: list[tuple[str, Fetch]] = [
        ("page d'accueil", api.landing),
        ("/conformance", lambda: api.client.get(api.url("conformance"), accept=ACCEPT_JSON)),
        ("/collections", api.collections_exchange),
    ]
    for coll in collections:
        resources += [
            (f"/collections/{coll.id}", partial(api.collection_exchange, coll.id)),
            (f"/collections/{coll.id}/items", partial(_first_items, api, coll)),
            (f"/collections/{coll.id}/items/{{featureId}}", partial(_first_feature, api, coll)),
            (f"/collections/{coll.id}/items/{{featureId}} inconnue", partial(_unknown_feature, api, coll)),
        ]
    return resources


def _first_items(api: OapifContext, coll: CollectionRef) -> Exchange:
    return api.client.get(api.items_url(coll), accept=ACCEPT_GEOJSON, params={"limit": "2"})


def completeness(api: OapifContext, verdict: Verdict) -> None:
    """For each operation, the definition SHALL describe every status code and response object the API
    uses: each real response (success and unknown feature) is validated against the definition.

    Whether an error status code is described at all is OAPIF-OAS30-002's concern.
    """
    definition = load_definition(api)
    _note_unresolved(definition, verdict)
    for name, fetch in _observed_resources(api, api.collections(verdict)):
        with verdict.instance(name) as rec:
            ex = fetch()
            if ex.status is not None and ex.status >= 400:
                template, documented = definition.documented_statuses(ex.url)
                if not _is_described(ex.status, documented):
                    raise NotTested(f"{ex.describe()} : code d'erreur non décrit pour GET {template} "
                                    "(vérifié par OAPIF-OAS30-002)")
            for err in definition.response_errors(ex):
                rec.fail(f"{ex.describe()} : {err}")


def _response_object(definition: ApiDefinition, template: str, status: int | None) -> Any:
    responses = (definition.operation(template) or {}).get("responses") or {}
    code = str(status)
    return definition.resolve(responses.get(code) or responses.get(f"{code[0]}XX") or responses.get("default"))


def exceptions_codes(api: OapifContext, verdict: Verdict) -> None:
    """For each operation, the definition SHALL describe the HTTP status codes the API may generate: those
    returned for an invalid limit and an unknown feature are each described by a response object."""
    definition = load_definition(api)
    for coll in api.collections(verdict):
        for label, fetch in (("limit invalide", _invalid_limit), ("entité inconnue", _unknown_feature)):
            with verdict.instance(f"collection={coll.id} {label}") as rec:
                ex = fetch(api, coll)
                if ex.status is not None and ex.status < 400:
                    raise NotTested(f"{ex.describe()} : aucun code d'erreur renvoyé, rien à vérifier")
                template, documented = definition.documented_statuses(ex.url)
                rec.require(template, f"{ex.url} : aucun chemin de la définition ne correspond")
                rec.require(_is_described(ex.status, documented),
                            f"{ex.describe()} : le code {ex.status} n'est pas décrit pour GET {template} "
                            f"(décrits : {', '.join(sorted(documented)) or 'aucun'})")
                response = _response_object(definition, str(template), ex.status)
                rec.check(isinstance(response, dict) and isinstance(response.get("description"), str),
                          f"GET {template} : la réponse {ex.status} n'est pas un objet Response (description "
                          "obligatoire)")


def _is_openapi30_json(value: str | None) -> bool:
    """application/vnd.oai.openapi+json with version=3.0 among its parameters (case and spaces ignored)."""
    params = [p.strip().replace(" ", "").lower() for p in (value or "").split(";")[1:]]
    return media_type(value) == OPENAPI_JSON_TYPE and "version=3.0" in params


def _check_definition_link(api: OapifContext, rec: InstanceRecorder, link: dict[str, Any],
                           accept: str, served_ok: Callable[[str | None], bool], expected: str) -> None:
    url = urljoin(api.root, str(link.get("href", "")))
    if not api.client.is_target_url(url):
        raise NotTested(f"{url} est hors des hôtes de la cible : non contacté")
    ex = api.client.get(url, accept=accept)
    if ex.status != 200:
        raise NotTested(f"{ex.describe()} : lien sans réponse 200 (vérifié par OAPIF-CORE-005)")
    rec.check(served_ok(ex.content_type), f"{ex.describe()} : servi en {ex.content_type!r}, {expected} attendu")


def oas_definition_1(api: OapifContext, verdict: Verdict) -> None:
    """An OpenAPI 3.0 definition in JSON SHALL be available through rel=service-desc with the media type
    application/vnd.oai.openapi+json;version=3.0, and an HTML version through rel=service-doc (text/html)."""
    landing = api.landing_json()
    with verdict.instance("service-desc") as rec:
        links = [lk for lk in find_links(landing, "service-desc") if _is_openapi30_json(lk.get("type"))]
        rec.require(links, f"aucun lien rel=service-desc de type {OPENAPI_JSON}")
        _check_definition_link(api, rec, links[0], OPENAPI_JSON, _is_openapi30_json, OPENAPI_JSON)
    with verdict.instance("service-doc") as rec:
        links = find_links(landing, "service-doc", HTML)
        rec.require(links, f"aucun lien rel=service-doc de type {HTML}")
        _check_definition_link(api, rec, links[0], HTML, lambda ct: media_type(ct) == HTML, HTML)


def oas_definition_2(api: OapifContext, verdict: Verdict) -> None:
    """The JSON API definition SHALL conform to the OpenAPI Specification 3.0 (validated offline)."""
    definition = load_definition(api)
    _note_unresolved(definition, verdict)
    with verdict.instance("service-desc") as rec:
        version = str(definition.document.get("openapi", definition.document.get("swagger", "")))
        rec.require(re.fullmatch(r"3\.0\.\d+", version), f"version OpenAPI {version!r} : 3.0.x attendue")
        found = definition.offline.get("paths")
        paths: dict[str, Any] = found if isinstance(found, dict) else {}
        groups = paths_by_shape(paths)
        reduced = {**definition.offline, "paths": {p: paths[p] for p in groups}} if groups else definition.offline
        if len(groups) < len(paths):
            rec.note(f"{len(paths)} chemins, {len(groups)} formes distinctes : chaque forme est validée une "
                     "fois, sur son premier chemin")
        errors = [str(err).splitlines()[0] for err in OpenAPIV30SpecValidator(schema_path(reduced)).iter_errors()]
        errors += [f"operationId {op!r} n'est pas unique ({', '.join(uses)})"  # the validator saw the others
                   for op, uses in duplicate_operation_ids(paths).items()
                   if sum(use.partition(" ")[2] in groups for use in uses) < 2]
        for err in errors[:MAX_SPEC_ERRORS]:
            rec.fail(f"OpenAPI 3.0 : {err}")
        if len(errors) > MAX_SPEC_ERRORS:
            rec.fail(f"… et {len(errors) - MAX_SPEC_ERRORS} autres erreurs")


def _instantiate(template: str, collection_ids: list[str], feature_ids: dict[str, list[str]]) -> list[str] | None:
    """Concrete paths for a template: a variable after /collections/ takes each collection id, one after
    /items/ a real feature id of that collection; None when another kind of variable has no known value."""
    parts = template.strip("/").split("/")
    concrete: list[list[str]] = [[]]
    for i, part in enumerate(parts):
        if not re.fullmatch(r"\{[^}]+\}", part):
            concrete = [[*c, part] for c in concrete]
        elif i == 1 and parts[0] == "collections":
            concrete = [[*c, cid] for c in concrete for cid in collection_ids]
        elif i == 3 and parts[2] == "items":
            concrete = [[*c, fid] for c in concrete for fid in feature_ids.get(c[1], [])[:1]]
        else:
            return None
    return ["/" + "/".join(c) for c in concrete]


def _concrete_paths(definition: ApiDefinition, api: OapifContext, collections: list[CollectionRef],
                    verdict: Verdict) -> list[str]:
    """Every GET path of the definition, with its variables filled from the API's own data."""
    feature_ids = {c.id: [str(i) for i in verdict.attempt(f"collection={c.id}", partial(api.sample_feature_ids, c))
                          or []] for c in collections}
    paths: list[str] = []
    skipped: list[str] = []
    for template in definition.paths():
        if definition.operation(template) is None:
            continue
        concrete = _instantiate(template, [c.id for c in collections], feature_ids)
        if concrete is None:
            skipped.append(template)
        else:
            paths += concrete
    if skipped:
        verdict.note("chemins dont une variable n'a pas de valeur connue, non vérifiés : " + ", ".join(skipped))
    return list(dict.fromkeys(paths))


def oas_impl(api: OapifContext, verdict: Verdict) -> None:
    """Every path of the definition, composed with its first server URL and instantiated with the API's own
    collections and features, SHALL be implemented: GET answers with a success status the definition
    documents for it (a 404 or a server error on a path the definition declares means it is not
    implemented, even when the definition documents that code)."""
    definition = load_definition(api)
    if definition.composition_problem:
        with verdict.instance("servers") as rec:
            rec.fail(definition.composition_problem)
    paths = _concrete_paths(definition, api, api.collections(verdict), verdict)
    if len(paths) > MAX_IMPL_REQUESTS:
        verdict.note(f"budget : {MAX_IMPL_REQUESTS} chemins vérifiés sur {len(paths)}")
        paths = paths[:MAX_IMPL_REQUESTS]
    server = definition.server_url if api.client.is_target_url(definition.server_url) else api.root

    def check(path: str) -> None:
        with verdict.instance(path) as rec:
            ex = api.client.get(server.rstrip("/") + path, accept=ACCEPT_JSON)
            template, documented = definition.documented_statuses(ex.url)
            rec.check(ex.status is not None and ex.status < 400,
                      f"{ex.describe()} : GET {template} déclaré par la définition mais non implémenté "
                      "(succès attendu pour un chemin instancié avec les ressources de l'API)")
            rec.check(_is_described(ex.status, documented),
                      f"{ex.describe()} : code {ex.status} non décrit pour GET {template} "
                      f"(décrits : {', '.join(sorted(documented)) or 'aucun'})")

    list(api.client.parallel(check, paths))


def _operations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    paths = doc.get("paths")
    return [op for item in (paths.values() if isinstance(paths, dict) else []) if isinstance(item, dict)
            for op in item.values() if isinstance(op, dict)]


def _required_scheme_names(doc: dict[str, Any]) -> set[str]:
    """Names of the security schemes used by a Security Requirement (global or per operation)."""
    requirements = [*(doc.get("security") or []), *(r for op in _operations(doc) for r in op.get("security") or [])]
    return {name for r in requirements if isinstance(r, dict) for name in r}


def _matches_target_auth(scheme: dict[str, Any], auth: dict[str, str]) -> bool:
    """Whether a Security Scheme Object describes the authentication the target file declares."""
    if auth.get("type") == "bearer":
        return (scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer") or \
            scheme.get("type") in ("oauth2", "openIdConnect")
    where = "header" if auth.get("type") == "header" else "query"
    return scheme.get("type") == "apiKey" and scheme.get("in") == where and \
        str(scheme.get("name", "")).lower() == auth.get("name", "").lower()


def _observed_auth_refusal(api: OapifContext) -> Exchange | None:
    """A 401/403 of the API: one the run already recorded under its root, else the answer of the landing page,
    the conformance declaration or the collections (asked only when no refusal was recorded)."""
    seen = api.client.first_refusal(api.root)
    if seen is not None and seen.url.startswith(api.root):
        attach_evidence([seen.ref])
        return seen
    for ex in (api.landing(), api.client.get(api.url("conformance"), accept=ACCEPT_JSON), api.collections_exchange()):
        if ex.status in (401, 403):
            return ex
    return None


def security(api: OapifContext, verdict: Verdict) -> None:
    """Every authentication protocol the API supports SHALL be described by a Security Scheme Object and its
    use specified by a Security Requirement Object."""
    auth = api.run.target.auth
    refusal = _observed_auth_refusal(api)
    if not auth and refusal is None:
        raise NotTested("aucune authentification observée (ni 401/403, ni authentification déclarée dans le "
                        "fichier cible) : rien à vérifier")
    definition = load_definition(api)
    components = definition.document.get("components")
    schemes = (components.get("securitySchemes") if isinstance(components, dict) else None) or {}
    with verdict.instance("définition") as rec:
        if refusal is not None:
            rec.note(f"{refusal.describe()} : l'API exige une authentification")
        rec.require(isinstance(schemes, dict) and schemes,
                    "l'API exige une authentification mais components.securitySchemes est absent ou vide")
        used = _required_scheme_names(definition.document) & set(schemes)
        rec.check(used, "aucun objet Security Requirement n'utilise les schémas de sécurité déclarés")
        if auth:
            matching = {n for n, s in schemes.items() if isinstance(s, dict) and _matches_target_auth(s, auth)}
            rec.check(matching, f"aucun schéma de sécurité ne décrit l'authentification utilisée ({auth.get('type')})")
            rec.check(not matching or matching & used,
                      "le schéma décrivant l'authentification utilisée n'est exigé par aucune opération")
