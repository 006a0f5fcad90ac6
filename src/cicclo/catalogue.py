"""The test catalogue: generated from the declarations, committed, and checked for drift.

An ID of the committed catalogue never disappears: a test that is removed or changes meaning keeps its
entry, marked ``deprecated`` (with ``replaced_by``) by hand; the generator refuses to drop it silently.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from cicclo import __version__
from cicclo.classes import KNOWN_CLASSES
from cicclo.declare import Declaration, declaration_of
from cicclo.model import LEVEL_LABELS_FR
from cicclo.releases import RETIRED, life_cycle
from cicclo.targets import REPO_ROOT

SUITES_DIR = REPO_ROOT / "suites"
CATALOGUE_PATH = SUITES_DIR / "catalogue.yaml"
# what a test checks: changing any of these for an existing ID changes its meaning
MEANING = ("requirements", "abstract_test", "conformance_class", "level")


class CatalogueError(Exception):
    pass


def collect_declarations(suites_dir: Path = SUITES_DIR) -> list[Declaration]:
    """Import every test module under ``suites/`` and return its declarations, sorted by ID."""
    if str(REPO_ROOT) not in sys.path:  # a suite may reuse another's checks (``from suites.oapif import …``)
        sys.path.insert(0, str(REPO_ROOT))
    found: dict[str, Declaration] = {}
    for path in sorted(suites_dir.rglob("test_*.py")):
        name = "cicclo_catalogue_" + "_".join(path.relative_to(suites_dir).with_suffix("").parts)
        module = sys.modules.get(name)
        if module is None:
            spec = importlib.util.spec_from_file_location(name, path)
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
        for obj in vars(module).values():
            decl = declaration_of(obj)
            if decl is None:
                continue
            if decl.test_id in found and found[decl.test_id] is not decl:
                raise CatalogueError(f"identifiant {decl.test_id} déclaré deux fois ({path})")
            found[decl.test_id] = decl
    return [found[k] for k in sorted(found)]


def entry(decl: Declaration) -> dict[str, Any]:
    return {
        "id": decl.test_id,
        "title": decl.title,
        "level": decl.level.value,
        "level_fr": LEVEL_LABELS_FR[decl.level],
        "suite": decl.suite,
        "conformance_class": decl.applies_to,
        "requirements": list(decl.requirements),
        "abstract_test": decl.abstract_test,
        **life_cycle(decl.test_id, retired=False),
        "status": "stable",
    }


def load_committed(path: Path = CATALOGUE_PATH) -> dict[str, dict[str, Any]]:
    if not path.is_file():
        return {}
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {e["id"]: e for e in doc.get("tests", [])}


def build(declarations: list[Declaration], committed: dict[str, dict[str, Any]]) -> dict[str, Any]:
    tests = {d.test_id: entry(d) for d in declarations}
    missing = [k for k, e in committed.items() if k not in tests and e.get("status") not in RETIRED]
    if missing:
        raise CatalogueError(
            "identifiants du catalogue sans test : " + ", ".join(sorted(missing))
            + " — un identifiant ne disparaît jamais : marquez-le `status: deprecated` (avec `replaced_by`)"
        )
    for key, old in committed.items():
        if key in tests:
            if old.get("status") in RETIRED:
                raise CatalogueError(f"{key} est {old['status']} : un identifiant retiré n'est jamais réutilisé")
            changed = [f for f in MEANING if old.get(f) != tests[key][f]]
            if changed:
                raise CatalogueError(
                    f"{key} change de sens ({', '.join(changed)}) : déclarer un nouvel identifiant et marquer "
                    f"{key} `status: deprecated` avec `replaced_by`")
        else:
            tests[key] = {k: v for k, v in old.items() if k not in ("since", "deprecated_in", "status",
                                                                      "replaced_by")}
            tests[key].update(life_cycle(key, retired=True), status=old["status"])
            if old.get("replaced_by"):
                tests[key]["replaced_by"] = old["replaced_by"]
    return {
        "format": "cicclo/catalogue",
        "format_version": "1.0",
        "suite_version": __version__,
        "classes": {uri: {"suite": c.suite, "code": c.code, "title": c.title_fr, "standard": c.standard}
                    for uri, c in KNOWN_CLASSES.items()},
        "tests": [tests[k] for k in sorted(tests)],
    }


def render(doc: dict[str, Any]) -> str:
    header = ("# Catalogue des tests cicclo — FICHIER GÉNÉRÉ par `cicclo catalogue --write`.\n"
              "# Les identifiants sont un contrat : jamais renumérotés ni réutilisés.\n")
    return header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120)


def generate(path: Path = CATALOGUE_PATH) -> str:
    """The catalogue text for the current declarations, keeping the history of the catalogue at ``path``."""
    return render(build(collect_declarations(), load_committed(path)))


def stale_reason(path: Path = CATALOGUE_PATH) -> str | None:
    """Why the catalogue at ``path`` does not match the declarations, or None when it does."""
    try:
        fresh = generate(path)
    except CatalogueError as exc:
        return str(exc)
    if not path.is_file():
        return f"{path} absent : lancer `cicclo catalogue --write`"
    if path.read_text(encoding="utf-8") != fresh:
        return f"{path} n'est plus à jour : lancer `cicclo catalogue --write` et le committer"
    return None


@cache
def catalogue_sha256() -> str:
    return hashlib.sha256(CATALOGUE_PATH.read_bytes()).hexdigest() if CATALOGUE_PATH.is_file() else ""


LIFECYCLE_FR = (
    "Cycle de vie des identifiants : un identifiant `stable` garde son sens pour toujours ; il n'est jamais "
    "renuméroté ni réutilisé. Un test dont le sens change reçoit un nouvel identifiant et l'ancien devient "
    "`deprecated` (avec `replaced_by`), puis éventuellement `withdrawn` ; il reste dans le catalogue."
)


def _clausier(doc: dict[str, Any]) -> list[str]:
    """Clauses citing a released version, its catalogue's sha256 and each profile's version, classes and budgets."""
    from cicclo.profiles import UNDECLARED_FR, load_profiles
    from cicclo.releases import release_of

    version = doc["suite_version"]
    record = release_of(version)
    lines = ["## Clausier pour CCTP", ""]
    if record is None:
        lines += [f"**Version {version} non publiée** (absente de suites/releases.yaml) : ne citer qu'une version "
                  "publiée et étiquetée.", ""]
        sha, ref = catalogue_sha256(), "non publiée"
    else:
        sha = record["catalogue_sha256"]
        ref = f"étiquette git {record['tag']}" if record.get("tag") else f"commit {record['commit']}"
    lines += ["Texte à reprendre dans un cahier des clauses techniques particulières (à adapter) :", ""]
    for profile in load_profiles().values():
        budgets = ", ".join(f"{k} = {'illimité' if v is None else v}" for k, v in profile.budgets.items())
        lines += [
            f"> La solution DOIT atteindre le profil « {profile.name} » version {profile.version} de la suite "
            f"de conformité cicclo version {version} ({ref}, catalogue des tests d'empreinte sha256 {sha}) — "
            f"{profile.title} —, c'est-à-dire déclarer chacune des classes de conformité "
            f"{', '.join(profile.classes)} (une {UNDECLARED_FR} fait échouer le profil) et obtenir le statut PASS "
            f"ou NOT_APPLICABLE à chacun des tests {', '.join(profile.tests)}. Le titulaire fournit le fichier "
            "results.json et le rapport HTML d'une campagne complète de ce profil (`cicclo run --profile "
            f"{profile.name}`, budgets du profil{' : ' + budgets if budgets else ''}) exécutée sur "
            "l'environnement de recette ; une campagne aux budgets différents n'est pas une campagne du profil.",
            ""]
    return lines


def render_markdown(doc: dict[str, Any]) -> str:
    lines = [f"# Catalogue des tests cicclo {doc['suite_version']}", "", LIFECYCLE_FR, ""]
    for uri, cls in doc["classes"].items():
        tests = [t for t in doc["tests"] if t["conformance_class"] == uri]
        if not tests:
            continue
        lines += [f"## {cls['title']} ({cls['standard']})", "", f"Classe : <{uri}>", "",
                  "| Identifiant | Titre | Niveau | Exigences | Depuis | Statut |", "|---|---|---|---|---|---|"]
        for t in tests:
            reqs = "<br>".join(f"[{r.rsplit('/req/', 1)[-1]}]({r})" for r in t["requirements"])
            status = (t["status"] + (f" en {t['deprecated_in']}" if t.get("deprecated_in") else "")
                      + (f" → {t['replaced_by']}" if t.get("replaced_by") else ""))
            lines.append(f"| {t['id']} | {t['title']} | {t['level_fr']} | {reqs} | {t['since']} | {status} |")
        lines.append("")
    return "\n".join(lines + _clausier(doc)) + "\n"


def render_csv(doc: dict[str, Any]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["identifiant", "titre", "niveau", "classe", "exigences", "test_abstrait", "depuis", "statut",
                     "remplace_par"])
    for t in doc["tests"]:
        writer.writerow([t["id"], t["title"], t["level_fr"], t["conformance_class"], " ".join(t["requirements"]),
                         t["abstract_test"] or "", t["since"], t["status"], t.get("replaced_by", "")])
    return buf.getvalue()


def _inline_html(text: str) -> str:
    """Escaped text with the inline Markdown our own texts use (`code`, **strong**) turned into HTML."""
    import re
    from html import escape

    html = re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text, quote=False))
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", html)


HTML_STYLE = ("body{font-family:sans-serif;margin:1em;color:#222;max-width:80em}table{border-collapse:collapse;"
              "font-size:13px;margin-bottom:1em}th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top}"
              "th{background:#f3f3f3}td:first-child{white-space:nowrap}tr:target{background:#fff3b0}.deprecated,.withdrawn{color:#777}"
              "blockquote{border-left:4px solid #ccc;margin:.5em 0;padding:.2em 1em}")


def render_html(doc: dict[str, Any]) -> str:
    """The citable page: one anchor per ID (``#OAPIF-CORE-019``), requirements as links, level, status, version
    introduced (and deprecated), and the replacement of a deprecated ID linked to its own anchor."""
    from html import escape

    def row(t: dict[str, Any]) -> str:
        reqs = "<br>".join(f'<a href="{escape(r)}">{escape(r)}</a>' for r in t["requirements"])
        abstract = (f'<br><small>test abstrait : <a href="{escape(t["abstract_test"])}">'
                    f'{escape(t["abstract_test"])}</a></small>' if t.get("abstract_test") else "")
        status = {"stable": "stable", "deprecated": "déprécié", "withdrawn": "retiré"}.get(t["status"], t["status"])
        if t.get("deprecated_in"):
            status += f" depuis {escape(t['deprecated_in'])}"
        if t.get("replaced_by"):
            status += f', remplacé par <a href="#{escape(t["replaced_by"])}">{escape(t["replaced_by"])}</a>'
        tid = escape(t["id"])
        return (f'<tr id="{tid}" class="{escape(t["status"])}"><td><a href="#{tid}">{tid}</a></td>'
                f"<td>{escape(t['title'])}</td><td>{escape(t['level_fr'])}</td><td>{reqs}{abstract}</td>"
                f"<td>{escape(t['since'])}</td><td>{status}</td></tr>")

    sections = []
    for uri, cls in doc["classes"].items():
        rows = "".join(row(t) for t in doc["tests"] if t["conformance_class"] == uri)
        if rows:
            sections.append(f'<h2>{escape(cls["title"])} <small>({escape(cls["standard"])})</small></h2>'
                            f'<p>Classe : <a href="{escape(uri)}">{escape(uri)}</a></p><table>'
                            "<tr><th>Identifiant</th><th>Titre</th><th>Niveau</th><th>Exigences</th>"
                            f"<th>Depuis</th><th>Statut</th></tr>{rows}</table>")
    clausier = "".join(f"<blockquote>{_inline_html(line[2:])}</blockquote>" if line.startswith("> ")
                       else f"<p>{_inline_html(line)}</p>" for line in _clausier(doc)[2:] if line)
    version = escape(doc["suite_version"])
    return (f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Catalogue cicclo {version}"
            f"</title><style>{HTML_STYLE}</style></head><body><h1>Catalogue des tests cicclo {version}</h1>"
            f"<p>{_inline_html(LIFECYCLE_FR)}</p><p>Chaque identifiant a son ancre : "
            f"<code>catalogue.html#IDENTIFIANT</code>.</p>{''.join(sections)}"
            f"<h2 id='clausier'>Clausier pour CCTP</h2>{clausier}</body></html>\n")
