"""Defects of an OGC API Records endpoint, for :class:`tests.faults.proxy.FaultProxy` in front of the reference
catalogue (pygeoapi's CSWFacade over pycsw).

Each defect breaks one requirement that the reference catalogue meets, and only the requests that requirement
is checked on, so that a run through it shows its check FAIL while the other checks keep their status.
``RECORDS_DEFECTS`` maps the defect names (the first segment of the proxy URL) to the defects; ``none`` forwards
untouched. Which ID each defect must turn FAIL is in ``tests/test_records_faults.py``.
"""

from __future__ import annotations

import re

from tests.faults.proxy import Defect, Exchange

# query parameters that only page or pick an encoding: an items request with no other is the plain listing
PAGING = {"f", "limit", "offset"}
COLLECTION_PATH = re.compile(r"collections/[^/]+")


def _names(ex: Exchange) -> set[str]:
    return {k for k, _ in ex.query}


def _is_collection(ex: Exchange) -> bool:
    return bool(COLLECTION_PATH.fullmatch(ex.path))


def _wants_html(ex: Exchange) -> bool:
    return dict(ex.query).get("f") == "html" or ex.accept.startswith("text/html")


def _edit_json(pred, edit):  # type: ignore[no-untyped-def]
    """An ``after`` editing the JSON body of the 200 responses ``pred`` selects."""
    def after(ex: Exchange) -> None:
        if ex.status == 200 and ex.is_json and pred(ex):
            doc = ex.json()
            edit(doc, ex)
            ex.set_json(doc)
    return after


def _drop_param(name: str):  # type: ignore[no-untyped-def]
    """A ``before`` making the server ignore the query parameter ``name`` on items requests."""
    def before(ex: Exchange) -> bool:
        if ex.is_items:
            ex.query = [(k, v) for k, v in ex.query if k != name]
        return False
    return before


def _drop_rel(doc: dict, rel: str) -> None:
    doc["links"] = [lk for lk in doc.get("links", []) if not (isinstance(lk, dict) and lk.get("rel") == rel)]


# -- OAREC-001: the landing page does not link the conformance declaration ------------------------------------

def _no_conformance_link(doc: dict, ex: Exchange) -> None:
    doc["links"] = [lk for lk in doc.get("links", []) if not (isinstance(lk, dict) and lk.get("rel") in (
        "conformance", "http://www.opengis.net/def/rel/ogc/1.0/conformance"))]


# -- OAREC-002: the plain listing of a catalogue's records fails ---------------------------------------------

def _listing_error(ex: Exchange) -> bool:
    """GET …/items in JSON without any paging or query parameter answers 500 (pages with limit/offset and the
    HTML page still work)."""
    if ex.is_items and _names(ex) <= {"f"} and not _wants_html(ex):
        ex.status, ex.headers = 500, {"content-type": "application/json"}
        ex.set_json({"code": "NoApplicableCode", "description": "erreur interne du fournisseur"})
        return True
    return False


# -- OAREC-003: an unknown record id answers 200 with a record instead of 404 -----------------------------------

def _unknown_record_found(ex: Exchange) -> None:
    if ex.is_feature and ex.status == 404:
        rid = ex.path.rsplit("/", 1)[1]
        ex.status, ex.headers = 200, {"content-type": "application/geo+json"}
        ex.set_json({"id": rid, "type": "Feature", "geometry": None,
                     "properties": {"title": "Fiche par défaut", "type": "dataset"}, "links": []})


# -- OAREC-011: the catalogue document gives another itemType than /collections --------------------------------

def _item_type_feature(doc: dict, ex: Exchange) -> None:
    doc["itemType"] = "feature"


# -- OAREC-012: the catalogue document does not link its records (no rel=items) ---------------------------------

def _no_items_link(doc: dict, ex: Exchange) -> None:
    _drop_rel(doc, "items")


# -- OAREC-020: records of the plain listing lack properties.title ---------------------------------------------

