"""Record files and URLs for ``cicclo validate``: ISO 19139 record files, folders (recursively), CSW GetRecords or
GetRecordById response files (their records unwrapped), or the URL of one record.

Every input is accounted for: a file or a record that cannot be read becomes a record with its parser's message
(MD-C-001 and MD-C-002 fail for it), never a line on stderr. Files are checked in worker processes, a bounded
number at a time, so that only the compact outcomes (not the XML) are held.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from cicclo.metadata import is_url
from cicclo.metadata.harvest import CSW, PASSED, CheckedRecord, Outcome, Record, check_record, classify
from cicclo.oapif.xml import MAX_XML_BYTES, XmlError, parse_xml

CSW_RESPONSES = frozenset({f"{{{CSW}}}GetRecordsResponse", f"{{{CSW}}}GetRecordByIdResponse"})
INLINE_MAX = 16  # fewer files than this are checked in the main process (no worker start-up)
IN_FLIGHT_PER_WORKER = 8


@dataclass
class Inputs:
    """What the command line named: record files (with the name to show) and URLs."""

    files: list[tuple[Path, str]] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def expand(arguments: list[str]) -> Inputs:
    """Files as given, folders searched recursively for ``*.xml`` (sorted), URLs kept; missing paths reported."""
    inputs = Inputs()
    for argument in arguments:
        if is_url(argument):
            inputs.urls.append(argument)
            continue
        path = Path(argument)
        if path.is_dir():
            inputs.files += [(p, str(p)) for p in sorted(path.rglob("*.xml")) if p.is_file()]
        elif path.is_file():
            inputs.files.append((path, argument))
        else:
            inputs.missing.append(argument)
    return inputs


def records_of(xml: bytes, name: str, evidence: str | None = None) -> list[Record]:
    """The records of one document: itself, or each record of a CSW response; an unreadable document is one
    record with its error."""
    try:
        root = parse_xml(xml)
    except XmlError as exc:
        return [Record(name, xml, evidence, None, f"XML illisible : {exc}")]
    except Exception as exc:  # lxml may raise other errors on hostile input
        return [Record(name, xml, evidence, None, f"XML illisible : {type(exc).__name__}: {exc}")]
    if root.tag not in CSW_RESPONSES:
        return [classify(root, xml, name, evidence)]
    results = root.find(f"{{{CSW}}}SearchResults")
    children = [c for c in (results if results is not None else root) if isinstance(c.tag, str)]
    if not children:
        return [Record(name, xml, evidence, None, f"réponse CSW {etree.QName(root).localname} sans aucune fiche")]
    return [classify(child, etree.tostring(child), f"{name}#{i}", evidence) for i, child in enumerate(children, 1)]


def check_document(xml: bytes, name: str, evidence: str | None = None) -> list[CheckedRecord]:
    """Every record of one document, checked (runs in a worker process)."""
    return [check_record(r) for r in records_of(xml, name, evidence)]


def _read(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(MAX_XML_BYTES + 1)


def _check_file(path: Path, name: str) -> list[CheckedRecord]:
    try:
        xml = _read(path)
    except OSError as exc:
        return [check_record(Record(name, b"", None, None, f"fichier illisible : {exc.strerror or exc}"))]
    return check_document(xml, name)


def _compact(checked: CheckedRecord, tag_sets: dict[frozenset[str], frozenset[str]]) -> CheckedRecord:
    """A record received from a worker, made small again: unpickling gives each record its own copies of the
    test IDs, of the shared PASSED outcome, of its tag set and of messages that thousands of records repeat."""
    def outcome(o: Outcome) -> Outcome:
        if o == PASSED:
            return PASSED
        return Outcome(tuple(map(sys.intern, o.failures)), o.not_applicable and sys.intern(o.not_applicable),
                       tuple(map(sys.intern, o.notes)))

    return CheckedRecord(checked.identifier, checked.evidence, tag_sets.setdefault(checked.tags, checked.tags),
                         checked.error,
                         {sys.intern(k): outcome(o) for k, o in checked.outcomes.items()})


def check_files(files: list[tuple[Path, str]], workers: int | None = None) -> Iterator[CheckedRecord]:
    """The checked records of the files, in the files' order, with at most a few files in flight per worker."""
    if len(files) < INLINE_MAX:
        for path, name in files:
            yield from _check_file(path, name)
        return
    count = workers or min(2, os.cpu_count() or 1)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        pending: list[Future[list[CheckedRecord]]] = []
        tag_sets: dict[frozenset[str], frozenset[str]] = {}
        todo = iter(files)
        for path, name in todo:
            pending.append(pool.submit(_check_file, path, name))
            if len(pending) >= count * IN_FLIGHT_PER_WORKER:
                yield from (_compact(c, tag_sets) for c in pending.pop(0).result())
        for future in pending:
            yield from (_compact(c, tag_sets) for c in future.result())


def check_url(client: Any, url: str) -> list[CheckedRecord]:
    """The record at ``url`` (one GET, evidence kept); a status other than 200 is an unreadable record, a
    transport error is raised (TransportError: the caller notes it, never a FAIL)."""
    ex = client.get(url, accept="application/xml")
    if ex.status != 200:
        return [check_record(Record(url, ex.body, ex.ref, None, f"{ex.describe()} : statut 200 attendu"))]
    return check_document(ex.body, url, ex.ref)


__all__ = ["Inputs", "check_files", "check_url", "expand", "records_of"]
