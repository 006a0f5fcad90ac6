"""The published matrix page: one self-contained HTML file (no network at view time).

Sortable and filterable by suite, class, level and status; a cell opens the failure message and the
evidence of that run. The view state lives in the URL fragment (``#status=FAIL&open=ID|target``) so that a
link shows exactly what its author saw.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from cicclo.model import LEVEL_LABELS_FR, STATUS_LABELS_FR, Level, Status

STYLE = """
body{font-family:sans-serif;margin:1em;color:#222}
table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
th{background:#f3f3f3;cursor:pointer}
td.cell{cursor:pointer;text-align:center;font-weight:bold}
.PASS{background:#d7f2dd}.FAIL{background:#f7d4d2}.ERROR{background:#fbe3c5}
.NOT_APPLICABLE,.NOT_TESTED{background:#eee;color:#666}
#panel{border:2px solid #888;padding:.5em 1em;margin:1em 0;background:#fafafa}
#panel[hidden]{display:none}
pre{white-space:pre-wrap;word-break:break-all;background:#fff;border:1px solid #ddd;padding:.4em}
.filters label{margin-right:1em}
"""

SCRIPT = r"""
const M = JSON.parse(document.getElementById('matrix-data').textContent);
const LABELS = JSON.parse(document.getElementById('labels').textContent);
const cols = M.targets.map(t => t.column);
let sortKey = 'test_id', sortDir = 1;
function state(){const s={};for(const kv of location.hash.slice(1).split('&')){if(!kv)continue;
  const [k,v]=kv.split('=');s[decodeURIComponent(k)]=decodeURIComponent(v||'');}return s;}
function setState(patch){const s=Object.assign(state(),patch);
  location.hash=Object.entries(s).filter(([k,v])=>v).map(([k,v])=>k+'='+encodeURIComponent(v)).join('&');}
function fill(id, values, names){const sel=document.getElementById(id);
  for(const v of values){const o=document.createElement('option');o.value=v;o.textContent=names?names[v]:v;sel.appendChild(o);}
  sel.addEventListener('change',()=>setState({[id]:sel.value}));}
function visible(t, s){
  if(s.suite && t.suite!==s.suite) return false;
  if(s['class'] && t.conformance_class!==s['class']) return false;
  if(s.level && t.level!==s.level) return false;
  if(s.status && !Object.values(M.cells[t.test_id]).some(c=>c.status===s.status)) return false;
  return true;}
function render(){
  const s=state();
  for(const id of ['suite','class','level','status']) document.getElementById(id).value=s[id]||'';
  const rows=M.tests.filter(t=>visible(t,s));
  rows.sort((a,b)=>{const va=cols.includes(sortKey)?((M.cells[a.test_id][sortKey]||{}).status||''):a[sortKey];
    const vb=cols.includes(sortKey)?((M.cells[b.test_id][sortKey]||{}).status||''):b[sortKey];
    return (va<vb?-1:va>vb?1:0)*sortDir;});
  const body=document.getElementById('rows'); body.innerHTML='';
  for(const t of rows){const tr=document.createElement('tr'); tr.dataset.test=t.test_id;
    tr.innerHTML='<td>'+esc(t.test_id)+'</td><td>'+esc(t.title)+'</td><td>'+esc(LABELS.level[t.level])+'</td>';
    for(const c of cols){const cell=M.cells[t.test_id][c]; const td=document.createElement('td');
      if(cell){td.className='cell '+cell.status; td.textContent=cellText(cell);
        td.dataset.column=c; td.addEventListener('click',()=>setState({open:t.test_id+'|'+c}));}
      tr.appendChild(td);}
    body.appendChild(tr);}
  document.getElementById('count').textContent=rows.length+' identifiants affichés sur '+M.tests.length;
  openPanel(s.open);}
function openPanel(key){const panel=document.getElementById('panel');
  if(!key){panel.hidden=true;return;}
  const [tid,col]=key.split('|'); const cell=(M.cells[tid]||{})[col];
  if(!cell){panel.hidden=true;return;}
  const test=M.tests.find(t=>t.test_id===tid);
  let html='<h3>'+esc(tid)+' — '+esc(col)+' : '+esc(cell.status)+' ('+esc(LABELS.status[cell.status])+')</h3>';
  html+='<p>Instances : '+cell.score[0]+' réussie(s) sur '+cell.score[1]+' vérifiée(s), '+cell.instances+' au total.</p>';
  if(cell.skipped.length){html+='<p>Instances non vérifiées :</p><ul class="skipped">'+cell.skipped.map(k=>'<li>'+
    esc(k.instance)+' — '+esc(LABELS.status[k.status])+' : '+esc(k.reason)+'</li>').join('')+'</ul>';}
  html+='<p>'+esc(test.title)+'</p><p>Exigences : '+test.requirements.map(r=>'<a href="'+esc(r)+'">'+esc(r)+'</a>').join(', ')+'</p>';
  html+='<p>Message :</p><pre class="message">'+esc(cell.message||'—')+'</pre>';
  for(const ev of cell.evidence){html+='<div class="evidence"><p><code>'+esc(ev.method+' '+ev.url)+'</code> → '+
    esc(String(ev.status===null?('pas de réponse : '+ev.error):ev.status))+'</p><p>Rejouer avec :</p><pre>'+esc(ev.curl)+'</pre></div>';}
  if(!cell.evidence.length) html+='<p>Aucune preuve jointe à cette cellule (voir le dossier evidence/ de la campagne).</p>';
  html+='<p><a href="#" id="close">fermer</a></p>';
  panel.innerHTML=html; panel.hidden=false;
  document.getElementById('close').addEventListener('click',e=>{e.preventDefault();setState({open:''});});}
function cellText(cell){let t=LABELS.status[cell.status]+' '+cell.score[0]+'/'+cell.score[1];
  if(cell.skipped.length) t+=' (+'+cell.skipped.length+' non vérifiée'+(cell.skipped.length>1?'s':'')+')';
  return t;}
function esc(s){return String(s).replace(/[&<>"']/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));}
fill('suite',[...new Set(M.tests.map(t=>t.suite))]);
fill('class',[...new Set(M.tests.map(t=>t.conformance_class))]);
fill('level',['MUST','SHOULD'],LABELS.level);
fill('status',['PASS','FAIL','ERROR','NOT_APPLICABLE','NOT_TESTED'],LABELS.status);
for(const th of document.querySelectorAll('th[data-sort]')) th.addEventListener('click',()=>{
  const k=th.dataset.sort; sortDir=(sortKey===k)?-sortDir:1; sortKey=k; render();});
window.addEventListener('hashchange',render);
render();
"""


def _json_for_script(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


SYNTHESIS_FR = {"réussie": "la réussissent", "en échec": "en échec", "non déclarée": "ne la déclarent pas",
                "incomplète": "incomplètes"}
STATE_CSS = {"réussie": "PASS", "en échec": "FAIL", "non déclarée": "NOT_APPLICABLE", "incomplète": "NOT_TESTED"}


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


def _classes_table(matrix: dict[str, Any]) -> str:
    columns = [t["column"] for t in matrix["targets"]]
    head = "<tr><th>Classe de conformité</th><th>Synthèse</th>" + "".join(
        f"<th>{escape(c)}</th>" for c in columns) + "</tr>"
    rows = []
    for uri, c in matrix["summary"]["per_class"].items():
        counts = {"réussie": c["targets_passing"], "en échec": c["targets_failing"],
                  "non déclarée": c["targets_undeclared"], "incomplète": c["targets_incomplete"]}
        synthesis = f"sur {c['targets']} cibles : " + ", ".join(f"{n} {SYNTHESIS_FR[state]}"
                                                                 for state, n in counts.items() if n)
        cells = "".join(
            f'<td class="{STATE_CSS[c["per_target"][col]]}">{escape(c["per_target"][col])}</td>'
            if col in c["per_target"] else "<td>—</td>" for col in columns)
        rows.append(f"<tr><td>{escape(c['title'])}<br><small>{escape(uri)}</small></td><td>{escape(synthesis)}</td>"
                    f"{cells}</tr>")
    return head + "".join(rows)


def _targets_table(matrix: dict[str, Any]) -> str:
    head = ("<tr><th>Cible</th><th>Campagne</th>" + "".join(f"<th>{escape(STATUS_LABELS_FR[s])}</th>" for s in Status)
            + "<th>Taux de réussite (tests décidés)</th><th>Profils atteints</th></tr>")
    rows = []
    for t in matrix["targets"]:
        s = matrix["summary"]["per_target"][t["column"]]
        met = [f"{name} {p['version']}" for name, p in t.get("profiles", {}).items() if p["met"]]
        rows.append(f"<tr><td>{escape(t['id'])}</td><td>{escape(t['run_date'])}</td>"
                    + "".join(f"<td>{s[st.value]}</td>" for st in Status)
                    + f"<td>{_rate(s['pass_rate'])}</td><td>{escape(', '.join(met) or 'aucun')}</td></tr>")
    return head + "".join(rows)


def render(matrix: dict[str, Any]) -> str:
    heads = "".join(
        f'<th data-sort="{escape(t["column"])}">{escape(t["name"])}<br><small>{escape(t["id"])} — '
        f'{escape(t["product"])} {escape(t["product_version"])}<br>campagne du {escape(t["run_date"])}'
        f'{"<br>INCOMPLÈTE" if not t["complete"] else ""}</small></th>'
        for t in matrix["targets"]
    )
    aside = "".join(f"<li>{escape(a['id'])} : campagne du {escape(a['run_date'])} écartée (une plus récente ou "
                    f"celle choisie est retenue)</li>" for a in matrix.get("set_aside", []))
    labels = {"level": {lv.value: LEVEL_LABELS_FR[lv] for lv in Level},
              "status": {s.value: label for s, label in STATUS_LABELS_FR.items()}}
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Matrice de conformité cicclo {escape(matrix['suite_version'])}</title>
<style>{STYLE}</style></head><body>
<h1>Matrice de conformité cicclo</h1>
<p>Publication du {escape(matrix.get('published_at', ''))} — version de la suite : {escape(matrix['suite_version'])} —
catalogue {escape(', '.join(c[:12] for c in matrix['catalogue_sha256']))}
{'— identifiants communs seulement' if matrix['shared_only'] else ''} — une colonne par cible (son identifiant),
la campagne la plus récente de chacune sauf choix contraire.</p>
{f'<ul class="aside">{aside}</ul>' if aside else ''}
<h2>Par classe de conformité</h2>
<p>Une classe qu'aucun test ne peut vérifier sur une cible (non déclarée) n'y est jamais comptée comme réussie.</p>
<table id="classes">{_classes_table(matrix)}</table>
<h2>Par cible</h2><table id="targets">{_targets_table(matrix)}</table>
<h2>Tests × cibles</h2>
<p>Chaque cellule : statut, instances réussies / vérifiées, et le nombre d'instances non vérifiées (leur raison
s'affiche en ouvrant la cellule).</p>
<div class="filters"><label>Suite <select id="suite"><option value="">toutes</option></select></label>
<label>Classe <select id="class"><option value="">toutes</option></select></label>
<label>Niveau <select id="level"><option value="">tous</option></select></label>
<label>Statut <select id="status"><option value="">tous</option></select></label> <span id="count"></span></div>
<div id="panel" hidden></div>
<table id="matrix"><thead><tr><th data-sort="test_id">Identifiant</th><th data-sort="title">Titre</th>
<th data-sort="level">Niveau</th>{heads}</tr></thead><tbody id="rows"></tbody></table>
<script type="application/json" id="matrix-data">{_json_for_script(matrix)}</script>
<script type="application/json" id="labels">{_json_for_script(labels)}</script>
<script>{SCRIPT}</script>
</body></html>
"""
