"""Pure checks of OGC API Features Part 1: documents in, problems out (French messages; [] = conformant).

They make no request and read no context, so each is unit-tested on small documents
(``tests/test_oapif_checks.py``); the test files hold the declarations and the instance loops.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
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


def api_definition_problems(doc: Any) -> list[str]:
    """An OpenAPI 3 document (Swagger 2.0 is not an OGC API definition format) with ``info`` and ``paths``.
    Its exact version against the announced media type is /req/oas30/oas-definition-1 and -2's concern."""
    if not isinstance(doc, dict):
        return ["la définition n'est pas un objet"]
    problems = []
    version = doc.get("openapi")
    if "swagger" in doc and version is None:
        problems.append(f"document Swagger {doc.get('swagger')!r} (OpenAPI 2) : une définition OpenAPI 3 est attendue")
    elif not (isinstance(version, str) and OPENAPI_VERSION.match(version)):
        problems.append(f"champ « openapi » {version!r} : une version OpenAPI 3.x.y est attendue")
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


# -- bbox (/req/core/fc-bbox-response) -------------------------------------------------------------------

Box = tuple[float, float, float, float]


def bbox_parts(b: Box) -> list[Box]:
    """A CRS84 box as one or two ordinary boxes: minx > maxx crosses the antimeridian (the bbox fragment:
    "the first value (west-most box edge) is larger than the third value (east-most box edge)")."""
    if b[0] > b[2]:
        return [(b[0], b[1], 180.0, b[3]), (-180.0, b[1], b[2], b[3])]
    return [b]


def envelope_inside(env: Box, b: Box) -> bool:
    return any(p[0] <= env[0] and env[2] <= p[2] and p[1] <= env[1] and env[3] <= p[3] for p in bbox_parts(b))


def envelope_disjoint(env: Box, b: Box) -> bool:
    return all(env[2] < p[0] or env[0] > p[2] or env[3] < p[1] or env[1] > p[3] for p in bbox_parts(b))


def probe_boxes(extent: Box) -> list[tuple[str, Box]]:
    """Deterministic boxes for an extent: its middle and a box outside it."""
    x0, y0, x1, y1 = extent
    w, h = max(x1 - x0, 1e-3), max(y1 - y0, 1e-3)
    inner = (round(x0 + w / 4, 6), round(y0 + h / 4, 6), round(x0 + 3 * w / 4, 6), round(y0 + 3 * h / 4, 6))
    ox = x1 + 1 if x1 + 2 <= 180 else x0 - 2
    outer = (round(ox, 6), round(max(y0, -89.0), 6), round(ox + 1, 6), round(min(max(y0, -89.0) + 1, 90.0), 6))
    return [("centre de l'étendue", inner), ("hors de l'étendue", outer)]


def antimeridian_boxes(extent: Box) -> list[tuple[str, Box]]:
    """Boxes crossing the antimeridian (minx > maxx): one covering the extent and, away from the antimeridian,
    one outside the data."""
    x0, y0, x1, y1 = (round(v, 6) for v in extent)
    boxes = []
    if x1 < 179:
        west = round(min(x1 + 0.5, 179.5), 6)
        boxes.append(("à cheval sur l'antiméridien (minx > maxx), couvrant l'étendue", (west, y0, x1, y1)))
    if x0 > -179 and x1 < 179:
        boxes.append(("à cheval sur l'antiméridien (minx > maxx), hors de l'étendue", (179.0, y0, -179.0, y1)))
    return boxes


# -- datetime (/req/core/fc-time-response) ---------------------------------------------------------------


def parse_instant(value: str, end: bool = False) -> dt.datetime:
    """An RFC 3339 date-time, or a date taken as its whole day (its end when ``end``)."""
    text = value.strip().replace("z", "Z")
    if len(text) == 10:
        day = dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
        return day + dt.timedelta(days=1, microseconds=-1) if end else day
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def span(value: str) -> tuple[dt.datetime, dt.datetime]:
    return parse_instant(value), parse_instant(value, end=True)


