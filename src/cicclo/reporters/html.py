"""The pytest-html report, customised: French labels, a summary per conformance class, and for each test
its ID, level, status, requirements, message, instances and the HTTP evidence with its curl line.

It reads the result model (attached to each report by the plugin) and the redacted evidence files only.
"""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING, Any

from cicclo.classes import KNOWN_CLASSES, SUITE_TITLES_FR
from cicclo.model import LEVEL_LABELS_FR, STATUS_LABELS_FR, Status, TestResult

if TYPE_CHECKING:
    from cicclo.plugin import RunContext

MAX_INLINE_EVIDENCE = 8
BODY_PREVIEW_CHARS = 3000
HEADER_LABELS = {">Result<": ">Résultat<", ">Test<": ">Test<", ">Duration<": ">Durée<", ">Links<": ">Liens<"}
STATUS_COLOURS = {Status.PASS: "#1b7f3b", Status.FAIL: "#b3261e", Status.ERROR: "#8a4b00",
                  Status.NOT_APPLICABLE: "#555", Status.NOT_TESTED: "#555"}


def status_label(result: TestResult) -> str:
    label = STATUS_LABELS_FR[result.status]
    return f"{label} (avertissement)" if result.is_warning else label


def _badge(result: TestResult) -> str:
    colour = STATUS_COLOURS[result.status]
    return (f'<span style="color:#fff;background:{colour};padding:1px 6px;border-radius:3px">'
            f"{escape(result.status.value)}</span> {escape(status_label(result))}")


