"""OGC API – Records Part 1: the API (landing page, record collections) and the records themselves."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urljoin

from cicclo.declare import conformance
from cicclo.errors import NotTested
from cicclo.oapif.context import ACCEPT_GEOJSON, ACCEPT_JSON, CollectionRef, find_links, links_of, media_type
from cicclo.records.context import RecordsContext
from cicclo.records.schemas import schema_errors
from cicclo.records.uris import JSON, RECORD_COLLECTION, RECORD_CORE, RECORDS_API, SEARCHABLE, ats, req
from cicclo.verdict import InstanceRecorder, Verdict

UNKNOWN_RECORD = "cicclo-fiche-inexistante-4b1d"
FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
ACCEPT_CATALOG = "application/ogc-catalog+json, application/json;q=0.9"
CATALOG_MEDIA_TYPES = ("application/ogc-catalog+json", "application/json")
MAX_LINKS = 5
# a link template as the Link-Template header carries it: <template> followed by parameters (RFC 8288 syntax)
LINK_TEMPLATE_ENTRY = re.compile(r'^\s*<[^<>]+>(\s*;\s*[!#$%&\'*+.^_`|~0-9A-Za-z-]+\s*=\s*("[^"]*"|[^;,\s]+))*\s*$')


def _sample(api: RecordsContext, coll: CollectionRef, verdict: Verdict) -> list[dict[str, Any]]:
    """Records of a collection for one-by-one requests, spread over the collection (max_features)."""
    records = [r for r in api.record_scan(coll).records if isinstance(r.get("id"), str | int)]
    limit = api.budgets.max_features
    if len(records) > limit:
        step = len(records) / limit
        verdict.note(f"échantillon : {limit} fiches sur {len(records)} par collection (--max-features)")
        records = [records[int(k * step)] for k in range(limit)]
    return records


def _scan_records(api: RecordsContext, coll: CollectionRef, rec: Any) -> list[dict[str, Any]]:
    scan = api.record_scan(coll)
    if not scan.walk.complete:
        rec.note(f"parcours incomplet ({scan.walk.cut_reason or 'page en erreur'}) : "
                 f"{len(scan.walk.features)} fiches lues")
    if scan.cut:
        rec.note(scan.cut)
    if not scan.records:
        raise NotTested("la collection ne renvoie aucune fiche")
    return scan.records


@conformance(
    "OAREC-001",
    title="L'API de fiches est une API OGC Features : page d'accueil, conformité et collections",
    requirements=[req("records-api/features-api")],
    abstract_test=ats("records-api/features-api"),
    applies_to=RECORDS_API,
)
def test_features_api(api: RecordsContext, verdict: Verdict) -> None:
    """The landing page SHALL answer 200 with a valid document (landingPage.yaml) linking the conformance
    declaration and the collections; /conformance and /collections SHALL answer 200 with JSON."""
    with verdict.instance("/") as rec:
        ex = api.landing()
        rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")
        doc = ex.json()
        for err in schema_errors("landingPage", doc):
            rec.fail(f"schéma landingPage.yaml : {err}")
        rels = {lk.get("rel") for lk in links_of(doc)}
        rec.check("conformance" in rels or "http://www.opengis.net/def/rel/ogc/1.0/conformance" in rels,
                  "aucun lien vers la déclaration de conformité")
        rec.check("data" in rels or "http://www.opengis.net/def/rel/ogc/1.0/data" in rels,
                  "aucun lien rel=data vers /collections")
    for path in ("conformance", "collections"):
        with verdict.instance(f"/{path}") as rec:
            ex = api.client.get(api.url(path), accept=ACCEPT_JSON)
            rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")
            rec.check(isinstance(ex.json(), dict), "pas un objet JSON")


@conformance(
    "OAREC-002",
    title="Chaque collection de fiches répond à GET …/items par 200 avec des fiches",
    requirements=[req("records-api/records-op")],
    abstract_test=ats("records-api/records-op"),
    applies_to=RECORDS_API,
)
def test_records_op(api: RecordsContext, verdict: Verdict) -> None:
    """GET /collections/{catalogId}/items SHALL answer 200 with a FeatureCollection of records."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            ex = api.client.get(api.items_url(coll), accept=ACCEPT_GEOJSON)
            rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")
            doc = ex.json()
            rec.check(isinstance(doc, dict) and doc.get("type") == "FeatureCollection",
                      "type « FeatureCollection » attendu")
            rec.check(isinstance(doc, dict) and isinstance(doc.get("features"), list), "pas de tableau features")


