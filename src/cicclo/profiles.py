"""Profiles: named, versioned sets of test IDs that a tender can cite, and whether a run meets one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from cicclo.errors import ConfigurationError
from cicclo.model import Status, TestResult
from cicclo.targets import REPO_ROOT

PROFILES_PATH = REPO_ROOT / "suites" / "profiles.yaml"


@dataclass(frozen=True)
class Profile:
    name: str
    version: str
    title: str
    tests: tuple[str, ...]

    def verdict(self, results: dict[str, TestResult]) -> dict[str, Any]:
        """Met when every test of the profile is PASS or NOT_APPLICABLE; incomplete when one was not run."""
        missing = [t for t in self.tests if t not in results or results[t].status is Status.NOT_TESTED]
        failing = [t for t in self.tests if t in results and results[t].status in (Status.FAIL, Status.ERROR)]
        complete = not missing
        return {"name": self.name, "version": self.version, "title": self.title, "tests": list(self.tests),
                "complete": complete, "met": complete and not failing, "not_run": missing, "failing": failing}


def profile_state(verdict: dict[str, Any]) -> str:
    """In words: met; not met (a test fails), incomplete as well when some test was not run; or incomplete."""
    if verdict["met"]:
        return "ATTEINT"
    if verdict["failing"]:
        return "NON ATTEINT" if verdict["complete"] else "NON ATTEINT, INCOMPLET"
    return "INCOMPLET"


def load_profiles() -> dict[str, Profile]:
    doc = yaml.safe_load(PROFILES_PATH.read_text(encoding="utf-8")) or {}
    return {name: Profile(name, str(p["version"]), p["title"], tuple(p["tests"]))
            for name, p in (doc.get("profiles") or {}).items()}


def get_profile(name: str) -> Profile:
    profiles = load_profiles()
    if name not in profiles:
        raise ConfigurationError(f"profil inconnu {name!r} (profils : {', '.join(sorted(profiles))})")
    return profiles[name]
