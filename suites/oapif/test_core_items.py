"""OGC API Features Part 1, Core: the features of a collection (items), with bbox, limit and datetime.

Results are verified against content: every query is walked to its last page and compared with what a
walk of the whole collection says it must return, not only its status code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from shapely.geometry import box as shapely_box
from shapely.geometry import shape
from shapely.ops import unary_union

from cicclo.declare import conformance
from cicclo.errors import NotTested
from cicclo.http import Exchange, attach_evidence
from cicclo.oapif.checks import (
    Box,
    DatetimeQuery,
    antimeridian_boxes,
    bbox_parts,
    bbox_schema_problems,
    datetime_queries,
    datetime_schema_problems,
    envelope_disjoint,
    envelope_inside,
    limit_outcome,
    limit_schema_problems,
    parameter_problems,
    parse_instant,
    probe_boxes,
    times_intersect,
)
from cicclo.oapif.context import ACCEPT_GEOJSON, HTML, CollectionRef, OapifContext, Walk, find_links, links_of
from cicclo.oapif.openapi import load_definition
from cicclo.oapif.uris import CORE, ats, req
from cicclo.verdict import InstanceRecorder, Verdict

UNKNOWN_PARAMETER = "cicclo_parametre_inconnu"
CLOCK_SKEW = dt.timedelta(minutes=5)
SMALL_LIMITS = (1, 7)


def _instance(coll: CollectionRef, what: str = "") -> str:
    return f"collection={coll.id}" + (f" {what}" if what else "")


def _items(api: OapifContext, coll: CollectionRef, params: dict[str, str] | None = None) -> Exchange:
    return api.client.get(api.items_url(coll), accept=ACCEPT_GEOJSON, params=params)


def _first_page(api: OapifContext, coll: CollectionRef, params: dict[str, str] | None = None) -> tuple[Exchange, Any]:
    """The first page of a collection's items; with ``params`` it is the query under test (an error is a
    FAIL), without them a precondition whose status OAPIF-CORE-017 judges."""
    ex = _items(api, coll, params)
    if params:
        return ex, api.required_json(ex, "requête valide, que la norme impose de servir")
    return ex, api.precondition_json(ex, f"entités de {coll.id}")


def _fail_page_issues(rec: InstanceRecorder, walk: Walk) -> None:
    """A next link the server produced for the query under test must be served: its failure is a FAIL."""
    for issue in walk.page_issues:
        rec.fail(issue)


def _require_complete(walk: Walk, what: str) -> None:
    if not walk.complete:
        why = walk.cut_reason or "page en erreur, vérifié par OAPIF-CORE-026"
        raise NotTested(f"{what} : parcours incomplet ({why}), comparaison impossible")


# -- spatial ------------------------------------------------------------------------------------------


def _extent_box(coll: CollectionRef, walk: Walk) -> tuple[float, float, float, float] | None:
    extent = coll.entry.get("extent")
    if not isinstance(extent, dict):
        extent = {}
    spatial = extent.get("spatial") or {}
    boxes = spatial.get("bbox") if isinstance(spatial, dict) else None
    if isinstance(boxes, list) and boxes and isinstance(boxes[0], list) and len(boxes[0]) == 4:
        x0, y0, x1, y1 = (float(v) for v in boxes[0])
        if x0 <= x1:
            return x0, y0, x1, y1
    envs = [f.envelope for f in walk.features if f.envelope]
    if not envs:
        return None
    return min(e[0] for e in envs), min(e[1] for e in envs), max(e[2] for e in envs), max(e[3] for e in envs)


def _bbox_param(b: tuple[float, float, float, float]) -> str:
    """Six decimals at most, never fewer significant digits: the box the server gets is the one checked."""
    return ",".join(f"{v:.6f}".rstrip("0").rstrip(".") for v in b)


def _scan_or_record(api: OapifContext, verdict: Verdict, coll: CollectionRef) -> Walk | None:
    """The whole-collection walk; when it cannot be had, the collection's instance says why."""
    return verdict.attempt(_instance(coll), lambda: api.scan(coll))


# -- tests --------------------------------------------------------------------------------------------


