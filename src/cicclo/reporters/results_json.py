"""``results.json``: the machine-readable outcome of a run (schema: ``schemas/results.schema.json``)."""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cicclo import __version__
from cicclo.http import write_atomic
from cicclo.model import Status, TestResult

DESELECTED = "désélectionné pour cette campagne"

if TYPE_CHECKING:
    from cicclo.plugin import RunContext

FORMAT = "cicclo/results"
FORMAT_VERSION = "1.0"


def document(run: RunContext, results: list[TestResult]) -> dict[str, Any]:
    from cicclo.catalogue import catalogue_sha256

    summary = {s.value: sum(1 for r in results if r.status is s) for s in Status}
    summary["WARNINGS"] = sum(1 for r in results if r.is_warning)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "suite": {"name": "cicclo", "version": __version__, "catalogue_sha256": catalogue_sha256()},
        "target": run.target.to_json(),
        "run": {
            "started_at": run.started_at,
            "out_dir": run.out_dir.name,  # no runner path in a published file
            "budgets": {
                "max_collections": run.budgets.max_collections,
                "max_pages": run.budgets.max_pages,
                "max_features": run.budgets.max_features,
                "max_records": run.budgets.max_records,
            },
            "runner": {"python": platform.python_version(), "platform": sys.platform},
            "stats": run.client.stats.to_json(run.wall_seconds()),
            "classes": dict(sorted(run.classes.items())),
            "profile": run.profile_verdict(),
            "complete": not run.interrupted and not any(r.message == DESELECTED for r in results)
            and (run.profile_verdict() or {}).get("complete", True),
            "interrupted": run.interrupted,
        },
        "summary": summary,
        "results": [r.to_json() for r in results],
    }


def write(run: RunContext, results: list[TestResult]) -> Path:
    path = run.out_dir / "results.json"
    doc = run.redactor.json(document(run, results))
    write_atomic(path, json.dumps(doc, ensure_ascii=False, indent=1))
    return path
