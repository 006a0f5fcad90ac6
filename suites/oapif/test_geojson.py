"""OGC API Features Part 1, GeoJSON class: media types and content of the GeoJSON encoding."""

from __future__ import annotations

from typing import Any

from cicclo.declare import conformance
from cicclo.errors import NotTested
from cicclo.oapif.context import ACCEPT_GEOJSON, GEOJSON, JSON, CollectionRef, OapifContext
from cicclo.oapif.geojson import geometry_problems
from cicclo.oapif.schemas import schema_errors
from cicclo.oapif.uris import GEOJSON as GEOJSON_CLASS
from cicclo.oapif.uris import ats, req
from cicclo.verdict import InstanceRecorder, Verdict


@conformance(
    "OAPIF-GEOJSON-001",
    title="Les entités sont servies en application/geo+json, les autres ressources en application/json",
    requirements=[req("geojson/definition")],
    abstract_test=ats("geojson/definition"),
    applies_to=GEOJSON_CLASS,
)
def test_geojson_definition(api: OapifContext, verdict: Verdict) -> None:
    """200-responses SHALL use application/geo+json for feature collections and features, and
    application/json for the other resources, when GeoJSON/JSON is requested."""
    with verdict.instance("ressources JSON") as rec:
        for ex in (api.landing(), api.collections_exchange()):
            if ex.status == 200:
                rec.check(ex.media_type == JSON, f"{ex.describe()} : application/json attendu")
    for coll in api.collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            ex = api.client.get(api.items_url(coll), accept=ACCEPT_GEOJSON)
            if ex.status != 200:
                raise NotTested(f"{ex.describe()} : entités indisponibles (vérifié par OAPIF-CORE-017)")
            rec.check(ex.media_type == GEOJSON, f"{ex.describe()} : application/geo+json attendu pour les entités")
            ids = [fid for fid in api.sample_feature_ids(coll)[:1]]
            for fid in ids:
                one = api.client.get(api.feature_url(coll, fid), accept=ACCEPT_GEOJSON)
                if one.status == 200:
                    rec.check(one.media_type == GEOJSON, f"{one.describe()} : application/geo+json attendu")


def _check_geojson(rec: InstanceRecorder, doc: Any, ogc_schema: str, geojson_schema: str) -> None:
    for err in schema_errors(ogc_schema, doc):
        rec.fail(f"schéma OGC {ogc_schema}.yaml : {err}")
    for err in schema_errors(geojson_schema, doc):
        rec.fail(f"schéma GeoJSON {geojson_schema.split(':')[1]} : {err}")
    features = doc.get("features") if ogc_schema.startswith("featureCollection") else [doc]
    for feat in features if isinstance(features, list) else []:
        if isinstance(feat, dict):
            for problem in geometry_problems(feat.get("geometry"))[:3]:
                rec.fail(f"entité {feat.get('id')!r} : {problem}")


@conformance(
    "OAPIF-GEOJSON-002",
    title="Les réponses GeoJSON sont valides (RFC 7946, schémas OGC) et l'id d'une entité est celui de son URL",
    requirements=[req("geojson/content")],
    abstract_test=ats("geojson/content"),
    applies_to=GEOJSON_CLASS,
)
def test_geojson_content(api: OapifContext, verdict: Verdict) -> None:
    """Feature collections and features SHALL be valid GeoJSON (featureCollectionGeoJSON.yaml,
    featureGeoJSON.yaml, RFC 7946 geometries) and a feature's `id` SHALL be its featureId path parameter."""

    def check(coll: CollectionRef) -> None:
        with verdict.instance(f"collection={coll.id} items") as rec:
            ex = api.client.get(api.items_url(coll), accept=ACCEPT_GEOJSON, params={"limit": "100"})
            doc = api.precondition_json(ex, f"entités de {coll.id}")
            _check_geojson(rec, doc, "featureCollectionGeoJSON", "geojson:FeatureCollection")
        try:
            sample = api.sample_feature_ids(coll, verdict)
        except NotTested:
            return  # the items instance above already says why this collection could not be read
        for fid in sample:
            with verdict.instance(f"collection={coll.id} featureId={fid}") as rec:
                one = api.client.get(api.feature_url(coll, fid), accept=ACCEPT_GEOJSON)
                doc = api.precondition_json(one, f"entité {fid}")
                _check_geojson(rec, doc, "featureGeoJSON", "geojson:Feature")
                if isinstance(doc, dict):
                    rec.check(str(doc.get("id")) == str(fid),
                              f"{one.url} : id {doc.get('id')!r} différent du featureId {fid!r} de l'URL")

    list(api.client.parallel(check, api.collections(verdict)))