@conformance(
    "OAPIF-CORE-002",
    title="Sans paramètre crs, toutes les géométries sont en CRS84 (ou CRS84h)",
    requirements=[req("core/crs84")],
    abstract_test=ats("core/crs84"),
    applies_to=CORE,
)
def test_crs84(api: OapifContext, verdict: Verdict) -> None:
    """Unless the client asks for another CRS, all geometries SHALL be in CRS84 (CRS84h in 3D): every
    coordinate of every feature of every collection lies within longitude -180..180, latitude -90..90."""
    for coll in api.collections(verdict):
        with verdict.instance(_instance(coll)) as rec:
            walk = api.scan(coll)
            if not walk.complete:
                rec.note(f"parcours incomplet : {len(walk.features)} entités vérifiées ({walk.cut_reason})")
            bad = [f.id for f in walk.features if f.envelope and not (
                -180 <= f.envelope[0] <= f.envelope[2] <= 180 and -90 <= f.envelope[1] <= f.envelope[3] <= 90)]
            if not [f for f in walk.features if f.envelope]:
                raise NotTested("aucune géométrie à vérifier")
            rec.check(not bad, f"{len(bad)} géométries hors des bornes de CRS84 (ex. {bad[:5]})")


@conformance(
    "OAPIF-CORE-017",
    title="Les entités d'une collection répondent à GET …/items par 200, avec et sans bbox, limit, datetime",
    requirements=[req("core/fc-op")],
    abstract_test=ats("core/fc-op"),
    applies_to=CORE,
)
def test_items_op(api: OapifContext, verdict: Verdict) -> None:
    """The API SHALL support GET at /collections/{collectionId}/items for every collection, also with the
    bbox, limit and datetime parameters."""

    def check(coll: CollectionRef) -> None:
        with verdict.instance(_instance(coll)) as rec:
            ex = _items(api, coll)
            rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")
            variants = [{"limit": "5"}]
            extent = _extent_box(coll, Walk(first_url=""))
            if extent:
                variants.append({"bbox": _bbox_param(probe_boxes(extent)[0][1])})
            variants.append({"datetime": "2000-01-01T00:00:00Z/.."})
            for params in variants:
                ex = _items(api, coll, params)
                rec.check(ex.status == 200, f"{ex.describe()} : 200 attendu")

    list(api.client.parallel(check, api.collections(verdict)))


def _check_definition(rec: InstanceRecorder, param: dict[str, Any] | None, name: str,
                      schema_check: Callable[[dict[str, Any]], list[str]]) -> None:
    rec.require(param is not None, f"paramètre {name} non déclaré pour GET …/items")
    assert param is not None
    schema = param.get("schema")
    if not isinstance(schema, dict):
        schema = {}
    for problem in [*parameter_problems(param, name), *schema_check(schema)]:
        rec.fail(problem)


def _definition_test(api: OapifContext, verdict: Verdict, name: str,
                     schema_check: Callable[[dict[str, Any]], list[str]]) -> None:
    definition = load_definition(api)
    for coll in api.collections(verdict):
        with verdict.instance(_instance(coll)) as rec:
            _check_definition(rec, definition.items_parameters(coll.id).get(name), name, schema_check)


@conformance(
    "OAPIF-CORE-018",
    title="Le paramètre bbox est déclaré conformément (tableau de 4 ou 6 nombres, form, explode=false)",
    requirements=[req("core/fc-bbox-definition")],
    abstract_test=ats("core/fc-bbox-definition"),
    applies_to=CORE,
)
def test_bbox_definition(api: OapifContext, verdict: Verdict) -> None:
    """The items operation SHALL declare an optional query parameter bbox: array of 4 or 6 numbers,
    style form, explode false."""
    _definition_test(api, verdict, "bbox", bbox_schema_problems)


@conformance(
    "OAPIF-CORE-019",
    title="Avec bbox, seules et toutes les entités qui intersectent la boîte sont renvoyées",
    requirements=[req("core/fc-bbox-response")],
    abstract_test=ats("core/fc-bbox-response"),
    applies_to=CORE,
)
def test_bbox_response(api: OapifContext, verdict: Verdict) -> None:
    """Only features whose geometry intersects the bbox SHALL be returned; checked exactly on every
    returned geometry, and for completeness against a walk of the whole collection (features certainly
    inside the box must be returned)."""
    _bbox_queries(api, verdict, probe_boxes)


