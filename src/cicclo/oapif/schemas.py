"""Offline validation of responses against the OGC API schemas (Features and Records Part 1) and GeoJSON.

The OGC schemas are OpenAPI 3.0 schema objects (``nullable``, relative ``$ref`` to YAML files); they are
turned into JSON Schema and resolved from the copies shipped in ``schemas/external`` — never fetched.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from cicclo.targets import REPO_ROOT

EXTERNAL = REPO_ROOT / "schemas" / "external"
OAPIF_DIR = EXTERNAL / "ogcapi-features"
RECORDS_DIR = EXTERNAL / "ogcapi-records"
PART1_SCHEMAS = "https://schemas.opengis.net/ogcapi/features/part1/1.0/openapi/schemas/"
RECORDS_SCHEMAS = "https://schemas.opengis.net/ogcapi/records/part1/1.0/openapi/schemas/"
GEOJSON_DIR = EXTERNAL / "geojson-schema" / "schema"


def openapi_to_jsonschema(node: Any) -> Any:
    """Translate OpenAPI 3.0 schema keywords into JSON Schema (``nullable: true`` -> ``null`` allowed)."""
    if isinstance(node, list):
        return [openapi_to_jsonschema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: openapi_to_jsonschema(v) for k, v in node.items() if k not in ("nullable", "example", "xml")}
    if node.get("nullable") is True:
        if "type" in out:
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = [*types, "null"]
        elif "$ref" in out or "allOf" in out or "oneOf" in out or "anyOf" in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


@cache
def url_mapping() -> dict[str, Path]:
    """Published schema URL -> shipped copy, for every shipped OGC API schema set."""
    mapping: dict[str, Path] = {}
    for folder in (OAPIF_DIR, RECORDS_DIR):
        doc = json.loads((folder / "mapping.json").read_text(encoding="utf-8"))
        mapping.update({url: folder / rel for url, rel in doc["mapping"].items()})
    return mapping


def load_external(url: str) -> Any:
    """Read a published schema URL from its shipped copy; unknown URLs are an error, never a download."""
    base = url.split("#", 1)[0]
    if base.startswith("http://"):
        base = "https://" + base[len("http://"):]
    path = url_mapping().get(base)
    if path is None:
        raise LookupError(f"schéma externe non fourni hors ligne : {base}")
    return _parse(path)


@cache
def _parse(path: Path) -> Any:
    """Parsed once per run; callers must not modify the result."""
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else json.loads(text)


def _retrieve(uri: str) -> Resource[Any]:
    return Resource.from_contents(openapi_to_jsonschema(load_external(uri)), default_specification=DRAFT202012)


@cache
def registry() -> Registry[Any]:
    return Registry(retrieve=_retrieve)  # type: ignore[call-arg]


@cache
def _validator(name: str, base: str) -> jsonschema.protocols.Validator:
    if name.startswith("geojson:"):
        schema = json.loads((GEOJSON_DIR / f"{name.split(':', 1)[1]}.json").read_text(encoding="utf-8"))
        cls = jsonschema.validators.validator_for(schema)
        return cls(schema, format_checker=cls.FORMAT_CHECKER)  # type: ignore[no-any-return]
    return jsonschema.Draft202012Validator({"$ref": base + f"{name}.yaml"}, registry=registry(),
                                           format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def schema_errors(name: str, document: Any, limit: int = 5, base: str = PART1_SCHEMAS) -> list[str]:
    """Errors of ``document`` against a Part 1 schema (e.g. 'landingPage', 'collections', 'collection',
    'confClasses', 'featureCollectionGeoJSON', 'featureGeoJSON') or a GeoJSON one ('geojson:Feature',
    'geojson:FeatureCollection'); an empty list means valid. ``format`` is checked (date-time per RFC 3339, uri
    per RFC 3986...): a temporal extent without a time zone is not a date-time. ``base``: the schema set
    (Features by default)."""
    errors = []
    for err in _validator(name, base).iter_errors(document):
        where = "/".join(str(p) for p in err.absolute_path) or "(racine)"
        errors.append(f"{where} : {err.message}")
        if len(errors) >= limit:
            break
    return errors
