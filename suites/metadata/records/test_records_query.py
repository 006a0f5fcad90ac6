"""OGC API – Records Part 1: query parameters (bbox, datetime, limit, q, type, ids) and sorting.

Every query is walked to its last page and compared with what a walk of the whole collection says it must
return: a 200 alone proves nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, cast
from urllib.parse import urlsplit

from cicclo.declare import conformance
from cicclo.errors import CheckFailed, NotTested
from cicclo.oapif.context import ACCEPT_JSON, CollectionRef, envelope
from cicclo.oapif.openapi import ApiDefinition, load_definition
from cicclo.records.context import RECORDS_PAGE, RecordsContext
from cicclo.records.schemas import schema_errors
from cicclo.records.uris import QUERY_PARAMETERS, SORTING, ats, req
from cicclo.verdict import InstanceRecorder, Verdict

WORD = re.compile(r"[^\W\d_]{5,}", re.UNICODE)


def _all_records(api: RecordsContext, coll: CollectionRef, rec: InstanceRecorder) -> list[dict[str, Any]]:
    scan = api.record_scan(coll)
    if not scan.walk.complete or scan.cut:
        raise NotTested(f"collection non lue en entier ({scan.walk.cut_reason or scan.cut or 'page en erreur'}) : "
                        "résultat attendu inconnu")
    if not scan.records:
        raise NotTested("la collection ne renvoie aucune fiche")
    matched = scan.walk.number_matched
    distinct = len({repr(f.id) for f in scan.walk.features})
    if isinstance(matched, int) and distinct < matched:
        raise NotTested(f"numberMatched={matched} mais {distinct} fiches distinctes lues en suivant les liens next "
                        "(voir OAREC-032) : résultat attendu inconnu")
    return scan.records


def _query(api: RecordsContext, coll: CollectionRef, rec: InstanceRecorder, params: dict[str, str],
           ) -> list[dict[str, Any]]:
    """Every record a query returns (all its pages); a first page other than 200 stops the instance (FAIL)."""
    query = {"limit": str(RECORDS_PAGE), **params}
    first = api.client.get(api.items_url(coll), accept="application/geo+json", params=query)
    rec.require(first.status == 200, f"{first.describe()} : 200 attendu")
    got: list[dict[str, Any]] = []
    walk = api.walk(api.items_url(coll), query, got.append, owned=True)
    rec.require(walk.complete, f"{params} : parcours du résultat incomplet "
                f"({walk.cut_reason or '; '.join(walk.page_issues) or 'page en erreur'})")
    if walk.duplicate_ids:  # a paging defect, judged by OAREC-032; the set of records is still compared here
        rec.note(f"{params} : fiches répétées entre les pages {walk.duplicate_ids[:5]} (voir OAREC-032)")
    return got


def _ids(records: list[dict[str, Any]]) -> set[str]:
    return {str(r.get("id")) for r in records}


def _compare(rec: InstanceRecorder, label: str, got: list[dict[str, Any]], expected: set[str]) -> None:
    ids = _ids(got)
    extra, missing = sorted(ids - expected), sorted(expected - ids)
    rec.check(not extra, f"{label} : {len(extra)} fiches hors critère renvoyées (ex. {extra[:5]})")
    rec.check(not missing, f"{label} : {len(missing)} fiches attendues absentes (ex. {missing[:5]})")


# -- bbox ---------------------------------------------------------------------------------------------


def _intersects(env: tuple[float, float, float, float], box: tuple[float, float, float, float]) -> bool:
    return not (env[2] < box[0] or env[0] > box[2] or env[3] < box[1] or env[1] > box[3])


@conformance(
    "OAREC-030",
    title="Le paramètre bbox renvoie exactement les fiches dont l'emprise intersecte la boîte",
    requirements=[req("record-core-query-parameters/bbox")],
    abstract_test=ats("record-core-query-parameters/bbox"),
    applies_to=QUERY_PARAMETERS,
)
def test_bbox(api: RecordsContext, verdict: Verdict) -> None:
    """bbox=minx,miny,maxx,maxy SHALL return every record whose geometry intersects the box and no other
    (a box around the middle of the records' extent and a box outside it)."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            records = _all_records(api, coll, rec)
            envs = {str(r.get("id")): envelope(r.get("geometry")) for r in records}
            boxes = [e for e in envs.values() if e]
            if not boxes:
                raise NotTested("aucune fiche géolocalisée")
            x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
            x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
            w, h = max(x1 - x0, 1e-3), max(y1 - y0, 1e-3)
            inner = (x0 + w / 3, y0 + h / 3, x0 + 2 * w / 3, y0 + 2 * h / 3)
            ox = x1 + 1 if x1 + 2 <= 180 else x0 - 2
            outer = (ox, max(y0, -89.0), ox + 1, min(max(y0, -89.0) + 1, 90.0))
            for label, box in (("boîte centrale", inner), ("boîte extérieure", outer)):
                box = cast("tuple[float, float, float, float]", tuple(round(v, 6) for v in box))
                expected = {i for i, e in envs.items() if e and _intersects(e, box)}
                got = _query(api, coll, rec, {"bbox": ",".join(f"{v:g}" for v in box)})
                _compare(rec, f"bbox {label} {box}", got, expected)


# -- datetime -----------------------------------------------------------------------------------------


def _instant(value: str, end: bool = False) -> dt.datetime | None:
    text = value.strip().replace("z", "Z").replace("Z", "+00:00")
    try:
        if len(text) == 10:
            day = dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
            return day + dt.timedelta(days=1, microseconds=-1) if end else day
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _span(time: Any) -> tuple[dt.datetime | None, dt.datetime | None] | None:
    """The time span of a record's ``time`` (an object, or a bare date string as some servers give)."""
    if isinstance(time, str):
        time = {"date": time}
    if not isinstance(time, dict):
        return None
    for key in ("date", "timestamp"):
        if isinstance(time.get(key), str):
            lo, hi = _instant(time[key]), _instant(time[key], end=True)
            return (lo, hi) if lo and hi else None
    interval = time.get("interval")
    if isinstance(interval, list) and len(interval) == 2:
        lo = _instant(interval[0]) if isinstance(interval[0], str) and interval[0] != ".." else None
        hi = _instant(interval[1], end=True) if isinstance(interval[1], str) and interval[1] != ".." else None
        return lo, hi
    return None


@conformance(
    "OAREC-031",
    title="Le paramètre datetime renvoie exactement les fiches dont le temps intersecte l'intervalle",
    requirements=[req("record-core-query-parameters/datetime")],
    abstract_test=ats("record-core-query-parameters/datetime"),
    applies_to=QUERY_PARAMETERS,
)
def test_datetime(api: RecordsContext, verdict: Verdict) -> None:
    """datetime=start/end SHALL return the records whose ``time`` intersects the interval and no other (an
    interval over the middle of the records' dates and an interval before all of them)."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            records = _all_records(api, coll, rec)
            spans = {str(r.get("id")): _span(r.get("time")) for r in records}
            starts = sorted(s[0] for s in spans.values() if s and s[0])
            if len(starts) < 3:
                raise NotTested("moins de trois fiches datées : intervalle de requête indéterminable")
            lo, hi = starts[len(starts) // 4], starts[3 * len(starts) // 4]
            queries = [("intervalle central", lo, hi),
                       ("intervalle antérieur", dt.datetime(1900, 1, 1, tzinfo=dt.UTC),
                        dt.datetime(1900, 12, 31, tzinfo=dt.UTC))]
            for label, a, b in queries:
                value = f"{a.strftime('%Y-%m-%dT%H:%M:%SZ')}/{b.strftime('%Y-%m-%dT%H:%M:%SZ')}"
                expected = {i for i, s in spans.items() if s and (s[0] is None or s[0] <= b)
                            and (s[1] is None or s[1] >= a)}
                got = _query(api, coll, rec, {"datetime": value})
                _compare(rec, f"datetime {label} {value}", got, expected)


@conformance(
    "OAREC-032",
    title="Le paramètre limit borne chaque page et la pagination rend toutes les fiches une fois",
    requirements=[req("record-core-query-parameters/limit")],
    abstract_test=ats("record-core-query-parameters/limit"),
    applies_to=QUERY_PARAMETERS,
)
def test_limit(api: RecordsContext, verdict: Verdict) -> None:
    """With limit=n every page SHALL hold at most n records (numberReturned equal to the count), and following
    the next links SHALL return each record of the collection exactly once — also without limit and with a
    large limit (as many distinct records as numberMatched)."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            records = _all_records(api, coll, rec)
            size = max(1, min(3, len(records) - 1))
            pages: list[int] = []
            got: list[dict[str, Any]] = []
            walk = api.walk(api.items_url(coll), {"limit": str(size)}, got.append, owned=True)
            rec.require(walk.complete, f"limit={size} : parcours incomplet "
                        f"({walk.cut_reason or '; '.join(walk.page_issues) or 'page en erreur'})")
            for issue in walk.number_returned_issues:
                rec.fail(issue)
            pages = [walk.pages]
            rec.check(len(got) <= size * walk.pages, f"limit={size} : {len(got)} fiches en {walk.pages} pages")
            first = api.client.get(api.items_url(coll), accept="application/geo+json", params={"limit": str(size)})
            count = len(first.json().get("features") or []) if first.status == 200 else None
            rec.check(count is not None and count <= size, f"limit={size} : {count} fiches sur la première page")
            rec.check(not walk.duplicate_ids, f"limit={size} : fiches répétées {walk.duplicate_ids[:5]}")
            _compare(rec, f"limit={size} (toutes les pages, {pages[0]} pages)", got, _ids(records))
            for params in ({}, {"limit": str(RECORDS_PAGE * 5)}):
                seen: list[dict[str, Any]] = []
                full = api.walk(api.items_url(coll), params, seen.append, owned=True)
                for issue in full.page_issues:
                    rec.fail(f"{params or 'sans limit'} : {issue}")
                if full.complete and isinstance(full.number_matched, int):
                    rec.check(len(_ids(seen)) == full.number_matched,
                              f"{params or 'sans limit'} : numberMatched={full.number_matched} mais "
                              f"{len(_ids(seen))} fiches distinctes en suivant les liens next")


def _words(record: dict[str, Any]) -> str:
    """All the text of a record's representation (properties, links, anything), case-folded."""
    texts: list[str] = []

    def collect(value: Any) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, list):
            for v in value:
                collect(v)
        elif isinstance(value, dict):
            for v in value.values():
                collect(v)

    collect({k: v for k, v in record.items() if k != "geometry"})
    return " ".join(texts).casefold()


