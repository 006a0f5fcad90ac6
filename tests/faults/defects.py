"""The defects the proxy can inject, each with the test IDs expected to detect it.

``EXPECTED`` maps a defect to the IDs whose status must change and the status they must take; every other
ID must keep its baseline status. ``CONFORMANT`` are the opposite: repairs of the reference server's own
deviations, showing that a check that FAILs on pygeoapi passes on a conformant server.
"""

from __future__ import annotations

import re

from tests.faults.proxy import Defect, Exchange

BIG = "bornes"  # 12,000 features: several pages
DATED = "stations"
LINES = "troncons"
POLYGONS = "parcelles"


def _drop_rel(doc: dict, rel: str) -> None:
    doc["links"] = [lk for lk in doc.get("links", []) if lk.get("rel") != rel]


def _edit_json(pred, edit):  # type: ignore[no-untyped-def]
    def after(ex: Exchange) -> None:
        if ex.status == 200 and ex.is_json and pred(ex):
            doc = ex.json()
            edit(doc, ex)
            ex.set_json(doc)
    return after


def _drop_params(pred, names):  # type: ignore[no-untyped-def]
    def before(ex: Exchange) -> bool:
        if pred(ex):
            ex.query = [(k, v) for k, v in ex.query if k not in names]
        return False
    return before


def _is_landing(ex: Exchange) -> bool:
    return ex.path == ""


def _loop_next(doc: dict, ex: Exchange) -> None:
    """On the big collection, page 2's next link points back to page 1."""
    offset = dict(ex.query).get("offset")
    if offset and int(offset) > 0:
        for lk in doc.get("links", []):
            if lk.get("rel") == "next":
                lk["href"] = lk["href"].replace(f"offset={int(offset) + int(dict(ex.query).get('limit', 10))}",
                                                "offset=0")


def _break_ring(doc: dict, ex: Exchange) -> None:
    feats = doc.get("features") or []
    if feats and feats[0].get("geometry", {}).get("type") == "Polygon":
        feats[0]["geometry"]["coordinates"][0] = feats[0]["geometry"]["coordinates"][0][:3]


def _shrink_extent(doc: dict, ex: Exchange) -> None:
    for entry in _entries(doc):
        if entry.get("id") == POLYGONS:
            box = entry["extent"]["spatial"]["bbox"][0]
            entry["extent"]["spatial"]["bbox"][0] = [box[0] + 1, box[1] + 1, box[2] - 1, box[3] - 1]


def _hide_free_form(doc: dict, ex: Exchange) -> None:
    for item in doc.get("paths", {}).values():
        for op in item.values():
            if isinstance(op, dict) and isinstance(op.get("parameters"), list):
                op["parameters"] = [p for p in op["parameters"]
                                    if "vendorSpecificParameters" not in str(p.get("$ref", ""))]


def _reject_unknown(ex: Exchange) -> bool:
    known = {"f", "lang", "bbox", "limit", "crs", "bbox-crs", "properties", "skipGeometry", "sortby",
             "offset", "datetime"}
    if ex.is_items and any(k not in known for k, _ in ex.query):
        ex.status, ex.headers = 400, {"content-type": "application/json"}
        ex.set_json({"code": "InvalidParameterValue", "description": "paramètre inconnu"})
        return True
    return False


def _strict_params_before(ex: Exchange) -> bool:
    return _reject_unknown(ex)


def _html_plain(ex: Exchange) -> None:
    if _is_landing(ex) and "text/html" in ex.accept:
        ex.headers["content-type"] = "text/plain; charset=utf-8"


def _http10(ex: Exchange) -> None:
    ex.protocol = "HTTP/1.0"


def _geojson_type(ex: Exchange) -> None:
    if (ex.is_items or ex.is_feature) and ex.status == 200 and ex.is_json:
        ex.headers["content-type"] = "application/geo+json"


def _collection(ex: Exchange, cid: str) -> bool:
    return ex.path == f"collections/{cid}"


# -- one defect per check that no real pygeoapi deviation proves ------------------------------------------

