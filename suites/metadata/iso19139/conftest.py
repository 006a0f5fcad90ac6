"""Fixtures of the metadata record suite: the records of the target's CSW catalogue, harvested once, or the record
files and URLs of ``--records`` (``cicclo validate``)."""

from __future__ import annotations

import pytest

from cicclo.metadata.harvest import MetadataContext
from cicclo.plugin import RunContext


@pytest.fixture(scope="session")
def suite_context(run_context: RunContext, request: pytest.FixtureRequest) -> MetadataContext:
    return MetadataContext(run_context, request.config.getoption("records", None))
