"""OGC API Features Part 1, Core: the features of a collection (items), with bbox, limit and datetime.

Results are verified against content: every query is walked to its last page and compared with what a
walk of the whole collection says it must return, not only its status code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from shapely.geometry import box as shapely_box
from shapely.geometry import shape

from cicclo.declare import conformance
from cicclo.errors import NotTested
from cicclo.http import Exchange, attach_evidence
from cicclo.oapif.checks import (
    bbox_schema_problems,
    datetime_schema_problems,
    limit_schema_problems,
    parameter_problems,
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
    extent = coll.entry.get("extent") if isinstance(coll.entry.get("extent"), dict) else {}
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


def _test_boxes(extent: tuple[float, float, float, float]) -> list[tuple[str, tuple[float, float, float, float]]]:
    """A box in the middle of the extent and a box entirely outside it (both deterministic)."""
    x0, y0, x1, y1 = extent
    w, h = max(x1 - x0, 1e-3), max(y1 - y0, 1e-3)
    inner = (round(x0 + w / 4, 6), round(y0 + h / 4, 6), round(x0 + 3 * w / 4, 6), round(y0 + 3 * h / 4, 6))
    ox = x1 + 1 if x1 + 2 <= 180 else x0 - 2
    outer = (round(ox, 6), round(max(y0, -89.0), 6), round(ox + 1, 6), round(min(max(y0, -89.0) + 1, 90.0), 6))
    return [("centre de l'étendue", inner), ("hors de l'étendue", outer)]


def _bbox_param(b: tuple[float, float, float, float]) -> str:
    return ",".join(f"{v:g}" for v in b)


def _inside(env: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return b[0] <= env[0] and env[2] <= b[2] and b[1] <= env[1] and env[3] <= b[3]


def _disjoint(env: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return env[2] < b[0] or env[0] > b[2] or env[3] < b[1] or env[1] > b[3]


# -- temporal -----------------------------------------------------------------------------------------


def _parse_instant(value: str, end: bool = False) -> dt.datetime:
    """An RFC 3339 date-time, or a date taken as its whole day."""
    text = value.strip().replace("z", "Z")
    if len(text) == 10:
        day = dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
        return day + dt.timedelta(days=1, microseconds=-1) if end else day
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _span(value: str) -> tuple[dt.datetime, dt.datetime]:
    return _parse_instant(value), _parse_instant(value, end=True)


def _intersects(times: list[str], lo: dt.datetime | None, hi: dt.datetime | None) -> bool:
    for t in times:
        start, end = _span(t)
        if (hi is None or start <= hi) and (lo is None or end >= lo):
            return True
    return False


def _datetime_queries(walk: Walk) -> list[tuple[str, str, dt.datetime | None, dt.datetime | None]]:
    """Deterministic instant, closed, half-bounded and out-of-range queries from the dates really seen."""
    values = sorted({t for f in walk.features for t in f.times}, key=lambda t: _span(t)[0])
    if len(values) < 4:
        return []
    q1, mid, q3 = values[len(values) // 4], values[len(values) // 2], values[3 * len(values) // 4]
    lo1, hi3 = _span(q1)[0], _span(q3)[1]
    return [
        ("instant", mid, *_span(mid)),
        ("intervalle fermé", f"{q1}/{q3}", lo1, hi3),
        ("intervalle ouvert au début", f"../{q1}", None, _span(q1)[1]),
        ("intervalle ouvert à la fin", f"{q3}/..", _span(q3)[0], None),
        ("intervalle hors des données", "1900-01-01T00:00:00Z/1900-12-31T23:59:59Z",
         dt.datetime(1900, 1, 1, tzinfo=dt.UTC), dt.datetime(1900, 12, 31, 23, 59, 59, tzinfo=dt.UTC)),
    ]


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
                variants.append({"bbox": _bbox_param(_test_boxes(extent)[0][1])})
            variants.append({"datetime": "2000-01-01T00:00:00Z/.."})
            for params in variants:
                ex = _items(api, coll, params)
                rec.check(ex.status == 200, f"{ex.describe()} : 200 attendu")

    list(api.client.parallel(check, api.collections(verdict)))


def _check_definition(rec: InstanceRecorder, param: dict[str, Any] | None, name: str,
                      schema_check: Callable[[dict[str, Any]], list[str]]) -> None:
    rec.require(param is not None, f"paramètre {name} non déclaré pour GET …/items")
    assert param is not None
    schema = param.get("schema") if isinstance(param.get("schema"), dict) else {}
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
    for coll in api.collections(verdict):
        walk = _scan_or_record(api, verdict, coll)
        if walk is None:
            continue
        for label, b in _boxes_for(api, coll):
            with verdict.instance(_instance(coll, f"bbox={_bbox_param(b)} ({label})")) as rec:
                attach_evidence(walk.evidence)
                target = shapely_box(*b)
                wrong: list[Any] = []

                def visit(feat: dict[str, Any], target: Any = target, wrong: list[Any] = wrong) -> None:
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
                        _inside(f.envelope, b) or (f.geometry_type == "Point" and not _disjoint(f.envelope, b)))]
                    missing = [i for i in must if repr(i) not in returned]
                    rec.check(not missing, f"{len(missing)} entités dans la boîte non renvoyées (ex. {missing[:5]})")
                else:
                    rec.note("complétude non vérifiée : parcours incomplet")


def _boxes_for(api: OapifContext, coll: CollectionRef) -> list[tuple[str, tuple[float, float, float, float]]]:
    extent = _extent_box(coll, Walk(first_url=""))
    if extent is None:
        extent = _extent_box(coll, api.scan(coll))
    return _test_boxes(extent) if extent else []


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
    """A response SHALL not contain more features than `limit` nor than the declared maximum; a limit
    above the maximum is not an error and is capped."""
    try:
        definition = load_definition(api)
    except NotTested:
        definition = None

    def check(coll: CollectionRef) -> None:
        maximum = None
        if definition is not None:
            schema = (definition.items_parameters(coll.id).get("limit") or {}).get("schema") or {}
            maximum = schema.get("maximum") if isinstance(schema.get("maximum"), int) else None
        cases = [(n, n) for n in SMALL_LIMITS]
        if maximum is not None:
            cases.append((maximum + 1000, maximum))
        for asked, bound in cases:
            with verdict.instance(_instance(coll, f"limit={asked}")) as rec:
                _first_page(api, coll)
                ex, doc = _first_page(api, coll, {"limit": str(asked)}) if asked <= (maximum or asked) else (
                    _items(api, coll, {"limit": str(asked)}), None)
                if doc is None:
                    rec.require(ex.status == 200, f"{ex.describe()} : une limite au-delà du maximum ({maximum}) "
                                                  "n'est pas une erreur, 200 attendu")
                    doc = ex.json()
                feats = doc.get("features") if isinstance(doc, dict) else None
                if not isinstance(feats, list):
                    raise NotTested("pas de tableau features (vérifié par OAPIF-CORE-026)")
                rec.check(len(feats) <= bound, f"{ex.url} : {len(feats)} entités pour limit={asked} (au plus {bound})")

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
    closed, half-bounded and out-of-range intervals are derived from the dates really present; each query
    is walked to the end, every returned dated feature must intersect, and (when each feature has a single
    temporal value) every intersecting feature must be returned."""
    for coll in api.collections(verdict):
        walk = _scan_or_record(api, verdict, coll)
        if walk is None:
            continue
        if not any(f.times for f in walk.features):
            with verdict.instance(_instance(coll)):
                raise NotTested("aucune valeur temporelle dans les entités : rien à filtrer")
        for label, value, lo, hi in _datetime_queries(walk):
            with verdict.instance(_instance(coll, f"datetime={value} ({label})")) as rec:
                attach_evidence(walk.evidence)
                result = api.walk(api.items_url(coll), {"datetime": value, "limit": "1000"}, owned=True)
                _fail_page_issues(rec, result)
                wrong = [f.id for f in result.features if f.times and not _intersects(f.times, lo, hi)]
                rec.check(not wrong, f"{len(wrong)} entités renvoyées hors de l'intervalle (ex. {wrong[:5]})")
                single = all(len(f.times) <= 1 for f in walk.features)
                if walk.complete and result.complete and single:
                    returned = {repr(i) for i in result.ids}
                    must = [f.id for f in walk.features if f.times and _intersects(f.times, lo, hi)]
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
    numbers, datetime that is not a date)."""
    invalid = {"limit": "unlimited", "bbox": "1,2,3", "datetime": "pas-une-date"}

    def check(coll: CollectionRef) -> None:
        for name, value in invalid.items():
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
                when = _parse_instant(str(stamp))
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
    every page, without filter and with the bbox of OAPIF-CORE-019."""
    for coll in api.collections(verdict):
        queries: list[tuple[str, dict[str, str] | None]] = [("sans filtre", None)]
        queries += [(f"bbox={_bbox_param(b)}", {"bbox": _bbox_param(b), "limit": "1000"})
                    for _, b in _boxes_for(api, coll)[:1]]
        for label, params in queries:
            with verdict.instance(_instance(coll, label)) as rec:
                walk = api.scan(coll) if params is None else api.walk(api.items_url(coll), params, owned=True)
                if walk.number_matched is None:
                    raise NotTested("numberMatched absent : rien à vérifier")
                if params is not None:
                    _fail_page_issues(rec, walk)
                    rec.require(not walk.page_issues, "numberMatched invérifiable : une page du résultat est en erreur")
                _require_complete(walk, "numberMatched")
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
                feats = page.get("features") if isinstance(page.get("features"), list) else []
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

