"""OGC API Records Part 1: encodings (JSON catalogs, HTML), OpenAPI 3.0, autodiscovery and the searchable
catalog deployment.

HTML and OpenAPI are checked by the OGC API Features checks (``cicclo.oapif.html``, ``cicclo.oapif.oas30``, called
as functions), run on the Records API: the Records classes only add that the API (its record collections for
HTML) satisfies them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any
from urllib.parse import urljoin

from cicclo.declare import conformance
from cicclo.errors import CheckFailed, NotApplicable, NotTested, TransportError
from cicclo.oapif import html as oapif_html
from cicclo.oapif import oas30 as oapif_oas30
from cicclo.oapif.context import ACCEPT_JSON, CollectionRef, find_links, media_type
from cicclo.records.context import RecordsContext
from cicclo.records.schemas import schema_errors
from cicclo.records.uris import (
    AUTODISCOVERY,
    HTML,
    JSON,
    OAS30,
    QUERY_PARAMETERS,
    RECORD_COLLECTION,
    RECORD_CORE,
    RECORDS_API,
    SEARCHABLE,
    ats,
    req,
)
from cicclo.verdict import Verdict

CATALOG_JSON = "application/ogc-catalog+json"
ACCEPT_CATALOG = f"{CATALOG_JSON}, application/json;q=0.9"
OGC_CATALOG_REL = "http://www.opengis.net/def/rel/ogc/1.0/ogc-catalog"
# Core queryables named by the parameters of the 1.0 building block (type.yaml: "the type core queryable",
# externalId.yaml: "the externalId core queryable"); the 1.0 block spells it externalId, the ATS externalIds.
MANDATORY_QUERYABLES: tuple[tuple[str, ...], ...] = (("type",), ("externalIds", "externalId"))


class _RecordCollectionsView(RecordsContext):
    """The same Records endpoint (same state) as seen by the OGC API Features checks: its collections are the
    record collections."""

    def collections(self, note: Any = None) -> list[CollectionRef]:
        return self.record_collections(note)


def _view(api: RecordsContext) -> RecordsContext:
    view = object.__new__(_RecordCollectionsView)
    view.__dict__ = api.__dict__  # shares the client, caches and scans of the suite's context
    return view


def _catalog_exchange(api: RecordsContext, coll: CollectionRef) -> Any:
    return api.client.get(api.url(f"collections/{coll.id}"), accept=ACCEPT_CATALOG)


# -- JSON ---------------------------------------------------------------------------------------------


@conformance(
    "OAREC-052",
    title="Chaque catalogue en JSON est valide selon le schéma catalog.yaml",
    requirements=[req("json/catalog-content")],
    abstract_test=ats("json/catalog-content"),
    applies_to=JSON,
)
def test_catalog_json_content(api: RecordsContext, verdict: Verdict) -> None:
    """The JSON representation of each catalog (/collections/{catalogId}) SHALL validate against catalog.yaml
    (OGC API Records 1.0)."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            ex = _catalog_exchange(api, coll)
            if ex.status != 200 or "json" not in ex.media_type:
                raise NotTested(f"{ex.describe()} : pas de catalogue JSON à lire (vérifié par OAREC-053)")
            for err in schema_errors("catalog", ex.json()):
                rec.fail(f"schéma catalog.yaml : {err}")