@conformance(
    "OAREC-003",
    title="Chaque fiche répond à GET …/items/{recordId} par 200, une fiche inconnue par 404",
    requirements=[req("records-api/record-op"), req("records-api/record-response")],
    abstract_test=ats("records-api/record-op"),
    applies_to=RECORDS_API,
)
def test_record_op(api: RecordsContext, verdict: Verdict) -> None:
    """GET /collections/{catalogId}/items/{recordId} SHALL answer 200 with the record of that id (same id as in
    the collection); an unknown id SHALL answer 404."""
    for coll in api.record_collections(verdict):
        for record in _sample(api, coll, verdict):
            with verdict.instance(f"collection={coll.id} fiche={record['id']}") as rec:
                ex = api.client.get(api.record_url(coll, record["id"]), accept=ACCEPT_GEOJSON)
                rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")
                doc = ex.json()
                rec.check(isinstance(doc, dict) and str(doc.get("id")) == str(record["id"]),
                          f"id {doc.get('id') if isinstance(doc, dict) else None!r} au lieu de {record['id']!r}")
        with verdict.instance(f"collection={coll.id} fiche inconnue") as rec:
            ex = api.client.get(api.record_url(coll, UNKNOWN_RECORD), accept=ACCEPT_GEOJSON)
            rec.check(ex.status == 404, f"{ex.describe()} : 404 attendu")


@conformance(
    "OAREC-010",
    title="Chaque collection de fiches porte les propriétés obligatoires (schéma collection.yaml)",
    requirements=[req("record-collection/mandatory-properties-collection")],
    abstract_test=ats("record-collection/mandatory-properties-collection"),
    applies_to=RECORD_COLLECTION,
)
def test_collection_mandatory_properties(api: RecordsContext, verdict: Verdict) -> None:
    """/collections/{catalogId} SHALL hold the mandatory catalog properties: it validates against the Records
    collection.yaml schema (id, type « Collection », links...) and has a title."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            doc = api.precondition_json(api.collection_exchange(coll.id), f"collection {coll.id}")
            for err in schema_errors("collection", doc):
                rec.fail(f"schéma collection.yaml : {err}")
            rec.check(isinstance(doc.get("title"), str) and doc["title"].strip(), "pas de titre (title)")


@conformance(
    "OAREC-011",
    title="Le type d'élément d'une collection de fiches est « record »",
    requirements=[req("record-collection/itemType")],
    abstract_test=ats("record-collection/itemType"),
    applies_to=RECORD_COLLECTION,
)
def test_collection_item_type(api: RecordsContext, verdict: Verdict) -> None:
    """A collection of records SHALL say itemType « record », in /collections and in its own document."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            doc = api.precondition_json(api.collection_exchange(coll.id), f"collection {coll.id}")
            rec.check(doc.get("itemType") == coll.entry.get("itemType"),
                      f"itemType {doc.get('itemType')!r} au lieu de {coll.entry.get('itemType')!r} (/collections)")


