"""Customisation of the pytest-html report (labels in French); reads the result model only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cicclo.plugin import RunContext


class HtmlReportHooks:
    def __init__(self, run: RunContext) -> None:
        self.run = run

    def pytest_html_report_title(self, report: Any) -> None:
        report.title = f"Rapport de conformité cicclo — {self.run.target.name}"