class HtmlReportHooks:
    def __init__(self, run: RunContext) -> None:
        self.run = run

    # -- pytest-html hooks ----------------------------------------------------------------------------

    def pytest_html_report_title(self, report: Any) -> None:
        report.title = f"Rapport de conformité cicclo — {self.run.target.name}"

    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str],
                                    session: Any) -> None:
        prefix.append(self.summary_html())

    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        for i, cell in enumerate(cells):
            for en, fr in HEADER_LABELS.items():
                cells[i] = cells[i].replace(en, fr) if en in cell else cells[i]
        cells.insert(1, '<th class="sortable" data-column-type="cicclo-id">Identifiant</th>')
        cells.insert(2, '<th class="sortable" data-column-type="cicclo-level">Niveau</th>')
        cells.insert(3, '<th class="sortable" data-column-type="cicclo-status">Statut</th>')

    def pytest_html_results_table_row(self, report: Any, cells: list[str]) -> None:
        result: TestResult | None = getattr(report, "cicclo_result", None)
        if result is None:
            cells.insert(1, "<td></td>")
            cells.insert(2, "<td></td>")
            cells.insert(3, "<td></td>")
            return
        cells.insert(1, f'<td class="col-cicclo-id">{escape(result.test_id)}</td>')
        cells.insert(2, f'<td class="col-cicclo-level">{LEVEL_LABELS_FR[result.level]}</td>')
        cells.insert(3, f'<td class="col-cicclo-status">{escape(result.status.value)}</td>')

    def pytest_html_results_table_html(self, report: Any, data: list[str]) -> None:
        result: TestResult | None = getattr(report, "cicclo_result", None)
        if result is not None:
            data[:] = [self.details_html(result)]

    # -- content --------------------------------------------------------------------------------------

    def summary_html(self) -> str:
        target = self.run.target
        svc = target.services.get("oapif")
        stats = self.run.client.stats
        rows = []
        for uri, cls in KNOWN_CLASSES.items():
            results = [r for r in self.run.results.values() if r.conformance_class == uri]
            if not results:
                continue
            counts = {s: sum(1 for r in results if r.status is s) for s in Status}
            warnings = sum(1 for r in results if r.is_warning)
            cells = "".join(f"<td>{counts[s]}</td>" for s in Status)
            rows.append(f"<tr><td>{escape(SUITE_TITLES_FR.get(cls.suite, cls.suite))}</td>"
                        f"<td>{escape(cls.title_fr)}<br><small>{escape(uri)}</small></td>{cells}"
                        f"<td>{warnings}</td></tr>")
        heads = "".join(f"<th>{escape(STATUS_LABELS_FR[s])}</th>" for s in Status)
        return (
            '<div class="cicclo-summary">'
            f"<h2>Cible : {escape(target.name)} ({escape(target.id)})</h2>"
            f"<p>Produit : {escape(target.product or 'non précisé')} {escape(target.product_version)} — "
            f"point d'accès OGC API Features : {escape((svc.url if svc else None) or 'aucun')}</p>"
            f"<p>Requêtes : {stats.requests} (+{stats.cache_hits} depuis le cache), "
            f"{stats.bytes_received / 1e6:.1f} Mo reçus, {stats.server_wait_s:.1f} s d'attente serveur, "
            f"{self.run.wall_seconds():.1f} s au total.</p>"
            "<h2>Synthèse par classe de conformité</h2>"
            '<table class="cicclo-classes" border="1" cellpadding="4" style="border-collapse:collapse">'
            f"<tr><th>Suite</th><th>Classe de conformité</th>{heads}<th>Avertissements (DEVRAIT)</th></tr>"
            + "".join(rows) + "</table></div>"
        )

    def details_html(self, result: TestResult) -> str:
        reqs = "".join(f'<li><a href="{escape(u)}">{escape(u)}</a></li>' for u in result.requirements)
        abstract = (f'<a href="{escape(result.abstract_test)}">{escape(result.abstract_test)}</a>'
                    if result.abstract_test else "aucun")
        notes = "".join(f"<li>{escape(n)}</li>" for n in result.notes)
        instances = "".join(
            f"<tr><td>{escape(i.key)}</td><td>{escape(i.status.value)}</td>"
            f"<td>{'<br>'.join(escape(m) for m in i.messages + i.notes)}</td></tr>" for i in result.instances
        )
        return (
            '<div class="cicclo-details" style="white-space:normal">'
            f"<h3>{escape(result.test_id)} — {escape(result.title)}</h3>"
            f"<p>Statut : {_badge(result)} — niveau {LEVEL_LABELS_FR[result.level]}</p>"
            f"<p>Exigences vérifiées :</p><ul>{reqs}</ul><p>Test abstrait : {abstract}</p>"
            f"<p>Message :</p><pre>{escape(result.message) or '—'}</pre>"
            + (f"<p>Notes :</p><ul>{notes}</ul>" if notes else "")
            + ('<table border="1" cellpadding="3" style="border-collapse:collapse">'
               f"<tr><th>Instance</th><th>Statut</th><th>Messages</th></tr>{instances}</table>"
               if instances else "")
            + self.evidence_html(result) + "</div>"
        )

    def evidence_html(self, result: TestResult) -> str:
        refs: list[str] = []
        for inst in result.instances:
            wanted = inst.evidence if inst.status in (Status.FAIL, Status.ERROR) else inst.evidence[:1]
            refs.extend(r for r in wanted if r not in refs)
        shown, rest = refs[:MAX_INLINE_EVIDENCE], len(result.evidence) - min(len(refs), MAX_INLINE_EVIDENCE)
        blocks = [self._exchange_html(ref) for ref in shown]
        more = f"<p>… {rest} autres échanges dans le dossier evidence/ de la campagne.</p>" if rest > 0 else ""
        return ("<h4>Preuves (échanges HTTP)</h4>" + "".join(blocks) + more) if blocks else ""

    def _exchange_html(self, ref: str) -> str:
        path = self.run.out_dir / ref
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return f"<p>{escape(ref)} : preuve illisible</p>"
        req, resp = doc["request"], doc.get("response")
        status = f"{resp['status']} {resp.get('reason', '')}" if resp else f"pas de réponse : {doc.get('error')}"
        body = ""
        if resp:
            text = resp["body"]["text"][:BODY_PREVIEW_CHARS]
            body = (f"<details><summary>Corps ({resp['body']['size']} octets, sha256 "
                    f"{resp['body']['sha256'][:12]}…)</summary><pre>{escape(text)}</pre></details>")
        return (f'<div class="cicclo-exchange"><p><code>{escape(req["method"])} {escape(req["url"])}</code> → '
                f"{escape(status)} ({doc['elapsed_ms']} ms) — <small>{escape(ref)}</small></p>"
                f"<p>Rejouer avec :</p><pre>{escape(doc['curl'])}</pre>{body}</div>")
