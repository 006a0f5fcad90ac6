"""Fixtures of the CSW 2.0.2 suite."""

from __future__ import annotations

import pytest

from cicclo.csw.context import CswContext
from cicclo.plugin import RunContext


@pytest.fixture(scope="session")
def suite_context(run_context: RunContext) -> CswContext:
    return CswContext(run_context)


@pytest.fixture(scope="session")
def csw(suite_context: CswContext) -> CswContext:
    """The target's CSW endpoint."""
    return suite_context
