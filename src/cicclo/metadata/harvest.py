"""The records of the target's catalogue (harvested once per run through CSW 2.0.2 GetRecords, KVP), or the record
files and URLs given to ``cicclo validate``; each record is checked once, by every check, and the tests report those
outcomes.

Records are asked in ISO 19139 (``outputSchema=http://www.isotc211.org/2005/gmd``, ``typeNames=gmd:MD_Metadata``,
``elementSetName=full``), page by page with ``startPosition``/``maxRecords``, up to the run's ``max_records``
budget. The sample size and any cut are reported as notes. Each record is kept as (identifier, XML bytes,
evidence reference); a record that cannot be read is kept with its parse error, so that MD-C-002 fails for it
and the other tests skip it with a note. So is a page that the catalogue announced (nextRecord) but did not serve
(server error, exception, unreadable body): the exchange is the evidence of its failure.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from lxml import etree

from cicclo.classes import CNIG_MD, INSPIRE_MD
from cicclo.declare import Declaration
from cicclo.errors import NotApplicable, NotTested, TransportError
from cicclo.http import CURRENT_SINK, attach_evidence
from cicclo.metadata import cnig, inspire, iso19139
from cicclo.metadata.inspire import Check
from cicclo.oapif.xml import XmlError, parse_xml
from cicclo.verdict import InstanceRecorder, Verdict

GMD = "http://www.isotc211.org/2005/gmd"
CSW = "http://www.opengis.net/cat/csw/2.0.2"
OWS = "http://www.opengis.net/ows"
PAGE_SIZE = 50
ALL_CHECKS: dict[str, Check] = {**inspire.CHECKS, **cnig.CHECKS}
SCHEMA_IDS = ("MD-C-001", "MD-C-002")  # reported for every record, readable or not
ISO19139_NAMESPACES = frozenset({GMD, "http://www.isotc211.org/2005/gmi"})


@dataclass
class Record:
    """One harvested record: its key, its XML bytes, the exchange it came from, and its parsed root."""

    identifier: str
    xml: bytes
    evidence: str | None = None
    root: Any = None
    error: str | None = None

    @cached_property
    def tags(self) -> frozenset[str]:
        return inspire.record_tags(self.root) if self.root is not None else frozenset()


def parse_record(xml: bytes, fallback_key: str, evidence: str | None = None) -> Record:
    """Parse one record safely (no DTD, no entities, bounded size); an unreadable record keeps its error, and so
    does a record of another schema family (e.g. ISO 19115-3 ``mdb:MD_Metadata``), kept with its root."""
    try:
        root = parse_xml(xml)
    except XmlError as exc:
        return Record(fallback_key, xml, evidence, None, f"XML illisible : {exc}")
    except Exception as exc:  # lxml may raise other errors on hostile input: never crash the run
        return Record(fallback_key, xml, evidence, None, f"XML illisible : {type(exc).__name__}: {exc}")
    return classify(root, xml, _identifier(root) or fallback_key, evidence)


def classify(root: Any, xml: bytes, key: str, evidence: str | None = None) -> Record:
    """A parsed record; one whose root is not ISO 19139 (gmd/gmi) keeps its root for C.1/C.2 and an error that
    makes the other tests skip it."""
    record = Record(key, xml, evidence, root)
    namespace = etree.QName(root).namespace or ""
    if namespace not in ISO19139_NAMESPACES:
        record.error = (f"racine {etree.QName(root).localname} de l'espace de noms {namespace or '(aucun)'} : "
                        "pas une fiche ISO 19139 (gmd)" + (" — fiche ISO 19115-3 (mdb), autre famille de schémas"
                                                          if "/19115/-3/" in namespace else ""))
    return record


def _identifier(root: Any) -> str:
    found = root.xpath("gmd:fileIdentifier/*/text()", namespaces={"gmd": GMD})
    return str(found[0]).strip() if found else ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one check made of one record."""

    failures: tuple[str, ...] = ()
    not_applicable: str | None = None
    notes: tuple[str, ...] = ()


PASSED = Outcome()  # shared by every check that found nothing: 10,000 records × 60 checks stay small


@dataclass(frozen=True, slots=True)
class CheckedRecord:
    """A record once every check has run on it: all the tests need, without the XML (records are not held)."""

    identifier: str
    evidence: str | None
    tags: frozenset[str]
    error: str | None
    outcomes: dict[str, Outcome]


def _schema_outcome(record: Record) -> Outcome:
    if record.root is None:
        return Outcome((f"validation impossible : {record.error}",))
    report = iso19139.validate(record.root)
    if report.valid:
        return Outcome(notes=(f"accepté par {report.accepted_by}",))
    return Outcome(tuple(report.messages()))


