"""Offline validation against the OGC API – Records Part 1 1.0 schemas shipped in ``schemas/external``.

The Records schemas are OpenAPI 3.0 schema objects with relative ``$ref`` to their siblings and absolute
``$ref`` to OGC API – Features Part 1: both resolve from shipped copies, never from the network.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from cicclo.oapif import schemas as oapif_schemas
from cicclo.targets import REPO_ROOT

RECORDS_DIR = REPO_ROOT / "schemas" / "external" / "ogcapi-records"
RECORDS_SCHEMAS = "https://schemas.opengis.net/ogcapi/records/part1/1.0/openapi/schemas/"


@cache
def url_mapping() -> dict[str, Path]:
    doc = json.loads((RECORDS_DIR / "mapping.json").read_text(encoding="utf-8"))
    return {url: RECORDS_DIR / rel for url, rel in doc["mapping"].items()}


def _load(url: str) -> Any:
    base = url.split("#", 1)[0]
    if base.startswith("http://"):
        base = "https://" + base[len("http://"):]
    path = url_mapping().get(base)
    if path is None:
        return oapif_schemas.load_external(base)  # OGC API Features Part 1 (raises LookupError if not shipped)
    return oapif_schemas._parse(path)


def _retrieve(uri: str) -> Resource[Any]:
    return Resource.from_contents(oapif_schemas.openapi_to_jsonschema(_load(uri)),
                                  default_specification=DRAFT202012)


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    registry: Registry[Any] = Registry(retrieve=_retrieve)  # type: ignore[call-arg]
    return jsonschema.Draft202012Validator({"$ref": RECORDS_SCHEMAS + f"{name}.yaml"}, registry=registry)


def schema_errors(name: str, document: Any, limit: int = 5) -> list[str]:
    """Errors of ``document`` against a Records schema ('recordGeoJSON', 'collection', 'catalog',
    'landingPage', 'time'...); an empty list means valid."""
    errors = []
    for err in _validator(name).iter_errors(document):
        where = "/".join(str(p) for p in err.absolute_path) or "(racine)"
        errors.append(f"{where} : {err.message[:300]}")
        if len(errors) >= limit:
            break
    return errors
