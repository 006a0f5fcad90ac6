"""OGC API – Records Part 1: the API (landing page, record collections) and the records themselves."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from cicclo.declare import conformance
from cicclo.errors import NotTested
from cicclo.oapif.context import ACCEPT_GEOJSON, ACCEPT_JSON, CollectionRef, links_of, media_type
from cicclo.records.context import RecordsContext
from cicclo.records.schemas import schema_errors
from cicclo.records.uris import JSON, RECORD_COLLECTION, RECORD_CORE, RECORDS_API, ats, req
from cicclo.verdict import Verdict

UNKNOWN_RECORD = "cicclo-fiche-inexistante-4b1d"
FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


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
