"""``report.html``: cicclo's own self-contained report, all in French, with cicclo's counts only: the target,
a summary per conformance class, one row per test ID, and for each test its level, status, requirements,
message, instances and the HTTP evidence with its curl line (and, for a cached exchange, which test made it).

It reads the run record (``run.jsonl``) and the redacted evidence files of the run only, and is written one
test block at a time. Every text that comes from the target or the suite is HTML-escaped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from html import escape
from typing import TYPE_CHECKING, Any

from cicclo import __version__
from cicclo.classes import KNOWN_CLASSES
from cicclo.model import LEVEL_LABELS_FR, STATUS_LABELS_FR, Level, Status
from cicclo.reporters.record import write_streaming

if TYPE_CHECKING:
    from pathlib import Path

    from cicclo.reporters.record import RunRecord

Result = dict[str, Any]  # a result of the run record (its light part for the summary blocks)

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


def status_label(result: Result) -> str:
    """The French status label; a SHOULD-level failure is shown as a warning."""
    label = STATUS_LABELS_FR[Status(result["status"])]
    return f"{label} (avertissement)" if result["warning"] else label


def badge(result: Result) -> str:
    colour = WARNING_COLOUR if result["warning"] else STATUS_COLOURS[Status(result["status"])]
    return (f'<span class="cicclo-badge" style="background:{colour}">{escape(result["status"])}</span> '
            f"{escape(status_label(result))}")


def level_label(result: Result) -> str:
    return LEVEL_LABELS_FR[Level(result["level"])]


def link(uri: str) -> str:
    return f'<a href="{escape(uri)}">{escape(uri)}</a>'


# -- summary block ---------------------------------------------------------------------------------------

def target_html(target: dict[str, Any]) -> str:
    """The target as the record's header gives it (its URLs already redacted)."""
    services = "".join(
        f"<li>{escape(name)} : "
        f"{link(svc['url']) if svc.get('url') else escape(svc.get('note') or 'non documenté')}</li>"
        for name, svc in target["services"].items()
    )
    product = " ".join(p for p in (target.get("product"), target.get("product_version")) if p) or "non précisé"
    return (f"<h2>Cible : {escape(target['name'])} ({escape(target['id'])})</h2>"
            f"<p>Produit : {escape(product)}</p><p>Services :</p><ul>{services}</ul>")


def stats_html(record: RunRecord) -> str:
    stats = record.footer["run"]["stats"]
    budgets = record.header["run"]["budgets"]
    return (f"<p>Campagne du {escape(record.header['run']['started_at'])} — requêtes : {stats['requests']} "
            f"(+{stats['cache_hits']} depuis le cache), {stats['bytes_received'] / 1e6:.2f} Mo reçus, "
            f"{stats['server_wait_s']:.1f} s d'attente serveur, {stats['transport_errors']} erreur(s) de transport, "
            f"{stats['wall_s']:.1f} s au total.</p>"
            f"<p>Budgets : collections {budgets['max_collections'] or 'toutes'}, "
            f"pages {budgets['max_pages'] or 'toutes'}, entités par collection {budgets['max_features']}.</p>")


def class_rows(results: list[Result]) -> list[str]:
    """One row per conformance class that has results, in the order of KNOWN_CLASSES."""
    rows = []
    for uri in [*KNOWN_CLASSES, *sorted({r["conformance_class"] for r in results} - set(KNOWN_CLASSES))]:
        in_class = [r for r in results if r["conformance_class"] == uri]
        if not in_class:
            continue
        known = KNOWN_CLASSES.get(uri)
        title = known.title_fr if known else uri
        counts = "".join(f"<td>{sum(1 for r in in_class if r['status'] == s.value)}</td>" for s in Status)
        warnings = sum(1 for r in in_class if r["warning"])
        rows.append(f"<tr><td>{escape(title)}<br><small>{escape(uri)}</small></td>{counts}<td>{warnings}</td></tr>")
    return rows


def classes_html(results: list[Result]) -> str:
    heads = "".join(f"<th>{escape(STATUS_LABELS_FR[s])}</th>" for s in Status)
    return ("<h2>Synthèse par classe de conformité</h2>"
            f'<table class="cicclo-classes"><tr><th>Classe de conformité</th>{heads}'
            "<th>Avertissements (DEVRAIT)</th></tr>" + "".join(class_rows(results)) + "</table>")


def summary_html(record: RunRecord, results: list[Result]) -> str:
    return (STYLE + '<div class="cicclo-summary">' + target_html(record.header["target"]) + stats_html(record)
            + classes_html(results) + "</div>")


# -- per-test block --------------------------------------------------------------------------------------

MAX_QUIET_ROWS = 200  # instances neither FAIL nor ERROR shown per test; every instance stays in results.json


def _shortened(message: str) -> str:
    if len(message) <= MESSAGE_PREVIEW_CHARS:
        return message
    return message[:MESSAGE_PREVIEW_CHARS] + " … (message complet dans results.json)"


LOUD = ("FAIL", "ERROR")


