"""``junit.xml``: one test case per test ID, with the ID and the requirements as properties.

Written from the light results of the run record (``run.jsonl``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from cicclo.reporters.results_json import write_atomic

if TYPE_CHECKING:
    from pathlib import Path

    from cicclo.reporters.record import RunRecord

SKIPPED = ("NOT_APPLICABLE", "NOT_TESTED")


def write(record: RunRecord) -> Path:
    results = record.light()
    failing = [r for r in results if r["status"] == "FAIL" and not r["warning"]]
    suite = ET.Element(
        "testsuite",
        name=f"cicclo {record.header['target']['id']}",
        tests=str(len(results)),
        failures=str(len(failing)),
        errors=str(sum(1 for r in results if r["status"] == "ERROR")),
        skipped=str(sum(1 for r in results if r["status"] in SKIPPED)),
        time=f"{record.footer['run']['stats']['wall_s']:.3f}",
        timestamp=record.header["run"]["started_at"],
    )
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=f"{r['suite']}.{r['conformance_class'].rsplit('/', 1)[-1]}",
                             name=f"{r['test_id']} {r['title']}", time=f"{r['duration_s']:.3f}")
        props = ET.SubElement(case, "properties")
        ET.SubElement(props, "property", name="test_id", value=r["test_id"])
        ET.SubElement(props, "property", name="status", value=r["status"])
        ET.SubElement(props, "property", name="level", value=r["level"])
        for req in r["requirements"]:
            ET.SubElement(props, "property", name="requirement", value=req)
        if r["abstract_test"]:
            ET.SubElement(props, "property", name="abstract_test", value=r["abstract_test"])
        message, first = r["message"], r["message"].splitlines()[0] if r["message"] else ""
        if r["status"] == "FAIL" and not r["warning"]:
            ET.SubElement(case, "failure", message=first).text = message
        elif r["status"] == "ERROR":
            ET.SubElement(case, "error", message=first).text = message
        elif r["status"] in SKIPPED:
            ET.SubElement(case, "skipped", message=f"{r['status']}: {message}")
        elif r["warning"]:
            ET.SubElement(case, "system-out").text = f"AVERTISSEMENT (DEVRAIT) : {message}"
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    path = record.folder / "junit.xml"
    write_atomic(path, '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode"))
    return path
