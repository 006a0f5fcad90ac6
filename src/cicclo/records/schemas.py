"""Offline validation against the OGC API – Records Part 1 1.0 schemas shipped in ``schemas/external``.

The Records schemas reference their siblings and OGC API – Features Part 1: both resolve from the shipped
copies through :mod:`cicclo.oapif.schemas`, never from the network.
"""

from __future__ import annotations

from typing import Any

from cicclo.oapif import schemas as oapif_schemas


def schema_errors(name: str, document: Any, limit: int = 5) -> list[str]:
    """Errors of ``document`` against a Records schema ('recordGeoJSON', 'collection', 'catalog',
    'landingPage', 'time'...); an empty list means valid."""
    return oapif_schemas.schema_errors(name, document, limit, base=oapif_schemas.RECORDS_SCHEMAS)
