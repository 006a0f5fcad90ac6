"""`cicclo reference setup`: the shipped setup scripts and server sources go to the per-user folder, and an
unchanged file keeps its date (the scripts' stamps then skip what is installed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cicclo import resources
from cicclo.reference.install import FIRST, prepare_home, setup_scripts


def test_scripts_run_in_the_order_of_setup_sh() -> None:
    names = [p.name for p in setup_scripts(resources.SCRIPTS_DIR)]
    assert names[:3] == list(FIRST) and all(n.startswith("setup-") for n in names)


def test_home_gets_the_scripts_and_servers_and_keeps_unchanged_files(tmp_path: Path) -> None:
    scripts = prepare_home(tmp_path)
    assert scripts == tmp_path / "scripts"
    assert (scripts / "setup-reference.sh").is_file()
    lock = tmp_path / "servers" / "oidc" / "package-lock.json"
    assert lock.read_bytes() == (resources.SERVERS_DIR / "oidc" / "package-lock.json").read_bytes()
    assert not (tmp_path / "servers" / "oidc" / "node_modules").exists()  # installed by the script, not copied
    os.utime(lock, (1_000_000_000, 1_000_000_000))
    prepare_home(tmp_path)
    assert lock.stat().st_mtime == 1_000_000_000


def test_user_home_follows_cicclo_home_then_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CICCLO_HOME", str(tmp_path / "a"))
    assert resources.user_home() == tmp_path / "a" and resources.reference_home() == tmp_path / "a"
    monkeypatch.delenv("CICCLO_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resources.user_home() == tmp_path / "xdg" / "cicclo"
    assert resources.reference_home() == resources.REPOSITORY  # in the repository, the repository's own folders