@conformance(
    "OAREC-012",
    title="Une collection de fiches porte des liens self et items, chacun avec rel, type et href",
    requirements=[req("record-collection/links"), req("record-collection/links-records")],
    abstract_test=ats("record-collection/links"),
    applies_to=RECORD_COLLECTION,
)
def test_collection_links(api: RecordsContext, verdict: Verdict) -> None:
    """A catalog SHALL link itself (self) and its records (items); every link SHALL have href and rel."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            doc = api.precondition_json(api.collection_exchange(coll.id), f"collection {coll.id}")
            links = links_of(doc)
            rels = {lk.get("rel") for lk in links}
            rec.check("self" in rels, "aucun lien rel=self")
            rec.check("items" in rels, "aucun lien rel=items vers les fiches")
            for lk in links:
                rec.check(isinstance(lk.get("href"), str) and lk["href"], f"lien {lk.get('rel')} sans href")
                rec.check(isinstance(lk.get("rel"), str) and lk["rel"], f"lien {lk.get('href')} sans rel")


def _linked_catalogs(api: RecordsContext, rec: InstanceRecorder, doc: dict[str, Any], rel: str,
                     must_be_catalog: bool) -> None:
    """Follow the JSON links ``rel`` of a catalog: each SHALL answer 200; the content SHALL be a valid catalog
    object (catalog.yaml) when ``must_be_catalog``, otherwise when its media type or its type says it is one."""
    links = [lk for lk in find_links(doc, rel) if isinstance(lk.get("href"), str)
             and (not lk.get("type") or "json" in media_type(lk.get("type")))]
    if not links:
        raise NotTested(f"aucun lien rel={rel} en JSON dans le document du catalogue : rien à vérifier")
    if len(links) > MAX_LINKS:
        rec.note(f"{MAX_LINKS} liens rel={rel} suivis sur {len(links)}")
    followed = 0
    for lk in links[:MAX_LINKS]:
        url = urljoin(api.root, lk["href"])
        if not api.client.is_target_url(url):
            rec.note(f"{url} est hors des hôtes de la cible : non contacté")
            continue
        followed += 1
        ex = api.client.get(url, accept=ACCEPT_CATALOG)
        if not rec.check(ex.status == 200, f"lien rel={rel} {ex.describe()} : 200 attendu"):
            continue
        target = ex.json() if "json" in ex.media_type else None
        is_catalog = ex.media_type == "application/ogc-catalog+json" or (
            isinstance(target, dict) and target.get("type") == "Collection")
        if must_be_catalog and not rec.check(isinstance(target, dict), f"lien rel={rel} {ex.url} : servi en "
                                             f"{ex.content_type!r}, pas un objet catalogue JSON"):
            continue
        if must_be_catalog or is_catalog:
            for err in schema_errors("catalog", target, limit=3):
                rec.fail(f"lien rel={rel} {ex.url} : schéma catalog.yaml : {err}")
    if not followed:
        raise NotTested(f"aucun lien rel={rel} vers un hôte de la cible")


def _catalog_links_test(api: RecordsContext, verdict: Verdict, rel: str, must_be_catalog: bool) -> None:
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            doc = api.precondition_json(api.collection_exchange(coll.id), f"collection {coll.id}")
            _linked_catalogs(api, rec, doc, rel, must_be_catalog)


@conformance(
    "OAREC-013",
    title="Les liens child d'un catalogue mènent à des catalogues valides",
    requirements=[req("record-collection/links-catalog-hierarchy")],
    abstract_test=ats("record-collection/links-catalog-hierarchy"),
    applies_to=RECORD_COLLECTION,
)
def test_links_catalog_hierarchy(api: RecordsContext, verdict: Verdict) -> None:
    """Each link rel=child of a catalog SHALL resolve (200) to a catalog object valid against catalog.yaml."""
    _catalog_links_test(api, verdict, "child", must_be_catalog=True)


@conformance(
    "OAREC-014",
    title="Les liens related d'un catalogue se résolvent et, s'ils désignent un catalogue, il est valide",
    requirements=[req("record-collection/links-catalog-related")],
    abstract_test=ats("record-collection/links-catalog-related"),
    applies_to=RECORD_COLLECTION,
)
def test_links_catalog_related(api: RecordsContext, verdict: Verdict) -> None:
    """Each JSON link rel=related of a catalog SHALL resolve (200); when the content is a catalog (media type
    application/ogc-catalog+json or type « Collection ») it SHALL be valid against catalog.yaml."""
    _catalog_links_test(api, verdict, "related", must_be_catalog=False)


@conformance(
    "OAREC-015",
    title="Les liens next d'un catalogue (série de catalogues) se résolvent vers des catalogues valides",
    requirements=[req("record-collection/links-catalog-series")],
    abstract_test=ats("record-collection/links-catalog-series"),
    applies_to=RECORD_COLLECTION,
)
def test_links_catalog_series(api: RecordsContext, verdict: Verdict) -> None:
    """Each JSON link rel=next of a catalog object SHALL resolve (200); when the content is a catalog it SHALL
    be valid against catalog.yaml."""
    _catalog_links_test(api, verdict, "next", must_be_catalog=False)


@conformance(
    "OAREC-016",
    title="Le tableau des fiches en ligne porte le nom annoncé par recordsArrayName",
    requirements=[req("record-collection/records-array-name")],
    abstract_test=ats("record-collection/records-array-name"),
    applies_to=RECORD_COLLECTION,
)
def test_records_array_name(api: RecordsContext, verdict: Verdict) -> None:
    """When a catalog gives recordsArrayName, it SHALL be a string naming a member of the catalog object that
    is an array; without it, an in-line records member SHALL be an array."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            doc = api.precondition_json(api.collection_exchange(coll.id), f"collection {coll.id}")
            if "recordsArrayName" not in doc and "records" not in doc:
                raise NotTested("ni recordsArrayName ni tableau records en ligne : rien à vérifier")
            name = doc.get("recordsArrayName", "records")
            rec.require(isinstance(name, str) and name, f"recordsArrayName={name!r} : chaîne non vide attendue")
            rec.require(name in doc, f"recordsArrayName={name!r} mais le catalogue n'a pas de membre {name!r}")
            rec.check(isinstance(doc[name], list), f"le membre {name!r} (recordsArrayName) n'est pas un tableau "
                      f"({type(doc[name]).__name__})")