LAMBERT93_POINT = [171_000.0, 6_789_000.0]  # station-001 in EPSG:2154 metres instead of CRS84 degrees
FIRST_LINE = f"{LINES[:-1]}-001"  # troncon-001: the first feature, also used by the OAS30, GeoJSON-001 checks
CORE_CLASS = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
AUTH_PARAM = "cle_api"
AUTH_ENV = "CICCLO_CLE_DEFAUT"
AUTH_VALUE = "cle-de-test-du-banc-de-defauts"  # a test fixture, not a credential
#: what the target file of a defect says besides its URL, and the environment its run needs
TARGET_EXTRA: dict[str, dict[str, object]] = {
    "auth-undeclared": {"auth": {"type": "query", "name": AUTH_PARAM, "env": AUTH_ENV}},
}
RUN_ENV: dict[str, dict[str, str]] = {"auth-undeclared": {AUTH_ENV: AUTH_VALUE}}


def _entries(doc: dict) -> list[dict]:
    """The collection entries of /collections, or the one document of /collections/{id}."""
    entries = doc.get("collections") if "collections" in doc else [doc]
    return [e for e in entries or [] if isinstance(e, dict)]


def _is_collection_doc(cid: str):  # type: ignore[no-untyped-def]
    return lambda ex: ex.path in ("collections", f"collections/{cid}")


def _touches_stations(ex: Exchange) -> bool:
    """/collections, /collections/stations and the items or features of the stations."""
    return _is_collection_doc(DATED)(ex) or ex.path.startswith(f"collections/{DATED}/items")


def _lambert_station(doc: dict, ex: Exchange) -> None:
    """CORE-002: one station served in projected metres; the collection declares no extent (an extent would
    make OAPIF-CORE-014 see the stray point too), in /collections and /collections/stations alike."""
    if "collections" in doc or ex.path == f"collections/{DATED}":
        for entry in _entries(doc):
            if entry.get("id") == DATED:
                entry.pop("extent", None)
        return
    for feat in doc.get("features", [doc]):
        if isinstance(feat, dict) and feat.get("id") == f"{DATED[:-1]}-001":
            feat["geometry"] = {"type": "Point", "coordinates": LAMBERT93_POINT}


def _drop_html_items_link(doc: dict, ex: Exchange) -> None:
    for entry in _entries(doc):
        if entry.get("id") == LINES:
            entry["links"] = [lk for lk in entry.get("links", [])
                              if not (lk.get("rel") == "items" and lk.get("type") == "text/html")]


def _extent_beyond_pole(doc: dict, ex: Exchange) -> None:
    """CORE-012: the extent grows symmetrically past latitude 90 (still around every geometry, same centre)."""
    for entry in _entries(doc):
        if entry.get("id") == LINES:
            box = entry["extent"]["spatial"]["bbox"][0]
            margin = 91 - box[3]
            entry["extent"]["spatial"]["bbox"][0] = [box[0], box[1] - margin, box[2], box[3] + margin]


def _with_json_service_desc(doc: dict, ex: Exchange) -> None:
    """CORE-006: a second API definition offered as plain JSON (the OpenAPI 3.0 one stays first)."""
    links = doc.get("links", [])
    desc = next(lk for lk in links if lk.get("rel") == "service-desc")
    links.insert(links.index(desc) + 1, {**desc, "type": "application/json", "href": desc["href"] + "?f=json",
                                          "title": "La définition de l'API en JSON"})


def _is_json_variant_definition(ex: Exchange) -> bool:
    return ex.path == "openapi" and ("f", "json") in ex.query


def _break_conformance_link(doc: dict, ex: Exchange) -> None:
    for lk in doc.get("links", []):
        if lk.get("rel") == "conformance":
            head, _, tail = lk["href"].rpartition("/conformance")
            lk["href"] = f"{head}/conformite{tail}"


def _drop_core_class(doc: dict, ex: Exchange) -> None:
    doc["conformsTo"] = [c for c in doc.get("conformsTo", []) if c != CORE_CLASS]


def _lambert_first(doc: dict, ex: Exchange) -> None:
    doc["crs"] = ["http://www.opengis.net/def/crs/EPSG/0/2154", "http://www.opengis.net/def/crs/OGC/1.3/CRS84"]


def _items_param(doc: dict, name: str) -> dict:
    """The inline (or component) definition of an items parameter of the line collection."""
    for raw in doc["paths"][f"/collections/{LINES}/items"]["get"]["parameters"]:
        ref = str(raw.get("$ref", ""))
        if raw.get("name") == name:
            return raw
        if ref == f"#/components/parameters/{name}":
            return doc["components"]["parameters"][name]
    raise LookupError(name)