def _bbox_queries(api: OapifContext, verdict: Verdict, boxes: Callable[[Box], list[tuple[str, Box]]]) -> None:
    for coll in api.collections(verdict):
        walk = _scan_or_record(api, verdict, coll)
        if walk is None:
            continue
        extent = _extent_box(coll, walk)
        for label, b in boxes(extent) if extent else []:
            with verdict.instance(_instance(coll, f"bbox={_bbox_param(b)} ({label})")) as rec:
                attach_evidence(walk.evidence)
                _check_bbox_query(api, rec, coll, walk, b)


def _check_bbox_query(api: OapifContext, rec: InstanceRecorder, coll: CollectionRef, walk: Walk, b: Box) -> None:
    target = unary_union([shapely_box(*part) for part in bbox_parts(b)])
    wrong: list[Any] = []

    def visit(feat: dict[str, Any]) -> None:
        geom = feat.get("geometry")
        if isinstance(geom, dict):
            try:
                if not shape(geom).intersects(target):
                    wrong.append(feat.get("id"))
            except (ValueError, TypeError, AttributeError, IndexError):
                pass  # invalid geometries are OAPIF-GEOJSON-002's concern

    result = api.walk(api.items_url(coll), {"bbox": _bbox_param(b), "limit": "1000"}, visit, owned=True)
    _fail_page_issues(rec, result)
    rec.check(not wrong, f"{len(wrong)} entités renvoyées n'intersectent pas la boîte (ex. {wrong[:5]})")
    if walk.complete and result.complete:
        returned = {repr(i) for i in result.ids}
        must = [f.id for f in walk.features if f.envelope and (
            envelope_inside(f.envelope, b) or (f.geometry_type == "Point" and not envelope_disjoint(f.envelope, b)))]
        missing = [i for i in must if repr(i) not in returned]
        rec.check(not missing, f"{len(missing)} entités dans la boîte non renvoyées (ex. {missing[:5]})")
    else:
        rec.note("complétude non vérifiée : parcours incomplet")


@conformance(
    "OAPIF-CORE-034",
    title="Une bbox à cheval sur l'antiméridien (minx > maxx) sélectionne les entités des deux côtés",
    requirements=[req("core/fc-bbox-response"), req("core/fc-bbox-definition")],
    abstract_test=ats("core/fc-bbox-response"),
    applies_to=CORE,
)
def test_bbox_antimeridian(api: OapifContext, verdict: Verdict) -> None:
    """A bbox whose first value (west-most edge) is larger than its third (east-most edge) spans the
    antimeridian (bbox parameter of /req/core/fc-bbox-definition); only and all features intersecting
    [minx, 180] ∪ [-180, maxx] SHALL be returned: a box covering the extent that way, and one outside it."""
    _bbox_queries(api, verdict, antimeridian_boxes)


def _boxes_for(api: OapifContext, coll: CollectionRef) -> list[tuple[str, tuple[float, float, float, float]]]:
    extent = _extent_box(coll, Walk(first_url=""))
    if extent is None:
        extent = _extent_box(coll, api.scan(coll))
    return probe_boxes(extent) if extent else []


@conformance(
    "OAPIF-CORE-020",
    title="Le paramètre limit est déclaré conformément (entier, form, explode=false)",
    requirements=[req("core/fc-limit-definition")],
    abstract_test=ats("core/fc-limit-definition"),
    applies_to=CORE,
)
def test_limit_definition(api: OapifContext, verdict: Verdict) -> None:
    """The items operation SHALL declare an optional query parameter limit: integer (minimum, maximum and
    default allowed), style form, explode false."""
    _definition_test(api, verdict, "limit", limit_schema_problems)


