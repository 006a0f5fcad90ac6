"""Releases are citable: semantic versions, a frozen catalogue with its sha256 each, profiles that never change
once published, ``since``/``deprecated_in`` read from the releases, a generated CHANGELOG, and a clausier that
quotes the release."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import yaml

from cicclo import __version__
from cicclo.catalogue import CATALOGUE_PATH, load_committed
from cicclo.profiles import load_profiles
from cicclo.releases import (
    CHANGELOG_PATH,
    frozen_path,
    load_releases,
    release_problem,
    render_changelog,
    sha256_of,
    version_key,
)
from tests.conftest import ROOT


def test_the_catalogue_did_not_change_without_a_version_bump() -> None:
    assert release_problem() is None


def test_package_versions_agree_and_are_semantic() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == __version__
    version_key(__version__)


def test_every_release_has_its_frozen_catalogue_and_increasing_version() -> None:
    releases = load_releases()
    assert [r["version"] for r in releases][:2] == ["0.1.0", "0.2.0"]
    keys = [version_key(r["version"]) for r in releases]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    for r in releases:
        assert sha256_of(frozen_path(r["version"])) == r["catalogue_sha256"], r["version"]
        assert r.get("tag") == f"v{r['version']}" or r.get("commit"), r["version"]


def test_a_published_profile_version_never_changes() -> None:
    current = load_profiles()
    for r in load_releases():
        for name, published in r["profiles"].items():
            if name in current and current[name].version == published["version"]:
                assert current[name].sha256 == published["sha256"], (r["version"], name)


def test_since_and_deprecated_in_are_released_versions() -> None:
    versions = {r["version"] for r in load_releases()} | {__version__}
    entries = load_committed()
    for test_id, entry in entries.items():
        assert entry["since"] in versions, test_id
        if entry["status"] != "stable":
            assert entry["deprecated_in"] in versions and entry["deprecated_in"] != entry["since"], test_id
    # MD-SDSI-004 was released in 0.2.0 and replaced after it
    assert (entries["MD-SDSI-004"]["since"], entries["MD-SDSI-004"]["deprecated_in"]) == ("0.2.0", "0.3.0")
    assert entries["MD-SDSI-006"]["since"] == "0.3.0"


def test_changelog_is_generated_from_the_releases() -> None:
    text = CHANGELOG_PATH.read_text(encoding="utf-8")
    assert text == render_changelog(), "CHANGELOG.md : relancer `cicclo catalogue --release VERSION`"
    assert "MD-SDSI-004 (remplacé par MD-SDSI-006)" in text and "MD-C-018 (remplacé par MD-C-118)" in text
    assert "CSW-009 (title)" in text  # its title changed after 0.2.0


def test_release_refuses_another_version_than_the_package_and_a_non_semantic_one() -> None:
    for version in ("9.9.9", "0.3", "v0.3.0"):
        proc = subprocess.run([sys.executable, "-m", "cicclo", "catalogue", "--release", version], cwd=ROOT,
                              capture_output=True, text=True, check=False, timeout=120)
        assert proc.returncode == 1 and ("version du paquet" in proc.stderr or "sémantique" in proc.stderr)


def test_clausier_quotes_the_release_its_catalogue_sha256_and_profile_versions() -> None:
    proc = subprocess.run([sys.executable, "-m", "cicclo", "catalogue", "--format", "md"], cwd=ROOT,
                          capture_output=True, text=True, check=True, timeout=120)
    record = next(r for r in load_releases() if r["version"] == __version__)
    assert (f"profil « oapif-socle » version 2.0 de la suite de conformité cicclo version {__version__} "
            f"(étiquette git v{__version__}, catalogue des tests d'empreinte sha256 {record['catalogue_sha256']})"
            in proc.stdout)
    assert "classe requise non déclarée fait échouer le profil" in proc.stdout
    assert "budgets du profil : max_collections = illimité, max_pages = illimité, max_features = 20" in proc.stdout
    assert sha256_of(CATALOGUE_PATH) == record["catalogue_sha256"]
    assert yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))["suite_version"] == __version__