@conformance(
    "OAREC-053",
    title="Un catalogue demandé en JSON est servi en application/ogc-catalog+json",
    requirements=[req("json/catalog-response")],
    abstract_test=ats("json/catalog-response"),
    applies_to=JSON,
)
def test_catalog_json_media_type(api: RecordsContext, verdict: Verdict) -> None:
    """A catalog requested in JSON SHALL answer 200 with Content-Type application/ogc-catalog+json (the abstract
    test); application/json, which the 1.0 OpenAPI building block (responses/Catalog.yaml) gives, is accepted
    with a note."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            ex = _catalog_exchange(api, coll)
            rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")
            rec.require(ex.media_type in (CATALOG_JSON, "application/json"),
                        f"Content-Type {ex.content_type!r} : {CATALOG_JSON} attendu")
            if ex.media_type != CATALOG_JSON:
                rec.note(f"servi en application/json (bloc OpenAPI 1.0) et non en {CATALOG_JSON} (test abstrait)")
            rec.check(isinstance(ex.json(), dict), "le corps n'est pas un objet JSON")


# -- HTML ---------------------------------------------------------------------------------------------


@conformance(
    "OAREC-055",
    title="Chaque ressource de l'API de fiches demandée en HTML est servie en text/html",
    requirements=[req("html/definition")],
    abstract_test=ats("html/definition"),
    applies_to=HTML,
)
def test_html_definition(api: RecordsContext, verdict: Verdict) -> None:
    """Every 200-response to a request for HTML SHALL be text/html: landing page, conformance, collections, a
    record collection, its records and one record (the OGC API Features HTML check, on record collections)."""
    oapif_html.html_definition(_view(api), verdict)


@conformance(
    "OAREC-056",
    title="Les pages HTML des fiches et catalogues sont des documents HTML5 lisibles, avec titre et liens",
    requirements=[req("html/content")],
    abstract_test=ats("html/content"),
    applies_to=HTML,
)
def test_html_content(api: RecordsContext, verdict: Verdict) -> None:
    """HTML responses (items page and record page included) SHALL be HTML5 documents carrying the content of
    the resource: they parse, have a title and links (the rest is checked by hand)."""
    oapif_html.html_content(_view(api), verdict)


# -- OpenAPI 3.0 --------------------------------------------------------------------------------------

OAS_COMMON: tuple[tuple[str, Callable[..., None]], ...] = (
    ("oas30/completeness", oapif_oas30.completeness),
    ("oas30/exceptions-codes", oapif_oas30.exceptions_codes),
    ("oas30/oas-definition-1", oapif_oas30.oas_definition_1),
    ("oas30/oas-definition-2", oapif_oas30.oas_definition_2),
    ("oas30/oas-impl", oapif_oas30.oas_impl),
    ("oas30/security", oapif_oas30.security),
)


def _fold(verdict: Verdict, label: str, check: Callable[[Verdict], None]) -> None:
    """Run one OGC API Features check into a verdict of its own, then keep its instances under ``label``."""
    sub = Verdict(verdict.declaration)
    try:
        check(sub)
    except (CheckFailed, NotTested, NotApplicable, TransportError) as exc:
        with verdict.instance(label):
            raise exc from None
        return
    for inst in sub.instances:
        with verdict._lock:
            verdict.instances.append(replace(inst, key=f"{label} : {inst.key}",
                                             evidence=[*sub.shared_evidence, *inst.evidence]))
    for note in sub.notes:
        verdict.note(f"{label} : {note}")


@conformance(
    "OAREC-057",
    title="La définition OpenAPI 3.0 de l'API de fiches satisfait la classe OpenAPI 3.0 d'OGC API Features",
    requirements=[req("oas30/oas-common")],
    abstract_test=ats("oas30/oas-common"),
    applies_to=OAS30,
)
def test_oas_common(api: RecordsContext, verdict: Verdict) -> None:
    """The API SHALL pass the OpenAPI 3.0 abstract tests of OGC API Features Part 1 (completeness,
    exceptions-codes, oas-definition-1 and 2, oas-impl, security); each is one group of instances here."""
    for label, check in OAS_COMMON:
        _fold(verdict, label, partial(check, api))


# -- autodiscovery ------------------------------------------------------------------------------------


@conformance(
    "OAREC-058",
    title="La page d'accueil annonce le catalogue par un lien ogc-catalog typé qui se résout dans ce type",
    requirements=[req("autodiscovery/links")],
    abstract_test=ats("autodiscovery/links"),
    applies_to=AUTODISCOVERY,
)
def test_autodiscovery_links(api: RecordsContext, verdict: Verdict) -> None:
    """The landing page SHALL answer 200 with at least one link rel=…/ogc-catalog having href and a valid
    media type; each such link SHALL resolve (200) in the media type it announces."""
    with verdict.instance("page d'accueil") as rec:
        ex = api.landing()
        rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")
        links = find_links(ex.json(), OGC_CATALOG_REL)
        rec.require(links, f"aucun lien rel={OGC_CATALOG_REL}")
    for k, lk in enumerate(links[:5]):
        with verdict.instance(f"lien ogc-catalog {k + 1} ({lk.get('type')})") as rec:
            mtype = media_type(lk.get("type"))
            rec.require(isinstance(lk.get("href"), str) and lk["href"], "lien sans href")
            rec.require(mtype.count("/") == 1 and all(mtype.split("/")),
                        f"type {lk.get('type')!r} : type de média valide attendu")
            url = urljoin(api.root, lk["href"])
            if not api.client.is_target_url(url):
                raise NotTested(f"{url} est hors des hôtes de la cible : non contacté")
            target = api.client.get(url, accept=str(lk["type"]))
            rec.require(target.status == 200, f"{target.describe()} : 200 attendu")
            rec.check(target.media_type == mtype, f"{target.describe()} : servi en {target.content_type!r}, "
                      f"{mtype} annoncé par le lien")


# -- searchable catalog -------------------------------------------------------------------------------


@conformance(
    "OAREC-060",
    title="Un catalogue interrogeable déclare les blocs records-api, record-core, record-collection et "
          "paramètres de requête",
    requirements=[req("searchable-catalog")],
    abstract_test=ats("searchable-catalog/building-blocks"),
    applies_to=SEARCHABLE,
)
def test_searchable_building_blocks(api: RecordsContext, verdict: Verdict) -> None:
    """A searchable catalog SHALL conform to records-api, record-core, record-collection and
    record-core-query-parameters: /conformance SHALL declare them (their tests, OAREC-001 to 039, show the
    conformance itself)."""
    with verdict.instance("/conformance") as rec:
        declared, notes = api.declared_classes()
        for note in notes:
            rec.note(note)
        for block in (RECORDS_API, RECORD_CORE, RECORD_COLLECTION, QUERY_PARAMETERS):
            rec.check(block in declared, f"classe {block} non déclarée alors que searchable-catalog l'est")
        rec.note("la conformance à chaque bloc est établie par ses propres tests (OAREC-001 à OAREC-039)")


@conformance(
    "OAREC-061",
    title="Chaque catalogue interrogeable publie ses requêtables (GET …/queryables) dont les requêtables de base",
    requirements=[req("searchable-catalog/mandatory-queryables")],
    abstract_test=ats("searchable-catalog/mandatory-queryables"),
    applies_to=SEARCHABLE,
)
def test_searchable_queryables(api: RecordsContext, verdict: Verdict) -> None:
    """GET /collections/{catalogId}/queryables SHALL answer 200 with a JSON Schema object (type « object »)
    whose properties include the core queryables named by the query parameters: type and externalIds."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            ex = api.client.get(api.url(f"collections/{coll.id}/queryables"),
                                accept=f"application/schema+json, {ACCEPT_JSON};q=0.9")
            rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")
            doc = ex.json()
            rec.require(isinstance(doc, dict), "pas un objet JSON")
            rec.check(doc.get("type") == "object", f"type={doc.get('type')!r} au lieu de « object »")
            props = doc.get("properties") if isinstance(doc.get("properties"), dict) else {}
            rec.require(props, "pas d'objet properties listant les requêtables")
            for names in MANDATORY_QUERYABLES:
                rec.check(any(n in props for n in names), f"requêtable de base {names[0]} absent "
                          f"(requêtables : {sorted(props)[:12]})")


