"""The deployment tracking page: one self-contained HTML file, its time-series charts drawn in inline SVG (no
script, no network), then per platform and family the state at each publication."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from cicclo.suivi import DEPLOYED, SILENT

STYLE = """
body{font-family:sans-serif;margin:1em;color:#222;max-width:70em}
table{border-collapse:collapse;font-size:13px;margin-bottom:1em}
th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
th{background:#f3f3f3}
.ok{background:#d7f2dd}.ko{background:#f7d4d2}.silent{background:#fbe3c5}.absent{background:#eee;color:#666}
svg text{font-size:11px;font-family:sans-serif}
figure{margin:0 0 1.5em 0}
"""
WIDTH, HEIGHT, LEFT, BOTTOM, TOP, RIGHT = 680, 240, 45, 40, 15, 45
SERIES = (("deployed", "#1f77b4", "déploient"), ("profile_met", "#2ca02c", "atteignent le profil"))


def _day(date: str) -> int:
    """Days since year 1 of an ISO date (or date-time); an unreadable one counts as day 0."""
    try:
        return dt.date.fromisoformat(str(date)[:10]).toordinal()
    except ValueError:
        return 0


def _chart(suivi: dict[str, Any], key: str) -> str:
    """Deploying and profile-meeting platforms over the publications, as two polylines on a common scale."""
    pubs = suivi["publications"]
    top = max([1, *(p["platforms"] for p in pubs)])
    days = [_day(p["date"]) for p in pubs]
    span = max(1, days[-1] - days[0])

    def x(i: int) -> float:
        """Publication ``i`` placed by its date."""
        return LEFT + (WIDTH - LEFT - RIGHT) * ((days[i] - days[0]) / span if len(pubs) > 1 else 0.5)

    def y(n: int) -> float:
        return HEIGHT - BOTTOM - (HEIGHT - BOTTOM - TOP) * n / top

    parts = [f'<line x1="{LEFT}" y1="{y(0)}" x2="{WIDTH - RIGHT}" y2="{y(0)}" stroke="#888"/>',
             f'<line x1="{LEFT}" y1="{y(0)}" x2="{LEFT}" y2="{TOP}" stroke="#888"/>']
    for n in range(top + 1):
        parts.append(f'<text x="{LEFT - 6}" y="{y(n) + 4:.1f}" text-anchor="end">{n}</text>')
    for i, p in enumerate(pubs):
        parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                     f'{escape(str(p["date"])[:10])}</text>')
    for field, colour, label in SERIES:
        points = " ".join(f"{x(i):.1f},{y(p['families'][key][field]):.1f}" for i, p in enumerate(pubs))
        parts.append(f'<polyline class="serie-{field}" fill="none" stroke="{colour}" stroke-width="2" '
                     f'points="{points}"><title>{escape(label)}</title></polyline>')
        for i, p in enumerate(pubs):
            n = p["families"][key][field]
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(n):.1f}" r="3" fill="{colour}"><title>'
                         f'{escape(str(p["date"]))} : {n} {escape(label)}</title></circle>')
    legend = "".join(f'<tspan fill="{colour}" dx="12">■ plateformes qui {escape(label)}</tspan>'
                     for _, colour, label in SERIES)
    parts.append(f'<text x="{LEFT}" y="{HEIGHT - 6}">{legend}</text>')
    title = suivi["families"][key]["title"]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" id="graphique-{key}" role="img" width="{WIDTH}" '
            f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" aria-label="{escape(title)} au fil des publications">'
            + "".join(parts) + "</svg>")


def _headline(suivi: dict[str, Any], key: str) -> str:
    last = suivi["publications"][-1]
    fam, figures = suivi["families"][key], last["families"][key]
    return (f"{figures['deployed']} plateforme(s) sur {last['platforms']} déploient {fam['title']}, "
            f"{figures['profile_met']} atteignent le profil {fam['profile']}")


def _cell(state: dict[str, Any]) -> str:
    css = ("ok" if state["profile_met"] else "ko") if state["state"] == DEPLOYED else (
        "silent" if state["state"] == SILENT else "absent")
    profile = (f"<br><small>profil {escape(state['profile'])} {escape(str(state['profile_version']))} : "
               f"{escape(str(state['profile_state']))}</small>") if state["state"] == DEPLOYED else ""
    return f'<td class="{css}">{escape(state["state"])}{profile}</td>'


def _history(suivi: dict[str, Any]) -> str:
    dates = [p["date"] for p in suivi["publications"]]
    tables = []
    for key, fam in suivi["families"].items():
        head = "<tr><th>Plateforme</th>" + "".join(f"<th>{escape(str(d)[:10])}</th>" for d in dates) + "</tr>"
        rows = []
        for pid, platform in suivi["platforms"].items():
            by_date = {h["date"]: h for h in platform["history"]}
            cells = "".join(_cell(by_date[d]["families"][key]) if d in by_date else
                            '<td class="absent">absente de la publication</td>' for d in dates)
            rows.append(f'<tr data-plateforme="{escape(pid)}"><td>{escape(platform["name"])}<br>'
                        f"<small>{escape(pid)}</small></td>{cells}</tr>")
        tables.append(f'<h3>{escape(fam["title"])}</h3><table class="historique" data-famille="{key}">{head}'
                      + "".join(rows) + "</table>")
    return "".join(tables)


def render(suivi: dict[str, Any]) -> str:
    figures = "".join(f'<figure><figcaption><strong class="titre-{key}">{escape(_headline(suivi, key))}'
                      f"</strong></figcaption>{_chart(suivi, key)}</figure>" for key in suivi["families"])
    sources = "".join(f"<li>{escape(str(p['date']))} : {escape(p['source'])} (cicclo {escape(p['suite_version'])}, "
                      f"catalogue {escape(', '.join(c[:12] for c in p['catalogue_sha256']))})</li>"
                      for p in suivi["publications"])
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Suivi du déploiement — cicclo</title>
<style>{STYLE}</style></head><body>
<h1>Suivi du déploiement des services des plateformes</h1>
<p>Une plateforme <strong>déploie</strong> un service quand son fichier cible le déclare et qu'il répond (au moins
un test de la famille a rendu un verdict, réussi ou en échec). Chaque graphique suit, publication après
publication, le nombre de plateformes qui déploient le service et celui des plateformes qui atteignent le profil
socle de la famille. Statistiques agrégées : suivi.json (schéma schemas/suivi.schema.json) et suivi.csv.</p>
<h2>Au fil des publications</h2>
{figures}
<h2>Par plateforme et par famille</h2>
{_history(suivi)}
<h2>Publications lues</h2><ul>{sources}</ul>
<p><small>{escape(suivi['generated_by'])}</small></p>
</body></html>
"""
