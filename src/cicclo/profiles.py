"""Profiles: named, versioned sets of test IDs and required conformance classes that a tender can cite, the
budgets their runs use, and whether a run meets one.

A profile cannot be met by declaring less: a required class that the target does not declare fails the
profile, whatever the statuses of its tests (which turn NOT_APPLICABLE when their class is not declared).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from cicclo.errors import ConfigurationError
from cicclo.targets import REPO_ROOT

PROFILES_PATH = REPO_ROOT / "suites" / "profiles.yaml"
BUDGET_NAMES = ("max_collections", "max_pages", "max_features", "max_records")
UNDECLARED_FR = "classe requise non déclarée"


@dataclass(frozen=True)
class Profile:
    name: str
    version: str
    title: str
    tests: tuple[str, ...]
    classes: tuple[str, ...] = ()
    budgets: Mapping[str, int | None] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        """Fingerprint of what the profile requires: a published version never changes it."""
        content = {"tests": list(self.tests), "classes": list(self.classes), "budgets": dict(self.budgets)}
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()

    def verdict(self, statuses: Mapping[str, str], classes: Mapping[str, bool | None],
                budgets: Mapping[str, Any] | None) -> dict[str, Any]:
        """Met when every required class is declared and every test is PASS or NOT_APPLICABLE; incomplete when
        a test was not run or a required class could not be checked; not a profile run when the run's budgets
        differ from the profile's (``budgets`` None: not recorded)."""
        missing = [t for t in self.tests if statuses.get(t, "NOT_TESTED") == "NOT_TESTED"]
        failing = [t for t in self.tests if statuses.get(t) in ("FAIL", "ERROR")]
        undeclared = [c for c in self.classes if classes.get(c) is False]
        unverified = [c for c in self.classes if classes.get(c) is None]
        differences = [f"{k} : {'non enregistré' if budgets is None or k not in budgets else budgets[k]} "
                       f"au lieu de {v}" for k, v in self.budgets.items()
                       if budgets is None or k not in budgets or budgets[k] != v]
        complete = not missing and not unverified
        return {"name": self.name, "version": self.version, "title": self.title, "tests": list(self.tests),
                "classes": list(self.classes), "budgets": dict(self.budgets),
                "complete": complete, "met": complete and not failing and not undeclared,
                "not_run": missing, "failing": failing, "undeclared": undeclared, "unverified": unverified,
                "profile_run": not differences, "budget_differences": differences}


def profile_state(verdict: dict[str, Any]) -> str:
    """In words: met; not met (a test fails or a required class is not declared), incomplete as well when some
    test was not run; or incomplete. A run with other budgets than the profile's is no profile run."""
    if verdict["met"]:
        state = "ATTEINT"
    elif verdict["failing"] or verdict.get("undeclared"):
        state = "NON ATTEINT" if verdict["complete"] else "NON ATTEINT, INCOMPLET"
    else:
        state = "INCOMPLET"
    return state if verdict.get("profile_run", True) else f"{state} (campagne hors profil : autres budgets)"


def verdict_lines(verdict: dict[str, Any]) -> list[str]:
    """The reasons behind a profile's state, in French, one per line."""
    lines = [f"{UNDECLARED_FR} : {uri}" for uri in verdict.get("undeclared", [])]
    if verdict["failing"]:
        lines.append(f"en échec : {', '.join(verdict['failing'])}")
    if verdict["not_run"]:
        lines.append(f"non testés (profil incomplet) : {', '.join(verdict['not_run'])}")
    lines += [f"classe requise non vérifiée (profil incomplet) : {uri}" for uri in verdict.get("unverified", [])]
    if verdict.get("budget_differences"):
        lines.append("budgets différents de ceux du profil : " + ", ".join(verdict["budget_differences"]))
    return lines


def run_classes(doc: dict[str, Any]) -> dict[str, bool | None]:
    """Declared classes of a results.json. Runs written before cicclo 0.3.0 did not record them: there a class
    counts as declared when one of its tests got past applicability (PASS, FAIL or ERROR), as not declared
    when all its tests are NOT_APPLICABLE, and as undecided otherwise."""
    recorded = doc["run"].get("classes")
    if recorded is not None:
        return {uri: c["declared"] for uri, c in recorded.items()}
    by_class: dict[str, set[str]] = {}
    for r in doc["results"]:
        by_class.setdefault(r["conformance_class"], set()).add(r["status"])
    return {uri: True if s & {"PASS", "FAIL", "ERROR"} else False if s == {"NOT_APPLICABLE"} else None
            for uri, s in by_class.items()}


def run_verdicts(doc: dict[str, Any], profiles: Mapping[str, Profile] | None = None) -> dict[str, dict[str, Any]]:
    """Every profile's verdict on the run of a results.json."""
    statuses = {r["test_id"]: r["status"] for r in doc["results"]}
    classes = run_classes(doc)
    budgets = doc["run"].get("budgets")
    return {name: p.verdict(statuses, classes, budgets) for name, p in (profiles or load_profiles()).items()}


def load_profiles() -> dict[str, Profile]:
    doc = yaml.safe_load(PROFILES_PATH.read_text(encoding="utf-8")) or {}
    return {name: Profile(name, str(p["version"]), p["title"], tuple(p["tests"]), tuple(p.get("classes", ())),
                          dict(p.get("budgets") or {}))
            for name, p in (doc.get("profiles") or {}).items()}


def profiles_requiring(uri: str, profiles: Mapping[str, Profile] | None = None) -> list[str]:
    return [name for name, p in (profiles or load_profiles()).items() if uri in p.classes]


def get_profile(name: str) -> Profile:
    profiles = load_profiles()
    if name not in profiles:
        raise ConfigurationError(f"profil inconnu {name!r} (profils : {', '.join(sorted(profiles))})")
    return profiles[name]
