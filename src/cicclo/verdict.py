"""What a test uses to record its checks, instance by instance.

A test runs its checks inside ``verdict.instance(key)`` blocks (one per collection, feature...). Inside a
block, ``check`` records a failure and goes on (so one run shows every problem), ``require`` stops the
instance, and the exceptions of :mod:`cicclo.errors` decide the instance status. Requests made inside the
block are attached to it as evidence.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from cicclo.declare import Declaration
from cicclo.errors import CheckFailed, NotApplicable, NotTested, TransportError
from cicclo.http import CURRENT_SINK, CURRENT_TEST_ID
from cicclo.model import InstanceResult, Status

T = TypeVar("T")


class InstanceRecorder:
    def __init__(self, key: str) -> None:
        self.key = key
        self.failures: list[str] = []
        self.notes: list[str] = []
        self.evidence: list[str] = []
        self._lock = threading.Lock()

    def check(self, condition: object, message: str) -> bool:
        """Record a failure when ``condition`` is false; the instance goes on."""
        if not condition:
            with self._lock:
                self.failures.append(message)
        return bool(condition)

    def fail(self, message: str) -> None:
        self.check(False, message)

    def require(self, condition: object, message: str) -> None:
        """Stop the instance with a FAIL when ``condition`` is false."""
        if not condition:
            raise CheckFailed(message)

    def note(self, message: str) -> None:
        """Information shown with the result (what was sampled, what remains to check by hand...)."""
        with self._lock:
            if message not in self.notes:
                self.notes.append(message)

    def add_evidence(self, ref: str) -> None:
        with self._lock:
            if ref not in self.evidence:
                self.evidence.append(ref)


class Verdict:
    """Collects the instances of one test ID."""

    def __init__(self, declaration: Declaration) -> None:
        self.declaration = declaration
        self.instances: list[InstanceResult] = []
        self.notes: list[str] = []
        self.shared_evidence: list[str] = []
        self._lock = threading.Lock()

    def add_shared_evidence(self, ref: str) -> None:
        """Exchanges made by the test outside any instance (e.g. /collections) back every instance."""
        with self._lock:
            if ref not in self.shared_evidence:
                self.shared_evidence.append(ref)

    def note(self, message: str) -> None:
        with self._lock:
            if message not in self.notes:
                self.notes.append(message)

    def attempt(self, key: str, func: Callable[[], T]) -> T | None:
        """Run a preparation step (e.g. walking a collection). When its precondition fails or the target
        does not answer, instance ``key`` is recorded with that outcome and None is returned."""
        try:
            return func()
        except (NotTested, TransportError) as exc:
            with self.instance(key):
                raise exc from None
        return None

    @contextmanager
    def instance(self, key: str) -> Iterator[InstanceRecorder]:
        rec = InstanceRecorder(key)
        tokens = (CURRENT_SINK.set(rec.add_evidence), CURRENT_TEST_ID.set(self.declaration.test_id))
        status = Status.PASS
        extra: list[str] = []
        try:
            yield rec
        except CheckFailed as exc:
            extra.append(str(exc))
        except NotTested as exc:
            status = Status.NOT_TESTED
            extra.append(str(exc))
        except NotApplicable as exc:
            status = Status.NOT_APPLICABLE
            extra.append(str(exc))
        except TransportError as exc:
            status = Status.ERROR
            extra.append(str(exc))
        except Exception as exc:  # a bug of the suite must never look like a verdict on the target
            status = Status.ERROR
            extra.append(f"erreur interne de la suite : {type(exc).__name__}: {exc}")
            extra.append("".join(traceback.format_exception(exc, limit=-3)).strip())
        finally:
            CURRENT_SINK.reset(tokens[0])
            CURRENT_TEST_ID.reset(tokens[1])
        messages = rec.failures + extra
        if rec.failures or (status is Status.PASS and extra):
            status = Status.FAIL
        with self._lock:
            evidence = [*self.shared_evidence, *(r for r in rec.evidence if r not in self.shared_evidence)]
            self.instances.append(InstanceResult(rec.key, status, messages, rec.notes, evidence))