def _bbox_exploded(doc: dict, ex: Exchange) -> None:
    _items_param(doc, "bbox")["explode"] = True


def _limit_as_number(doc: dict, ex: Exchange) -> None:
    _items_param(doc, "limit")["schema"]["type"] = "number"


def _undocumented_400(doc: dict, ex: Exchange) -> None:
    doc["paths"][f"/collections/{LINES}/items"]["get"]["responses"].pop("400")


def _definition_as_plain_json(ex: Exchange) -> None:
    if ex.path == "openapi" and ex.status == 200 and "openapi" in ex.headers.get("content-type", ""):
        ex.headers["content-type"] = "application/json"


def _not_found(ex: Exchange) -> bool:
    ex.status, ex.headers = 404, {"content-type": "application/json"}
    ex.set_json({"code": "NotFound", "description": "ressource introuvable"})
    return True


def _service_doc_missing(ex: Exchange) -> bool:
    return ex.path == "openapi" and ("f", "html") in ex.query and _not_found(ex)


def _is_later_line(ex: Exchange) -> bool:
    """A feature of the line collection other than the first (the sample's other features)."""
    prefix = f"collections/{LINES}/items/{LINES[:-1]}-"
    return ex.path.startswith(prefix) and ex.path != f"collections/{LINES}/items/{FIRST_LINE}"


def _drop_upstream_date(ex: Exchange) -> None:
    """One Date header: the proxy sends its own, and forwarding pygeoapi's too makes two, which the client joins
    into one value that parses without a time zone (OAPIF-CORE-028 then ends in ERROR on the baseline)."""
    for key in [k for k in ex.headers if k.lower() == "date"]:
        del ex.headers[key]


def _stale_timestamp(ex: Exchange) -> None:
    _drop_upstream_date(ex)
    if ex.is_items and ex.status == 200 and ex.is_json:
        doc = ex.json()
        if isinstance(doc.get("timeStamp"), str):
            doc["timeStamp"] = "2001-01-01T00:00:00Z"
            ex.set_json(doc)


def _require_key(ex: Exchange) -> bool:
    """OAS30-006: an API key in the query is required; the OpenAPI document does not say so."""
    params = dict(ex.query)
    if params.get(AUTH_PARAM) != AUTH_VALUE:
        ex.status, ex.headers = 401, {"content-type": "application/json"}
        ex.set_json({"code": "Unauthorized", "description": f"paramètre {AUTH_PARAM} requis"})
        return True
    ex.query = [(k, v) for k, v in ex.query if k != AUTH_PARAM]
    return False


def _bad_request(ex: Exchange) -> bool:
    ex.status, ex.headers = 400, {"content-type": "application/json"}
    ex.set_json({"code": "InvalidParameterValue", "description": "requête refusée"})
    return True


def _next_page(ex: Exchange) -> bool:
    """A page other than the first, reached through a next link the server produced (offset > 0)."""
    offset = dict(ex.query).get("offset", "0")
    return ex.is_items and offset.isdigit() and int(offset) > 0


def _valid_datetime(ex: Exchange) -> bool:
    """A datetime value of the ABNF (an instant or an interval, open ends included), not 'pas-une-date'."""
    value = dict(ex.query).get("datetime")
    return ex.is_items and value is not None and bool(re.match(r"^(\.\.|\d{4}-\d{2}-\d{2})", value))


def _limit_above(ex: Exchange, maximum: int) -> bool:
    value = dict(ex.query).get("limit", "")
    return ex.is_items and value.isdigit() and int(value) > maximum


def _valid_bbox(ex: Exchange) -> bool:
    value = dict(ex.query).get("bbox")
    return ex.is_items and value is not None and len(value.split(",")) in (4, 6)


#: the bbox parameter as the OGC publishes it (parameters/bbox.yaml of Part 1 1.0.1): oneOf 4 or 6 numbers
OGC_BBOX_SCHEMA = {"type": "array", "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}],
                   "items": {"type": "number"}}
HTML_COMMENT = b"<!-- page servie par le banc de defauts -->\n"


def _ogc_bbox_fragment(doc: dict, ex: Exchange) -> None:
    _items_param(doc, "bbox")["schema"] = OGC_BBOX_SCHEMA


