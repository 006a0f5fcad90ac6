"""Where cicclo's files are: the suites, schemas, catalogue, profiles and built-in targets it ships, and the
folder of the built-in reference platform's server environments.

In the repository (editable install) they are the repository's own folders. In an installed wheel they are
package data, mapped by the build into ``cicclo/_data/`` with the repository's layout (``suites/``,
``schemas/``, ``targets/``, ``scripts/``, ``servers/``), so that every path below is the same in both.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

PACKAGE_DIR = Path(str(files("cicclo")))
REPOSITORY = PACKAGE_DIR.parents[1]
SHIPPED = PACKAGE_DIR / "_data"
IN_REPOSITORY = (REPOSITORY / "suites" / "catalogue.yaml").is_file() and (REPOSITORY / "pyproject.toml").is_file()

DATA_ROOT = REPOSITORY if IN_REPOSITORY else SHIPPED
SUITES_DIR = DATA_ROOT / "suites"
SCHEMAS_DIR = DATA_ROOT / "schemas"
TARGETS_DIR = DATA_ROOT / "targets"
SCRIPTS_DIR = DATA_ROOT / "scripts"
SERVERS_DIR = DATA_ROOT / "servers"


def user_home() -> Path:
    """The per-user folder that ``cicclo reference setup`` fills (``$CICCLO_HOME``, else
    ``$XDG_DATA_HOME/cicclo``, else ``~/.local/share/cicclo``)."""
    if os.environ.get("CICCLO_HOME"):
        return Path(os.environ["CICCLO_HOME"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "cicclo"


def reference_home() -> Path:
    """The folder holding the built-in platform's environments (``.venv-ref``, ``.venv-csw``,
    ``servers/oidc/node_modules``): the repository itself, or the per-user folder of an installed package."""
    return REPOSITORY if IN_REPOSITORY and not os.environ.get("CICCLO_HOME") else user_home()


def published_path(path: Path) -> str:
    """A path as a published file may show it, never the runner's absolute path: relative to the shipped
    folders or to the current folder, else its last folder and name."""
    path = path.absolute()
    for base in (DATA_ROOT, Path.cwd()):
        if path.is_relative_to(base):
            return str(path.relative_to(base))
    return str(Path(path.parent.name) / path.name)
