"""Releases: semantic versions, each with a frozen copy of its catalogue, the catalogue's sha256 and the versions
of its profiles, recorded in ``suites/releases.yaml`` by ``cicclo catalogue --release VERSION``.

A released version never changes: a catalogue that differs from the one recorded for the package's version
fails the project's tests. ``since`` and ``deprecated_in`` of the catalogue are read from the frozen copies,
and ``CHANGELOG.md`` (IDs added, deprecated and changed per release) is generated from them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from cicclo import __version__
from cicclo.targets import REPO_ROOT

RELEASES_PATH = REPO_ROOT / "suites" / "releases.yaml"
FROZEN_DIR = REPO_ROOT / "suites" / "releases"
CHANGELOG_PATH = REPO_ROOT / "CHANGELOG.md"
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
RETIRED = ("deprecated", "withdrawn")
# what a changelog calls "changed": the fields a reader sees, other than the ID's life cycle
SHOWN = ("title", "level", "conformance_class", "requirements", "abstract_test")
HEADER = ("# Versions publiées de cicclo — tenu par `cicclo catalogue --release VERSION` (ne pas éditer à la "
          "main).\n# Une version publiée ne change jamais ; son catalogue figé est suites/releases/catalogue-"
          "VERSION.yaml.\n# 0.1.0 et 0.2.0 n'ont pas été étiquetées à leur sortie : `commit` est celui où leur "
          "catalogue a été\n# généré (il a ensuite changé sous le même numéro ; ces changements sont dans 0.3.0).\n")


class ReleaseError(Exception):
    pass


def version_key(version: str) -> tuple[int, ...]:
    match = SEMVER.match(version)
    if not match:
        raise ReleaseError(f"version {version!r} : attendu une version sémantique MAJEUR.MINEUR.CORRECTIF")
    return tuple(int(g) for g in match.groups())


def load_releases(path: Path = RELEASES_PATH) -> list[dict[str, Any]]:
    """The recorded releases, oldest first."""
    if not path.is_file():
        return []
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return sorted(doc.get("releases") or [], key=lambda r: version_key(str(r["version"])))


def frozen_path(version: str) -> Path:
    return FROZEN_DIR / f"catalogue-{version}.yaml"


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@cache
def frozen_entries(version: str) -> dict[str, dict[str, Any]]:
    doc = yaml.safe_load(frozen_path(version).read_text(encoding="utf-8")) or {}
    return {e["id"]: e for e in doc.get("tests", [])}


def release_of(version: str = __version__) -> dict[str, Any] | None:
    return next((r for r in load_releases() if r["version"] == version), None)


def life_cycle(test_id: str, retired: bool) -> dict[str, str]:
    """``since``: the first release listing the ID, else the version in preparation; ``deprecated_in`` (for a
    retired ID): the first release listing it retired, else the version in preparation."""
    versions = [r["version"] for r in load_releases()]
    since = next((v for v in versions if test_id in frozen_entries(v)), __version__)
    if not retired:
        return {"since": since}
    deprecated_in = next((v for v in versions if frozen_entries(v).get(test_id, {}).get("status") in RETIRED),
                         __version__)
    return {"since": since, "deprecated_in": deprecated_in}


def _tagged(version: str) -> bool:
    try:
        proc = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "-q", "--verify", f"refs/tags/v{version}"],
                              capture_output=True, text=True, check=False, timeout=30)
    except OSError:
        return False
    return proc.returncode == 0


def release(version: str, date: str | None = None) -> list[Path]:
    """Record ``version`` (the package's, not yet tagged): regenerate the catalogue, freeze it, record its sha256
    and the profiles' versions, regenerate CHANGELOG.md; returns the files written."""
    from cicclo.catalogue import CATALOGUE_PATH, generate
    from cicclo.profiles import load_profiles

    key = version_key(version)
    if version != __version__:
        raise ReleaseError(f"la version du paquet est {__version__} : mettre {version} dans pyproject.toml et "
                           "src/cicclo/__init__.py avant de la publier")
    releases = load_releases()
    if releases and key < version_key(releases[-1]["version"]):
        raise ReleaseError(f"{version} est antérieure à la dernière version publiée {releases[-1]['version']}")
    if _tagged(version):
        raise ReleaseError(f"v{version} est déjà étiquetée : une version publiée ne change jamais, passer à la "
                           "version suivante")
    CATALOGUE_PATH.write_text(generate(CATALOGUE_PATH), encoding="utf-8")
    FROZEN_DIR.mkdir(parents=True, exist_ok=True)
    frozen = frozen_path(version)
    frozen.write_bytes(CATALOGUE_PATH.read_bytes())
    frozen_entries.cache_clear()
    record = {"version": version, "date": date or dt.datetime.now(dt.UTC).date().isoformat(),
              "tag": f"v{version}", "catalogue_sha256": sha256_of(frozen),
              "profiles": {p.name: {"version": p.version, "sha256": p.sha256} for p in load_profiles().values()}}
    releases = [r for r in releases if r["version"] != version] + [record]
    RELEASES_PATH.write_text(HEADER + yaml.safe_dump({"releases": releases}, allow_unicode=True, sort_keys=False,
                                                     width=120), encoding="utf-8")
    CHANGELOG_PATH.write_text(render_changelog(releases), encoding="utf-8")
    # the catalogue's own since/deprecated_in now read the new frozen copy: they must not have moved
    if generate(CATALOGUE_PATH) != CATALOGUE_PATH.read_text(encoding="utf-8"):
        raise ReleaseError("le catalogue régénéré diffère de sa copie figée : relancer la commande")
    return [CATALOGUE_PATH, frozen, RELEASES_PATH, CHANGELOG_PATH]


def render_changelog(releases: list[dict[str, Any]] | None = None) -> str:
    """Per release, newest first: the IDs added, deprecated (with their replacement) and changed."""
    releases = load_releases() if releases is None else releases
    lines = ["# Journal des versions de cicclo", "",
             "FICHIER GÉNÉRÉ par `cicclo catalogue --release VERSION` depuis les catalogues figés "
             "(`suites/releases/`). Un identifiant n'est jamais renuméroté ni réutilisé : un test qui change de "
             "sens reçoit un nouvel identifiant et l'ancien est déprécié.", ""]
    previous: dict[str, dict[str, Any]] = {}
    sections = []
    for r in releases:
        current = frozen_entries(r["version"])
        added = sorted(set(current) - set(previous))
        deprecated = sorted(i for i, e in current.items() if e.get("status") in RETIRED
                            and previous.get(i, {}).get("status") not in RETIRED)
        changed = sorted(i for i in set(current) & set(previous) if i not in deprecated
                         and any(current[i].get(f) != previous[i].get(f) for f in SHOWN))
        tag = f" (étiquette `{r['tag']}`)" if r.get("tag") else f" (commit `{r['commit'][:12]}`)"
        section = [f"## {r['version']} — {r['date']}{tag}", "",
                   f"Catalogue : {len(current)} identifiants, sha256 `{r['catalogue_sha256']}`.", ""]
        profiles = ", ".join(f"{n} {p['version']}" for n, p in r.get("profiles", {}).items())
        section += [f"Profils : {profiles or 'aucun'}.", ""]
        section.append(f"- Ajoutés ({len(added)}) : {', '.join(added) or 'aucun'}")
        section.append(f"- Dépréciés ({len(deprecated)}) : " + (", ".join(
            f"{i} (remplacé par {current[i]['replaced_by']})" if current[i].get("replaced_by") else i
            for i in deprecated) or "aucun"))
        section.append(f"- Modifiés ({len(changed)}) : " + (", ".join(
            f"{i} ({', '.join(f for f in SHOWN if current[i].get(f) != previous[i].get(f))})" for i in changed)
            or "aucun"))
        sections.append(section + [""])
        previous = current
    for section in reversed(sections):
        lines += section
    return "\n".join(lines).rstrip("\n") + "\n"


def release_problem() -> str | None:
    """Why the committed catalogue does not match the release record, or None when it does."""
    from cicclo.catalogue import CATALOGUE_PATH

    releases = load_releases()
    record = release_of()
    if record is None:
        if releases and version_key(__version__) <= version_key(releases[-1]["version"]):
            return f"version du paquet {__version__} non publiée et pas postérieure à {releases[-1]['version']}"
        return None  # a version in preparation
    if sha256_of(CATALOGUE_PATH) != record["catalogue_sha256"]:
        return (f"le catalogue a changé depuis la publication de {__version__} (sha256 {record['catalogue_sha256']}"
                f") sans changement de version : passer à la version suivante, ou, si {__version__} n'est pas "
                f"encore étiquetée, lancer `cicclo catalogue --release {__version__}`")
    if sha256_of(frozen_path(__version__)) != record["catalogue_sha256"]:
        return f"{frozen_path(__version__)} ne correspond plus à l'empreinte publiée"
    return None