def _html_comment_and_title(ex: Exchange) -> None:
    """A comment before the doctype (allowed by HTML5) and a title that is not empty."""
    if ex.status == 200 and ex.headers.get("content-type", "").startswith("text/html"):
        ex.body = HTML_COMMENT + re.sub(rb"<title>\s*</title>", b"<title>Page</title>", ex.body, count=1)


def _geojson_and_conformance_links(ex: Exchange) -> None:
    """Features in application/geo+json, and /conformance with the links its OpenAPI schema requires."""
    _geojson_type(ex)
    if ex.path == "conformance" and ex.status == 200 and ex.is_json:
        doc = ex.json()
        doc.setdefault("links", [{"href": "conformance?f=json", "rel": "self", "type": "application/json"}])
        ex.set_json(doc)


def _items_links_jsonld_only(doc: dict, ex: Exchange) -> None:
    """The line collection links its items in JSON-LD and HTML only (no GeoJSON, no JSON items link)."""
    for entry in _entries(doc):
        if entry.get("id") == LINES:
            entry["links"] = [lk for lk in entry.get("links", []) if not (
                lk.get("rel") == "items" and "ld+json" not in lk.get("type", "") and "html" not in lk.get("type", ""))]


def _swagger_variant(doc: dict, ex: Exchange) -> None:
    doc.pop("openapi", None)
    doc["swagger"] = "2.0"


def _unlist_polygons(doc: dict, ex: Exchange) -> None:
    doc["collections"] = [c for c in doc.get("collections", []) if c.get("id") != POLYGONS]


def _server_url_elsewhere(doc: dict, ex: Exchange) -> None:
    """The first server URL gains a path the API is not served under (paths no longer compose)."""
    doc["servers"][0]["url"] = doc["servers"][0]["url"].rstrip("/") + "/api/v1"


def _empty_bounds_as_dots(ex: Exchange) -> bool:
    """A conformant reading of half-bounded datetime intervals written with an empty string (clause F)."""
    if ex.is_items:
        ex.query = [(k, re.sub(r"^/", "../", re.sub(r"/$", "/..", v)) if k == "datetime" else v) for k, v in ex.query]
    return False


def _antimeridian_as_west_part(ex: Exchange) -> bool:
    """A bbox crossing the antimeridian reduced to its part west of it: exact on the reference data, which
    lies between 2°W and 10°E, so the part east of the suite's box (beyond its east edge) holds nothing."""
    if ex.is_items:
        query = []
        for k, v in ex.query:
            parts = v.split(",") if k == "bbox" else []
            if len(parts) == 4 and float(parts[0]) > float(parts[2]):
                v = ",".join(["-180", parts[1], parts[2], parts[3]])
            query.append((k, v))
        ex.query = query
    return False


