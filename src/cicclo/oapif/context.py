"""Shared access to one OGC API Features endpoint: landing page, conformance, collections, page walks.

Everything goes through the run's HTTP client (cache, evidence). Resources that a test merely *uses*
(rather than *checks*) are obtained through ``precondition_*`` helpers: when they are unusable the test is
NOT_TESTED, and only the test that owns that resource reports the FAIL.
"""

from __future__ import annotations

import re
import threading
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload
from urllib.parse import urljoin

from cicclo.classes import INSPIRE_OAPIF, KNOWN_CLASSES, declared_classes
from cicclo.declare import Declaration
from cicclo.errors import CheckFailed, NotApplicable, NotTested
from cicclo.http import Exchange, attach_evidence

if TYPE_CHECKING:
    from cicclo.plugin import RunContext

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
ACCEPT_JSON = "application/json"
ACCEPT_GEOJSON = "application/geo+json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CRS84H = "http://www.opengis.net/def/crs/OGC/0/CRS84h"
SCAN_PAGE_SIZE = 1000
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$")


def media_type(value: str | None) -> str:
    """'application/JSON; charset=utf-8' -> 'application/json' (parameters dropped)."""
    return (value or "").split(";")[0].strip().lower()


def same_media_type(a: str | None, b: str | None) -> bool:
    """Equality of media types, parameters included, ignoring case and white space."""
    norm = lambda v: re.sub(r"\s+", "", (v or "").lower())  # noqa: E731
    return norm(a) == norm(b)


def links_of(doc: Any) -> list[dict[str, Any]]:
    links = doc.get("links") if isinstance(doc, dict) else None
    return [lk for lk in links if isinstance(lk, dict)] if isinstance(links, list) else []


def find_links(doc: Any, rel: str, type_: str | None = None) -> list[dict[str, Any]]:
    return [
        lk for lk in links_of(doc)
        if lk.get("rel") == rel and (type_ is None or media_type(lk.get("type")) == media_type(type_))
    ]