def _untitled_last_record(doc: dict, ex: Exchange) -> None:
    """On unfiltered pages, the last record loses its title (filtered and sorted answers keep it, so that the
    q and sortby checks still see the real titles)."""
    if _names(ex) <= PAGING:
        feats = doc.get("features") or []
        if feats and isinstance(feats[-1].get("properties"), dict):
            feats[-1]["properties"].pop("title", None)


# -- OAREC-033: q matches nothing ---------------------------------------------------------------------------

def _q_matches_nothing(ex: Exchange) -> bool:
    """q is searched in a field no record fills: a word of a record's title returns no record."""
    if ex.is_items:
        ex.query = [(k, "cicclo-aucun-mot-4b1d" if k == "q" else v) for k, v in ex.query]
    return False


# -- OAREC-036 and OAREC-042: the API definition declares q as a plain string, or does not declare sortby ---------

def _is_definition(ex: Exchange) -> bool:
    return ex.path == "openapi"


def _edit_items_parameters(edit):  # type: ignore[no-untyped-def]
    """An edit of the parameter list of every GET …/items operation of the API definition."""
    def on_definition(doc: dict, ex: Exchange) -> None:
        for path, item in (doc.get("paths") or {}).items():
            if path.endswith("/items") and isinstance(item.get("get"), dict):
                item["get"]["parameters"] = edit(item["get"].get("parameters") or [])
    return on_definition


def _is_ref_to(param: object, building_block: str) -> bool:
    return isinstance(param, dict) and str(param.get("$ref", "")).endswith(f"/parameters/{building_block}")


def _q_as_string(params: list) -> list:
    return [{"name": "q", "in": "query", "required": False, "style": "form", "explode": False,
             "schema": {"type": "string"}} if _is_ref_to(p, "q.yaml") else p for p in params]


def _without_sortby(params: list) -> list:
    return [p for p in params if not _is_ref_to(p, "sortby.yaml")]


# -- OAREC-053: a catalogue asked for in JSON is labelled GeoJSON --------------------------------------------

def _catalog_as_geojson(ex: Exchange) -> None:
    if ex.status == 200 and _is_collection(ex) and not _wants_html(ex):
        ex.headers["content-type"] = "application/geo+json"


# -- OAREC-055: the conformance declaration asked for in HTML is labelled text/plain -----------------------------

def _html_conformance_as_text(ex: Exchange) -> None:
    if ex.status == 200 and ex.path == "conformance" and _wants_html(ex):
        ex.headers["content-type"] = "text/plain; charset=utf-8"


RECORDS_DEFECTS: dict[str, Defect] = {
    "none": Defect("none"),
    "sans-lien-conformite": Defect("sans-lien-conformite",
                                   after=_edit_json(lambda ex: ex.path == "", _no_conformance_link)),
    "liste-en-erreur": Defect("liste-en-erreur", before=_listing_error),
    "fiche-inconnue-200": Defect("fiche-inconnue-200", after=_unknown_record_found),
    "itemtype-feature": Defect("itemtype-feature", after=_edit_json(_is_collection, _item_type_feature)),
    "catalogue-sans-lien-items": Defect("catalogue-sans-lien-items", after=_edit_json(_is_collection, _no_items_link)),
    "fiche-sans-titre": Defect("fiche-sans-titre", after=_edit_json(lambda ex: ex.is_items, _untitled_last_record)),
    "bbox-ignore": Defect("bbox-ignore", before=_drop_param("bbox")),
    "q-sans-resultat": Defect("q-sans-resultat", before=_q_matches_nothing),
    "type-ignore": Defect("type-ignore", before=_drop_param("type")),
    "sortby-ignore": Defect("sortby-ignore", before=_drop_param("sortby")),
    "q-declare-en-chaine": Defect("q-declare-en-chaine",
                                  after=_edit_json(_is_definition, _edit_items_parameters(_q_as_string))),
    "sortby-non-declare": Defect("sortby-non-declare",
                                 after=_edit_json(_is_definition, _edit_items_parameters(_without_sortby))),
    "catalogue-en-geojson": Defect("catalogue-en-geojson", after=_catalog_as_geojson),
    "conformance-html-en-texte": Defect("conformance-html-en-texte", after=_html_conformance_as_text),
}