DEFECTS: dict[str, Defect] = {d.name: d for d in (
    Defect("none"),
    Defect("no-conformance-link", after=_edit_json(_is_landing, lambda d, ex: _drop_rel(d, "conformance"))),
    Defect("html-wrong-content-type", after=_html_plain),
    Defect("http-1.0", after=_http10),
    Defect("next-link-loop", after=_edit_json(lambda ex: ex.is_items and ex.path.startswith(f"collections/{BIG}/"),
                                              _loop_next)),
    Defect("limit-ignored", before=_drop_params(
        lambda ex: ex.is_items and dict(ex.query).get("limit", "10").isdigit()
        and int(dict(ex.query).get("limit", "10")) < 10, {"limit"})),
    Defect("bbox-ignored", before=_drop_params(lambda ex: ex.is_items, {"bbox"})),
    Defect("datetime-ignored", before=_drop_params(lambda ex: ex.is_items, {"datetime"})),
    Defect("number-matched-wrong", after=_edit_json(
        lambda ex: ex.is_items, lambda d, ex: d.update(numberMatched=d["numberMatched"] + 7)
        if "numberMatched" in d else None)),
    Defect("number-returned-wrong", after=_edit_json(
        lambda ex: ex.is_items, lambda d, ex: d.update(numberReturned=d["numberReturned"] + 1)
        if "numberReturned" in d else None)),
    Defect("feature-id-mismatch", after=_edit_json(lambda ex: ex.is_feature,
                                                   lambda d, ex: d.update(id=f"{d.get('id')}-autre"))),
    Defect("invalid-geometry", after=_edit_json(lambda ex: ex.is_items and POLYGONS in ex.path, _break_ring)),
    Defect("items-500", before=lambda ex: _server_error(ex, f"collections/{LINES}/items")),
    Defect("unknown-param-accepted", after=_edit_json(lambda ex: ex.path == "openapi", _hide_free_form)),
    Defect("no-self-link", after=_edit_json(lambda ex: ex.is_items, lambda d, ex: _drop_rel(d, "self"))),
    Defect("feature-no-collection-link", after=_edit_json(lambda ex: ex.is_feature,
                                                          lambda d, ex: _drop_rel(d, "collection"))),
    Defect("collections-no-self-link", after=_edit_json(lambda ex: ex.path == "collections",
                                                        lambda d, ex: _drop_rel(d, "self"))),
    Defect("extent-too-small", after=_edit_json(
        lambda ex: ex.path in ("collections", f"collections/{POLYGONS}"), _shrink_extent)),
    Defect("openapi-not-30", after=_edit_json(lambda ex: ex.path == "openapi",
                                              lambda d, ex: d.update(openapi="3.1.0"))),
    Defect("malformed-json", after=lambda ex: _truncate(ex) if _collection(ex, DATED) else None),
    Defect("hang", hang=lambda ex: _collection(ex, POLYGONS)),
    Defect("huge-body", huge=lambda ex: _collection(ex, POLYGONS)),
    Defect("crs84-projected-point", after=_edit_json(_touches_stations, _lambert_station)),
    Defect("service-doc-missing", before=_service_doc_missing),
    Defect("definition-without-info", after=_edit_json(
        lambda ex: _is_landing(ex) or _is_json_variant_definition(ex),
        lambda d, ex: _with_json_service_desc(d, ex) if _is_landing(ex) else d.pop("info", None))),
    Defect("conformance-link-broken", after=_edit_json(_is_landing, _break_conformance_link)),
    Defect("core-class-undeclared", after=_edit_json(lambda ex: ex.path == "conformance", _drop_core_class)),
    Defect("collections-crs-not-crs84-first", after=_edit_json(lambda ex: ex.path == "collections", _lambert_first)),
    Defect("extent-beyond-pole", after=_edit_json(_is_collection_doc(LINES), _extent_beyond_pole)),
    Defect("no-html-items-link", after=_edit_json(lambda ex: ex.path == "collections", _drop_html_items_link)),
    Defect("bbox-exploded", after=_edit_json(lambda ex: ex.path == "openapi", _bbox_exploded)),
    Defect("limit-not-integer", after=_edit_json(lambda ex: ex.path == "openapi", _limit_as_number)),
    Defect("timestamp-stale", after=_stale_timestamp),
    Defect("feature-404", before=lambda ex: _is_later_line(ex) and _not_found(ex)),
    Defect("feature-truncated", after=lambda ex: _truncate(ex) if _is_later_line(ex) else None),
    Defect("error-code-undocumented", after=_edit_json(lambda ex: ex.path == "openapi", _undocumented_400)),
    Defect("definition-plain-json", after=_definition_as_plain_json),
    Defect("auth-undeclared", before=_require_key),
    Defect("collection-500", before=lambda ex: ex.path == f"collections/{POLYGONS}" and _server_error(ex, "")),
    Defect("landing-500", before=lambda ex: _is_landing(ex) and _server_error(ex, "")),
    Defect("collections-500", before=lambda ex: ex.path == "collections" and _server_error(ex, "")),
    # the false FAILs, suite defects and weak checks of issue 10
    Defect("items-link-jsonld-only", after=_edit_json(_is_collection_doc(LINES), _items_links_jsonld_only)),
    Defect("definition-swagger-2", after=_edit_json(
        lambda ex: _is_landing(ex) or _is_json_variant_definition(ex),
        lambda d, ex: _with_json_service_desc(d, ex) if _is_landing(ex) else _swagger_variant(d, ex))),
    Defect("queryables-404", before=lambda ex: ex.path == f"collections/{LINES}/queryables" and _not_found(ex)),
    Defect("collection-unlisted", after=_edit_json(lambda ex: ex.path == "collections", _unlist_polygons)),
    Defect("server-url-elsewhere", after=_edit_json(lambda ex: ex.path == "openapi", _server_url_elsewhere)),
    # a server error on a request the standard says must succeed
    Defect("next-page-400", before=lambda ex: _next_page(ex) and _bad_request(ex)),
    Defect("datetime-400", before=lambda ex: _valid_datetime(ex) and _bad_request(ex)),
    Defect("bbox-400", before=lambda ex: _valid_bbox(ex) and _bad_request(ex)),
    # a limit above the declared maximum (pygeoapi's max_items, 1000) must be capped, not refused
    Defect("limit-above-maximum-400", before=lambda ex: _limit_above(ex, 1000) and _bad_request(ex)),
    # conformant repairs of pygeoapi's own deviations
    Defect("strict-params", before=_strict_params_before,
           after=_edit_json(lambda ex: ex.path == "openapi", _hide_free_form)),
    Defect("geojson-media-type", after=_geojson_type),
    Defect("single-date-header", after=_drop_upstream_date),
    Defect("datetime-empty-bounds", before=_empty_bounds_as_dots),
    Defect("bbox-antimeridian", before=_antimeridian_as_west_part),
    Defect("ogc-bbox-fragment", after=_edit_json(lambda ex: ex.path == "openapi", _ogc_bbox_fragment)),
    Defect("html-comment-before-doctype", after=_html_comment_and_title),
    Defect("geojson-conformance-links", after=_geojson_and_conformance_links),
)}


