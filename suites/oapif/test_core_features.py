"""OGC API Features Part 1, Core: a single feature."""

from __future__ import annotations

from functools import partial
from typing import Any

from cicclo.declare import conformance
from cicclo.errors import NotTested
from cicclo.oapif.context import ACCEPT_GEOJSON, CollectionRef, OapifContext, links_of
from cicclo.oapif.uris import CORE, ats, req
from cicclo.verdict import Verdict


def _features(api: OapifContext, verdict: Verdict) -> list[tuple[CollectionRef, Any]]:
    """A sample of features spread over each whole collection (budget --max-features, reported)."""
    pairs: list[tuple[CollectionRef, Any]] = []
    for coll in api.collections(verdict):
        ids = verdict.attempt(f"collection={coll.id}", partial(api.sample_feature_ids, coll, verdict))
        pairs.extend((coll, fid) for fid in ids or [])
    return pairs


@conformance(
    "OAPIF-CORE-031",
    title="Chaque entité répond à GET /collections/{collectionId}/items/{featureId} par 200",
    requirements=[req("core/f-op")],
    abstract_test=ats("core/f-op"),
    applies_to=CORE,
)
def test_feature_op(api: OapifContext, verdict: Verdict) -> None:
    """The API SHALL support GET at /collections/{collectionId}/items/{featureId}."""

    def check(pair: tuple[CollectionRef, Any]) -> None:
        coll, fid = pair
        with verdict.instance(f"collection={coll.id} featureId={fid}") as rec:
            ex = api.client.get(api.feature_url(coll, fid), accept=ACCEPT_GEOJSON)
            rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")

    list(api.client.parallel(check, _features(api, verdict)))


def _feature_doc(api: OapifContext, coll: CollectionRef, fid: Any) -> Any:
    ex = api.client.get(api.feature_url(coll, fid), accept=ACCEPT_GEOJSON)
    if ex.status != 200:
        raise NotTested(f"{ex.describe()} : entité indisponible (vérifié par OAPIF-CORE-031)")
    return ex


@conformance(
    "OAPIF-CORE-032",
    title="Une entité est un document Feature bien formé",
    requirements=[req("core/f-success")],
    abstract_test=ats("core/f-success"),
    applies_to=CORE,
)
def test_feature_success(api: OapifContext, verdict: Verdict) -> None:
    """A 200-response for a feature SHALL be a well-formed feature document (type Feature, geometry and
    properties members). Links are OAPIF-CORE-033's; GeoJSON validity is OAPIF-GEOJSON-002's."""

    def check(pair: tuple[CollectionRef, Any]) -> None:
        coll, fid = pair
        with verdict.instance(f"collection={coll.id} featureId={fid}") as rec:
            doc = _feature_doc(api, coll, fid).json()
            rec.require(isinstance(doc, dict), "le document n'est pas un objet JSON")
            rec.check(doc.get("type") == "Feature", f"type {doc.get('type')!r} : « Feature » attendu")
            rec.check("geometry" in doc, "membre « geometry » absent")
            rec.check("properties" in doc, "membre « properties » absent")

    list(api.client.parallel(check, _features(api, verdict)))


@conformance(
    "OAPIF-CORE-033",
    title="Une entité porte ses liens self, alternate et collection",
    requirements=[req("core/f-links")],
    abstract_test=ats("core/f-links"),
    applies_to=CORE,
)
def test_feature_links(api: OapifContext, verdict: Verdict) -> None:
    """A feature SHALL link itself (self), its other representations (alternate) and its collection
    (collection); every such link SHALL carry rel and type."""
    declared, _ = api.declared_classes()
    html_offered = any(uri.endswith("/conf/html") for uri in declared)

    def check(pair: tuple[CollectionRef, Any]) -> None:
        coll, fid = pair
        with verdict.instance(f"collection={coll.id} featureId={fid}") as rec:
            ex = _feature_doc(api, coll, fid)
            try:
                doc = ex.json()
            except AssertionError:
                raise NotTested("entité illisible (vérifié par OAPIF-CORE-032)") from None
            links = links_of(doc)
            rels = {lk.get("rel") for lk in links}
            for rel in ("self", "collection"):
                rec.check(rel in rels, f"aucun lien rel={rel}")
            if html_offered:
                rec.check(any(lk.get("rel") == "alternate" and str(lk.get("type", "")).startswith("text/html")
                              for lk in links), "classe html déclarée mais aucun lien alternate text/html")
            for lk in links:
                if lk.get("rel") in ("self", "alternate", "collection"):
                    rec.check(lk.get("type"), f"lien {lk.get('rel')} {lk.get('href')} sans type")

    list(api.client.parallel(check, _features(api, verdict)))
