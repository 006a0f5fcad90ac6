"""``cicclo reference setup``: install the built-in reference platform's servers with the project's own setup
scripts, shipped in the package, into the per-user folder (or in place, in the repository).

The scripts are idempotent and cached (stamps); they install what is missing only: pygeoapi (``.venv-ref``),
pycsw (``.venv-csw``), oidc-provider (``servers/oidc/node_modules``) and whatever other built-in a script adds.
"""

from __future__ import annotations

import filecmp
import shutil
import subprocess
from pathlib import Path

from cicclo.resources import REPOSITORY, SCRIPTS_DIR, SERVERS_DIR, reference_home

# the order of scripts/setup.sh; a setup script added later runs after these
FIRST = ("setup-reference.sh", "setup-catalogue.sh", "setup-proconnect.sh")


def setup_scripts(scripts_dir: Path) -> list[Path]:
    found = {p.name: p for p in scripts_dir.glob("setup-*.sh")}
    return [found[n] for n in FIRST if n in found] + [found[n] for n in sorted(found) if n not in FIRST]


def prepare_home(home: Path) -> Path:
    """Copy the shipped setup scripts and server sources into ``home`` (kept installs are left alone);
    returns the folder of the scripts to run."""
    if home.resolve() == REPOSITORY.resolve():
        return SCRIPTS_DIR
    for script in setup_scripts(SCRIPTS_DIR):
        copy_if_changed(script, home / "scripts" / script.name)
    for path in sorted(SERVERS_DIR.rglob("*")) if SERVERS_DIR.is_dir() else []:
        if path.is_file() and "node_modules" not in path.relative_to(SERVERS_DIR).parts:  # installed, not copied
            copy_if_changed(path, home / "servers" / path.relative_to(SERVERS_DIR))
    return home / "scripts"


def copy_if_changed(source: Path, dest: Path) -> None:
    """Copy unless ``dest`` already holds the same bytes: an unchanged file keeps its date, so that a setup
    script's stamps (``package-lock.json`` newer than the install) do not redo an install."""
    if dest.is_file() and filecmp.cmp(source, dest, shallow=False):
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, dest)


def setup(home: Path | None = None) -> int:
    """Run every setup script in turn; returns the first non-zero status (0 when all succeeded)."""
    home = home or reference_home()
    scripts = prepare_home(home)
    for script in setup_scripts(scripts):
        print(f"== {script.name} ({home})", flush=True)
        status = subprocess.call(["bash", str(script)])
        if status:
            print(f"cicclo : {script.name} a échoué (statut {status})")
            return status
    print(f"plateforme de référence installée dans {home}")
    return 0
