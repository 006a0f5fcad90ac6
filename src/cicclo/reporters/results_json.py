"""``results.json``: the machine-readable outcome of a run (schema: ``schemas/results.schema.json``).

Written from the run record (``run.jsonl``) one result at a time: the document is never held whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from cicclo.http import write_atomic
from cicclo.model import Status
from cicclo.reporters.record import write_streaming

if TYPE_CHECKING:
    from pathlib import Path

    from cicclo.reporters.record import RunRecord

DESELECTED = "désélectionné pour cette campagne"
FORMAT = "cicclo/results"
FORMAT_VERSION = "1.0"
__all__ = ["DESELECTED", "FORMAT", "FORMAT_VERSION", "head", "summary", "write", "write_atomic"]


def summary(results: Iterable[dict[str, Any]]) -> dict[str, int]:
    """The counts per status, and the SHOULD-level failures (warnings)."""
    counts = {s.value: 0 for s in Status}
    warnings = 0
    for r in results:
        counts[r["status"]] += 1
        warnings += bool(r["warning"])
    return {**counts, "WARNINGS": warnings}


def head(record: RunRecord) -> dict[str, Any]:
    """Everything of results.json but its results: the record's header and footer, and the counts."""
    header, footer = record.header, record.footer
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "suite": header["suite"],
        "target": header["target"],
        "run": {**header["run"], **footer["run"]},
        "summary": summary(record.light()),
    }


def _chunks(record: RunRecord) -> Iterator[str]:
    """The text of ``json.dumps(document, ensure_ascii=False, indent=1)``, one result at a time."""
    text = json.dumps({**head(record), "results": []}, ensure_ascii=False, indent=1)
    opening, _, _ = text.rpartition("[]")
    yield opening + "["
    first = True
    for result in record.results():
        item = json.dumps(result, ensure_ascii=False, indent=1).replace("\n", "\n  ")
        yield ("\n  " if first else ",\n  ") + item
        first = False
    yield "]\n}" if first else "\n ]\n}"


def write(record: RunRecord) -> Path:
    path = record.folder / "results.json"
    write_streaming(path, _chunks(record))
    return path
