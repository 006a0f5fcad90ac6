"""Shared access to one OGC API – Records endpoint (the target's ``ogcapi_records`` service).

A Records API is an OGC API Features API whose collections hold records: page walks, links and
preconditions are those of :class:`cicclo.oapif.context.OapifContext`; what differs is the service, the
applicability (Records classes declared in /conformance, with the spellings in :mod:`cicclo.records.uris`)
and the collections kept (itemType ``record``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cicclo.classes import KNOWN_CLASSES, OAREC1
from cicclo.declare import Declaration
from cicclo.errors import NotApplicable, NotTested
from cicclo.http import attach_evidence
from cicclo.oapif.context import ACCEPT_JSON, CollectionRef, OapifContext, Walk
from cicclo.records.uris import ALIASES, DRAFT_CORE, DRAFT_CORE_CLASSES

if TYPE_CHECKING:
    from cicclo.plugin import RunContext

RECORDS_PAGE = 10  # a common default page size: some servers cap larger pages without a next link


@dataclass
class RecordScan:
    """A whole record collection walked once: the summary of the walk and the records (within budget)."""

    walk: Walk
    records: list[dict[str, Any]] = field(default_factory=list)
    cut: str = ""


def declared_record_classes(conforms_to: list[str]) -> tuple[set[str], list[str]]:
    """Records classes declared by a conformsTo list (official URIs and accepted spellings), with notes."""
    declared: set[str] = set()
    notes: list[str] = []
    for uri in conforms_to:
        uri = uri.rstrip("/")
        if uri in KNOWN_CLASSES and uri.startswith(OAREC1 + "/"):
            declared.add(uri)
        elif uri in ALIASES:
            declared.update(ALIASES[uri])
            notes.append(f"classe déclarée sous une autre graphie du document : {uri}")
        elif uri == DRAFT_CORE:
            declared.update(DRAFT_CORE_CLASSES)
            notes.append(f"{uri} (classe « core » des projets antérieurs à la 1.0) lu comme record-core, "
                         "record-collection, records-api et record-core-query-parameters")
    return declared, notes


class RecordsContext(OapifContext):
    """One OGC API – Records endpoint of the target, as seen by every test of the suite."""

    def __init__(self, run: RunContext) -> None:
        super().__init__(run)
        self.service = run.target.services.get("ogcapi_records")
        url = self.service.url if self.service else None
        self.root = (url.rstrip("/") + "/") if url else ""
        self._scans: dict[str, RecordScan] = {}
        self._scan_locks: dict[str, threading.Lock] = {}

    def check_applicable(self, decl: Declaration) -> None:
        if self.service is None:
            raise NotTested("la cible ne déclare pas de service OGC API Records (services.ogcapi_records)")
        if not self.service.documented or not self.root:
            raise NotTested(f"aucun point d'accès OGC API Records documenté : {self.service.note}")
        declared, _ = self.declared_classes()
        if decl.applies_to not in declared:
            raise NotApplicable(f"la cible ne déclare pas {decl.applies_to} dans /conformance")

    def declared_classes(self) -> tuple[set[str], list[str]]:
        ex = self.client.get(self.url("conformance"), accept=ACCEPT_JSON)
        doc = self.precondition_json(ex, "déclaration de conformité (/conformance)")
        conforms = doc.get("conformsTo") if isinstance(doc, dict) else None
        if not isinstance(conforms, list):
            raise NotTested("déclaration de conformité sans tableau conformsTo : applicabilité indécidable")
        return declared_record_classes([c for c in conforms if isinstance(c, str)])

    def record_collections(self, note: Any = None) -> list[CollectionRef]:
        """Collections of records (itemType 'record'), all of them unless max_collections cuts the list."""
        return self.collections_of_type("record", note, "collections de fiches",
                                        "aucune collection de fiches (itemType « record »)")

    def record_scan(self, collection: CollectionRef) -> RecordScan:
        """The whole collection walked once per run; at most ``max_records`` records are kept whole."""
        with self._lock:
            lock = self._scan_locks.setdefault(collection.id, threading.Lock())
        with lock:
            if collection.id not in self._scans:
                kept: list[dict[str, Any]] = []
                limit = self.budgets.max_records

                def visit(record: dict[str, Any]) -> None:
                    if len(kept) < limit:
                        kept.append(record)

                walk = self.walk(self.items_url(collection), {"limit": str(RECORDS_PAGE)}, visit)
                cut = f"budget : {limit} fiches vérifiées sur {len(walk.features)} (--max-records)" \
                    if len(walk.features) > limit else ""
                self._scans[collection.id] = RecordScan(walk, kept, cut)
        scan = self._scans[collection.id]
        attach_evidence(scan.walk.evidence)
        return scan

    def record_url(self, collection: CollectionRef, record_id: Any) -> str:
        return self.url(f"collections/{collection.id}/items/{record_id}")
