"""One way to declare a conformance test: the ``@conformance(...)`` decorator.

The declaration carries the stable test ID, the requirement URIs it checks, the official abstract test,
the level and the conformance class it applies to. The ID is never derived from a file or function name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

from cicclo import __version__
from cicclo.classes import KNOWN_CLASSES
from cicclo.model import Level

ID_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-\d{3}$")
URI_PATTERN = re.compile(r"^https?://[^\s]+$")

F = TypeVar("F", bound=Callable[..., Any])


class DeclarationError(ValueError):
    """A test declaration is incomplete or inconsistent."""


@dataclass(frozen=True)
class Declaration:
    test_id: str
    title: str
    requirements: tuple[str, ...]
    abstract_test: str | None
    level: Level
    applies_to: str
    since: str

    @property
    def suite(self) -> str:
        return KNOWN_CLASSES[self.applies_to].suite

    def validate(self) -> None:
        if not ID_PATTERN.match(self.test_id):
            raise DeclarationError(f"{self.test_id!r}: identifiant mal formé (attendu FAMILLE-CLASSE-NNN)")
        if not self.title.strip():
            raise DeclarationError(f"{self.test_id}: titre manquant")
        if not self.requirements:
            raise DeclarationError(f"{self.test_id}: aucune exigence citée")
        for uri in (*self.requirements, *([self.abstract_test] if self.abstract_test else [])):
            if not URI_PATTERN.match(uri):
                raise DeclarationError(f"{self.test_id}: {uri!r} n'est pas une URI complète")
        if self.applies_to not in KNOWN_CLASSES:
            raise DeclarationError(
                f"{self.test_id}: classe de conformité inconnue {self.applies_to!r} "
                "(une faute de frappe ne doit pas devenir un NOT_APPLICABLE silencieux)"
            )


def conformance(
    test_id: str,
    *,
    title: str,
    requirements: list[str],
    abstract_test: str | None,
    level: Level | str = Level.MUST,
    applies_to: str,
    since: str = __version__,
) -> Callable[[F], F]:
    """Declare a conformance test; validated immediately and again at collection time. ``since`` defaults
    to the current version: the catalogue then keeps the version that first listed the ID."""
    decl = Declaration(
        test_id=test_id,
        title=title,
        requirements=tuple(requirements),
        abstract_test=abstract_test,
        level=Level(level),
        applies_to=applies_to,
        since=since,
    )
    decl.validate()

    def wrap(func: F) -> F:
        func._cicclo_declaration = decl  # type: ignore[attr-defined]
        return pytest.mark.conformance(decl)(func)  # type: ignore[no-any-return]

    return wrap


def declaration_of(obj: Any) -> Declaration | None:
    decl = getattr(obj, "_cicclo_declaration", None)
    return decl if isinstance(decl, Declaration) else None