def times_intersect(times: list[str], lo: dt.datetime | None, hi: dt.datetime | None) -> bool:
    """Whether one of the temporal values meets [lo, hi] (None: open end; lo > hi: an empty interval)."""
    if lo is not None and hi is not None and lo > hi:
        return False
    for t in times:
        start, end = span(t)
        if (hi is None or start <= hi) and (lo is None or end >= lo):
            return True
    return False


@dataclass(frozen=True)
class DatetimeQuery:
    """One datetime probe; ``may_be_refused``: outside the ABNF of /req/core/fc-time-response D (``../..``) or
    an empty interval (end before start), so a 400 (/req/core/query-param-invalid) and a correct 200 are both
    allowed."""

    label: str
    value: str
    lo: dt.datetime | None
    hi: dt.datetime | None
    may_be_refused: bool = False
    empty_bound: bool = False  # a half-bounded interval written with an empty string (clause F)


def datetime_queries(values: list[str]) -> list[DatetimeQuery]:
    """Instant, closed, half-bounded (``..`` and empty string, clause F), out-of-range, ``../..`` and reversed
    queries derived from the temporal values really seen (at least four)."""
    ordered = sorted(set(values), key=lambda t: span(t)[0])
    if len(ordered) < 4:
        return []
    q1, mid, q3 = ordered[len(ordered) // 4], ordered[len(ordered) // 2], ordered[3 * len(ordered) // 4]
    lo1, hi1, lo3, hi3 = *span(q1), *span(q3)
    return [
        DatetimeQuery("instant", mid, *span(mid)),
        DatetimeQuery("intervalle fermé", f"{q1}/{q3}", lo1, hi3),
        DatetimeQuery("intervalle ouvert au début (..)", f"../{q1}", None, hi1),
        DatetimeQuery("intervalle ouvert à la fin (..)", f"{q3}/..", lo3, None),
        DatetimeQuery("intervalle ouvert au début (chaîne vide)", f"/{q1}", None, hi1, empty_bound=True),
        DatetimeQuery("intervalle ouvert à la fin (chaîne vide)", f"{q3}/", lo3, None, empty_bound=True),
        DatetimeQuery("intervalle hors des données", "1900-01-01T00:00:00Z/1900-12-31T23:59:59Z",
                      dt.datetime(1900, 1, 1, tzinfo=dt.UTC), dt.datetime(1900, 12, 31, 23, 59, 59, tzinfo=dt.UTC)),
        DatetimeQuery("intervalle ouvert aux deux bouts (../..)", "../..", None, None, may_be_refused=True),
        DatetimeQuery("intervalle inversé (fin avant début)", f"{q3}/{q1}", lo3, hi1, may_be_refused=True),
    ]


# -- limit (/req/core/fc-limit-response) -----------------------------------------------------------------


def limit_outcome(asked: int, bound: int, status: int | None, count: int | None) -> tuple[list[str], str]:
    """Problems and what was seen for a limit outside the declared range. Below the minimum (``limit=0``) a 400
    (an invalid value, /req/core/query-param-invalid) or a 200 holding at most ``bound`` features are both
    allowed. Above the declared maximum, 17-069r4 /req/core/fc-limit-response-1 C says the value "SHALL NOT
    result in an error (instead use the maximum as the parameter value)": only a capped 200 passes."""
    above_maximum = asked > bound
    if status == 400 and not above_maximum:
        return [], f"limit={asked} hors des bornes déclarées : 400 vu (valeur invalide refusée)"
    if status == 400:
        return [f"limit={asked} au-delà du maximum déclaré ({bound}) refusé en 400 : la valeur ne doit pas "
                "causer d'erreur, le maximum la remplace (/req/core/fc-limit-response-1 C)"], ""
    if status != 200 or count is None:
        expected = "200 (limite plafonnée)" + ("" if above_maximum else " ou 400 (valeur invalide)")
        return [f"limit={asked} : réponse {status}, {expected} attendu"], ""
    if count > bound:
        return [f"limit={asked} : {count} entités renvoyées, au plus {bound} attendues"], ""
    return [], f"limit={asked} hors des bornes déclarées : 200 vu avec {count} entités (limite plafonnée à {bound})"