@conformance(
    "OAPIF-CORE-021",
    title="Avec limit, le nombre d'entités renvoyées ne dépasse ni limit ni le maximum déclaré",
    requirements=[req("core/fc-limit-response")],
    abstract_test=ats("core/fc-limit-response"),
    applies_to=CORE,
)
def test_limit_response(api: OapifContext, verdict: Verdict) -> None:
    """A response SHALL not contain more features than `limit` nor than the declared maximum. Small limits
    must be honoured; outside the declared range (limit=0 under a minimum of 1 or more, a limit above the
    maximum) a 400 (invalid value) and a capped 200 are both accepted, and the note says which was seen."""
    try:
        definition = load_definition(api)
    except NotTested:
        definition = None

    def check(coll: CollectionRef) -> None:
        schema: dict[str, Any] = {}
        if definition is not None:
            schema = (definition.items_parameters(coll.id).get("limit") or {}).get("schema") or {}
        maximum = schema.get("maximum") if isinstance(schema.get("maximum"), int) else None
        minimum = schema.get("minimum") if isinstance(schema.get("minimum"), int) else None
        for asked in SMALL_LIMITS:
            with verdict.instance(_instance(coll, f"limit={asked}")) as rec:
                ex, doc = _first_page(api, coll, {"limit": str(asked)})
                feats = doc.get("features") if isinstance(doc, dict) else None
                if not isinstance(feats, list):
                    raise NotTested("pas de tableau features (vérifié par OAPIF-CORE-026)")
                rec.check(len(feats) <= asked, f"{ex.url} : {len(feats)} entités pour limit={asked} (au plus {asked})")
        outside = [(0, 0)] if minimum is None or minimum >= 1 else []
        if maximum is not None:
            outside.append((maximum + 1000, maximum))
        for asked, bound in outside:
            with verdict.instance(_instance(coll, f"limit={asked} (hors des bornes déclarées)")) as rec:
                ex = _items(api, coll, {"limit": str(asked)})
                doc = ex.json() if ex.status == 200 else None
                feats = doc.get("features") if isinstance(doc, dict) else None
                problems, seen = limit_outcome(asked, bound, ex.status, len(feats) if isinstance(feats, list) else None)
                for problem in problems:
                    rec.fail(f"{ex.describe()} : {problem}")
                if seen:
                    rec.note(seen)

    list(api.client.parallel(check, api.collections(verdict)))


@conformance(
    "OAPIF-CORE-022",
    title="Le paramètre datetime est déclaré conformément (chaîne, form, explode=false)",
    requirements=[req("core/fc-time-definition")],
    abstract_test=ats("core/fc-time-definition"),
    applies_to=CORE,
)
def test_time_definition(api: OapifContext, verdict: Verdict) -> None:
    """The items operation of every collection SHALL declare an optional query parameter datetime:
    string, style form, explode false."""
    _definition_test(api, verdict, "datetime", datetime_schema_problems)


@conformance(
    "OAPIF-CORE-023",
    title="Avec datetime, seules et toutes les entités dont le temps intersecte l'intervalle sont renvoyées",
    requirements=[req("core/fc-time-response")],
    abstract_test=ats("core/fc-time-response"),
    applies_to=CORE,
)
def test_time_response(api: OapifContext, verdict: Verdict) -> None:
    """Only features whose temporal value intersects the datetime parameter SHALL be returned. Instants,
    closed, half-bounded (``..``) and out-of-range intervals are derived from the dates really present, plus
    ``../..`` and a reversed interval (for those two, 400 is also accepted); each query is walked to the
    end, every returned dated feature must intersect, and (when each feature has a single temporal value)
    every intersecting feature must be returned."""
    _datetime_probes(api, verdict, lambda q: not q.empty_bound)


@conformance(
    "OAPIF-CORE-035",
    title="Un intervalle datetime semi-ouvert par une chaîne vide se lit comme avec « .. »",
    requirements=[req("core/fc-time-response")],
    abstract_test=ats("core/fc-time-response"),
    applies_to=CORE,
)
def test_time_empty_bounds(api: OapifContext, verdict: Verdict) -> None:
    """Half-bounded time intervals SHALL be supported using a double-dot or an empty string for the start or
    end (/req/core/fc-time-response F): ``/{date-time}`` and ``{date-time}/`` select exactly what ``../…`` and
    ``…/..`` select."""
    _datetime_probes(api, verdict, lambda q: q.empty_bound)


