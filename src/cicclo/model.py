"""The result model: statuses, per-instance outcomes and their aggregation per test ID.

The plugin makes these objects; reporters read their JSON form, from the run record (``run.jsonl``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Status(enum.StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    NOT_TESTED = "NOT_TESTED"


class Level(enum.StrEnum):
    MUST = "MUST"
    SHOULD = "SHOULD"


STATUS_LABELS_FR = {
    Status.PASS: "Réussi",
    Status.FAIL: "Échec",
    Status.ERROR: "Erreur (indécidable)",
    Status.NOT_APPLICABLE: "Non applicable",
    Status.NOT_TESTED: "Non testé",
}

LEVEL_LABELS_FR = {Level.MUST: "DOIT", Level.SHOULD: "DEVRAIT"}


@dataclass(slots=True)
class InstanceResult:
    """Outcome of one test on one instance (the target, a collection, a feature...)."""

    key: str
    status: Status
    messages: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "instance": self.key,
            "status": self.status.value,
            "messages": self.messages,
            "notes": self.notes,
            "evidence": self.evidence,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> InstanceResult:
        return cls(key=doc["instance"], status=Status(doc["status"]), messages=list(doc["messages"]),
                   notes=list(doc["notes"]), evidence=list(doc["evidence"]))


def aggregate(statuses: list[Status]) -> Status:
    """Any FAIL gives FAIL, then any ERROR gives ERROR; PASS needs at least one PASS.

    Zero decided instances gives NOT_TESTED, never PASS.
    """
    if Status.FAIL in statuses:
        return Status.FAIL
    if Status.ERROR in statuses:
        return Status.ERROR
    if Status.PASS in statuses:
        return Status.PASS
    if statuses and all(s is Status.NOT_APPLICABLE for s in statuses):
        return Status.NOT_APPLICABLE
    return Status.NOT_TESTED


@dataclass
class TestResult:
    """The verdict for one test ID on one target."""

    __test__ = False  # not a pytest test class

    test_id: str
    title: str
    status: Status
    level: Level
    requirements: list[str]
    abstract_test: str | None
    conformance_class: str
    suite: str
    message: str
    instances: list[InstanceResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    nodeid: str = ""

    @property
    def is_warning(self) -> bool:
        """A SHOULD-level failure is a warning: reported, but it does not fail the run."""
        return self.level is Level.SHOULD and self.status is Status.FAIL

    @property
    def score(self) -> tuple[int, int]:
        decided = [i for i in self.instances if i.status in (Status.PASS, Status.FAIL, Status.ERROR)]
        return sum(1 for i in decided if i.status is Status.PASS), len(decided)

    @property
    def skipped(self) -> list[dict[str, str]]:
        """The instances that were not decided (NOT_TESTED, NOT_APPLICABLE), each with why: none is dropped."""
        return [{"instance": i.key, "status": i.status.value, "reason": " ; ".join(i.messages) or "sans motif"}
                for i in self.instances if i.status in (Status.NOT_TESTED, Status.NOT_APPLICABLE)]

    @property
    def evidence(self) -> list[str]:
        refs: list[str] = []
        for inst in self.instances:
            refs.extend(r for r in inst.evidence if r not in refs)
        return refs

    def to_json(self) -> dict[str, Any]:
        passed, total = self.score
        return {
            "test_id": self.test_id,
            "title": self.title,
            "status": self.status.value,
            "level": self.level.value,
            "warning": self.is_warning,
            "requirements": self.requirements,
            "abstract_test": self.abstract_test,
            "conformance_class": self.conformance_class,
            "suite": self.suite,
            "message": self.message,
            "notes": self.notes,
            "score": [passed, total],
            "duration_s": round(self.duration_s, 3),
            "nodeid": self.nodeid,
            "instances": [i.to_json() for i in self.instances],
            "skipped": self.skipped,
            "evidence": self.evidence,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> TestResult:
        """The inverse of :meth:`to_json`: results travel as plain data (pytest-xdist workers, reports)."""
        return cls(
            test_id=doc["test_id"], title=doc["title"], status=Status(doc["status"]), level=Level(doc["level"]),
            requirements=list(doc["requirements"]), abstract_test=doc["abstract_test"],
            conformance_class=doc["conformance_class"], suite=doc["suite"], message=doc["message"],
            instances=[InstanceResult.from_json(i) for i in doc["instances"]], notes=list(doc["notes"]),
            duration_s=doc["duration_s"], nodeid=doc["nodeid"],
        )


ERRORS_ONLY = 6  # not one of pytest's own statuses (3 is its internal error)


def exit_status(results: list[TestResult]) -> int:
    """0: no MUST-level FAIL or ERROR; 1: some MUST-level FAIL; 6 (ERRORS_ONLY): no FAIL but some ERROR."""
    must = [r for r in results if r.level is Level.MUST]
    if any(r.status is Status.FAIL for r in must):
        return 1
    if any(r.status is Status.ERROR for r in must):
        return ERRORS_ONLY
    return 0
