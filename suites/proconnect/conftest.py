"""Fixtures of the ProConnect suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cicclo.plugin import RunContext
from cicclo.proconnect.context import ProConnectContext


@pytest.fixture(scope="session")
def suite_context(run_context: RunContext) -> Iterator[ProConnectContext]:
    context = ProConnectContext(run_context)
    yield context
    context.close()


@pytest.fixture(scope="session")
def pc(suite_context: ProConnectContext) -> ProConnectContext:
    """The target's ProConnect services (provider, relying party, lab relying party)."""
    return suite_context