def _datetime_probes(api: OapifContext, verdict: Verdict, wanted: Callable[[DatetimeQuery], bool]) -> None:
    for coll in api.collections(verdict):
        walk = _scan_or_record(api, verdict, coll)
        if walk is None:
            continue
        if not any(f.times for f in walk.features):
            with verdict.instance(_instance(coll)):
                raise NotTested("aucune valeur temporelle dans les entités : rien à filtrer")
        for query in datetime_queries([t for f in walk.features for t in f.times]):
            if wanted(query):
                with verdict.instance(_instance(coll, f"datetime={query.value} ({query.label})")) as rec:
                    attach_evidence(walk.evidence)
                    _check_datetime_query(api, rec, coll, walk, query)


def _check_datetime_query(api: OapifContext, rec: InstanceRecorder, coll: CollectionRef, walk: Walk,
                          query: DatetimeQuery) -> None:
    params = {"datetime": query.value, "limit": "1000"}
    if query.may_be_refused:
        first = _items(api, coll, params)
        if first.status == 400:
            rec.note(f"{first.describe()} : valeur refusée (400), ce que la norme admet pour « {query.value} »")
            return
    result = api.walk(api.items_url(coll), params, owned=True)
    _fail_page_issues(rec, result)
    if query.may_be_refused:
        rec.note(f"« {query.value} » accepté (200) : résultat vérifié")
    wrong = [f.id for f in result.features if f.times and not times_intersect(f.times, query.lo, query.hi)]
    rec.check(not wrong, f"{len(wrong)} entités renvoyées hors de l'intervalle (ex. {wrong[:5]})")
    single = all(len(f.times) <= 1 for f in walk.features)
    if walk.complete and result.complete and single:
        returned = {repr(i) for i in result.ids}
        must = [f.id for f in walk.features if f.times and times_intersect(f.times, query.lo, query.hi)]
        missing = [i for i in must if repr(i) not in returned]
        rec.check(not missing, f"{len(missing)} entités de l'intervalle non renvoyées (ex. {missing[:5]})")
    elif not single:
        rec.note("plusieurs valeurs temporelles par entité : complétude non vérifiée")


@conformance(
    "OAPIF-CORE-024",
    title="Une valeur invalide d'un paramètre de requête donne 400",
    requirements=[req("core/query-param-invalid")],
    abstract_test=ats("core/query-param-invalid"),
    applies_to=CORE,
)
def test_query_param_invalid(api: OapifContext, verdict: Verdict) -> None:
    """A query parameter with an invalid value SHALL yield 400 (limit not an integer, bbox of three
    numbers, bbox whose lower corner is north of its upper corner — only longitudes may wrap, across the
    antimeridian —, datetime that is not a date)."""
    invalid = [("limit", "unlimited"), ("bbox", "1,2,3"), ("bbox", "0,10,1,5"), ("datetime", "pas-une-date")]

    def check(coll: CollectionRef) -> None:
        for name, value in invalid:
            with verdict.instance(_instance(coll, f"{name}={value}")) as rec:
                ex = _items(api, coll, {name: value})
                rec.check(ex.status == 400, f"{ex.describe()} : 400 attendu")

    list(api.client.parallel(check, api.collections(verdict)))


@conformance(
    "OAPIF-CORE-025",
    title="Un paramètre de requête non déclaré donne 400",
    requirements=[req("core/query-param-unknown")],
    abstract_test=ats("core/query-param-unknown"),
    applies_to=CORE,
)
def test_query_param_unknown(api: OapifContext, verdict: Verdict) -> None:
    """A query parameter not specified in the API definition SHALL yield 400 (unless the definition
    declares free-form parameters)."""
    try:
        definition = load_definition(api)
    except NotTested:
        definition = None

    def check(coll: CollectionRef) -> None:
        with verdict.instance(_instance(coll)) as rec:
            if definition is not None and any(
                    p.get("schema", {}).get("additionalProperties")
                    for p in definition.items_parameters(coll.id).values()
                    if isinstance(p.get("schema"), dict)):
                raise NotTested("la définition déclare des paramètres libres : tout paramètre est admis")
            ex = _items(api, coll, {UNKNOWN_PARAMETER: "1"})
            if definition is None and ex.status != 400:
                raise NotTested(f"{ex.describe()} : paramètre admis, et la définition de l'API est illisible : "
                                "impossible de savoir si elle déclare des paramètres libres")
            rec.check(ex.status == 400, f"{ex.describe()} : 400 attendu pour un paramètre non déclaré")

    list(api.client.parallel(check, api.collections(verdict)))