def _server_error(ex: Exchange, prefix: str) -> bool:
    if ex.path.startswith(prefix):
        ex.status, ex.headers, ex.body = 500, {"content-type": "text/plain"}, b"erreur interne simulee"
        return True
    return False


def _truncate(ex: Exchange) -> None:
    if ex.status == 200 and ex.is_json:
        ex.body = ex.body[: len(ex.body) // 2]


#: defect -> {test ID: status it must take}; every other ID keeps its baseline status
EXPECTED: dict[str, dict[str, str]] = {
    "no-conformance-link": {"OAPIF-CORE-004": "FAIL"},
    "html-wrong-content-type": {"OAPIF-HTML-001": "FAIL"},
    "http-1.0": {"OAPIF-CORE-001": "FAIL"},
    "next-link-loop": {"OAPIF-CORE-026": "FAIL"},
    "limit-ignored": {"OAPIF-CORE-021": "FAIL"},
    "bbox-ignored": {"OAPIF-CORE-019": "FAIL"},
    "datetime-ignored": {"OAPIF-CORE-023": "FAIL"},
    "number-matched-wrong": {"OAPIF-CORE-029": "FAIL"},
    "number-returned-wrong": {"OAPIF-CORE-030": "FAIL"},
    "feature-id-mismatch": {"OAPIF-GEOJSON-002": "FAIL"},
    "invalid-geometry": {"OAPIF-GEOJSON-002": "FAIL"},
    # every request for the items of one collection answered 500: a FAIL of each test whose own valid query it
    # refuses (limit, bbox, a declared path), never a precondition
    "items-500": {"OAPIF-CORE-017": "FAIL", "OAPIF-CORE-021": "FAIL", "OAPIF-CORE-029": "FAIL",
                  "OAPIF-OAS30-005": "FAIL"},
    "unknown-param-accepted": {"OAPIF-CORE-025": "FAIL"},
    "no-self-link": {"OAPIF-CORE-027": "FAIL"},
    "feature-no-collection-link": {"OAPIF-CORE-033": "FAIL"},
    "collections-no-self-link": {"OAPIF-CORE-011": "FAIL"},
    "extent-too-small": {"OAPIF-CORE-014": "FAIL"},
    "openapi-not-30": {"OAPIF-OAS30-004": "FAIL"},
    "malformed-json": {"OAPIF-CORE-016": "FAIL"},
    # transport faults are never a FAIL: the suite could not decide. The same unanswered resource is
    # also used by the other tests that request /collections/{id}.
    "hang": {"OAPIF-CORE-015": "ERROR", "OAPIF-CORE-016": "ERROR", "OAPIF-OAS30-005": "ERROR"},
    "huge-body": {"OAPIF-CORE-015": "ERROR", "OAPIF-CORE-016": "ERROR", "OAPIF-OAS30-005": "ERROR"},
    # one defect per check that no real deviation of pygeoapi proves
    "crs84-projected-point": {"OAPIF-CORE-002": "FAIL"},
    "service-doc-missing": {"OAPIF-CORE-005": "FAIL"},
    "definition-without-info": {"OAPIF-CORE-006": "FAIL"},
    "conformance-link-broken": {"OAPIF-CORE-007": "FAIL"},
    "core-class-undeclared": {"OAPIF-CORE-008": "FAIL"},
    "collections-crs-not-crs84-first": {"OAPIF-CORE-010": "FAIL"},
    "extent-beyond-pole": {"OAPIF-CORE-012": "FAIL"},
    "no-html-items-link": {"OAPIF-CORE-013": "FAIL"},
    "bbox-exploded": {"OAPIF-CORE-018": "FAIL"},
    "limit-not-integer": {"OAPIF-CORE-020": "FAIL"},
    "timestamp-stale": {"OAPIF-CORE-028": "FAIL"},
    "feature-404": {"OAPIF-CORE-031": "FAIL"},
    "feature-truncated": {"OAPIF-CORE-032": "FAIL"},
    "error-code-undocumented": {"OAPIF-OAS30-002": "FAIL"},
    "definition-plain-json": {"OAPIF-OAS30-003": "FAIL"},
    "auth-undeclared": {"OAPIF-OAS30-006": "FAIL"},
    # /collections/{id} in error: its owner FAILs, and the definition declares a path that is not implemented
    # (OAPIF-CORE-016 lists that collection among its skipped instances)
    "collection-500": {"OAPIF-CORE-015": "FAIL", "OAPIF-OAS30-005": "FAIL"},
    # a collection whose only non-HTML items link is JSON-LD: the suite reads its items at the standard path
    # (GeoJSON), never through the JSON-LD link; only the missing GeoJSON items link is reported
    "items-link-jsonld-only": {"OAPIF-CORE-013": "FAIL"},
    "definition-swagger-2": {"OAPIF-CORE-006": "FAIL"},
    "queryables-404": {"OAPIF-OAS30-005": "FAIL"},
    "collection-unlisted": {"OAPIF-CORE-012": "FAIL"},
    # one precise diagnosis (OAS30-005 "servers"), not five tests failing on "chemin introuvable"
    "server-url-elsewhere": {"OAPIF-OAS30-005": "FAIL"},
    # a server error on a request the standard says must succeed is a FAIL of the tests sending it, never a
    # precondition: a next link of the big collection, a valid datetime, a valid bbox answered 400
    "next-page-400": {"OAPIF-CORE-019": "FAIL", "OAPIF-CORE-026": "FAIL", "OAPIF-CORE-029": "FAIL"},
    "datetime-400": {"OAPIF-CORE-017": "FAIL", "OAPIF-CORE-023": "FAIL", "OAPIF-CORE-029": "FAIL"},
    "bbox-400": {"OAPIF-CORE-017": "FAIL", "OAPIF-CORE-019": "FAIL", "OAPIF-CORE-029": "FAIL"},
    # OAPIF-CORE-029 too: its walk in pages of a third of the big collection asks for more than the maximum
    "limit-above-maximum-400": {"OAPIF-CORE-021": "FAIL", "OAPIF-CORE-029": "FAIL"},
}

#: an unusable resource that every other test needs -> the test that owns it; the owner FAILs, the tests that
#: need the resource turn NOT_TESTED, and no other test changes its status
OWNER_ONLY: dict[str, str] = {
    "landing-500": "OAPIF-CORE-003",
    "collections-500": "OAPIF-CORE-009",
}

#: repairs -> {test ID: status}: checks that FAIL (or cannot run) on pygeoapi pass on a conformant server
CONFORMANT: dict[str, dict[str, str]] = {
    "strict-params": {"OAPIF-CORE-025": "PASS"},
    "geojson-media-type": {"OAPIF-GEOJSON-001": "PASS"},
    "single-date-header": {"OAPIF-CORE-028": "PASS"},
    "datetime-empty-bounds": {"OAPIF-CORE-035": "PASS"},
    "bbox-antimeridian": {"OAPIF-CORE-034": "PASS"},
    "ogc-bbox-fragment": {"OAPIF-CORE-018": "PASS"},
    "html-comment-before-doctype": {"OAPIF-HTML-002": "PASS"},
    "geojson-conformance-links": {"OAPIF-OAS30-001": "PASS", "OAPIF-GEOJSON-001": "PASS"},
}
