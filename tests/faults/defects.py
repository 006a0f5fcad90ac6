"""The defects the proxy can inject, each with the test IDs expected to detect it.

``EXPECTED`` maps a defect to the IDs whose status must change and the status they must take; every other
ID must keep its baseline status. ``CONFORMANT`` are the opposite: repairs of the reference server's own
deviations, showing that a check that FAILs on pygeoapi passes on a conformant server.
"""

from __future__ import annotations

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
    entries = doc.get("collections") if "collections" in doc else [doc]
    for entry in entries:
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
    # conformant repairs of pygeoapi's own deviations
    Defect("strict-params", before=_strict_params_before,
           after=_edit_json(lambda ex: ex.path == "openapi", _hide_free_form)),
    Defect("geojson-media-type", after=_geojson_type),
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
    "items-500": {"OAPIF-CORE-017": "FAIL"},
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
}

#: repairs -> {test ID: status}: checks that FAIL (or cannot run) on pygeoapi pass on a conformant server
CONFORMANT: dict[str, dict[str, str]] = {
    "strict-params": {"OAPIF-CORE-025": "PASS"},
    "geojson-media-type": {"OAPIF-GEOJSON-001": "PASS"},
}
