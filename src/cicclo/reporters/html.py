"""The pytest-html report, customised: French labels, a summary per conformance class, and for each test
its ID, level, status, requirements, message, instances and the HTTP evidence with its curl line.

It reads the result model (computed by the plugin) and the redacted evidence files of the run only.
Every text that comes from the target or the suite is HTML-escaped.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from cicclo.classes import KNOWN_CLASSES
from cicclo.model import LEVEL_LABELS_FR, STATUS_LABELS_FR, Status, TestResult

if TYPE_CHECKING:
    from cicclo.plugin import RunContext

MAX_INLINE_EVIDENCE = 8
BODY_PREVIEW_CHARS = 4000
# pytest-html's own column headers, translated (matched on the visible text)
HEADER_LABELS = {">Result<": ">Résultat pytest<", ">Test<": ">Test pytest<", ">Duration<": ">Durée<",
                 ">Links<": ">Liens<"}
# our columns: (sort key, header); the sort key must be a \w+ word, pytest-html reads it from "col-<key>"
COLUMNS = (("cicclo_id", "Identifiant"), ("cicclo_level", "Niveau"), ("cicclo_status", "Statut"))
STATUS_COLOURS = {Status.PASS: "#1b7f3b", Status.FAIL: "#b3261e", Status.ERROR: "#8a4b00",
                  Status.NOT_APPLICABLE: "#666", Status.NOT_TESTED: "#666"}
WARNING_COLOUR = "#b26a00"
STYLE = """<style>
.cicclo-summary table, .cicclo-details table {border-collapse:collapse;margin:.4em 0}
.cicclo-summary th, .cicclo-summary td, .cicclo-details th, .cicclo-details td
  {border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
.cicclo-details pre {white-space:pre-wrap;word-break:break-all;background:#f6f6f6;padding:.4em}
.cicclo-badge {color:#fff;padding:1px 6px;border-radius:3px;font-weight:bold}
.cicclo-exchange {border-left:3px solid #999;padding-left:.6em;margin:.6em 0}
.cicclo-details {color:#222}
.logwrapper:not(:has(.log)) {display:none}
</style>"""


def status_label(result: TestResult) -> str:
    """The French status label; a SHOULD-level failure is shown as a warning."""
    label = STATUS_LABELS_FR[result.status]
    return f"{label} (avertissement)" if result.is_warning else label


def badge(result: TestResult) -> str:
    colour = WARNING_COLOUR if result.is_warning else STATUS_COLOURS[result.status]
    return (f'<span class="cicclo-badge" style="background:{colour}">{escape(result.status.value)}</span> '
            f"{escape(status_label(result))}")


def link(uri: str) -> str:
    return f'<a href="{escape(uri)}">{escape(uri)}</a>'


# -- summary block ---------------------------------------------------------------------------------------

def target_html(run: RunContext) -> str:
    target = run.target
    services = "".join(
        f"<li>{escape(svc.name)} : "
        f"{link(run.redactor.url(svc.url)) if svc.url else escape(svc.note or 'non documenté')}</li>"
        for svc in target.services.values()
    )
    product = " ".join(p for p in (target.product, target.product_version) if p) or "non précisé"
    return (f"<h2>Cible : {escape(target.name)} ({escape(target.id)})</h2>"
            f"<p>Produit : {escape(product)}</p><p>Services :</p><ul>{services}</ul>")


def stats_html(run: RunContext) -> str:
    stats = run.client.stats
    budgets = run.budgets
    return (f"<p>Campagne du {escape(run.started_at)} — requêtes : {stats.requests} "
            f"(+{stats.cache_hits} depuis le cache), {stats.bytes_received / 1e6:.2f} Mo reçus, "
            f"{stats.server_wait_s:.1f} s d'attente serveur, {stats.transport_errors} erreur(s) de transport, "
            f"{run.wall_seconds():.1f} s au total.</p>"
            f"<p>Budgets : collections {budgets.max_collections or 'toutes'}, pages {budgets.max_pages or 'toutes'}, "
            f"entités par collection {budgets.max_features}.</p>")


def class_rows(results: list[TestResult]) -> list[str]:
    """One row per conformance class that has results, in the order of KNOWN_CLASSES."""
    rows = []
    for uri in [*KNOWN_CLASSES, *sorted({r.conformance_class for r in results} - set(KNOWN_CLASSES))]:
        in_class = [r for r in results if r.conformance_class == uri]
        if not in_class:
            continue
        known = KNOWN_CLASSES.get(uri)
        title = known.title_fr if known else uri
        counts = "".join(f"<td>{sum(1 for r in in_class if r.status is s)}</td>" for s in Status)
        warnings = sum(1 for r in in_class if r.is_warning)
        rows.append(f"<tr><td>{escape(title)}<br><small>{escape(uri)}</small></td>{counts}<td>{warnings}</td></tr>")
    return rows


def classes_html(results: list[TestResult]) -> str:
    heads = "".join(f"<th>{escape(STATUS_LABELS_FR[s])}</th>" for s in Status)
    return ("<h2>Synthèse par classe de conformité</h2>"
            f'<table class="cicclo-classes"><tr><th>Classe de conformité</th>{heads}'
            "<th>Avertissements (DEVRAIT)</th></tr>" + "".join(class_rows(results)) + "</table>")


def summary_html(run: RunContext) -> str:
    results = list(run.results.values())
    return (STYLE + '<div class="cicclo-summary">' + target_html(run) + stats_html(run)
            + classes_html(results) + "</div>")


# -- per-test block --------------------------------------------------------------------------------------

def instances_html(result: TestResult) -> str:
    if not result.instances:
        return ""
    rows = "".join(
        f"<tr><td>{escape(i.key)}</td><td>{escape(STATUS_LABELS_FR[i.status])}</td>"
        f"<td>{'<br>'.join(escape(m) for m in [*i.messages, *i.notes])}</td></tr>"
        for i in result.instances
    )
    return f"<table><tr><th>Instance</th><th>Statut</th><th>Messages</th></tr>{rows}</table>"


def evidence_refs(result: TestResult) -> list[str]:
    """All the exchanges of failing or erroring instances, and the first one of the others, without repeats."""
    refs: list[str] = []
    for inst in result.instances:
        wanted = inst.evidence if inst.status in (Status.FAIL, Status.ERROR) else inst.evidence[:1]
        refs.extend(r for r in wanted if r not in refs)
    return refs


def exchange_html(run: RunContext, ref: str) -> str:
    """One recorded exchange (already redacted): request, status, curl line and truncated body."""
    try:
        doc = json.loads((run.out_dir / ref).read_text(encoding="utf-8"))
        request, response = doc["request"], doc.get("response")
    except (OSError, ValueError, KeyError):
        return f"<p>{escape(ref)} : preuve illisible</p>"
    if response:
        outcome = f"{response['status']} {response.get('reason', '')}"
        body = response["body"]
        cut = " (tronqué)" if body.get("truncated") or len(body["text"]) > BODY_PREVIEW_CHARS else ""
        body_html = (f"<details><summary>Corps de la réponse : {body['size']} octets{cut}</summary>"
                     f"<pre>{escape(body['text'][:BODY_PREVIEW_CHARS])}</pre></details>")
    else:
        outcome, body_html = f"pas de réponse : {doc.get('error') or 'inconnue'}", ""
    return (f'<div class="cicclo-exchange"><p><code>{escape(request["method"])} {escape(request["url"])}</code>'
            f" → {escape(outcome)} ({doc.get('elapsed_ms', '?')} ms) — <small>{escape(ref)}</small></p>"
            f"<p>Rejouer avec :</p><pre>{escape(doc.get('curl', ''))}</pre>{body_html}</div>")


def evidence_html(run: RunContext, result: TestResult) -> str:
    refs = evidence_refs(result)
    if not refs:
        return ""
    shown = refs[:MAX_INLINE_EVIDENCE]
    hidden = len(result.evidence) - len(shown)
    more = (f"<p>… et {hidden} autre(s) échange(s) de ce test dans le dossier evidence/ de la campagne.</p>"
            if hidden > 0 else "")
    return "<h4>Preuves (échanges HTTP)</h4>" + "".join(exchange_html(run, r) for r in shown) + more


def details_html(run: RunContext, result: TestResult) -> str:
    requirements = "".join(f"<li>{link(u)}</li>" for u in result.requirements)
    abstract = link(result.abstract_test) if result.abstract_test else "aucun"
    notes = "".join(f"<li>{escape(n)}</li>" for n in result.notes)
    return (
        '<div class="cicclo-details">'
        f"<h3>{escape(result.test_id)} — {escape(result.title)}</h3>"
        f"<p>Statut : {badge(result)} — niveau {LEVEL_LABELS_FR[result.level]}</p>"
        f"<p>Exigences vérifiées :</p><ul>{requirements}</ul><p>Test abstrait : {abstract}</p>"
        f"<p>Message :</p><pre>{escape(result.message) or '—'}</pre>"
        + (f"<p>Notes :</p><ul>{notes}</ul>" if notes else "")
        + instances_html(result) + evidence_html(run, result) + "</div>"
    )


class HtmlReportHooks:
    """pytest-html hooks of one run (registered by the plugin when pytest-html is active)."""

    def __init__(self, run: RunContext) -> None:
        self.run = run

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """pytest-html rewrites its file in place: make each write atomic and redacted, so that report.html
        appears whole or not at all and never holds a secret."""
        from pytest_html.basereport import BaseReport

        from cicclo.http import write_atomic

        redact = self.run.redactor.text
        for plugin in session.config.pluginmanager.get_plugins():
            if isinstance(plugin, BaseReport):
                path = Path(plugin._report_path)  # noqa: SLF001 - pytest-html has no public writer hook
                plugin._write_report = lambda text, path=path: write_atomic(path, redact(text))  # type: ignore[method-assign]  # noqa: SLF001

    @pytest.hookimpl(tryfirst=True, wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
        """Attach the test's block as an HTML extra. tryfirst makes this wrapper enclose the plugin's own
        (plain) wrapper, so the status it computes is in the item's stash when this code resumes."""
        from cicclo.plugin import STATUS_KEY

        report = yield
        result = item.stash.get(STATUS_KEY, None)
        if result is None or not hasattr(report, "cicclo_result"):  # not the phase the plugin decided
            return report
        from pytest_html import extras

        report.extras = [*getattr(report, "extras", []), extras.html(details_html(self.run, result))]
        return report

    def pytest_html_report_title(self, report: Any) -> None:
        report.title = f"Rapport de conformité cicclo — {self.run.target.name}"

    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str],
                                    session: pytest.Session) -> None:
        prefix.append(summary_html(self.run))

    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        for i, cell in enumerate(cells):
            for english, french in HEADER_LABELS.items():
                cell = cell.replace(english, french)
            cells[i] = cell
        for position, (key, label) in enumerate(COLUMNS, start=1):
            cells.insert(position, f'<th class="sortable" data-column-type="{key}">{label}</th>')

    def pytest_html_results_table_row(self, report: pytest.TestReport, cells: list[str]) -> None:
        result: TestResult | None = getattr(report, "cicclo_result", None)
        values = (result.test_id, LEVEL_LABELS_FR[result.level], status_label(result)) if result else ("", "", "")
        for position, ((key, _), value) in enumerate(zip(COLUMNS, values, strict=True), start=1):
            cells.insert(position, f'<td class="col-{key}">{escape(value)}</td>')

    def pytest_html_results_table_html(self, report: pytest.TestReport, data: list[str]) -> None:
        """The test's block (an extra) already holds the message: drop pytest's duplicate log."""
        if getattr(report, "cicclo_result", None) is not None:
            data.clear()