@conformance(
    "OAPIF-CORE-026",
    title="La réponse est une FeatureCollection et la pagination parcourt la collection sans boucle ni doublon",
    requirements=[req("core/fc-response")],
    abstract_test=ats("core/fc-response"),
    applies_to=CORE,
)
def test_items_response(api: OapifContext, verdict: Verdict) -> None:
    """The response SHALL be a feature collection (type FeatureCollection, a features array) made of the
    selected features: following the pages from first to last gives each feature once, without loop."""
    for coll in api.collections(verdict):
        with verdict.instance(_instance(coll)) as rec:
            ex = _items(api, coll)
            if ex.status != 200:
                raise NotTested(f"{ex.describe()} : entités indisponibles (vérifié par OAPIF-CORE-017)")
            doc = ex.json()
            rec.require(isinstance(doc, dict), "la réponse n'est pas un objet JSON")
            rec.check(doc.get("type") == "FeatureCollection", f"type {doc.get('type')!r} : FeatureCollection attendu")
            rec.check(isinstance(doc.get("features"), list), "pas de tableau « features »")
            walk = api.scan(coll)
            for issue in walk.page_issues:
                rec.fail(f"pagination : {issue}")
            if walk.loop_url:
                rec.fail(f"pagination : {walk.cut_reason}")
            if walk.duplicate_ids:
                dups = walk.duplicate_ids
                rec.fail(f"pagination : {len(dups)} entités reçues deux fois (ex. {dups[:5]})")
            if walk.cut_reason and not walk.loop_url:
                rec.note(walk.cut_reason)


@conformance(
    "OAPIF-CORE-027",
    title="La réponse porte un lien self et un lien alternate par autre format, avec rel et type",
    requirements=[req("core/fc-links"), req("core/fc-rel-type")],
    abstract_test=ats("core/fc-links"),
    applies_to=CORE,
)
def test_items_links(api: OapifContext, verdict: Verdict) -> None:
    """The items response SHALL link itself (self) and its other representations (alternate); links SHALL
    carry rel and type."""
    declared, _ = api.declared_classes()
    html_offered = any(uri.endswith("/conf/html") for uri in declared)
    for coll in api.collections(verdict):
        with verdict.instance(_instance(coll)) as rec:
            _, doc = _first_page(api, coll)
            rec.check(find_links(doc, "self"), "aucun lien rel=self")
            if html_offered:
                rec.check(find_links(doc, "alternate", HTML),
                          "classe html déclarée mais aucun lien alternate text/html")
            for lk in links_of(doc):
                if lk.get("rel") in ("self", "alternate", "next", "prev"):
                    rec.check(lk.get("type"), f"lien {lk.get('rel')} {lk.get('href')} sans type")


@conformance(
    "OAPIF-CORE-028",
    title="L'horodatage timeStamp, s'il est présent, est l'heure de génération de la réponse",
    requirements=[req("core/fc-timeStamp")],
    abstract_test=ats("core/fc-timeStamp"),
    applies_to=CORE,
)
def test_items_timestamp(api: OapifContext, verdict: Verdict) -> None:
    """If timeStamp is included, it SHALL be the time the response was generated (compared with the
    response's Date header, or the suite's clock, allowing a few minutes of skew)."""
    for coll in api.collections(verdict):
        with verdict.instance(_instance(coll)) as rec:
            ex, doc = _first_page(api, coll)
            stamp = doc.get("timeStamp") if isinstance(doc, dict) else None
            if stamp is None:
                raise NotTested("timeStamp absent : rien à vérifier")
            try:
                when = parse_instant(str(stamp))
            except ValueError:
                rec.require(False, f"timeStamp {stamp!r} n'est pas une date-heure RFC 3339")
                return
            ref = _http_date(ex) or dt.datetime.now(dt.UTC)
            rec.check(abs(when - ref) <= CLOCK_SKEW,
                      f"timeStamp {stamp} éloigné de l'heure de réponse {ref.isoformat()}")


