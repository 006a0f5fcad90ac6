"""``junit.xml``: one test case per test ID, with the ID and the requirements as properties."""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from cicclo.model import Status, TestResult
from cicclo.reporters.results_json import write_atomic

if TYPE_CHECKING:
    from pathlib import Path

    from cicclo.plugin import RunContext


def write(run: RunContext, results: list[TestResult]) -> Path:
    suite = ET.Element(
        "testsuite",
        name=f"cicclo {run.target.id}",
        tests=str(len(results)),
        failures=str(sum(1 for r in results if r.status is Status.FAIL and not r.is_warning)),
        errors=str(sum(1 for r in results if r.status is Status.ERROR)),
        skipped=str(sum(1 for r in results if r.status in (Status.NOT_APPLICABLE, Status.NOT_TESTED))),
        time=f"{run.wall_seconds():.3f}",
        timestamp=run.started_at,
    )
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=f"{r.suite}.{r.conformance_class.rsplit('/', 1)[-1]}",
                             name=f"{r.test_id} {r.title}", time=f"{r.duration_s:.3f}")
        props = ET.SubElement(case, "properties")
        ET.SubElement(props, "property", name="test_id", value=r.test_id)
        ET.SubElement(props, "property", name="status", value=r.status.value)
        ET.SubElement(props, "property", name="level", value=r.level.value)
        for req in r.requirements:
            ET.SubElement(props, "property", name="requirement", value=req)
        if r.abstract_test:
            ET.SubElement(props, "property", name="abstract_test", value=r.abstract_test)
        if r.status is Status.FAIL and not r.is_warning:
            ET.SubElement(case, "failure", message=r.message.splitlines()[0] if r.message else "").text = r.message
        elif r.status is Status.ERROR:
            ET.SubElement(case, "error", message=r.message.splitlines()[0] if r.message else "").text = r.message
        elif r.status in (Status.NOT_APPLICABLE, Status.NOT_TESTED):
            ET.SubElement(case, "skipped", message=f"{r.status.value}: {r.message}")
        elif r.is_warning:
            ET.SubElement(case, "system-out").text = f"AVERTISSEMENT (DEVRAIT) : {r.message}"
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    path = run.out_dir / "junit.xml"
    write_atomic(path, '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode"))
    return path