@conformance(
    "OAREC-033",
    title="Le paramètre q renvoie la fiche connue et seulement des fiches contenant le terme",
    requirements=[req("record-core-query-parameters/q-response")],
    abstract_test=ats("record-core-query-parameters/q-response"),
    applies_to=QUERY_PARAMETERS,
)
def test_q(api: RecordsContext, verdict: Verdict) -> None:
    """q=<word of a real record's title> SHALL return that record, and only records containing the word in
    one of their searched text fields: records whose representation lacks the word are noted (the searched
    fields may not all be published); returning the whole collection for a rare word fails."""
    for coll in api.record_collections(verdict):
        records = api.record_scan(coll).records
        picked = [(r, w) for r in records[:: max(1, len(records) // 3)][:3]
                  for w in [_title_word(r)] if w]
        if not picked:
            with verdict.instance(f"collection={coll.id}") as rec:
                raise NotTested("aucun titre de fiche exploitable pour q")
        for record, word in picked:
            with verdict.instance(f"collection={coll.id} q={word}") as rec:
                got = _query(api, coll, rec, {"q": word})
                rec.check(str(record.get("id")) in _ids(got), f"q={word} : la fiche {record.get('id')} n'est pas "
                          "renvoyée")
                unexplained = [str(r.get("id")) for r in got if word.casefold() not in _words(r)]
                if unexplained:  # the searched fields are the server's choice and may not all be published
                    rec.note(f"q={word} : {len(unexplained)} fiches renvoyées sans ce terme dans leur représentation "
                             f"(champ interrogé non publié ?) : {unexplained[:5]}")
                holders = sum(1 for r in records if word.casefold() in _words(r))
                rec.check(not (len(got) == len(records) > 1 and holders < len(records) / 2),
                          f"q={word} : les {len(got)} fiches de la collection sont renvoyées alors que {holders} "
                          "seulement contiennent ce terme : q ne filtre pas")


def _title_word(record: dict[str, Any]) -> str | None:
    props = record.get("properties")
    if not isinstance(props, dict):
        props = {}
    words = sorted(WORD.findall(str(props.get("title") or "")), key=len, reverse=True)
    return words[0] if words else None


@conformance(
    "OAREC-034",
    title="Le paramètre type renvoie exactement les fiches de ce type de ressource",
    requirements=[req("record-core-query-parameters/type-response")],
    abstract_test=ats("record-core-query-parameters/type-response"),
    applies_to=QUERY_PARAMETERS,
)
def test_type(api: RecordsContext, verdict: Verdict) -> None:
    """type=<a resource type used by the records> SHALL return exactly the records of that type."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            records = _all_records(api, coll, rec)
            types = {str(r["properties"]["type"]) for r in records
                     if isinstance(r.get("properties"), dict) and isinstance(r["properties"].get("type"), str)}
            if not types:
                raise NotTested("aucune fiche ne porte properties.type")
            for value in sorted(types)[:3]:
                expected = {str(r.get("id")) for r in records if isinstance(r.get("properties"), dict)
                            and r["properties"].get("type") == value}
                _compare(rec, f"type={value}", _query(api, coll, rec, {"type": value}), expected)


@conformance(
    "OAREC-035",
    title="Le paramètre ids renvoie exactement les fiches demandées",
    requirements=[req("record-core-query-parameters/ids-response")],
    abstract_test=ats("record-core-query-parameters/ids-response"),
    applies_to=QUERY_PARAMETERS,
)
def test_ids(api: RecordsContext, verdict: Verdict) -> None:
    """ids=a,b SHALL return exactly the records with these identifiers."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            records = _all_records(api, coll, rec)
            if len(records) < 3:
                raise NotTested("moins de trois fiches")
            wanted = [str(records[0].get("id")), str(records[-1].get("id"))]
            _compare(rec, f"ids={','.join(wanted)}", _query(api, coll, rec, {"ids": ",".join(wanted)}), set(wanted))


# -- parameters in the API definition -----------------------------------------------------------------


def _items_template(definition: ApiDefinition, coll: CollectionRef) -> str:
    template = definition.match_path(f"/collections/{coll.id}/items")
    if template is None or definition.operation(template) is None:
        raise CheckFailed(f"la définition de l'API ne décrit pas GET /collections/{coll.id}/items")
    return template


def _declared_parameter(definition: ApiDefinition, coll: CollectionRef, names: tuple[str, ...],
                        ) -> tuple[dict[str, Any] | None, str | None]:
    """The parameter (one of ``names``) declared for GET …/items, resolved; else the external reference that
    declares it by the official building block's file name (e.g. …/parameters/q.yaml), not shipped offline."""
    params = definition.items_parameters(coll.id)
    for name in names:
        if name in params:
            return params[name], None
    template = _items_template(definition, coll)
    raw_paths = definition.document.get("paths") or {}
    item = raw_paths.get(template) if isinstance(raw_paths, dict) else None
    raw: list[Any] = []
    if isinstance(item, dict):
        op = item.get("get")
        if not isinstance(op, dict):
            op = {}
        raw = [*(item.get("parameters") or []), *(op.get("parameters") or [])]
    for entry in raw:
        ref = entry.get("$ref") if isinstance(entry, dict) else None
        if isinstance(ref, str) and ref.startswith(("http://", "https://")):
            path = urlsplit(ref).path
            stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            if ("ogcapi-records" in ref or "/records/" in path) and stem in names and "/parameters/" in path:
                return None, ref
    return None, None


def _fragment_problems(param: dict[str, Any], name: str) -> list[str]:
    """Differences from the OpenAPI 3.0 fragment of the abstract test: query, optional, array of strings,
    explode false."""
    problems = []
    if param.get("in") != "query":
        problems.append(f"in={param.get('in')!r} au lieu de « query »")
    if param.get("required") is True:
        problems.append("required=true alors que le paramètre est facultatif")
    schema = param.get("schema")
    if not isinstance(schema, dict):
        schema = {}
    items = schema.get("items")
    if not isinstance(items, dict):
        items = {}
    if schema.get("type") != "array" or items.get("type") != "string":
        problems.append(f"schéma {schema!r} au lieu d'un tableau de chaînes (type: array, items: type: string)")
    if param.get("explode") is not False:
        problems.append(f"explode={param.get('explode')!r} au lieu de false (valeurs séparées par des virgules)")
    return problems


def _definition_test(api: RecordsContext, verdict: Verdict, names: tuple[str, ...],
                     value_of: Any) -> None:
    """The parameter SHALL be declared for GET …/items as the abstract test's OpenAPI fragment says, and a
    request with it SHALL answer 200."""
    definition = load_definition(api)
    name = names[0]
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            param, ref = _declared_parameter(definition, coll, names)
            if ref is not None:
                rec.note(f"{name} déclaré par référence au bloc de construction Records ({ref}) : fragment non "
                         "fourni hors ligne, réputé conforme")
            else:
                rec.require(param is not None, f"le paramètre {name} n'est pas déclaré pour GET "
                            f"/collections/{coll.id}/items dans la définition de l'API")
                assert param is not None
                if param["name"] != name:
                    rec.note(f"paramètre déclaré sous le nom {param['name']!r} (graphie du bloc 1.0)")
                for problem in _fragment_problems(param, name):
                    rec.fail(f"{name} : {problem}")
            value = value_of(api.record_scan(coll).records)
            ex = api.client.get(api.items_url(coll), accept="application/geo+json",
                                params={"limit": str(RECORDS_PAGE), name if param is None else param["name"]: value})
            rec.check(ex.status == 200, f"{ex.describe()} : 200 attendu")


def _a_title_word(records: list[dict[str, Any]]) -> str:
    return next((w for r in records for w in [_title_word(r)] if w), "catalogue")


def _a_type(records: list[dict[str, Any]]) -> str:
    return next((str(r["properties"]["type"]) for r in records if isinstance(r.get("properties"), dict)
                 and isinstance(r["properties"].get("type"), str)), "dataset")


def _an_id(records: list[dict[str, Any]]) -> str:
    return str(records[0].get("id")) if records else "inconnu"


@conformance(
    "OAREC-036",
    title="Le paramètre q est décrit dans la définition de l'API (tableau de chaînes, explode false)",
    requirements=[req("record-core-query-parameters/q-definition")],
    abstract_test=ats("record-core-query-parameters/q-definition"),
    applies_to=QUERY_PARAMETERS,
)
def test_q_definition(api: RecordsContext, verdict: Verdict) -> None:
    """GET …/items SHALL declare q: in query, optional, an array of strings, explode false; q answers 200."""
    _definition_test(api, verdict, ("q",), _a_title_word)


@conformance(
    "OAREC-037",
    title="Le paramètre type est décrit dans la définition de l'API (tableau de chaînes, explode false)",
    requirements=[req("record-core-query-parameters/type-definition")],
    abstract_test=ats("record-core-query-parameters/type-definition"),
    applies_to=QUERY_PARAMETERS,
)
def test_type_definition(api: RecordsContext, verdict: Verdict) -> None:
    """GET …/items SHALL declare type: in query, optional, an array of strings, explode false; type answers
    200."""
    _definition_test(api, verdict, ("type",), _a_type)


@conformance(
    "OAREC-038",
    title="Le paramètre ids est décrit dans la définition de l'API (tableau de chaînes, explode false)",
    requirements=[req("record-core-query-parameters/ids-definition")],
    abstract_test=ats("record-core-query-parameters/ids-definition"),
    applies_to=QUERY_PARAMETERS,
)
def test_ids_definition(api: RecordsContext, verdict: Verdict) -> None:
    """GET …/items SHALL declare ids: in query, optional, an array of strings, explode false; ids answers 200."""
    _definition_test(api, verdict, ("ids",), _an_id)


@conformance(
    "OAREC-039",
    title="Le paramètre externalIds est décrit dans la définition de l'API (tableau de chaînes, explode false)",
    requirements=[req("record-core-query-parameters/externalIds-definition")],
    abstract_test=ats("record-core-query-parameters/externalIds-definition"),
    applies_to=QUERY_PARAMETERS,
)
def test_external_ids_definition(api: RecordsContext, verdict: Verdict) -> None:
    """GET …/items SHALL declare externalIds (the 1.0 building block spells it externalId: accepted with a
    note): in query, optional, an array of strings, explode false; a request with it answers 200."""
    _definition_test(api, verdict, ("externalIds", "externalId"), _an_external_id)


def _an_external_id(records: list[dict[str, Any]]) -> str:
    values = _external_values(records)
    return values[0][1] if values else UNKNOWN_EXTERNAL_ID


UNKNOWN_EXTERNAL_ID = "cicclo-identifiant-externe-inexistant-7e3a"


def _external_values(records: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(record id, value) of every external identifier of the records (properties.externalIds[].value)."""
    found = []
    for record in records:
        props = record.get("properties")
        if not isinstance(props, dict):
            props = {}
        ext = props.get("externalIds")
        for item in ext if isinstance(ext, list) else []:
            value = item.get("value") if isinstance(item, dict) else item
            if isinstance(value, str) and value:
                found.append((str(record.get("id")), value))
    return found


@conformance(
    "OAREC-064",
    title="Le paramètre externalIds renvoie exactement les fiches portant cet identifiant externe",
    requirements=[req("record-core-query-parameters/externalIds-response")],
    abstract_test=ats("record-core-query-parameters/externalIds-response"),
    applies_to=QUERY_PARAMETERS,
)
def test_external_ids(api: RecordsContext, verdict: Verdict) -> None:
    """externalIds=v SHALL return exactly the records with an external identifier (properties.externalIds
    value) equal to v; an identifier no record has SHALL return no record."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            records = _all_records(api, coll, rec)
            values = _external_values(records)
            wanted = sorted({v for _, v in values})[:2]
            if wanted:
                expected = {rid for rid, v in values if v in wanted}
                got = _query(api, coll, rec, {"externalIds": ",".join(wanted)})
                _compare(rec, f"externalIds={','.join(wanted)}", got, expected)
            else:
                rec.note("aucune fiche ne porte properties.externalIds : seul le cas d'un identifiant inconnu est "
                         "vérifié")
            got = _query(api, coll, rec, {"externalIds": UNKNOWN_EXTERNAL_ID})
            _compare(rec, f"externalIds={UNKNOWN_EXTERNAL_ID} (inconnu)", got, set())


# -- sorting ------------------------------------------------------------------------------------------


def _keys(text: str) -> tuple[str, str, str]:
    plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return text, text.casefold(), plain.casefold()


def _ordered(titles: list[str], reverse: bool) -> bool:
    """True when the titles are in order under one usual collation (code points, case-folded, accent-free)."""
    for k in range(3):
        keys = [_keys(t)[k] for t in titles]
        if keys == sorted(keys, reverse=reverse):
            return True
    return False


@conformance(
    "OAREC-040",
    title="Le paramètre sortby trie réellement les fiches (croissant et décroissant)",
    requirements=[req("sorting/sortby-response")],
    abstract_test=ats("sorting/sortby-response"),
    applies_to=SORTING,
)
def test_sortby(api: RecordsContext, verdict: Verdict) -> None:
    """sortby=title SHALL return the records in ascending title order across all pages, and sortby=-title
    in descending order, each with every record of the collection."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            records = _all_records(api, coll, rec)
            for value, reverse in (("title", False), ("-title", True)):
                got = _query(api, coll, rec, {"sortby": value})
                titles = [str((r.get("properties") or {}).get("title", "")) for r in got]
                rec.check(_ordered(titles, reverse), f"sortby={value} : ordre non respecté ({titles[:6]})")
                _compare(rec, f"sortby={value}", got, _ids(records))


@conformance(
    "OAREC-041",
    title="Chaque collection triable publie ses propriétés de tri (GET …/sortables)",
    requirements=[req("sorting/get-sortables-op"), req("sorting/get-sortables-success")],
    abstract_test=ats("sorting/get-sortables-op"),
    applies_to=SORTING,
)
def test_sortables(api: RecordsContext, verdict: Verdict) -> None:
    """GET /collections/{catalogId}/sortables SHALL answer 200 with a JSON Schema object listing the sortable
    properties."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            ex = api.client.get(api.url(f"collections/{coll.id}/sortables"), accept=ACCEPT_JSON)
            rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")
            doc = ex.json()
            rec.check(isinstance(doc, dict) and isinstance(doc.get("properties"), dict) and doc["properties"],
                      "pas d'objet properties listant les propriétés de tri")


@conformance(
    "OAREC-042",
    title="Le paramètre sortby est décrit pour GET …/items dans la définition de l'API",
    requirements=[req("sorting/sortby-definition")],
    abstract_test=ats("sorting/sortby-definition"),
    applies_to=SORTING,
)
def test_sortby_definition(api: RecordsContext, verdict: Verdict) -> None:
    """The OpenAPI definition linked by service-desc SHALL declare a sortby parameter for GET on the items path
    of each record collection."""
    definition = load_definition(api)
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            param, ref = _declared_parameter(definition, coll, ("sortby",))
            if ref is not None:
                rec.note(f"sortby déclaré par référence au bloc de construction Records ({ref}) : fragment non "
                         "fourni hors ligne")
                continue
            rec.require(param is not None, f"le paramètre sortby n'est pas déclaré pour GET "
                        f"/collections/{coll.id}/items dans la définition de l'API")
            assert param is not None
            rec.check(param.get("in") == "query", f"sortby : in={param.get('in')!r} au lieu de « query »")


def _sortables(api: RecordsContext, coll: CollectionRef) -> tuple[Any, dict[str, Any]]:
    ex = api.client.get(api.url(f"collections/{coll.id}/sortables"), accept="application/schema+json, "
                        "application/json;q=0.9")
    if ex.status != 200:
        raise NotTested(f"{ex.describe()} : propriétés de tri indisponibles (vérifié par OAREC-041)")
    doc = ex.json()
    props = doc.get("properties") if isinstance(doc, dict) else None
    return ex, props if isinstance(props, dict) else {}


@conformance(
    "OAREC-043",
    title="L'ordre de tri par défaut (defaultSortOrder) d'un catalogue est bien formé et appliqué",
    requirements=[req("sorting/defaultSortOrder-definition")],
    abstract_test=ats("sorting/defaultSortOrder-definition"),
    applies_to=SORTING,
)
def test_default_sort_order(api: RecordsContext, verdict: Verdict) -> None:
    """A catalog's defaultSortOrder SHALL be valid (defaultSortOrder.yaml), each field SHALL be a sortable, and
    sortby=+field and sortby=field SHALL return the same records in the same order."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            doc = api.precondition_json(api.collection_exchange(coll.id), f"collection {coll.id}")
            order = doc.get("defaultSortOrder")
            if order is None:
                raise NotTested("le catalogue ne publie pas de defaultSortOrder : rien à vérifier")
            errors = schema_errors("defaultSortOrder", order)
            for err in errors:
                rec.fail(f"schéma defaultSortOrder.yaml : {err}")
            if errors:
                continue
            _, sortables = _sortables(api, coll)
            fields = [str(item["field"]) for item in order]
            for name in fields:
                rec.check(name in sortables, f"defaultSortOrder : {name!r} n'est pas une propriété de tri "
                          f"(sortables : {sorted(sortables)[:10]})")
            if fields:
                explicit = _query(api, coll, rec, {"sortby": f"+{fields[0]}"})
                implicit = _query(api, coll, rec, {"sortby": fields[0]})
                rec.check([r.get("id") for r in explicit] == [r.get("id") for r in implicit],
                          f"sortby=+{fields[0]} et sortby={fields[0]} ne renvoient pas les fiches dans le même ordre")


@conformance(
    "OAREC-044",
    title="Les propriétés de tri sont un schéma JSON (draft 07 ou 2019-09) d'objet, présentes dans les fiches",
    requirements=[req("sorting/get-sortables-success")],
    abstract_test=ats("sorting/get-sortables-success"),
    applies_to=SORTING,
)
def test_sortables_content(api: RecordsContext, verdict: Verdict) -> None:
    """Answered 200 (OAREC-041), …/sortables served as application/schema+json SHALL have the $schema of JSON
    Schema draft 07 or 2019-09, an $id, type « object », and each sortable SHALL be in the records' properties."""
    for coll in api.record_collections(verdict):
        with verdict.instance(f"collection={coll.id}") as rec:
            ex = api.client.get(api.url(f"collections/{coll.id}/sortables"), accept="application/schema+json, "
                                "application/json;q=0.9")
            if ex.status != 200:  # the operation itself is OAREC-041's concern
                raise NotTested(f"{ex.describe()} : propriétés de tri indisponibles (vérifié par OAREC-041)")
            doc = ex.json()
            rec.require(isinstance(doc, dict), "pas un objet JSON")
            if ex.media_type != "application/schema+json":
                rec.note(f"servi en {ex.content_type!r} : les contrôles du schéma JSON ne s'imposent qu'en "
                         "application/schema+json")
                return
            rec.check(str(doc.get("$schema", "")).rstrip("#") in SORTABLES_SCHEMAS,
                      f"$schema={doc.get('$schema')!r} : draft 07 ou 2019-09 attendu")
            rec.check(isinstance(doc.get("$id"), str) and coll.id in doc["$id"],
                      f"$id={doc.get('$id')!r} : l'identifiant de la collection attendu")
            rec.check(doc.get("type") == "object", f"type={doc.get('type')!r} au lieu de « object »")
            sortables = doc.get("properties") if isinstance(doc.get("properties"), dict) else {}
            records = api.record_scan(coll).records
            present = {k for r in records if isinstance(r.get("properties"), dict) for k in r["properties"]}
            present |= {k for r in records for k in r if k != "properties"}
            missing = sorted(set(sortables) - present)
            rec.check(not missing, f"propriétés de tri absentes de toutes les fiches : {missing[:10]}")


SORTABLES_SCHEMAS = {"http://json-schema.org/draft-07/schema", "https://json-schema.org/draft/2019-09/schema",
                     "http://json-schema.org/draft/2019-09/schema"}
