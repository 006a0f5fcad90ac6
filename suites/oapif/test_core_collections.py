"""OGC API Features Part 1, Core: the collections and each collection's metadata."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cicclo.declare import conformance
from cicclo.errors import NotTested
from cicclo.oapif.checks import unlisted_collections
from cicclo.oapif.context import (
    CRS84,
    CRS84H,
    GEOJSON,
    HTML,
    CollectionRef,
    FeatureSummary,
    OapifContext,
    find_links,
    links_of,
    media_type,
)
from cicclo.oapif.openapi import load_definition
from cicclo.oapif.schemas import schema_errors
from cicclo.oapif.uris import CORE, ats, req
from cicclo.verdict import InstanceRecorder, Verdict

TOLERANCE = 1e-9


def _collections_doc(api: OapifContext) -> dict[str, Any]:
    """The /collections document, owned by OAPIF-CORE-010 (a parse failure is a FAIL there only)."""
    return api.collections_json()


def _offered_media_types(api: OapifContext) -> set[str]:
    """Media types the API offers for /collections, from its self and alternate links."""
    doc = _collections_doc(api)
    return {media_type(lk.get("type")) for lk in links_of(doc) if lk.get("rel") in ("self", "alternate")} - {""}


def _check_link_fields(rec: InstanceRecorder, links: list[dict[str, Any]], where: str) -> None:
    for lk in links:
        if lk.get("rel") in ("self", "alternate", "items"):
            rec.check(lk.get("rel") and lk.get("type"), f"{where} : lien {lk.get('href')} sans rel ou sans type")


@conformance(
    "OAPIF-CORE-009",
    title="La liste des collections répond à GET /collections par 200",
    requirements=[req("core/fc-md-op")],
    abstract_test=ats("core/fc-md-op"),
    applies_to=CORE,
)
def test_collections_op(api: OapifContext, verdict: Verdict) -> None:
    """The API SHALL support GET at /collections."""
    with verdict.instance("/collections") as rec:
        ex = api.collections_exchange()
        rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")


@conformance(
    "OAPIF-CORE-010",
    title="La liste des collections est un document valide (schéma collections.yaml, CRS84 en tête)",
    requirements=[req("core/fc-md-success"), req("core/crs84")],
    abstract_test=ats("core/fc-md-success"),
    applies_to=CORE,
)
def test_collections_success(api: OapifContext, verdict: Verdict) -> None:
    """The /collections response SHALL validate against collections.yaml; a top-level `crs` list, when
    present, SHALL start with CRS84 (or CRS84h)."""
    with verdict.instance("/collections") as rec:
        ex = api.collections_exchange()
        if ex.status != 200:
            raise NotTested(f"{ex.describe()} : liste indisponible (vérifié par OAPIF-CORE-009)")
        doc = ex.json()
        for err in schema_errors("collections", doc):
            rec.fail(f"schéma collections.yaml : {err}")
        crs = doc.get("crs") if isinstance(doc, dict) else None
        if isinstance(crs, list) and crs:
            rec.check(crs[0] in (CRS84, CRS84H), f"premier CRS global {crs[0]!r} : CRS84 ou CRS84h attendu")


@conformance(
    "OAPIF-CORE-011",
    title="La liste des collections porte un lien self et un lien alternate par autre format",
    requirements=[req("core/fc-md-links")],
    abstract_test=ats("core/fc-md-links"),
    applies_to=CORE,
)
def test_collections_links(api: OapifContext, verdict: Verdict) -> None:
    """/collections SHALL link itself (self) and each other representation (alternate); every such link
    SHALL carry rel and type."""
    with verdict.instance("/collections") as rec:
        doc = _collections_doc(api)
        links = links_of(doc)
        rec.check(any(lk.get("rel") == "self" for lk in links), "aucun lien rel=self")
        _check_link_fields(rec, links, "/collections")
        self_types = {media_type(lk.get("type")) for lk in find_links(doc, "self")}
        declared, _ = api.declared_classes()
        if any(uri.endswith("/conf/html") for uri in declared) and HTML not in self_types:
            rec.check(find_links(doc, "alternate", HTML), "classe html déclarée mais aucun lien alternate text/html")


@conformance(
    "OAPIF-CORE-012",
    title="Chaque collection de la liste a un identifiant, des liens et une étendue valide",
    requirements=[req("core/fc-md-items")],
    abstract_test=ats("core/fc-md-items"),
    applies_to=CORE,
)
def test_collections_items(api: OapifContext, verdict: Verdict) -> None:
    """Every feature collection the server provides SHALL be an item of ``collections`` (each collection
    path of the API definition is listed), and each SHALL have an id and links and, if present, a valid
    extent (spatial bbox of 4 or 6 numbers in CRS84 ranges; temporal interval of two instants or nulls)."""
    entries = [c for c in _collections_doc(api)["collections"] if isinstance(c, dict)]
    if not entries:
        raise NotTested("/collections ne liste aucune collection")
    definition = verdict.attempt("définition de l'API", lambda: load_definition(api))
    if definition is not None:
        with verdict.instance("collections de la définition de l'API") as rec:
            listed = [str(e.get("id")) for e in entries]
            for cid in unlisted_collections(list(definition.paths()), definition.path_prefix, listed):
                rec.fail(f"la définition de l'API déclare le chemin de la collection {cid!r}, absente de "
                         "/collections")
    for i, entry in enumerate(entries):
        with verdict.instance(f"collection={entry.get('id', f'#{i}')}") as rec:
            rec.check(isinstance(entry.get("id"), str) and entry["id"], "pas d'identifiant (id)")
            rec.check(isinstance(entry.get("links"), list), "pas de tableau links")
            for err in schema_errors("collection", entry):
                rec.fail(f"schéma collection.yaml : {err}")
            for bbox in _bboxes(entry):
                rec.check(len(bbox) in (4, 6), f"bbox de l'étendue {bbox} : 4 ou 6 nombres attendus")
                if len(bbox) == 4 and _extent_crs(entry) == CRS84:
                    rec.check(-180 <= bbox[0] <= 180 and -180 <= bbox[2] <= 180 and -90 <= bbox[1] <= bbox[3] <= 90,
                              f"bbox de l'étendue {bbox} hors des bornes de CRS84")


def _bboxes(entry: dict[str, Any]) -> list[list[float]]:
    spatial = (entry.get("extent") or {}).get("spatial") if isinstance(entry.get("extent"), dict) else None
    boxes = spatial.get("bbox") if isinstance(spatial, dict) else None
    return [b for b in boxes if isinstance(b, list)] if isinstance(boxes, list) else []


def _extent_crs(entry: dict[str, Any]) -> str:
    spatial = (entry.get("extent") or {}).get("spatial") or {}
    return str(spatial.get("crs", CRS84))


def _intervals(entry: dict[str, Any]) -> list[list[Any]]:
    temporal = (entry.get("extent") or {}).get("temporal") if isinstance(entry.get("extent"), dict) else None
    intervals = temporal.get("interval") if isinstance(temporal, dict) else None
    return [i for i in intervals if isinstance(i, list) and len(i) == 2] if isinstance(intervals, list) else []


@conformance(
    "OAPIF-CORE-013",
    title="Chaque collection a un lien items par format offert, avec rel et type",
    requirements=[req("core/fc-md-items-links")],
    abstract_test=ats("core/fc-md-items-links"),
    applies_to=CORE,
)
def test_collections_items_links(api: OapifContext, verdict: Verdict) -> None:
    """Each collection entry SHALL link its features (rel=items) for each encoding the API supports for
    features; links SHALL carry rel and type."""
    declared, _ = api.declared_classes()
    wanted = set()
    if any(uri.endswith("/conf/geojson") for uri in declared):
        wanted.add(GEOJSON)
    if any(uri.endswith("/conf/html") for uri in declared):
        wanted.add(HTML)
    for coll in api.collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            items = find_links(coll.entry, "items")
            rec.require(items, "aucun lien rel=items")
            _check_link_fields(rec, items, f"collection {coll.id}")
            types = {media_type(lk.get("type")) for lk in items}
            for mt in sorted(wanted - types):
                rec.fail(f"aucun lien rel=items de type {mt} (format déclaré dans /conformance)")


@conformance(
    "OAPIF-CORE-014",
    title="L'étendue déclarée couvre toutes les géométries et toutes les dates de la collection",
    requirements=[req("core/fc-md-extent")],
    abstract_test=ats("core/fc-md-extent"),
    applies_to=CORE,
)
def test_collections_extent(api: OapifContext, verdict: Verdict) -> None:
    """A declared spatial extent SHALL contain every geometry of the collection and a temporal extent
    every temporal value (a null bound is open). Every feature is read (whole collection walked)."""
    for coll in api.collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            boxes, intervals = _bboxes(coll.entry), _intervals(coll.entry)
            if not boxes and not intervals:
                raise NotTested("aucune étendue déclarée : rien à vérifier")
            walk = api.scan(coll)
            if not walk.complete:
                rec.note(f"parcours incomplet ({walk.cut_reason or 'erreur de page'}) : "
                         f"{len(walk.features)} entités vérifiées")
            if boxes and len(boxes[0]) == 4 and _extent_crs(coll.entry) == CRS84:
                _check_spatial(rec, boxes[0], walk.features)
            if intervals:
                _check_temporal(rec, intervals[0], walk.features)


def _check_spatial(rec: InstanceRecorder, box: list[float], features: Iterable[FeatureSummary]) -> None:
    minx, miny, maxx, maxy = box
    crosses = minx > maxx  # extent crossing the antimeridian
    outside = []
    for f in features:
        if f.envelope is None:
            continue
        x0, y0, x1, y1 = f.envelope
        in_x = (x0 >= minx - TOLERANCE or x1 <= maxx + TOLERANCE) if crosses else (
            x0 >= minx - TOLERANCE and x1 <= maxx + TOLERANCE)
        if not (in_x and y0 >= miny - TOLERANCE and y1 <= maxy + TOLERANCE):
            outside.append(f.id)
    rec.check(not outside, f"{len(outside)} géométries hors de l'étendue spatiale {box} (ex. {outside[:5]})")


def _check_temporal(rec: InstanceRecorder, interval: list[Any], features: Iterable[FeatureSummary]) -> None:
    start, end = interval
    bad = [f.id for f in features for t in f.times
           if (start is not None and t[:len(start)] < start[:len(t)]) or (end is not None and t[:10] > end[:10])]
    rec.check(not bad, f"{len(bad)} valeurs temporelles hors de l'étendue {interval} (ex. {bad[:5]})")


@conformance(
    "OAPIF-CORE-015",
    title="Chaque collection répond à GET /collections/{collectionId} par 200",
    requirements=[req("core/sfc-md-op")],
    abstract_test=ats("core/sfc-md-op"),
    applies_to=CORE,
)
def test_collection_op(api: OapifContext, verdict: Verdict) -> None:
    """The API SHALL support GET at /collections/{collectionId} for every collection it lists."""

    def check(coll: CollectionRef) -> None:
        with verdict.instance(f"collection={coll.id}") as rec:
            ex = api.collection_exchange(coll.id)
            rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")

    list(api.client.parallel(check, api.collections(verdict)))


@conformance(
    "OAPIF-CORE-016",
    title="Le document d'une collection concorde avec son entrée dans /collections",
    requirements=[req("core/sfc-md-success")],
    abstract_test=ats("core/sfc-md-success"),
    applies_to=CORE,
)
def test_collection_success(api: OapifContext, verdict: Verdict) -> None:
    """/collections/{collectionId} SHALL be consistent with the collection's entry in /collections:
    same id, title, description, extent and itemType, and every link of the entry present."""

    def check(coll: CollectionRef) -> None:
        with verdict.instance(f"collection={coll.id}") as rec:
            ex = api.collection_exchange(coll.id)
            if ex.status != 200:
                raise NotTested(f"{ex.describe()} : collection indisponible (vérifié par OAPIF-CORE-015)")
            doc = ex.json()
            rec.require(isinstance(doc, dict), "le document de la collection n'est pas un objet JSON")
            for key in ("id", "title", "description", "extent", "itemType"):
                if key in coll.entry or key in doc:
                    rec.check(doc.get(key) == coll.entry.get(key),
                              f"« {key} » diffère : {doc.get(key)!r} au lieu de {coll.entry.get(key)!r}")
            own = {(lk.get("rel"), lk.get("type"), lk.get("href")) for lk in links_of(doc)}
            for lk in links_of(coll.entry):
                if lk.get("rel") == "self":
                    continue
                rec.check((lk.get("rel"), lk.get("type"), lk.get("href")) in own,
                          f"lien {lk.get('rel')} {lk.get('type')} {lk.get('href')} de /collections absent")

    list(api.client.parallel(check, api.collections(verdict)))