def envelope(geometry: Any) -> tuple[float, float, float, float] | None:
    """Bounding box of a GeoJSON geometry (None for a null or empty geometry)."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(coords: Any) -> None:
        if isinstance(coords, list | tuple) and coords and isinstance(coords[0], int | float):
            xs.append(float(coords[0]))
            ys.append(float(coords[1]))
        elif isinstance(coords, list | tuple):
            for c in coords:
                walk(c)

    if not isinstance(geometry, dict):
        return None
    if geometry.get("type") == "GeometryCollection":
        for g in geometry.get("geometries") or []:
            env = envelope(g)
            if env:
                xs.extend((env[0], env[2]))
                ys.extend((env[1], env[3]))
    else:
        walk(geometry.get("coordinates"))
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def temporal_values(properties: Any) -> list[str]:
    """The property values that read as ISO 8601 dates or date-times."""
    if not isinstance(properties, dict):
        return []
    return [v for v in properties.values() if isinstance(v, str) and ISO_DATE.match(v)]


@dataclass(slots=True)
class FeatureSummary:
    """What the suite keeps of each feature of a walk (never the whole feature)."""

    id: Any
    envelope: tuple[float, float, float, float] | None
    geometry_type: str | None
    times: list[str]


class FeatureColumns(Sequence[FeatureSummary]):
    """The summaries of a walk's features, stored column by column (about 40 bytes a feature and 4 plus its
    length a date, besides the id, instead of some 500): envelopes in an array of doubles, geometry types as
    small codes, dates as UTF-8 in one byte string with offsets. Reading an item builds its ``FeatureSummary``,
    equal to what was stored."""

    def __init__(self) -> None:
        self.ids: list[Any] = []
        self._boxes = array("d")  # 4 per feature; meaningless where _has_box is 0
        self._has_box = bytearray()
        self._type_codes = array("I")  # 0 for no geometry type, else 1 + index in _type_names
        self._type_names: list[str] = []
        self._type_index: dict[str, int] = {}
        self._times = bytearray()  # every date, UTF-8 (lone surrogates kept), one after the other
        self._time_ends = array("I")  # per date: its end in _times
        self._feature_time_ends = array("I")  # per feature: the end of its dates in _time_ends

    def append(self, feature_id: Any, box: tuple[float, float, float, float] | None, geometry_type: str | None,
               times: list[str]) -> None:
        self.ids.append(feature_id)
        self._has_box.append(box is not None)
        self._boxes.extend(box if box is not None else (0.0, 0.0, 0.0, 0.0))
        code = 0
        if geometry_type is not None:
            code = self._type_index.get(geometry_type, 0)
            if not code:
                self._type_names.append(geometry_type)
                code = self._type_index[geometry_type] = len(self._type_names)
        self._type_codes.append(code)
        for t in times:
            self._times += t.encode("utf-8", "surrogatepass")
            self._time_ends.append(len(self._times))
        self._feature_time_ends.append(len(self._time_ends))

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> FeatureSummary: ...

    @overload
    def __getitem__(self, index: slice) -> list[FeatureSummary]: ...

    def __getitem__(self, index: int | slice) -> FeatureSummary | list[FeatureSummary]:
        if isinstance(index, slice):
            return [self._summary(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._summary(index)

    def __iter__(self) -> Iterator[FeatureSummary]:
        names: list[str | None] = [None, *self._type_names]
        blob, ends = self._times, self._time_ends
        k = start = 0
        coords = iter(self._boxes)
        rows = zip(self.ids, self._has_box, coords, coords, coords, coords, self._type_codes,
                   self._feature_time_ends, strict=True)
        for fid, has_box, x0, y0, x1, y1, code, last in rows:
            times = []
            while k < last:
                end = ends[k]
                times.append(blob[start:end].decode("utf-8", "surrogatepass"))
                start, k = end, k + 1
            yield FeatureSummary(fid, (x0, y0, x1, y1) if has_box else None, names[code], times)

    def _summary(self, i: int) -> FeatureSummary:
        box = self._boxes[4 * i:4 * i + 4]
        code = self._type_codes[i]
        first, end = self._feature_time_ends[i - 1] if i else 0, self._feature_time_ends[i]
        times = []
        for k in range(first, end):
            start = self._time_ends[k - 1] if k else 0
            times.append(self._times[start:self._time_ends[k]].decode("utf-8", "surrogatepass"))
        return FeatureSummary(self.ids[i], (box[0], box[1], box[2], box[3]) if self._has_box[i] else None,
                              self._type_names[code - 1] if code else None, times)


@dataclass
class Walk:
    """The result of following ``next`` links from a first items URL, page by page."""

    first_url: str
    features: FeatureColumns = field(default_factory=FeatureColumns)
    pages: int = 0
    number_matched: int | None = None
    number_matched_per_page: list[Any] = field(default_factory=list)
    page_issues: list[str] = field(default_factory=list)
    number_returned_issues: list[str] = field(default_factory=list)
    duplicate_ids: list[Any] = field(default_factory=list)
    complete: bool = False
    cut_reason: str = ""
    loop_url: str | None = None
    evidence: list[str] = field(default_factory=list)
    first_page: Exchange | None = None

    @property
    def ids(self) -> list[Any]:
        return list(self.features.ids)


def id_key(value: Any) -> Any:
    """A key equal for two feature ids exactly when their ``repr`` are: strings and integers are their own key
    (shared with the walk's list of ids, no copy), anything else the 1-tuple of its ``repr``."""
    return value if type(value) in (str, int) else (repr(value),)


@dataclass(frozen=True)
class CollectionRef:
    id: str
    entry: dict[str, Any]


class OapifContext:
    """One OGC API Features endpoint of the target, as seen by every test of the suite."""

    def __init__(self, run: RunContext) -> None:
        self.run = run
        self.client = run.client
        self.budgets = run.budgets
        self.service = run.target.services.get("oapif")
        url = self.service.url if self.service else None
        self.root = (url.rstrip("/") + "/") if url else ""
        self._walks: dict[str, Walk] = {}
        self._walk_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    # -- applicability --------------------------------------------------------------------------------

    def check_applicable(self, decl: Declaration) -> None:
        if self.service is None:
            raise NotTested("la cible ne déclare pas de service OGC API Features")
        if not self.service.documented or not self.root:
            raise NotTested(f"aucun point d'accès OGC API Features documenté : {self.service.note}")
        if KNOWN_CLASSES[decl.applies_to].always_applicable:
            return
        if self.inspire_option_applies(decl):
            return
        declared, _ = self.declared_classes()
        if decl.applies_to not in declared:
            raise NotApplicable(f"la cible ne déclare pas {decl.applies_to} dans /conformance")

    def inspire_option_applies(self, decl: Declaration) -> bool:
        """INSPIRE download classes, which servers seldom declare in /conformance, also apply when the target
        says ``options: {inspire: true}`` for this service."""
        return decl.applies_to.startswith(INSPIRE_OAPIF + "/") and bool(self.service and self.service.options.get(
            "inspire"))

    def declared_classes(self) -> tuple[set[str], list[str]]:
        ex = self.client.get(self.url("conformance"), accept=ACCEPT_JSON)
        doc = self.precondition_json(ex, "déclaration de conformité (/conformance)")
        conforms = doc.get("conformsTo") if isinstance(doc, dict) else None
        if not isinstance(conforms, list):
            raise NotTested("déclaration de conformité sans tableau conformsTo : applicabilité indécidable")
        return declared_classes([c for c in conforms if isinstance(c, str)])

    # -- resources ------------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return urljoin(self.root, path.lstrip("/"))

    def precondition_json(self, ex: Exchange, what: str) -> Any:
        """The JSON of a resource this test only uses; unusable means NOT_TESTED, not FAIL."""
        if ex.status != 200:
            raise NotTested(f"{what} indisponible ({ex.describe()}) : précondition non remplie")
        try:
            return ex.json()
        except CheckFailed as exc:
            raise NotTested(f"{what} illisible : {exc}") from None

    def required_json(self, ex: Exchange, what: str) -> Any:
        """The JSON of a response to a request the standard says must succeed, made by the test that owns
        it: an error status or an unreadable body is a FAIL of that test, with the exchange as evidence."""
        if ex.status != 200:
            raise CheckFailed(f"{ex.describe()} : 200 attendu ({what})")
        return ex.json()

    def landing(self) -> Exchange:
        return self.client.get(self.root, accept=ACCEPT_JSON)

    def landing_json(self) -> dict[str, Any]:
        doc = self.precondition_json(self.landing(), "page d'accueil")
        if not isinstance(doc, dict):
            raise NotTested("page d'accueil : pas un objet JSON")
        return doc

    def collections_exchange(self) -> Exchange:
        return self.client.get(self.url("collections"), accept=ACCEPT_JSON)

    def collections_json(self) -> dict[str, Any]:
        doc = self.precondition_json(self.collections_exchange(), "liste des collections (/collections)")
        if not isinstance(doc, dict) or not isinstance(doc.get("collections"), list):
            raise NotTested("/collections : pas de tableau « collections »")
        return doc

    def collections(self, note: Any = None) -> list[CollectionRef]:
        """Feature collections to test: all of them unless the max_collections budget cuts the list.

        ``note`` (a recorder or verdict) receives the budget message, so a cut is never silent.
        """
        return self.collections_of_type("feature", note, "collections", "aucune collection d'entités")

    def collections_of_type(self, item_type: str, note: Any, label: str, none_found: str) -> list[CollectionRef]:
        """Collections whose ``itemType`` is (or lists) ``item_type`` — 'feature' when absent — within budget."""
        def kinds(entry: dict[str, Any]) -> list[str]:
            value = entry.get("itemType", "feature")
            return [str(v).lower() for v in value] if isinstance(value, list) else [str(value).lower()]

        entries = [c for c in self.collections_json()["collections"]
                   if isinstance(c, dict) and isinstance(c.get("id"), str) and item_type in kinds(c)]
        limit = self.budgets.max_collections
        if limit is not None and len(entries) > limit:
            if note is not None:
                note.note(f"budget : {limit} {label} testées sur {len(entries)} (--max-collections)")
            entries = entries[:limit]
        if not entries:
            raise NotTested(f"{none_found} dans /collections")
        return [CollectionRef(c["id"], c) for c in entries]

    def collection_exchange(self, collection_id: str) -> Exchange:
        return self.client.get(self.url(f"collections/{collection_id}"), accept=ACCEPT_JSON)

    def items_url(self, collection: CollectionRef) -> str:
        """The GeoJSON ``items`` link of a collection entry, else its JSON one, else the path fixed by the
        standard: never a link in another format (JSON-LD, HTML...), whose content the checks cannot read."""
        for type_ in (GEOJSON, JSON):
            links = find_links(collection.entry, "items", type_)
            if links and isinstance(links[0].get("href"), str):
                return urljoin(self.url("collections"), links[0]["href"])
        return self.url(f"collections/{collection.id}/items")

    def feature_url(self, collection: CollectionRef, feature_id: Any) -> str:
        return self.url(f"collections/{collection.id}/items/{feature_id}")

    # -- page walks -----------------------------------------------------------------------------------

    def walk(self, url: str, params: dict[str, str] | None = None,
             visit: Callable[[dict[str, Any]], None] | None = None, *, owned: bool = False) -> Walk:
        """Follow ``next`` links from ``url`` (with ``params``) until the end, a loop or the page budget.

        Pages are summarised as they arrive (``visit`` sees each raw feature); no page is kept whole. A
        next page answered with an error or an unreadable body ends the walk with a ``page_issues`` entry.
        When the first page is unusable: a FAIL when the calling test ``owned`` that query (it is the
        request under test), else NotTested (the test that owns that request reports it).
        """
        first = self.client.get(url, accept=ACCEPT_GEOJSON, params=params)
        walk = Walk(first_url=first.url, first_page=first)
        page = (self.required_json(first, "requête valide, que la norme impose de servir") if owned
                else self.precondition_json(first, f"page d'entités {first.url}"))
        seen_urls = {first.url}
        seen_ids: set[Any] = set()
        walk.number_matched = page.get("numberMatched") if isinstance(page, dict) else None
        ex = first
        while True:
            walk.pages += 1
            walk.evidence.append(ex.ref)
            walk.number_matched_per_page.append(page.get("numberMatched") if isinstance(page, dict) else None)
            feats = page.get("features") if isinstance(page, dict) else None
            if not isinstance(feats, list):
                walk.page_issues.append(f"{ex.url} : pas de tableau « features »")
                break
            returned = page.get("numberReturned")
            if isinstance(returned, int) and returned != len(feats):
                walk.number_returned_issues.append(f"{ex.url} : numberReturned={returned} mais {len(feats)} entités")
            for f in feats:
                if isinstance(f, dict):
                    if visit is not None:
                        visit(f)
                    fid = f.get("id")
                    key = id_key(fid)
                    if fid is not None and key in seen_ids:
                        walk.duplicate_ids.append(fid)
                    seen_ids.add(key)
                    geometry = f.get("geometry")
                    geometry_type = geometry.get("type") if isinstance(geometry, dict) else None
                    walk.features.append(fid, envelope(geometry),
                                         geometry_type if isinstance(geometry_type, str) else None,
                                         temporal_values(f.get("properties")))
            nexts = [lk for lk in links_of(page) if lk.get("rel") == "next" and isinstance(lk.get("href"), str)]
            if not nexts:
                walk.complete = True
                break
            next_url = urljoin(ex.url, nexts[0]["href"])
            if next_url in seen_urls or not feats:
                walk.loop_url = next_url
                walk.cut_reason = f"boucle : le lien next renvoie vers une page déjà lue ({next_url})"
                break
            if self.budgets.max_pages is not None and walk.pages >= self.budgets.max_pages:
                walk.cut_reason = f"budget : parcours arrêté après {walk.pages} pages (--max-pages)"
                break
            seen_urls.add(next_url)
            ex = self.client.get(next_url, accept=ACCEPT_GEOJSON)
            if ex.status != 200:
                walk.page_issues.append(f"page suivante (lien next produit par le serveur) {ex.describe()} : "
                                        "200 attendu")
                walk.evidence.append(ex.ref)
                break
            try:
                page = ex.json()
            except CheckFailed as exc:
                walk.page_issues.append(f"page suivante (lien next produit par le serveur) illisible : {exc}")
                walk.evidence.append(ex.ref)
                break
        return walk

    def scan(self, collection: CollectionRef) -> Walk:
        """The whole collection, walked once per run (shared by every test that needs all features)."""
        with self._lock:
            lock = self._walk_locks.setdefault(collection.id, threading.Lock())
        with lock:
            if collection.id not in self._walks:
                self._walks[collection.id] = self.walk(self.items_url(collection), {"limit": str(SCAN_PAGE_SIZE)})
        walk = self._walks[collection.id]
        attach_evidence(walk.evidence)
        return walk

    def sample_feature_ids(self, collection: CollectionRef, note: Any = None) -> list[Any]:
        """Feature ids spread over the whole collection, at most ``max_features`` (reported when cut)."""
        ids = [i for i in self.scan(collection).ids if i is not None]
        limit = self.budgets.max_features
        if len(ids) > limit:
            step = len(ids) / limit
            if note is not None:
                note.note(f"échantillon : {limit} entités sur {len(ids)}, réparties sur toute la collection "
                          "(--max-features)")
            ids = [ids[int(k * step)] for k in range(limit)]
        return ids
