"""The GML Simple Features checks can fail, and pass on a conformant server.

pygeoapi offers no GML, so the GML classes are NOT_APPLICABLE on the reference platform. A small scripted
OGC API stands in: landing page, conformance (Core, GeoJSON, GML-SF0 and GML-SF2), one collection of two
stations taken from the reference data, its items and features in GeoJSON, GML-SF0 and GML-SF2 chosen by the
Accept header. Each variant breaks exactly one GML check; the suite runs once per variant.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler
from typing import Any
from xml.sax.saxutils import escape

import pytest

from cicclo.reference import data
from tests.conftest import run_suite, statuses, write_target
from tests.servers import reply, serve

OAPIF1 = "http://www.opengis.net/spec/ogcapi-features-1/1.0"
SF_NS = "http://www.opengis.net/ogcapi-features-1/1.0/sf"
GML_NS = "http://www.opengis.net/gml/3.2"
APP_NS = "https://cicclo.example/stations"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
COLLECTION = "stations"
FEATURES = data.stations()[:2]
GML_IDS = ("OAPIF-GMLSF0-001", "OAPIF-GMLSF0-002", "OAPIF-GMLSF2-001", "OAPIF-GMLSF2-002")


def gml_type(level: int) -> str:
    return f"application/gml+xml;version=3.2;profile=http://www.opengis.net/def/profile/ogc/2.0/gml-sf{level}"


#: variant -> the GML check it breaks (None: the conformant server)
VARIANTS: dict[str, str | None] = {
    "conforme": None,
    "sf0-sans-profil": "OAPIF-GMLSF0-001",  # SF-0 items served as plain GML 3.2, profile missing
    "sf2-servi-en-sf0": "OAPIF-GMLSF2-001",  # SF-2 asked, SF-0 served (and labelled so)
    "sf0-racine-wfs": "OAPIF-GMLSF0-002",  # SF-0 document rooted in wfs:FeatureCollection
    "sf2-nombre-faux": "OAPIF-GMLSF2-002",  # OGC-NumberReturned header disagrees with the SF-2 document
}


# -- documents, shaped after the reference platform's (pygeoapi) answers ------------------------------

def _link(base: str, path: str, rel: str, type_: str, title: str) -> dict[str, str]:
    return {"rel": rel, "type": type_, "title": title, "href": f"{base}{path}"}


def _landing(base: str) -> dict[str, Any]:
    return {
        "title": "API GML de test",
        "description": "Deux stations de la plateforme de référence, en GeoJSON et en GML-SF",
        "links": [
            _link(base, "", "self", "application/json", "This document as JSON"),
            _link(base, "openapi", "service-desc", "application/vnd.oai.openapi+json;version=3.0",
                  "The OpenAPI definition as JSON"),
            _link(base, "conformance", "conformance", "application/json", "Conformance"),
            _link(base, "collections", "data", "application/json", "Collections"),
        ],
    }


def _conformance() -> dict[str, Any]:
    return {"conformsTo": [f"{OAPIF1}/conf/{c}" for c in ("core", "geojson", "gmlsf0", "gmlsf2")]}


def _collection(base: str) -> dict[str, Any]:
    items = f"collections/{COLLECTION}/items"
    return {
        "id": COLLECTION,
        "title": "Stations de mesure de la qualité de l'air",
        "itemType": "feature",
        "extent": {"spatial": {"bbox": [data.extent_of(FEATURES)], "crs": CRS84}},
        "links": [
            _link(base, f"collections/{COLLECTION}", "self", "application/json", "This document as JSON"),
            _link(base, items, "items", "application/geo+json", "Items as GeoJSON"),
            _link(base, items, "items", gml_type(0), "Items as GML-SF0"),
            _link(base, items, "items", gml_type(2), "Items as GML-SF2"),
        ],
    }


def _collections(base: str) -> dict[str, Any]:
    return {"links": [_link(base, "collections", "self", "application/json", "This document as JSON")],
            "collections": [_collection(base)]}


def _collections_xml(base: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><Collections xmlns="{OAPIF1.replace("/spec/", "/")}" '
            f'xmlns:atom="http://www.w3.org/2005/Atom"><atom:link rel="self" type="application/xml" '
            f'href="{escape(base)}collections"/><Collection><Id>{COLLECTION}</Id></Collection></Collections>')


def _geojson_items(base: str) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": FEATURES, "numberMatched": len(FEATURES),
            "numberReturned": len(FEATURES),
            "links": [_link(base, f"collections/{COLLECTION}/items", "self", "application/geo+json", "GeoJSON")]}


def _gml_station(feature: dict[str, Any], level: int, namespaces: str = "") -> str:
    x, y = feature["geometry"]["coordinates"]
    fid, props = feature["id"], feature["properties"]
    point = f'<gml:Point gml:id="{fid}-g" srsName="{CRS84}"><gml:pos>{x} {y}</gml:pos></gml:Point>'
    # SF-2 admits aggregate geometries: the same position as a one-point MultiPoint
    geometry = point if level == 0 else (f'<gml:MultiPoint gml:id="{fid}-mg" srsName="{CRS84}"><gml:pointMember>'
                                         f"{point}</gml:pointMember></gml:MultiPoint>")
    fields = "".join(f"<app:{k}>{escape(str(v))}</app:{k}>" for k, v in props.items())
    return f'<app:station{namespaces} gml:id="{fid}">{fields}<app:geometrie>{geometry}</app:geometrie></app:station>'


def _gml_feature(feature: dict[str, Any], level: int) -> str:
    namespaces = f' xmlns:gml="{GML_NS}" xmlns:app="{APP_NS}"'
    return f'<?xml version="1.0" encoding="UTF-8"?>{_gml_station(feature, level, namespaces)}'



def _gml_items(level: int, root: str = "sf:FeatureCollection") -> str:
    members = "".join(f"<sf:featureMember>{_gml_station(f, level)}</sf:featureMember>" for f in FEATURES)
    return (f'<?xml version="1.0" encoding="UTF-8"?><{root} xmlns:sf="{SF_NS}" xmlns:gml="{GML_NS}" '
            f'xmlns:app="{APP_NS}" xmlns:wfs="http://www.opengis.net/wfs/2.0">{members}</{root}>')


# -- the scripted server ------------------------------------------------------------------------------

def _gml_answer(handler: BaseHTTPRequestHandler, variant: str, level: int) -> None:
    served_level = 0 if variant == "sf2-servi-en-sf0" else level
    content_type = gml_type(served_level)
    if variant == "sf0-sans-profil" and level == 0:
        content_type = "application/gml+xml;version=3.2"
    root = "wfs:FeatureCollection" if variant == "sf0-racine-wfs" and level == 0 else "sf:FeatureCollection"
    returned = len(FEATURES) + (1 if variant == "sf2-nombre-faux" and level == 2 else 0)
    headers = {"OGC-NumberMatched": str(len(FEATURES)), "OGC-NumberReturned": str(returned),
               "Content-Crs": f"<{CRS84}>"}
    reply(handler, 200, _gml_items(served_level, root), content_type, headers)


def _gml_api(variant: str) -> Any:
    def route(handler: BaseHTTPRequestHandler) -> None:
        base = f"http://127.0.0.1:{handler.server.server_address[1]}/"  # type: ignore[index]  # an AF_INET server
        path = handler.path.split("?")[0]
        accept = handler.headers.get("Accept", "").replace(" ", "").lower()
        level = 0 if "gml-sf0" in accept else 2 if "gml-sf2" in accept else None
        items = f"/collections/{COLLECTION}/items"
        feature = {f"{items}/{f['id']}": f for f in FEATURES}
        pages = {"/": _landing(base), "/conformance": _conformance(), f"/collections/{COLLECTION}": _collection(base)}
        if path == "/collections" and "application/xml" in accept:
            reply(handler, 200, _collections_xml(base), "application/xml")
        elif path == "/collections":
            reply(handler, 200, json.dumps(_collections(base)))
        elif path in pages:
            reply(handler, 200, json.dumps(pages[path]))
        elif path == items and level is not None:
            _gml_answer(handler, variant, level)
        elif path == items:
            reply(handler, 200, json.dumps(_geojson_items(base)), "application/geo+json")
        elif path in feature and level is not None:
            reply(handler, 200, _gml_feature(feature[path], level), gml_type(level))
        elif path in feature:
            reply(handler, 200, json.dumps(feature[path]), "application/geo+json")
        else:
            reply(handler, 404, json.dumps({"code": "NotFound", "description": "ressource inconnue"}))

    return route


@pytest.fixture(scope="module")
def gml_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, str]]]:
    """The GML part of the suite, once per variant (two at a time)."""
    base = tmp_path_factory.mktemp("gml-runs")
    with ExitStack() as stack:
        urls = {v: stack.enter_context(serve(_gml_api(v)))[0] for v in VARIANTS}

        def one(variant: str) -> tuple[str, dict[str, str]]:
            target = write_target(base, f"gml-{variant}", urls[variant])
            _, results, output = run_suite(target, base / variant, suite="suites/oapif/test_gml.py")
            assert results is not None, f"{variant}: pas de results.json\n{output[-3000:]}"
            return variant, statuses(results)

        with ThreadPoolExecutor(max_workers=2) as pool:
            yield dict(pool.map(one, VARIANTS))


def test_gml_checks_pass_on_a_conformant_server(gml_runs: dict[str, dict[str, str]]) -> None:
    assert {k: gml_runs["conforme"].get(k) for k in GML_IDS} == dict.fromkeys(GML_IDS, "PASS")


@pytest.mark.parametrize("variant", [v for v, broken in VARIANTS.items() if broken])
def test_each_gml_check_fails_on_its_broken_server_only(variant: str, gml_runs: dict[str, dict[str, str]]) -> None:
    broken = VARIANTS[variant]
    observed = {k: gml_runs[variant].get(k) for k in GML_IDS}
    assert observed == {k: "FAIL" if k == broken else "PASS" for k in GML_IDS}, f"{variant}: {observed}"

