"""Shared access to one CSW 2.0.2 endpoint: capabilities, GetRecords pages and walks, records.

Every request is a KVP GET through the run's HTTP client (cache, evidence); the suite never POSTs. Resources
a test merely *uses* are obtained through ``precondition_*`` helpers: when unusable the test is NOT_TESTED
and only the test that owns the resource reports the FAIL.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree

from cicclo.classes import INSPIRE_DISCOVERY
from cicclo.csw.uris import CSW_NS, DC_NS, GCO_NS, GMD_NS, INSPIRE_DS_NS, NS, OWS_NAMESPACES
from cicclo.declare import Declaration
from cicclo.errors import NotApplicable, NotTested
from cicclo.http import Exchange, attach_evidence
from cicclo.oapif.xml import XmlError, parse_xml

if TYPE_CHECKING:
    from cicclo.plugin import RunContext

VERSION = "2.0.2"
CSW_SCHEMA = CSW_NS
GMD_SCHEMA = GMD_NS
XML_TYPES = ("application/xml", "text/xml")
SMALL_PAGE = 5
LARGE_PAGE = 50
WORD = re.compile(r"[^\W\d_]{5,}", re.UNICODE)


def local(tag: Any) -> str:
    """The local name of an element tag ('{ns}Name' -> 'Name')."""
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def namespace(tag: Any) -> str:
    return etree.QName(tag).namespace or "" if isinstance(tag, str) else ""


def exception_codes(root: Any) -> list[str] | None:
    """The exceptionCode values of an ows:ExceptionReport (any OWS version), or None if not a report."""
    if root is None or local(root.tag) != "ExceptionReport" or namespace(root.tag) not in OWS_NAMESPACES:
        return None
    return [e.get("exceptionCode", "") for e in root if local(e.tag) == "Exception"]


def record_id(element: Any) -> str | None:
    """The identifier of a csw:(Brief|Summary)Record/csw:Record (dc:identifier) or of an ISO record."""
    if namespace(element.tag) == CSW_NS:
        found = element.find(f"{{{DC_NS}}}identifier")
        return (found.text or "").strip() if found is not None else None
    found = element.find(f"{{{GMD_NS}}}fileIdentifier/{{{GCO_NS}}}CharacterString")
    return (found.text or "").strip() if found is not None else None


def record_title(element: Any) -> str:
    if namespace(element.tag) == CSW_NS:
        found = element.find(f"{{{DC_NS}}}title")
    else:
        found = element.find(".//gmd:identificationInfo/*/gmd:citation/*/gmd:title/gco:CharacterString", NS)
    return (found.text or "").strip() if found is not None and found.text else ""


@dataclass
class SearchResults:
    """One GetRecords response, read."""

    exchange: Exchange
    matched: int | None
    returned: int | None
    next_record: int | None
    record_schema: str | None
    records: list[Any]
    problems: list[str] = field(default_factory=list)

    @property
    def ids(self) -> list[str | None]:
        return [record_id(r) for r in self.records]


@dataclass
class RecordWalk:
    """All the pages of one GetRecords query, followed with startPosition/nextRecord."""

    ids: list[str | None] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    pages: int = 0
    matched: int | None = None
    issues: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    complete: bool = False
    cut_reason: str = ""
    evidence: list[str] = field(default_factory=list)
    failed_page: str | None = None  # a page that did not answer a GetRecordsResponse (a FAIL of CSW-009's)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class CswContext:
    """One CSW endpoint of the target, as seen by every test of the suite."""

    def __init__(self, run: RunContext) -> None:
        self.run = run
        self.client = run.client
        self.budgets = run.budgets
        self.service = run.target.services.get("csw")
        self.url = self.service.url if self.service and self.service.url else ""
        self._lock = threading.Lock()
        self._walks: dict[tuple[tuple[str, str], ...], RecordWalk] = {}

    # -- applicability --------------------------------------------------------------------------------

    def check_applicable(self, decl: Declaration) -> None:
        if self.service is None:
            raise NotTested("la cible ne déclare pas de service CSW (services.csw)")
        if not self.service.documented or not self.url:
            raise NotTested(f"aucun point d'accès CSW documenté : {self.service.note}")
        if (decl.applies_to == INSPIRE_DISCOVERY and not self.inspire_expected()
                and self.extended_capabilities() is None):
            raise NotApplicable("service de découverte INSPIRE non déclaré : ni options.inspire: true dans la "
                                "cible, ni inspire_ds:ExtendedCapabilities dans les capacités")

    def inspire_expected(self) -> bool:
        return bool(self.service and self.service.options.get("inspire"))

    # -- requests -------------------------------------------------------------------------------------

    def kvp(self, params: dict[str, str], cache: bool = True) -> Exchange:
        return self.client.get(self.url, params=params, cache=cache)

    def parse(self, ex: Exchange) -> Any:
        """The XML root of a response, or None when the body is not XML (the caller decides the status)."""
        try:
            return parse_xml(ex.body)
        except XmlError:
            return None

    def precondition_xml(self, ex: Exchange, what: str) -> Any:
        if ex.status != 200:
            raise NotTested(f"{what} indisponible ({ex.describe()}) : précondition non remplie")
        root = self.parse(ex)
        if root is None:
            raise NotTested(f"{what} : pas un document XML ({ex.describe()})")
        return root

    def capabilities_exchange(self, extra: dict[str, str] | None = None) -> Exchange:
        return self.kvp({"service": "CSW", "request": "GetCapabilities", "acceptversions": VERSION, **(extra or {})})

    def capabilities(self) -> Any:
        """The csw:Capabilities root (owned by CSW-001; NOT_TESTED elsewhere when unusable)."""
        root = self.precondition_xml(self.capabilities_exchange(), "capacités (GetCapabilities)")
        if root.tag != f"{{{CSW_NS}}}Capabilities":
            raise NotTested(f"capacités : racine {root.tag} au lieu de csw:Capabilities")
        return root

    def operation(self, caps: Any, name: str) -> Any:
        for op in caps.iterfind("ows:OperationsMetadata/ows:Operation", NS):
            if op.get("name") == name:
                return op
        return None

    def parameter_values(self, caps: Any, operation: str, parameter: str) -> list[str]:
        op = self.operation(caps, operation)
        if op is None:
            return []
        for param in op.iterfind("ows:Parameter", NS):
            if (param.get("name") or "").lower() == parameter.lower():
                return [(v.text or "").strip() for v in param.iterfind("ows:Value", NS)]
        return []

    def extended_capabilities(self, root: Any = None) -> Any:
        """The inspire_ds:ExtendedCapabilities element, or None."""
        if root is None:
            try:
                root = self.capabilities()
            except NotTested:
                return None
        return root.find(f"ows:OperationsMetadata/{{{INSPIRE_DS_NS}}}ExtendedCapabilities", NS)

    # -- GetRecords -----------------------------------------------------------------------------------

    def get_records_params(self, **extra: str) -> dict[str, str]:
        params = {"service": "CSW", "version": VERSION, "request": "GetRecords", "typeNames": "csw:Record",
                  "resultType": "results", "elementSetName": "brief"}
        params.update(extra)
        return params

    def search(self, params: dict[str, str]) -> tuple[SearchResults | None, Any]:
        """Send GetRecords; returns (results, root). results is None when the answer is no GetRecordsResponse."""
        ex = self.kvp(params)
        root = self.parse(ex) if ex.status == 200 else None
        if root is None or root.tag != f"{{{CSW_NS}}}GetRecordsResponse":
            return None, (root, ex)
        sr = root.find("csw:SearchResults", NS)
        if sr is None:
            return SearchResults(ex, None, None, None, None, [], ["pas d'élément csw:SearchResults"]), (root, ex)
        results = SearchResults(
            exchange=ex,
            matched=_int(sr.get("numberOfRecordsMatched")),
            returned=_int(sr.get("numberOfRecordsReturned")),
            next_record=_int(sr.get("nextRecord")),
            record_schema=sr.get("recordSchema"),
            records=[child for child in sr if isinstance(child.tag, str)],
        )
        for name in ("numberOfRecordsMatched", "numberOfRecordsReturned"):
            if _int(sr.get(name)) is None:
                results.problems.append(f"attribut {name} absent ou non entier ({sr.get(name)!r})")
        return results, (root, ex)

    def precondition_search(self, params: dict[str, str], what: str, owner: str) -> SearchResults:
        """GetRecords needed before the request under test: when it fails, the test that owns it (``owner``)
        reports the failure and this one is NOT_TESTED."""
        results, (_, ex) = self.search(params)
        if results is None:
            raise NotTested(f"{what} : pas de csw:GetRecordsResponse ({ex.describe()}) : précondition non remplie "
                            f"(voir {owner})")
        return results

    def page_size(self, matched: int | None) -> int:
        """Small pages on small catalogues, so that even they are read over several pages."""
        if matched is not None and matched <= 10:
            return 2
        return SMALL_PAGE if matched is not None and matched <= 10 * SMALL_PAGE else LARGE_PAGE

    def walk(self, base: dict[str, str], page_size: int | None = None) -> RecordWalk:
        """Follow every page of a GetRecords query (startPosition from nextRecord) within the budgets.

        Pages are checked as they arrive; walks are shared by the tests of a run. A page that does not answer
        a csw:GetRecordsResponse (server error, unreadable body) ends the walk with ``failed_page`` set: the
        catalogue announced it (resultType=hits, nextRecord), so it is a failure of paging (CSW-009), and the
        tests that only use the walk do not decide on a part of it.
        """
        key = tuple(sorted(base.items())) + (("_page", str(page_size)),)
        with self._lock:
            cached = self._walks.get(key)
        if cached is not None:
            attach_evidence(cached.evidence)
            return cached
        walk = RecordWalk()
        first = self.precondition_search({**base, "resultType": "hits"}, "comptage (resultType=hits)", "CSW-010")
        size = page_size or self.page_size(first.matched)
        max_records = self.budgets.max_records
        start, seen = 1, set()
        while True:
            results, (root, ex) = self.search({**base, "startPosition": str(start), "maxRecords": str(size)})
            if results is None:
                codes = exception_codes(root)
                announced = "première page" if walk.pages == 0 else f"page annoncée par nextRecord={start}"
                walk.failed_page = (f"page startPosition={start} ({announced}) : {ex.describe()} — "
                                    + (f"exception {codes}" if codes is not None else "pas de csw:GetRecordsResponse"))
                walk.issues.append(walk.failed_page)
                walk.evidence.append(ex.ref)
                break
            walk.pages += 1
            walk.evidence.append(results.exchange.ref)
            if walk.matched is None:
                walk.matched = results.matched
            elif results.matched != walk.matched:
                walk.issues.append(f"startPosition={start} : numberOfRecordsMatched={results.matched} au lieu de "
                                   f"{walk.matched} sur la première page")
            walk.issues.extend(f"startPosition={start} : {p}" for p in results.problems)
            for rec in results.records:
                rid = record_id(rec)
                if rid is not None and rid in seen:
                    walk.duplicates.append(rid)
                if rid is not None:
                    seen.add(rid)
                    walk.titles.setdefault(rid, record_title(rec))
                walk.ids.append(rid)
            nxt = results.next_record
            if not results.records or not nxt or (walk.matched is not None and nxt > walk.matched):
                walk.complete = True
                break
            if nxt <= start:
                walk.issues.append(f"startPosition={start} : nextRecord={nxt} ne progresse pas")
                break
            if len(walk.ids) >= max_records:
                walk.cut_reason = f"budget : parcours arrêté après {len(walk.ids)} fiches (--max-records)"
                break
            if self.budgets.max_pages is not None and walk.pages >= self.budgets.max_pages:
                walk.cut_reason = f"budget : parcours arrêté après {walk.pages} pages (--max-pages)"
                break
            start = nxt
        with self._lock:
            self._walks[key] = walk
        return walk

    def sample_records(self, note: Any = None, limit: int = 5) -> list[tuple[str, str]]:
        """(identifier, title) of real records of the catalogue, spread over the first pages."""
        walk = self.walk(self.get_records_params())
        pairs = [(rid, walk.titles.get(rid, "")) for rid in walk.ids if rid]
        if not pairs and walk.failed_page is not None:
            raise NotTested(f"aucune fiche lue : {walk.failed_page} (voir CSW-009)")
        if not pairs:
            raise NotTested("le catalogue ne renvoie aucune fiche identifiée : rien à interroger")
        if walk.failed_page is not None and note is not None:
            note.note(f"échantillon pris dans les pages lues avant l'erreur : {walk.failed_page} (voir CSW-009)")
        if len(pairs) > limit:
            step = len(pairs) / limit
            pairs = [pairs[int(k * step)] for k in range(limit)]
            if note is not None:
                note.note(f"échantillon : {limit} fiches sur {len(walk.ids)} lues")
        return pairs

    def title_word(self, title: str) -> str | None:
        """A distinctive word of a title (the longest of at least 5 letters)."""
        words = sorted(WORD.findall(title), key=len, reverse=True)
        return words[0] if words else None