@conformance(
    "OAREC-020",
    title="Chaque fiche porte les propriétés obligatoires (id non vide, type Feature, géométrie, titre, type)",
    requirements=[req("record-core/mandatory-properties-record")],
    abstract_test=ats("record-core/mandatory-properties-record"),
    applies_to=RECORD_CORE,
)
def test_record_mandatory_properties(api: RecordsContext, verdict: Verdict) -> None:
    """Every record SHALL have a non-empty string id, type « Feature », a geometry member (possibly null) and
    properties with a title and a resource type. Every record of every collection is read (max_records)."""
    _check_mandatory_record_properties(api, verdict)


def _check_mandatory_record_properties(api: RecordsContext, verdict: Verdict) -> None:
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            bad: dict[str, list[str]] = {}
            for record in _scan_records(api, coll, rec):
                rid = str(record.get("id"))
                props = record.get("properties") if isinstance(record.get("properties"), dict) else None
                problems = [
                    ("id vide ou non textuel", not (isinstance(record.get("id"), str) and record["id"].strip())),
                    ("type différent de « Feature »", record.get("type") != "Feature"),
                    ("membre geometry absent", "geometry" not in record),
                    ("objet properties absent", props is None),
                    ("properties.title absent", props is not None and not isinstance(props.get("title"), str)),
                    ("properties.type absent", props is not None and not isinstance(props.get("type"), str)),
                ]
                for label, failed in problems:
                    if failed:
                        bad.setdefault(label, []).append(rid)
            for label, ids in bad.items():
                rec.fail(f"{len(ids)} fiches : {label} (ex. {ids[:5]})")


def _time_problems(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, dict):
        return [f"time={value!r} n'est pas un objet (date, timestamp ou interval attendus)"]
    problems = []
    if "date" in value and not (isinstance(value["date"], str) and FULL_DATE.match(value["date"])):
        problems.append(f"time.date={value['date']!r} : full-date RFC 3339 attendu")
    if "timestamp" in value and not (isinstance(value["timestamp"], str) and DATE_TIME.match(value["timestamp"])):
        problems.append(f"time.timestamp={value['timestamp']!r} : date-time RFC 3339 attendu")
    if "interval" in value:
        interval = value["interval"]
        if not (isinstance(interval, list) and len(interval) == 2):
            problems.append(f"time.interval={interval!r} : deux bornes attendues")
        else:
            for bound in interval:
                if not (bound == ".." or bound is None or (isinstance(bound, str) and (
                        FULL_DATE.match(bound) or DATE_TIME.match(bound)))):
                    problems.append(f"time.interval : borne {bound!r} invalide")
            if all(isinstance(b, str) and b != ".." for b in interval) and _start(interval[0]) > _start(interval[1]):
                problems.append(f"time.interval={interval} : début postérieur à la fin")
    return problems


