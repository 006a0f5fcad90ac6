"""Fixtures of the OGC API – Records suite."""

from __future__ import annotations

import pytest

from cicclo.plugin import RunContext
from cicclo.records.context import RecordsContext


@pytest.fixture(scope="session")
def suite_context(run_context: RunContext) -> RecordsContext:
    return RecordsContext(run_context)


@pytest.fixture(scope="session")
def api(suite_context: RecordsContext) -> RecordsContext:
    """The target's OGC API – Records endpoint."""
    return suite_context
