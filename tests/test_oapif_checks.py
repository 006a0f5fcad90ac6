"""The pure checks of OGC API Features Part 1 on small documents (no server)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from cicclo.http import Exchange
from cicclo.oapif.checks import (
    antimeridian_boxes,
    api_definition_problems,
    bbox_parts,
    bbox_schema_problems,
    datetime_queries,
    datetime_schema_problems,
    envelope_disjoint,
    envelope_inside,
    html5_doctype_problems,
    limit_outcome,
    limit_schema_problems,
    parameter_problems,
    times_intersect,
    unlisted_collections,
)
from cicclo.oapif.openapi import ApiDefinition, duplicate_operation_ids, offline_document, paths_by_shape
from cicclo.oapif.schemas import schema_errors

NUMBERS = {"type": "number"}


# -- parameter definitions -------------------------------------------------------------------------------


@pytest.mark.parametrize("schema", [
    {"type": "array", "minItems": 4, "maxItems": 6, "items": NUMBERS},  # Part 1 1.0.0
    {"type": "array", "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}],
     "items": NUMBERS},  # the fragment the OGC publishes (1.0.1)
    {"type": "array", "anyOf": [{"minItems": 4, "maxItems": 4, "items": NUMBERS},
                                {"minItems": 6, "maxItems": 6, "items": NUMBERS}]},
])
def test_bbox_definitions_of_the_standard_pass(schema: dict[str, Any]) -> None:
    assert bbox_schema_problems(schema) == []


@pytest.mark.parametrize("schema, expected", [
    ({"type": "array", "minItems": 4, "maxItems": 4, "items": NUMBERS}, "longueurs admises [4]"),
    ({"type": "array", "items": NUMBERS}, "longueurs admises"),
    ({"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "string"}}, "« number » attendu"),
    ({"type": "string"}, "« array » attendu"),
])
def test_bbox_definitions_outside_the_standard_fail(schema: dict[str, Any], expected: str) -> None:
    assert any(expected in p for p in bbox_schema_problems(schema))


def test_parameter_must_be_an_optional_form_query_parameter() -> None:
    good = {"name": "limit", "in": "query", "required": False, "style": "form", "explode": False}
    assert parameter_problems(good, "limit") == []
    bad = {**good, "in": "path", "required": True, "explode": True}
    assert len(parameter_problems(bad, "limit")) == 3


def test_limit_and_datetime_schemas() -> None:
    assert limit_schema_problems({"type": "integer", "minimum": 1, "maximum": 10000, "default": 10}) == []
    assert limit_schema_problems({"type": "integer", "minimum": 5, "maximum": 10, "default": 20})
    assert limit_schema_problems({"type": "number"})
    assert datetime_schema_problems({"type": "string"}) == []
    assert datetime_schema_problems({"type": "array"})


# -- API definition, collections, HTML ---------------------------------------------------------------------


def test_api_definition_must_be_openapi_3() -> None:
    doc = {"openapi": "3.0.2", "info": {}, "paths": {}}
    assert api_definition_problems(doc) == []
    assert api_definition_problems({**doc, "openapi": "3.1.0"}) == []  # its version: OAPIF-OAS30-004
    assert "Swagger" in api_definition_problems({"swagger": "2.0", "info": {}, "paths": {}})[0]
    assert api_definition_problems({**doc, "openapi": "3"})
    assert api_definition_problems({"openapi": "3.0.3"}) == ["pas d'objet « info »", "pas d'objet « paths »"]


def test_collection_paths_of_the_definition_must_be_listed() -> None:
    paths = ["/collections", "/collections/a", "/collections/a/items", "/collections/b", "/collections/{collectionId}"]
    assert unlisted_collections(paths, "", ["a"]) == ["b"]
    assert unlisted_collections(["/ogc/collections/a"], "/ogc", ["a"]) == []


@pytest.mark.parametrize("text", [
    "<!DOCTYPE html><html><head><title>t</title></head></html>",
    "\ufeff  <!-- généré par le serveur -->\n<!-- deux -->\n<!doctype HTML>\n<html></html>",
    '<!DOCTYPE html SYSTEM "about:legacy-compat"><html></html>',
])
def test_html5_doctype_after_comments_passes(text: str) -> None:
    assert html5_doctype_problems(text) == []


@pytest.mark.parametrize("text", ["<html><body>sans doctype</body></html>",
                                  '<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01//EN"><html>',
                                  "<p>texte</p><!DOCTYPE html>"])
def test_html_without_html5_doctype_fails(text: str) -> None:
    assert html5_doctype_problems(text) == ["doctype HTML5 absent"]


# -- the API definition against real responses -------------------------------------------------------------

ITEMS_DEFINITION: dict[str, Any] = {
    "openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "servers": [{"url": "http://h.test/ogc"}],
    "paths": {"/collections": {"get": {"responses": {"200": {"description": "ok"}}}},
              "/collections/c/items": {"get": {"responses": {"200": {"description": "ok", "content": {
                  "application/geo+json": {"schema": {"type": "object", "required": ["type"], "properties": {
                      "type": {"enum": ["FeatureCollection"]}}}}}}}}}},
}


def _definition(doc: dict[str, Any]) -> ApiDefinition:
    definition = ApiDefinition(url="http://h.test/ogc/api", exchange=_exchange("http://h.test/ogc/api", {}),
                               document=doc, server_url=doc["servers"][0]["url"])
    definition.offline = offline_document(doc, definition.unresolved)
    return definition


def _exchange(url: str, body: Any, content_type: str = "application/geo+json") -> Exchange:
    return Exchange(ref="evidence/0.json", method="GET", url=url, request_headers=[], status=200,
                    headers=httpx.Headers({"content-type": content_type}), body=json.dumps(body).encode())


def test_geojson_bodies_are_parsed_before_validation() -> None:
    """openapi-core knows no application/geo+json: without a deserializer the raw bytes fail every schema."""
    definition = _definition(ITEMS_DEFINITION)
    url = "http://h.test/ogc/collections/c/items"
    assert definition.response_errors(_exchange(url, {"type": "FeatureCollection", "features": []})) == []
    errors = definition.response_errors(_exchange(url, {"type": "Feature"}))
    assert errors and "FeatureCollection" in " ".join(errors)


def test_server_url_and_paths_that_do_not_compose_give_one_diagnosis() -> None:
    doc = {**ITEMS_DEFINITION, "servers": [{"url": "http://h.test/ogc/api/v1"}]}
    definition = _definition(doc)
    definition.locate("http://h.test/ogc/collections")
    assert definition.composition_problem and "/ogc/api/v1/collections" in definition.composition_problem
    assert definition.documented_statuses("http://h.test/ogc/collections/c/items") == ("/collections/c/items",
                                                                                        {"200"})
    fine = _definition(ITEMS_DEFINITION)
    fine.locate("http://other-name.test/ogc/collections")
    assert fine.composition_problem is None


def test_schema_messages_are_kept_whole() -> None:
    """results.json keeps every message whole; only the HTML report shortens them."""
    errors = schema_errors("landingPage", {"links": "x" * 1000})
    assert any(len(e) > 1000 for e in errors), errors


# -- probes ------------------------------------------------------------------------------------------------


def test_antimeridian_boxes_split_in_two() -> None:
    assert bbox_parts((170.0, -10.0, -170.0, 10.0)) == [(170.0, -10.0, 180.0, 10.0), (-180.0, -10.0, -170.0, 10.0)]
    assert envelope_inside((175.0, 0.0, 176.0, 1.0), (170.0, -10.0, -170.0, 10.0))
    assert envelope_inside((-175.0, 0.0, -174.0, 1.0), (170.0, -10.0, -170.0, 10.0))
    assert envelope_disjoint((0.0, 0.0, 1.0, 1.0), (170.0, -10.0, -170.0, 10.0))
    boxes = dict(antimeridian_boxes((-2.0, 42.0, 8.0, 51.0)))
    assert all(b[0] > b[2] for b in boxes.values()) and len(boxes) == 2


def test_datetime_queries_cover_the_abnf() -> None:
    values = ["2020-01-01T00:00:00Z", "2020-06-01T00:00:00Z", "2021-01-01T00:00:00Z", "2021-06-01T00:00:00Z"]
    queries = {q.value: q for q in datetime_queries(values)}
    assert {"../..", "2021-06-01T00:00:00Z/", "/2020-06-01T00:00:00Z", "../2020-06-01T00:00:00Z"} <= set(queries)
    assert queries["../.."].may_be_refused and queries["2021-06-01T00:00:00Z/"].empty_bound
    reversed_ = next(q for q in queries.values() if q.label.startswith("intervalle inversé"))
    assert not times_intersect(values, reversed_.lo, reversed_.hi)
    assert times_intersect(["2020-06-01"], None, None)
    assert datetime_queries(values[:3]) == []


@pytest.mark.parametrize("asked, bound, status, count, problems, seen", [
    (0, 0, 400, None, 0, "400 vu"), (0, 0, 200, 0, 0, "plafonnée"), (20, 10, 400, None, 1, ""),
    (20, 10, 200, 3, 0, "plafonnée"), (20, 10, 200, 11, 1, ""), (20, 10, 500, None, 1, "")])
def test_limit_outside_the_declared_range(asked: int, bound: int, status: int, count: int | None, problems: int,
                                          seen: str) -> None:
    """Below the minimum a 400 or a capped page; above the maximum only a capped page (fc-limit-response-1 C)."""
    found, note = limit_outcome(asked, bound, status, count)
    assert len(found) == problems and seen in note


def test_paths_of_the_same_shape_are_validated_once() -> None:
    def items(coll: str, op: str) -> dict[str, Any]:
        return {"get": {"summary": f"Entités de {coll}", "operationId": op, "tags": [coll],
                        "parameters": [{"$ref": "#/components/parameters/limit"}],
                        "responses": {"200": {"description": f"les entités de {coll}"}}}}

    paths = {"/collections/a/items": items("a", "getA"), "/collections/b/items": items("b", "getB"),
             "/collections/a/items/{featureId}": items("a", "getOneA"), "/conformance": {"get": {"responses": {}}}}
    paths["/collections/b/items"]["get"]["parameters"].append({"name": "bbox", "in": "query"})
    assert paths_by_shape({k: v for k, v in paths.items() if k != "/collections/b/items"}) == {
        "/collections/a/items": ["/collections/a/items"],
        "/collections/a/items/{featureId}": ["/collections/a/items/{featureId}"],
        "/conformance": ["/conformance"]}
    paths["/collections/b/items"]["get"]["parameters"].pop()
    assert paths_by_shape(paths)["/collections/a/items"] == ["/collections/a/items", "/collections/b/items"]
    # a wrong type is part of the shape: that path is validated on its own
    paths["/collections/b/items"]["get"]["summary"] = 3
    assert "/collections/b/items" in paths_by_shape(paths)


def test_operation_ids_are_unique_across_paths() -> None:
    paths = {"/a": {"get": {"operationId": "get"}}, "/b": {"get": {"operationId": "get"}, "head": {}},
             "/c": {"get": {"operationId": "other"}}}
    assert duplicate_operation_ids(paths) == {"get": ["GET /a", "GET /b"]}