def check_record(record: Record) -> CheckedRecord:
    """Run C.1 (schemas), C.2 (root element) and every record check of its kind on one record."""
    outcomes = {"MD-C-001": _schema_outcome(record),
                "MD-C-002": Outcome((record.error,) if record.error is not None
                                    else tuple(inspire.c02_root_element(record.root)))}
    tags = record.tags if record.error is None else frozenset()
    for test_id, check in ALL_CHECKS.items():
        if check.kind not in tags:
            continue
        try:
            failures = tuple(check.func(record.root))
            outcomes[test_id] = Outcome(failures) if failures else PASSED
        except NotApplicable as exc:
            outcomes[test_id] = Outcome(not_applicable=str(exc))
        except Exception as exc:  # a bug of a check must never look like a verdict on the record
            outcomes[test_id] = Outcome((f"erreur interne de la suite : {type(exc).__name__}: {exc}",))
    return CheckedRecord(record.identifier, record.evidence, tags, record.error, outcomes)


def report_outcomes(verdict: Verdict, checked: list[CheckedRecord], test_id: str) -> None:
    """One instance per applicable record, keyed by its identifier, from the outcomes computed once. C.1 and C.2
    concern every record; the other tests skip unreadable records and those of another schema family with a
    note (C.1/C.2 report them). With no applicable record the test is NOT_TESTED."""
    kind = ALL_CHECKS[test_id].kind if test_id in ALL_CHECKS else "any"
    if test_id in SCHEMA_IDS:
        applicable = checked
    else:
        for bad in (c for c in checked if c.error is not None):
            verdict.note(f"fiche {bad.identifier} ignorée ici ({bad.error} ; voir MD-C-001, MD-C-002)")
        applicable = [c for c in checked if c.error is None and kind in c.tags]
    if not applicable:
        readable = sum(c.error is None for c in checked)
        raise NotTested(f"aucune fiche de ce type ({inspire.KIND_LABELS_FR[kind]}) parmi les {readable} fiches "
                        "lisibles")
    for item in applicable:
        with verdict.instance(item.identifier) as rec:
            if item.evidence:
                attach_evidence([item.evidence])
            outcome = item.outcomes.pop(test_id)  # each test reports its ID once: free it as we go
            for note in outcome.notes:
                rec.note(note)
            if outcome.not_applicable is not None:
                raise NotApplicable(outcome.not_applicable)
            for message in outcome.failures:
                rec.fail(message)


def run_record_check(verdict: Verdict, records: list[Record], test_id: str,
                     func: Callable[[InstanceRecorder, Record], None] | None = None, kind: str | None = None) -> None:
    """One instance per applicable record, keyed by its identifier; unreadable records are skipped with a note
    (MD-C-002 reports them). With no applicable record the test is NOT_TESTED."""
    check = ALL_CHECKS.get(test_id)
    kind = kind or (check.kind if check else "any")
    readable = [r for r in records if r.error is None]
    for bad in (r for r in records if r.error is not None):
        verdict.note(f"fiche {bad.identifier} ignorée ici ({bad.error} ; voir MD-C-001, MD-C-002)")
    applicable = [r for r in readable if kind in r.tags]
    if not applicable:
        raise NotTested(f"aucune fiche de ce type ({inspire.KIND_LABELS_FR[kind]}) parmi les "
                        f"{len(readable)} fiches lisibles")
    for record in applicable:
        with verdict.instance(record.identifier) as rec:
            if record.evidence:
                attach_evidence([record.evidence])
            if func is not None:
                func(rec, record)
            else:
                assert check is not None
                for message in check.func(record.root):
                    rec.fail(message)


@dataclass
class Harvest:
    records: list[Record] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failure: Exception | None = None


