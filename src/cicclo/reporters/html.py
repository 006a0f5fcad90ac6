"""``report.html``: cicclo's own self-contained report, all in French, with cicclo's counts only: the target,
a summary per conformance class, one row per test ID, and for each test its level, status, requirements,
message, instances and the HTTP evidence with its curl line (and, for a cached exchange, which test made it).

It reads the run record (the plugin's merged results) and the redacted evidence files of the run only.
Every text that comes from the target or the suite is HTML-escaped.
"""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING

from cicclo import __version__
from cicclo.classes import KNOWN_CLASSES
from cicclo.model import LEVEL_LABELS_FR, STATUS_LABELS_FR, Status, TestResult
from cicclo.reporters.results_json import write_atomic

if TYPE_CHECKING:
    from pathlib import Path

    from cicclo.plugin import RunContext

MAX_INLINE_EVIDENCE = 8
BODY_PREVIEW_CHARS = 4000
MESSAGE_PREVIEW_CHARS = 600  # display only: results.json keeps every message whole
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
body {font-family:sans-serif;margin:1em;color:#222}
.cicclo-results {border-collapse:collapse}
.cicclo-results th, .cicclo-results td {border:1px solid #ccc;padding:3px 6px;text-align:left}
details {margin:.3em 0} summary {cursor:pointer;font-weight:bold}
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

MAX_QUIET_ROWS = 200  # instances neither FAIL nor ERROR shown per test; every instance stays in results.json


def _shortened(message: str) -> str:
    if len(message) <= MESSAGE_PREVIEW_CHARS:
        return message
    return message[:MESSAGE_PREVIEW_CHARS] + " … (message complet dans results.json)"


def instances_html(result: TestResult) -> str:
    if not result.instances:
        return ""
    shown, quiet = [], 0
    for inst in result.instances:  # in their order: every FAIL and ERROR, the first others
        loud = inst.status in (Status.FAIL, Status.ERROR)
        quiet += not loud
        if loud or quiet <= MAX_QUIET_ROWS:
            shown.append(inst)
    rows = "".join(
        f"<tr><td>{escape(i.key)}</td><td>{escape(STATUS_LABELS_FR[i.status])}</td>"
        f"<td>{'<br>'.join(escape(_shortened(m)) for m in [*i.messages, *i.notes])}</td></tr>"
        for i in shown
    )
    more = quiet - MAX_QUIET_ROWS
    if more > 0:
        rows += (f"<tr><td colspan=3>… et {more} autres instances sans échec (liste complète dans results.json)"
                 "</td></tr>")
    return f"<table><tr><th>Instance</th><th>Statut</th><th>Messages</th></tr>{rows}</table>"


def evidence_refs(result: TestResult) -> list[str]:
    """All the exchanges of failing or erroring instances, and the first one of the others, without repeats."""
    refs: list[str] = []
    for inst in result.instances:
        wanted = inst.evidence if inst.status in (Status.FAIL, Status.ERROR) else inst.evidence[:1]
        refs.extend(r for r in wanted if r not in refs)
    return refs


def provenance_html(made_by: str | None, shown_for: str) -> str:
    """Which test made the exchange (its X-Cicclo-Test-Id header) and, for a cached one, which reused it."""
    if not made_by or made_by == shown_for:
        return ""
    return (f"<p><small>Échange fait par le test {escape(made_by)} (en-tête X-Cicclo-Test-Id de la ligne curl), "
            f"réutilisé depuis le cache par {escape(shown_for)}.</small></p>")


def exchange_html(run: RunContext, ref: str, test_id: str = "") -> str:
    """One recorded exchange (already redacted): request, status, provenance, curl line and truncated body."""
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
            f"{provenance_html(doc.get('test_id'), test_id)}"
            f"<p>Rejouer avec :</p><pre>{escape(doc.get('curl', ''))}</pre>{body_html}</div>")


def evidence_html(run: RunContext, result: TestResult) -> str:
    refs = evidence_refs(result)
    if not refs:
        return ""
    shown = refs[:MAX_INLINE_EVIDENCE]
    hidden = len(result.evidence) - len(shown)
    more = (f"<p>… et {hidden} autre(s) échange(s) de ce test dans le dossier evidence/ de la campagne.</p>"
            if hidden > 0 else "")
    return "<h4>Preuves (échanges HTTP)</h4>" + "".join(exchange_html(run, r, result.test_id) for r in shown) + more


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


def counts_line(results: list[TestResult]) -> str:
    """The one set of counts, cicclo's, as the console and results.json give it."""
    counts = ", ".join(f"{sum(1 for r in results if r.status is st)} {st.value}" for st in Status)
    warnings = sum(1 for r in results if r.is_warning)
    return f"{len(results)} identifiants : {counts} — dont {warnings} avertissement(s) DEVRAIT"


def results_table(results: list[TestResult]) -> str:
    rows = "".join(
        f'<tr class="cicclo-row" data-status="{r.status.value}"><td><a href="#{escape(r.test_id)}">'
        f"{escape(r.test_id)}</a></td><td>{LEVEL_LABELS_FR[r.level]}</td><td>{badge(r)}</td>"
        f"<td>{escape(r.title)}</td></tr>"
        for r in results
    )
    return ('<h2>Résultats</h2><table class="cicclo-results"><tr><th>Identifiant</th><th>Niveau</th>'
            f"<th>Statut</th><th>Titre</th></tr>{rows}</table>")


def page(run: RunContext, results: list[TestResult]) -> str:
    title = f"Rapport de conformité cicclo — {run.target.name}"
    blocks = "".join(
        f'<details id="{escape(r.test_id)}"{" open" if r.status in (Status.FAIL, Status.ERROR) else ""}>'
        f"<summary>{escape(r.test_id)} — {escape(status_label(r))} — {escape(r.title)}</summary>"
        f"{details_html(run, r)}</details>"
        for r in results
    )
    return (f'<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"</head><body><h1>{escape(title)}</h1><p>cicclo {escape(__version__)} — {counts_line(results)}</p>"
            f"{summary_html(run)}{results_table(results)}<h2>Détail des tests</h2>{blocks}</body></html>\n")


def write(run: RunContext, results: list[TestResult]) -> Path:
    path = run.out_dir / "report.html"
    write_atomic(path, run.redactor.text(page(run, results)))
    return path
