"""Fixtures of the OGC API Features suite."""

from __future__ import annotations

import pytest

from cicclo.oapif.context import OapifContext
from cicclo.plugin import RunContext


@pytest.fixture(scope="session")
def suite_context(run_context: RunContext) -> OapifContext:
    return OapifContext(run_context)


@pytest.fixture(scope="session")
def api(suite_context: OapifContext) -> OapifContext:
    """The target's OGC API Features endpoint."""
    return suite_context