class MetadataContext:
    """What the metadata tests share for one run: the target's catalogue and its harvested records."""

    def __init__(self, run: Any, sources: list[str] | None = None) -> None:
        self.run = run
        self.sources = sources or []
        self._harvest: Harvest | None = None
        self._checked: list[CheckedRecord] | None = None
        self._notes: list[str] = []
        self._lock = threading.Lock()

    # -- applicability ----------------------------------------------------------------------------------

    @property
    def csw_url(self) -> str | None:
        service = self.run.target.services.get("csw")
        return service.url if service is not None and service.documented else None

    def check_applicable(self, decl: Declaration) -> None:
        """NotTested when the target has no usable CSW catalogue for the metadata classes (record files given to
        ``cicclo validate`` stand for it; their links are not followed)."""
        if not (decl.applies_to.startswith(INSPIRE_MD) or decl.applies_to == CNIG_MD):
            return
        if self.sources:
            if decl.test_id.startswith("MD-LINK-"):
                raise NotTested("fiches lues par cicclo validate : les liens ne sont pas suivis (vérification hors "
                                "ligne ; lancez cicclo run contre le catalogue pour les liens)")
            return
        service = self.run.target.services.get("csw")
        if service is None:
            raise NotTested("la cible ne déclare pas de service csw : aucune fiche de métadonnées à vérifier")
        if not service.documented:
            suffix = f" : {service.note}" if service.note else ""
            raise NotTested(f"service csw non documenté par la plateforme{suffix}")
        if not service.url:
            raise NotTested("service csw sans URL")

    # -- records checked once ---------------------------------------------------------------------------

    def checked(self, verdict: Verdict) -> list[CheckedRecord]:
        """Every record, checked once by every check (on first use): the given files and URLs, or the harvest."""
        if not self.sources:
            records = self.records(verdict)
            with self._lock:
                if self._checked is None:
                    self._checked = [check_record(r) for r in records]
            return self._checked
        with self._lock:
            if self._checked is None:
                token = CURRENT_SINK.set(None)  # a fetched record is evidence of each of its instances
                try:
                    self._checked = self._check_sources()
                finally:
                    CURRENT_SINK.reset(token)
        for note in self._notes:
            verdict.note(note)
        if not self._checked:
            raise NotTested("aucune fiche dans les fichiers et URL donnés")
        return self._checked

    def _check_sources(self) -> list[CheckedRecord]:
        from cicclo.metadata import sources

        inputs = sources.expand(self.sources)
        checked = [check_record(Record(m, b"", None, None, "fichier ou dossier introuvable"))
                   for m in inputs.missing]
        for url in inputs.urls:
            try:
                checked += sources.check_url(self.run.client, url)
            except TransportError as exc:
                self._notes.append(f"{url} : fiche non obtenue ({exc}) : non vérifiée")
        checked += sources.check_files(inputs.files)
        self._notes.insert(0, f"{len(checked)} fiches vérifiées ({len(inputs.files)} fichiers, {len(inputs.urls)} "
                              "URL) par cicclo validate")
        return checked

    # -- harvest ----------------------------------------------------------------------------------------

    def records(self, verdict: Verdict) -> list[Record]:
        """The harvested records (harvested on first use); the sample notes go to ``verdict``."""
        with self._lock:
            if self._harvest is None:
                token = CURRENT_SINK.set(None)  # the pages are evidence of each record, not of the first test
                try:
                    self._harvest = self._collect()
                finally:
                    CURRENT_SINK.reset(token)
        harvest = self._harvest
        for note in harvest.notes:
            verdict.note(note)
        if harvest.failure is not None:
            raise harvest.failure
        if not harvest.records:
            raise NotTested("le catalogue ne renvoie aucune fiche ISO 19139 (gmd:MD_Metadata)")
        return harvest.records

    def _collect(self) -> Harvest:
        url = self.csw_url
        harvest = Harvest()
        if not url:
            harvest.failure = NotTested("pas de service csw")
            return harvest
        budget = max(1, self.run.budgets.max_records)
        start, matched = 1, None
        while len(harvest.records) < budget:
            size = min(PAGE_SIZE, budget - len(harvest.records))
            try:
                ex = self.run.client.get(url, params=_getrecords_params(start, size), accept="application/xml")
            except TransportError as exc:
                harvest.failure = exc if not harvest.records else None
                harvest.notes.append(f"moisson interrompue à la position {start} : {exc}")
                break
            page = self._read_page(ex, start, harvest, budget - len(harvest.records))
            if page is None:
                break
            matched, next_record, count = page
            if count == 0 or next_record == 0 or (matched is not None and next_record > matched):
                break
            if next_record <= start:
                harvest.notes.append(f"nextRecord={next_record} ne progresse pas après {start} : moisson arrêtée")
                break
            start = next_record
        self._account_for_refusals(harvest)
        total = len(harvest.records)
        announced = f" sur {matched} annoncées par le catalogue" if matched is not None else ""
        harvest.notes.insert(0, f"{total} fiches vérifiées{announced} (GetRecords gmd:MD_Metadata, "
                                f"budget max_records = {budget})")
        if matched is not None and matched > total:
            harvest.notes.append(f"échantillon : {matched - total} fiches non vérifiées (budget max_records atteint"
                                 " ou moisson interrompue)")
        return harvest

    def _account_for_refusals(self, harvest: Harvest) -> None:
        """Records that the built-in catalogue refused to load (its loader's messages, service option
        ``refused_records``): each one is a record that MD-C-001/MD-C-002 report, never a line on stderr."""
        service = self.run.target.services.get("csw")
        refused = dict(service.options.get("refused_records", {})) if service is not None else {}
        for name, message in sorted(refused.items()):
            harvest.records.append(Record(f"{name} (refusée par le catalogue)", b"", None, None,
                                          f"fiche refusée au chargement par le catalogue : {message}"))
        if refused:
            harvest.notes.append(f"{len(refused)} fiches refusées au chargement par le catalogue, rapportées sous "
                                 "MD-C-001 et MD-C-002 : " + ", ".join(sorted(refused)))

    def _read_page(self, ex: Any, start: int, harvest: Harvest, room: int) -> tuple[int | None, int, int] | None:
        """Add the records of one GetRecords page; returns (matched, nextRecord, count) or None to stop.

        The first page is the suite's own request (a catalogue may refuse ISO 19139: the tests are then
        NOT_TESTED). A later page was announced by the catalogue itself (nextRecord): a server error, an
        exception or a body that is no csw:SearchResults there is kept as one unreadable "record" with the
        exchange as evidence, so that MD-C-001/MD-C-002 fail for it and the other tests skip it with a note.
        """
        results, problem, unreadable = _search_results(ex)
        if results is not None:
            return self._add_records(results, ex, start, harvest, room)
        if start > 1 or unreadable:
            label = f"page annoncée par nextRecord={start}" if start > 1 else "première page"
            harvest.records.append(Record(f"page startPosition={start}", ex.body, ex.ref, None,
                                          f"{label} non lue : {problem}"))
            harvest.notes.append(f"moisson interrompue à la position {start} : {problem} (voir MD-C-002)")
            return None
        failure = NotTested(f"{problem} : aucune fiche moissonnée")
        harvest.failure = failure
        harvest.notes.append(str(failure))
        return None

    def _add_records(self, results: Any, ex: Any, start: int, harvest: Harvest,
                     room: int) -> tuple[int | None, int, int]:
        children = [c for c in results if isinstance(c.tag, str)]
        if len(children) > room:  # a server that ignores maxRecords: the budget still holds
            harvest.notes.append(f"{len(children)} fiches reçues pour {room} demandées : les suivantes sont ignorées")
            children = children[:room]
        for i, child in enumerate(children, start):
            xml = etree.tostring(child, encoding="UTF-8", xml_declaration=True)
            record = parse_record(xml, f"fiche n° {i}", ex.ref)
            keys = {r.identifier for r in harvest.records}
            if record.identifier in keys:
                harvest.notes.append(f"identifiant {record.identifier} renvoyé plusieurs fois (pagination instable ?)")
                record.identifier = f"{record.identifier} (n° {i})"
            harvest.records.append(record)
        matched = _int(results.get("numberOfRecordsMatched"))
        next_record = _int(results.get("nextRecord"))
        return matched, next_record if next_record is not None else start + len(children), len(children)

    # -- tests ------------------------------------------------------------------------------------------

    def run_check(self, verdict: Verdict, test_id: str) -> None:
        """Report the outcome of the record check ``test_id`` (C.1 and C.2 included) for every applicable record."""
        report_outcomes(verdict, self.checked(verdict), test_id)