@conformance(
    "OAREC-062",
    title="Chaque catalogue interrogeable porte les propriétés obligatoires d'un catalogue",
    requirements=[req("searchable-catalog/mandatory-catalog-properties")],
    abstract_test=ats("searchable-catalog/mandatory-catalog-properties"),
    applies_to=SEARCHABLE,
)
def test_searchable_catalog_properties(api: RecordsContext, verdict: Verdict) -> None:
    """Each catalog description (/collections/{catalogId}, itemType « record ») SHALL hold the mandatory
    properties: id, type « Collection », title, itemType, links (collection.yaml)."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            doc = api.precondition_json(api.collection_exchange(coll.id), f"collection {coll.id}")
            rec.check(doc.get("id") == coll.id, f"id={doc.get('id')!r} au lieu de {coll.id!r}")
            rec.check(doc.get("type") == "Collection", f"type={doc.get('type')!r} au lieu de « Collection »")
            rec.check(isinstance(doc.get("title"), str) and doc["title"].strip(), "pas de titre (title)")
            rec.check(doc.get("itemType") == "record", f"itemType={doc.get('itemType')!r} au lieu de « record »")
            rec.check(isinstance(doc.get("links"), list), "pas de tableau links")
            for err in schema_errors("collection", doc, limit=3):
                rec.fail(f"schéma collection.yaml : {err}")
