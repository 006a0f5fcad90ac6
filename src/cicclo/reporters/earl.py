"""EARL (W3C Evaluation and Report Language) export of a run, as TEAM Engine produces, in JSON-LD."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cicclo import __version__
from cicclo.reporters.results_json import write_atomic

if TYPE_CHECKING:
    from pathlib import Path

    from cicclo.plugin import RunContext

OUTCOMES = {"PASS": "earl:passed", "FAIL": "earl:failed", "ERROR": "earl:cantTell",
            "NOT_APPLICABLE": "earl:inapplicable", "NOT_TESTED": "earl:untested"}
CONTEXT = {"earl": "http://www.w3.org/ns/earl#", "dct": "http://purl.org/dc/terms/",
           "foaf": "http://xmlns.com/foaf/0.1/", "xsd": "http://www.w3.org/2001/XMLSchema#"}


def to_earl(results: dict[str, Any]) -> dict[str, Any]:
    """One earl:Assertion per test ID of a results.json document."""
    target = results["target"]
    urls = [s.get("url") for s in target["services"].values() if s.get("url")]
    subject = {"@id": urls[0] if urls else f"urn:cicclo:target:{target['id']}", "@type": "earl:TestSubject",
               "dct:title": target["name"]}
    assertor = {"@id": f"urn:cicclo:{__version__}", "@type": ["earl:Assertor", "earl:Software"],
                "dct:title": f"cicclo {results['suite']['version']}"}
    graph = []
    for r in results["results"]:
        graph.append({
            "@type": "earl:Assertion",
            "earl:assertedBy": assertor["@id"],
            "earl:subject": subject["@id"],
            "earl:test": {"@id": f"urn:cicclo:test:{r['test_id']}", "@type": "earl:TestCase",
                          "dct:title": r["title"], "dct:isPartOf": r["conformance_class"],
                          "earl:requirement": r["requirements"], "dct:source": r["abstract_test"]},
            "earl:result": {"@type": "earl:TestResult", "earl:outcome": {"@id": OUTCOMES[r["status"]]},
                            "dct:description": r["message"], "dct:date": results["run"]["started_at"]},
            "earl:mode": {"@id": "earl:automatic"},
        })
    return {"@context": CONTEXT, "@graph": [assertor, subject, *graph]}


def write(run: RunContext) -> Path:
    """earl.jsonld beside results.json (read back from it, so both always agree)."""
    results = json.loads((run.out_dir / "results.json").read_text(encoding="utf-8"))
    path = run.out_dir / "earl.jsonld"
    write_atomic(path, json.dumps(to_earl(results), ensure_ascii=False, indent=1))
    return path