def _start(value: str) -> dt.datetime:
    text = value.replace("z", "Z").replace("Z", "+00:00")
    parsed = dt.datetime.fromisoformat(text if len(text) > 10 else text + "T00:00:00+00:00")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


@conformance(
    "OAREC-021",
    title="Le membre time des fiches est un objet date / timestamp / interval conforme à RFC 3339",
    requirements=[req("record-core/time-instant"), req("record-core/time-interval"),
                  req("record-core/time-zone")],
    abstract_test=ats("record-core/time-instant"),
    applies_to=RECORD_CORE,
)
def test_record_time(api: RecordsContext, verdict: Verdict) -> None:
    """When a record has a ``time`` member it SHALL be null or an object whose ``date`` is an RFC 3339
    full-date, ``timestamp`` an RFC 3339 date-time with its offset, and ``interval`` two such bounds (or
    '..'), in order."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            records = [r for r in _scan_records(api, coll, rec) if "time" in r]
            if not records:
                raise NotTested("aucune fiche ne porte de membre time")
            bad = [(str(r.get("id")), p) for r in records for p in _time_problems(r.get("time"))]
            for rid, problem in bad[:5]:
                rec.fail(f"fiche {rid} : {problem}")
            if len(bad) > 5:
                rec.fail(f"… {len(bad)} problèmes en tout sur {len(records)} fiches")


@conformance(
    "OAREC-022",
    title="Les liens des fiches ont href et rel",
    requirements=[req("record-core/links")],
    abstract_test=ats("record-core/links"),
    applies_to=RECORD_CORE,
)
def test_record_links(api: RecordsContext, verdict: Verdict) -> None:
    """Each link of a record SHALL have href and rel; when a link gives a type, it SHALL be a media type."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            bad = []
            for record in _scan_records(api, coll, rec):
                for lk in links_of(record):
                    if not (isinstance(lk.get("href"), str) and lk["href"] and isinstance(lk.get("rel"), str)
                            and lk["rel"]):
                        bad.append(f"{record.get('id')} : {lk}")
                    elif "type" in lk and "/" not in media_type(lk.get("type")):
                        bad.append(f"{record.get('id')} : type {lk.get('type')!r}")
            rec.check(not bad, f"{len(bad)} liens incomplets (ex. {bad[:3]})")