def instances_html(result: Result) -> str:
    if not result["instances"]:
        return ""
    shown, quiet = [], 0
    for inst in result["instances"]:  # in their order: every FAIL and ERROR, the first others
        loud = inst["status"] in LOUD
        quiet += not loud
        if loud or quiet <= MAX_QUIET_ROWS:
            shown.append(inst)
    rows = "".join(
        f"<tr><td>{escape(i['instance'])}</td><td>{escape(STATUS_LABELS_FR[Status(i['status'])])}</td>"
        f"<td>{'<br>'.join(escape(_shortened(m)) for m in [*i['messages'], *i['notes']])}</td></tr>"
        for i in shown
    )
    more = quiet - MAX_QUIET_ROWS
    if more > 0:
        rows += (f"<tr><td colspan=3>… et {more} autres instances sans échec (liste complète dans results.json)"
                 "</td></tr>")
    return f"<table><tr><th>Instance</th><th>Statut</th><th>Messages</th></tr>{rows}</table>"


def evidence_refs(result: Result) -> list[str]:
    """All the exchanges of failing or erroring instances, and the first one of the others, without repeats."""
    refs: dict[str, None] = {}
    for inst in result["instances"]:
        wanted = inst["evidence"] if inst["status"] in LOUD else inst["evidence"][:1]
        refs.update(dict.fromkeys(wanted))
    return list(refs)


def provenance_html(made_by: str | None, shown_for: str) -> str:
    """Which test made the exchange (its X-Cicclo-Test-Id header) and, for a cached one, which reused it."""
    if not made_by or made_by == shown_for:
        return ""
    return (f"<p><small>Échange fait par le test {escape(made_by)} (en-tête X-Cicclo-Test-Id de la ligne curl), "
            f"réutilisé depuis le cache par {escape(shown_for)}.</small></p>")


def exchange_html(folder: Path, ref: str, test_id: str = "") -> str:
    """One recorded exchange (already redacted): request, status, provenance, curl line and truncated body."""
    try:
        doc = json.loads((folder / ref).read_text(encoding="utf-8"))
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


def evidence_html(folder: Path, result: Result) -> str:
    refs = evidence_refs(result)
    if not refs:
        return ""
    shown = refs[:MAX_INLINE_EVIDENCE]
    hidden = len(result["evidence"]) - len(shown)
    more = (f"<p>… et {hidden} autre(s) échange(s) de ce test dans le dossier evidence/ de la campagne.</p>"
            if hidden > 0 else "")
    return ("<h4>Preuves (échanges HTTP)</h4>" + "".join(exchange_html(folder, r, result["test_id"]) for r in shown)
            + more)


def details_html(folder: Path, result: Result) -> str:
    requirements = "".join(f"<li>{link(u)}</li>" for u in result["requirements"])
    abstract = link(result["abstract_test"]) if result["abstract_test"] else "aucun"
    notes = "".join(f"<li>{escape(n)}</li>" for n in result["notes"])
    return (
        '<div class="cicclo-details">'
        f"<h3>{escape(result['test_id'])} — {escape(result['title'])}</h3>"
        f"<p>Statut : {badge(result)} — niveau {level_label(result)}</p>"
        f"<p>Exigences vérifiées :</p><ul>{requirements}</ul><p>Test abstrait : {abstract}</p>"
        f"<p>Message :</p><pre>{escape(result['message']) or '—'}</pre>"
        + (f"<p>Notes :</p><ul>{notes}</ul>" if notes else "")
        + instances_html(result) + evidence_html(folder, result) + "</div>"
    )


def counts_line(results: list[Result]) -> str:
    """The one set of counts, cicclo's, as the console and results.json give it."""
    counts = ", ".join(f"{sum(1 for r in results if r['status'] == st.value)} {st.value}" for st in Status)
    warnings = sum(1 for r in results if r["warning"])
    return f"{len(results)} identifiants : {counts} — dont {warnings} avertissement(s) DEVRAIT"


def results_table(results: list[Result]) -> str:
    rows = "".join(
        f'<tr class="cicclo-row" data-status="{escape(r["status"])}"><td><a href="#{escape(r["test_id"])}">'
        f"{escape(r['test_id'])}</a></td><td>{level_label(r)}</td><td>{badge(r)}</td>"
        f"<td>{escape(r['title'])}</td></tr>"
        for r in results
    )
    return ('<h2>Résultats</h2><table class="cicclo-results"><tr><th>Identifiant</th><th>Niveau</th>'
            f"<th>Statut</th><th>Titre</th></tr>{rows}</table>")


def page(record: RunRecord) -> Iterator[str]:
    """The report's text, one test block at a time (the full results are read back from the record one by one)."""
    results = record.light()
    title = f"Rapport de conformité cicclo — {record.header['target']['name']}"
    yield (f'<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"><title>{escape(title)}</title>'
           f"</head><body><h1>{escape(title)}</h1><p>cicclo {escape(__version__)} — {counts_line(results)}</p>"
           f"{summary_html(record, results)}{results_table(results)}<h2>Détail des tests</h2>")
    for r in record.results():
        yield (f'<details id="{escape(r["test_id"])}"{" open" if r["status"] in LOUD else ""}>'
               f"<summary>{escape(r['test_id'])} — {escape(status_label(r))} — {escape(r['title'])}</summary>"
               f"{details_html(record.folder, r)}</details>")
    yield "</body></html>\n"


def write(record: RunRecord) -> Path:
    """report.html beside the run record."""
    path = record.folder / "report.html"
    write_streaming(path, page(record))
    return path
