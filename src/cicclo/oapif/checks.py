"""Pure checks of OGC API Features Part 1: documents in, problems out (French messages; [] = conformant).

They make no request and read no context, so each is unit-tested on small documents
(``tests/test_oapif_checks.py``); the test files hold the declarations and the instance loops.
"""

from __future__ import annotations

import re
from typing import Any

MAX_ARRAY_ITEMS = 16  # lengths above this never matter for a bbox


# -- parameter definitions (/req/core/fc-bbox-definition, fc-limit-definition, fc-time-definition) -------


def parameter_problems(param: dict[str, Any], name: str) -> list[str]:
    """An optional query parameter, ``style: form``, ``explode: false``."""
    problems = []
    if param.get("in") != "query":
        problems.append(f"{name} : in={param.get('in')!r}, « query » attendu")
    if param.get("required", False):
        problems.append(f"{name} : ne doit pas être obligatoire")
    if param.get("style", "form") != "form":
        problems.append(f"{name} : style={param.get('style')!r}, « form » attendu")
    if param.get("explode") is not False:
        problems.append(f"{name} : explode={param.get('explode')!r}, false attendu")
    return problems


def _allowed_lengths(schema: Any) -> set[int]:
    """The array lengths a schema admits, from minItems/maxItems and its oneOf/anyOf/allOf branches."""
    if not isinstance(schema, dict):
        return set(range(MAX_ARRAY_ITEMS + 1))
    lo, hi = schema.get("minItems", 0), schema.get("maxItems", MAX_ARRAY_ITEMS)
    lengths = set(range(lo, hi + 1)) if isinstance(lo, int) and isinstance(hi, int) else set()
    for key in ("oneOf", "anyOf"):
        branches = schema.get(key)
        if isinstance(branches, list) and branches:
            lengths &= set().union(*(_allowed_lengths(b) for b in branches))
    for branch in schema.get("allOf") or []:
        lengths &= _allowed_lengths(branch)
    return lengths


def _item_types(schema: dict[str, Any]) -> set[Any]:
    """The ``type`` of the array items, on the schema itself or on every oneOf/anyOf branch."""
    items = schema.get("items")
    if isinstance(items, dict):
        return {items.get("type")}
    branches = [b for key in ("oneOf", "anyOf") for b in schema.get(key) or [] if isinstance(b, dict)]
    return {(b.get("items") or {}).get("type") for b in branches} if branches else {None}


def bbox_schema_problems(schema: dict[str, Any]) -> list[str]:
    """An array of 4 or 6 numbers: the 1.0.0 form (minItems 4, maxItems 6) and the published fragment of
    1.0.1 (``oneOf`` of exactly 4 and exactly 6 items) are both accepted."""
    problems = []
    if schema.get("type") != "array":
        problems.append(f"bbox : type {schema.get('type')!r}, « array » attendu")
    lengths = _allowed_lengths(schema)
    if not ({4, 6} <= lengths <= {4, 5, 6}):
        shown = sorted(lengths)[:8]
        problems.append(f"bbox : longueurs admises {shown}, 4 et 6 nombres attendus (et rien d'autre que 4 à 6)")
    types = _item_types(schema)
    if types != {"number"}:
        problems.append(f"bbox : éléments de type {sorted(map(str, types))}, « number » attendu")
    return problems


def limit_schema_problems(schema: dict[str, Any]) -> list[str]:
    """An integer; minimum, maximum and default, when present, are non-negative integers, default within."""
    problems = []
    if schema.get("type") != "integer":
        problems.append(f"limit : type {schema.get('type')!r}, « integer » attendu")
    lo, hi, default = schema.get("minimum"), schema.get("maximum"), schema.get("default")
    for key, value in (("minimum", lo), ("maximum", hi), ("default", default)):
        if value is not None and not (isinstance(value, int) and value >= 0):
            problems.append(f"limit : {key}={value!r} n'est pas un entier positif")
    if isinstance(default, int) and isinstance(lo, int) and isinstance(hi, int) and not lo <= default <= hi:
        problems.append(f"limit : default {default} hors de [{lo}, {hi}]")
    return problems


def datetime_schema_problems(schema: dict[str, Any]) -> list[str]:
    return [] if schema.get("type") == "string" else [f"datetime : type {schema.get('type')!r}, « string » attendu"]


# -- the API definition (/req/core/api-definition-success) ------------------------------------------------

OPENAPI_VERSION = re.compile(r"^3\.\d+\.\d+$")


def api_definition_problems(doc: Any, announced: str) -> list[str]:
    """An OpenAPI 3 document (Swagger 2.0 is not an OGC API definition format) with ``info`` and ``paths``;
    a media type announcing ``version=3.0`` requires a 3.0.x document."""
    if not isinstance(doc, dict):
        return ["la définition n'est pas un objet"]
    problems = []
    version = doc.get("openapi")
    if "swagger" in doc and version is None:
        problems.append(f"document Swagger {doc.get('swagger')!r} (OpenAPI 2) : une définition OpenAPI 3 est attendue")
    elif not (isinstance(version, str) and OPENAPI_VERSION.match(version)):
        problems.append(f"champ « openapi » {version!r} : une version OpenAPI 3.x.y est attendue")
    elif "version=3.0" in announced.replace(" ", "").lower() and not version.startswith("3.0."):
        problems.append(f"OpenAPI {version} servi sous le type {announced!r}, qui annonce la version 3.0")
    if not isinstance(doc.get("info"), dict):
        problems.append("pas d'objet « info »")
    if not isinstance(doc.get("paths"), dict):
        problems.append("pas d'objet « paths »")
    return problems


# -- collections (/req/core/fc-md-items) -----------------------------------------------------------------


def unlisted_collections(definition_paths: list[str], prefix: str, listed_ids: list[str]) -> list[str]:
    """Collections that the API definition gives a literal path (``{prefix}/collections/{id}``) but that
    /collections does not list."""
    pattern = re.compile(re.escape(prefix) + r"/collections/([^/{}]+)/?$")
    declared = [m.group(1) for p in definition_paths if (m := pattern.match(p))]
    return [cid for cid in dict.fromkeys(declared) if cid not in set(listed_ids)]


# -- HTML (/req/html/content) ----------------------------------------------------------------------------

LEADING_COMMENTS = re.compile(r"^(?:\ufeff)?(?:\s|<!--.*?-->)*", re.DOTALL)
HTML5_DOCTYPE = re.compile(r"<!doctype\s+html(\s+system\s+([\"'])about:legacy-compat\2)?\s*>", re.IGNORECASE)


def html5_doctype_problems(text: str) -> list[str]:
    """An HTML5 document starts with ``<!DOCTYPE html>`` after optional white space and comments (HTML
    Living Standard, §13.1 "Writing HTML documents")."""
    rest = text[LEADING_COMMENTS.match(text).end():]  # type: ignore[union-attr]  # the pattern always matches
    return [] if HTML5_DOCTYPE.match(rest[:128]) else ["doctype HTML5 absent"]
