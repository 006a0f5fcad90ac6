"""Fixtures of the DCAT-AP suite."""

from __future__ import annotations

import pytest

from cicclo.dcat import DcatContext
from cicclo.plugin import RunContext


@pytest.fixture(scope="session")
def suite_context(run_context: RunContext) -> DcatContext:
    return DcatContext(run_context)