def _http_date(ex: Exchange) -> dt.datetime | None:
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(ex.headers["date"]) if "date" in ex.headers else None
    except (TypeError, ValueError):
        return None


@conformance(
    "OAPIF-CORE-029",
    title="numberMatched, s'il est présent, est le nombre d'entités réellement sélectionnées",
    requirements=[req("core/fc-numberMatched")],
    abstract_test=ats("core/fc-numberMatched"),
    applies_to=CORE,
)
def test_number_matched(api: OapifContext, verdict: Verdict) -> None:
    """If numberMatched is included, it SHALL equal the number of features selected: counted by walking
    every page, without filter, with the bbox of OAPIF-CORE-019, with a datetime interval of OAPIF-CORE-023
    and with pages of a third of the collection (numberMatched must then be the same on every page)."""
    for coll in api.collections(verdict):
        queries: list[tuple[str, dict[str, str] | None]] = [("sans filtre", None)]
        queries += [(f"bbox={_bbox_param(b)}", {"bbox": _bbox_param(b), "limit": "1000"})
                    for _, b in _boxes_for(api, coll)[:1]]
        scan = verdict.attempt(_instance(coll, "datetime"), partial(api.scan, coll))
        closed = [q for q in datetime_queries([t for f in scan.features for t in f.times]) if "fermé" in q.label] \
            if scan else []
        queries += [(f"datetime={q.value}", {"datetime": q.value, "limit": "1000"}) for q in closed[:1]]
        if scan and scan.complete and len(scan.features) >= 3:
            size = -(-len(scan.features) // 3)
            queries.append((f"limit={size} (plusieurs pages)", {"limit": str(size)}))
        for label, params in queries:
            with verdict.instance(_instance(coll, label)) as rec:
                walk = api.scan(coll) if params is None else api.walk(api.items_url(coll), params, owned=True)
                if walk.number_matched is None:
                    raise NotTested("numberMatched absent : rien à vérifier")
                if params is not None:
                    _fail_page_issues(rec, walk)
                    rec.require(not walk.page_issues, "numberMatched invérifiable : une page du résultat est en erreur")
                _require_complete(walk, "numberMatched")
                varying = sorted({repr(v) for v in walk.number_matched_per_page})
                rec.check(len(varying) == 1, f"numberMatched varie d'une page à l'autre : {', '.join(varying)}")
                rec.check(walk.number_matched == len(walk.features),
                          f"numberMatched={walk.number_matched} mais {len(walk.features)} entités "
                          f"sur {walk.pages} pages")


@conformance(
    "OAPIF-CORE-030",
    title="numberReturned, s'il est présent, est le nombre d'entités de la page",
    requirements=[req("core/fc-numberReturned")],
    abstract_test=ats("core/fc-numberReturned"),
    applies_to=CORE,
)
def test_number_returned(api: OapifContext, verdict: Verdict) -> None:
    """If numberReturned is included, it SHALL equal the number of features in the response, on every
    page of the collection and with small limits."""
    for coll in api.collections(verdict):
        with verdict.instance(_instance(coll)) as rec:
            walk = api.scan(coll)
            pages = [_first_page(api, coll, {"limit": str(n)})[1] for n in SMALL_LIMITS]
            present = [p for p in pages if isinstance(p, dict) and "numberReturned" in p]
            if not present and not walk.number_returned_issues and not _has_number_returned(walk):
                raise NotTested("numberReturned absent : rien à vérifier")
            for issue in walk.number_returned_issues:
                rec.fail(issue)
            for page in present:
                feats = page.get("features")
                if not isinstance(feats, list):
                    feats = []
                rec.check(page["numberReturned"] == len(feats),
                          f"numberReturned={page['numberReturned']} mais {len(feats)} entités")


def _has_number_returned(walk: Walk) -> bool:
    if walk.first_page is None or walk.first_page.status != 200:
        return False
    try:
        doc = walk.first_page.json()
    except AssertionError:
        return False
    return isinstance(doc, dict) and "numberReturned" in doc