def _search_results(ex: Any) -> tuple[Any, str, bool]:
    """The csw:SearchResults of a GetRecords answer, or None, why it is no page of records, and whether the
    reason is a 200 body that is no XML."""
    if ex.status != 200:
        return None, f"{ex.describe()} : GetRecords n'a pas répondu 200", False
    try:
        doc = parse_xml(ex.body)
    except XmlError as exc:
        return None, f"réponse GetRecords illisible : {exc}", True
    if doc.tag in (f"{{{OWS}}}ExceptionReport", "{http://www.opengis.net/ows/2.0}ExceptionReport"):
        text = " ".join(t.strip() for t in doc.itertext() if t.strip())[:300]
        return None, f"GetRecords en ISO 19139 refusé par le catalogue (ExceptionReport : {text})", False
    results = doc.find(f".//{{{CSW}}}SearchResults")
    if results is None:
        return None, f"{ex.describe()} : pas de csw:SearchResults dans la réponse GetRecords", False
    return results, "", False


def _getrecords_params(start: int, size: int) -> dict[str, str]:
    return {
        "service": "CSW",
        "version": "2.0.2",
        "request": "GetRecords",
        "typeNames": "gmd:MD_Metadata",
        "namespace": f"xmlns(gmd={GMD})",
        "resultType": "results",
        "elementSetName": "full",
        "outputSchema": GMD,
        "startPosition": str(start),
        "maxRecords": str(size),
    }


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


__all__ = ["CheckedRecord", "MetadataContext", "NotApplicable", "Outcome", "Record", "check_record", "classify",
           "parse_record", "report_outcomes", "run_record_check"]