def _templates(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    found = []
    for record in records:
        templates = record.get("linkTemplates")
        if templates is not None:
            for tpl in templates if isinstance(templates, list) else [templates]:
                found.append((str(record.get("id")), tpl))
    return found


@conformance(
    "OAREC-023",
    title="Les liens paramétrés (linkTemplates) des fiches ont un uriTemplate, et varBase / variables bien formés",
    requirements=[req("record-core/templated-link")],
    abstract_test=ats("record-core/templated-link"),
    applies_to=RECORD_CORE,
)
def test_record_templated_links(api: RecordsContext, verdict: Verdict) -> None:
    """Each link template of a record SHALL be an object with a non-empty uriTemplate string and a rel; an
    optional varBase SHALL be a string, optional variables an object (one JSON Schema per variable)."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            found = _templates(_scan_records(api, coll, rec))
            if not found:
                raise NotTested("aucune fiche ne porte de linkTemplates : rien à vérifier")
            bad = []
            for rid, tpl in found:
                if not isinstance(tpl, dict):
                    bad.append(f"{rid} : {tpl!r} n'est pas un objet")
                    continue
                if not (isinstance(tpl.get("uriTemplate"), str) and tpl["uriTemplate"].strip()):
                    bad.append(f"{rid} : uriTemplate absent ou vide")
                if not (isinstance(tpl.get("rel"), str) and tpl["rel"]):
                    bad.append(f"{rid} : rel absent")
                if "varBase" in tpl and not isinstance(tpl["varBase"], str):
                    bad.append(f"{rid} : varBase={tpl['varBase']!r} n'est pas une chaîne")
                variables = tpl.get("variables")
                if "variables" in tpl and not (isinstance(variables, dict)
                                               and all(isinstance(v, dict) for v in variables.values())):
                    bad.append(f"{rid} : variables={variables!r} n'est pas un objet de schémas")
            rec.check(not bad, f"{len(bad)} liens paramétrés mal formés sur {len(found)} (ex. {bad[:3]})")


@conformance(
    "OAREC-024",
    title="Une fiche portant des liens paramétrés les annonce dans l'en-tête HTTP Link-Template",
    requirements=[req("record-core/templated-link-header")],
    abstract_test=ats("record-core/templated-link-header"),
    applies_to=RECORD_CORE,
)
def test_record_templated_link_header(api: RecordsContext, verdict: Verdict) -> None:
    """GET on a record with link templates SHALL return a Link-Template header whose entries are encoded as the
    IETF link-template draft says: <template> followed by parameters, including rel."""
    for coll in api.record_collections(verdict):
        rids = sorted({rid for rid, _ in _templates(api.record_scan(coll).records)})
        if not rids:
            with verdict.instance(f"collection={coll.id}"):
                raise NotTested("aucune fiche ne porte de linkTemplates : rien à vérifier")
        for rid in rids[:3]:
            with verdict.instance(f"collection={coll.id} fiche={rid}") as rec:
                ex = api.client.get(api.record_url(coll, rid), accept=ACCEPT_GEOJSON)
                if ex.status != 200:
                    raise NotTested(f"{ex.describe()} : fiche illisible (vérifié par OAREC-003)")
                header = ex.headers.get("link-template")
                rec.require(header, f"{ex.describe()} : pas d'en-tête Link-Template alors que la fiche porte "
                            "des linkTemplates")
                entries = [e for e in re.split(r",(?=\s*<)", header) if e.strip()]
                for entry in entries:
                    rec.check(LINK_TEMPLATE_ENTRY.match(entry), f"entrée Link-Template mal encodée : {entry[:200]!r}")
                    rec.check(re.search(r";\s*rel\s*=", entry), f"entrée Link-Template sans rel : {entry[:200]!r}")


def _timestamps(time: Any) -> list[str]:
    """The date-time values of a time member (timestamp, date-time interval bounds, or a bare string)."""
    if isinstance(time, str):
        return [time] if "T" in time.upper() else []
    if not isinstance(time, dict):
        return []
    values = [time["timestamp"]] if isinstance(time.get("timestamp"), str) else []
    interval = time.get("interval")
    if isinstance(interval, list):
        values += [b for b in interval if isinstance(b, str) and "T" in b.upper()]
    return values


@conformance(
    "OAREC-025",
    title="Les horodatages du membre time des fiches sont en UTC (« Z »)",
    requirements=[req("record-core/time-zone")],
    abstract_test=ats("record-core/time-zone"),
    applies_to=RECORD_CORE,
)
def test_record_time_zone(api: RecordsContext, verdict: Verdict) -> None:
    """Every timestamp in the time member of a record (timestamp, date-time interval bounds) SHALL use the UTC
    designator « Z » as time zone. A time member given as a bare date-time string is judged too (its shape is
    OAREC-021's concern)."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            stamps = [(str(r.get("id")), t) for r in _scan_records(api, coll, rec) for t in _timestamps(r.get("time"))]
            if not stamps:
                raise NotTested("aucun horodatage dans le membre time des fiches : rien à vérifier")
            bad = [(rid, t) for rid, t in stamps if not re.search(r"[Zz]$", t.strip())]
            rec.check(not bad, f"{len(bad)} horodatages sur {len(stamps)} sans « Z » (UTC) : "
                      + ", ".join(f"fiche {rid} : {t!r}" for rid, t in bad[:4]))


def _on_day(day: str, stamp: str) -> bool:
    return _start(stamp).astimezone(dt.UTC).date().isoformat() == day or stamp[:10] == day


def _instant_interval_problems(time: dict[str, Any]) -> list[str]:
    """Inconsistencies between the date, timestamp and interval members of one time object."""
    problems = []
    date, stamp, interval = time.get("date"), time.get("timestamp"), time.get("interval")
    date = date if isinstance(date, str) and FULL_DATE.match(date) else None
    stamp = stamp if isinstance(stamp, str) and DATE_TIME.match(stamp) else None
    bounds = interval if isinstance(interval, list) and len(interval) == 2 and all(
        b is None or b == ".." or (isinstance(b, str) and (FULL_DATE.match(b) or DATE_TIME.match(b)))
        for b in interval) else None
    if date and stamp and not _on_day(date, stamp):
        problems.append(f"date {date} et timestamp {stamp} ne désignent pas le même jour")
    if bounds:
        lo = _start(bounds[0]) if isinstance(bounds[0], str) and bounds[0] != ".." else None
        hi = bounds[1] if isinstance(bounds[1], str) and bounds[1] != ".." else None
        hi_end = (_start(hi) + dt.timedelta(days=1) - dt.timedelta(microseconds=1)) if hi and len(hi) == 10 \
            else (_start(hi) if hi else None)
        for label, value in (("timestamp", stamp), ("date", date)):
            if not value:
                continue
            first = _start(value)
            last = first + dt.timedelta(days=1) - dt.timedelta(microseconds=1) if len(value) == 10 else first
            if (lo and last < lo) or (hi_end and first > hi_end):
                problems.append(f"{label} {value} hors de l'intervalle {bounds}")
    return problems


@conformance(
    "OAREC-026",
    title="Dans un même membre time, date, timestamp et interval sont cohérents",
    requirements=[req("record-core/time-instant-interval")],
    abstract_test=ats("record-core/time-instant-interval"),
    applies_to=RECORD_CORE,
)
def test_record_time_instant_interval(api: RecordsContext, verdict: Verdict) -> None:
    """When a time object has several of date, timestamp and interval: date and timestamp SHALL be the same
    day, and the interval SHALL contain the date and the timestamp."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            times = [(str(r.get("id")), r["time"]) for r in _scan_records(api, coll, rec)
                     if isinstance(r.get("time"), dict) and sum(k in r["time"] for k in
                                                                 ("date", "timestamp", "interval")) >= 2]
            if not times:
                raise NotTested("aucune fiche n'a de membre time combinant date, timestamp et interval")
            bad = [(rid, p) for rid, t in times for p in _instant_interval_problems(t)]
            for rid, problem in bad[:5]:
                rec.fail(f"fiche {rid} : {problem}")


@conformance(
    "OAREC-050",
    title="Chaque fiche en JSON est valide selon le schéma recordGeoJSON.yaml",
    requirements=[req("json/record-content")],
    abstract_test=ats("json/record-content"),
    applies_to=JSON,
)
def test_record_json_schema(api: RecordsContext, verdict: Verdict) -> None:
    """Every record of every collection SHALL validate against recordGeoJSON.yaml (OGC API Records 1.0)."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            bad: dict[str, list[str]] = {}
            for record in _scan_records(api, coll, rec):
                for err in schema_errors("recordGeoJSON", record, limit=3):
                    bad.setdefault(err, []).append(str(record.get("id")))
            for err, ids in list(bad.items())[:10]:
                rec.fail(f"{len(ids)} fiches (ex. {ids[:3]}) : {err}")


@conformance(
    "OAREC-051",
    title="Une fiche demandée en JSON est servie en application/geo+json",
    requirements=[req("json/record-response")],
    abstract_test=ats("json/record-response"),
    applies_to=JSON,
)
def test_record_json_media_type(api: RecordsContext, verdict: Verdict) -> None:
    """A record requested as GeoJSON SHALL be answered with Content-Type application/geo+json."""
    for coll in api.record_collections(verdict):
        for record in _sample(api, coll, verdict)[:3]:
            with verdict.instance(f"collection={coll.id} fiche={record['id']}") as rec:
                ex = api.client.get(api.record_url(coll, record["id"]), accept=ACCEPT_GEOJSON)
                rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")
                rec.check(ex.media_type == "application/geo+json",
                          f"Content-Type {ex.content_type!r} : application/geo+json attendu")


@conformance(
    "OAREC-063",
    title="Chaque fiche d'un catalogue interrogeable porte les propriétés obligatoires",
    requirements=[req("searchable-catalog/mandatory-record-properties")],
    abstract_test=ats("searchable-catalog/mandatory-record-properties"),
    applies_to=SEARCHABLE,
)
def test_searchable_record_properties(api: RecordsContext, verdict: Verdict) -> None:
    """Each record returned by /collections/{catalogId}/items of a searchable catalog SHALL hold the mandatory
    record properties (the checks of OAREC-020, on every record within max_records)."""
    _check_mandatory_record_properties(api, verdict)
