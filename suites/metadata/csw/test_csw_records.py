"""CSW 2.0.2: GetRecords paging, counts and constraints, GetRecordById — checked against the content."""

from __future__ import annotations

from xml.sax.saxutils import escape

from cicclo.classes import CSW202
from cicclo.csw.context import GMD_SCHEMA, CswContext, exception_codes, local, record_id, record_title
from cicclo.csw.uris import CSW_NS, GMD_NS, GMI_NS, ets, spec
from cicclo.declare import conformance
from cicclo.errors import NotTested
from cicclo.verdict import Verdict

UNKNOWN_ID = "cicclo-identifiant-inexistant-7f3a9c"
FILTER_NS = 'xmlns:ogc="http://www.opengis.net/ogc" xmlns:dc="http://purl.org/dc/elements/1.1/"'


@conformance(
    "CSW-008",
    title="Pagination GetRecords : startPosition, maxRecords et nextRecord concordent avec les nombres annoncés",
    requirements=[spec("getrecords-paging"), spec("getrecords-response")],
    abstract_test=ets("GetRecords-tc22.1"),
    applies_to=CSW202,
)
def test_paging_consistency(csw: CswContext, verdict: Verdict) -> None:
    """For pages at the start, in the middle and at the end: numberOfRecordsReturned SHALL equal the number
    of records returned and not exceed maxRecords; nextRecord SHALL be startPosition+returned, or 0 when no
    record follows; numberOfRecordsMatched SHALL not change from page to page."""
    hits = csw.precondition_search(csw.get_records_params(resultType="hits"), "comptage (resultType=hits)",
                                 "CSW-010")
    matched = hits.matched
    if matched is None:
        raise NotTested("numberOfRecordsMatched illisible : pagination non vérifiable (voir CSW-010)")
    size = 3
    starts = sorted({1, max(1, matched // 2), max(1, matched - 1)})
    for start in starts:
        with verdict.instance(f"startPosition={start} maxRecords={size}") as rec:
            results, (root, ex) = csw.search(csw.get_records_params(startPosition=str(start), maxRecords=str(size)))
            rec.require(results is not None, f"{ex.describe()} : pas de csw:GetRecordsResponse"
                        + (f" (exception {exception_codes(root)})" if exception_codes(root) is not None else ""))
            assert results is not None
            for problem in results.problems:
                rec.fail(problem)
            count = len(results.records)
            expected = max(0, min(size, matched - start + 1))
            rec.check(results.matched == matched,
                      f"numberOfRecordsMatched={results.matched}, {matched} annoncé par resultType=hits")
            rec.check(results.returned == count, f"numberOfRecordsReturned={results.returned} mais {count} fiches")
            rec.check(count <= size, f"{count} fiches renvoyées pour maxRecords={size}")
            rec.check(count == expected, f"{count} fiches renvoyées, {expected} attendues "
                      f"({matched} correspondent, à partir de {start})")
            following = start + count
            want_next = following if following <= matched else 0
            rec.check(results.next_record == want_next, f"nextRecord={results.next_record}, {want_next} attendu")


@conformance(
    "CSW-015",
    title="Un startPosition au-delà du dernier résultat donne une page vide et nextRecord=0",
    requirements=[spec("getrecords-paging"), spec("getrecords-response")],
    abstract_test=ets("GetRecords-tc22.1"),
    applies_to=CSW202,
)
def test_paging_past_the_end(csw: CswContext, verdict: Verdict) -> None:
    """GetRecords with startPosition greater than numberOfRecordsMatched SHALL return no record,
    numberOfRecordsReturned=0 and nextRecord=0 (no record remains)."""
    hits = csw.precondition_search(csw.get_records_params(resultType="hits"), "comptage (resultType=hits)",
                                 "CSW-010")
    if hits.matched is None:
        raise NotTested("numberOfRecordsMatched illisible (voir CSW-010)")
    start = hits.matched + 5
    with verdict.instance(f"startPosition={start}") as rec:
        results, (root, ex) = csw.search(csw.get_records_params(startPosition=str(start), maxRecords="3"))
        rec.require(results is not None, f"{ex.describe()} : pas de csw:GetRecordsResponse"
                    + (f" (exception {exception_codes(root)})" if exception_codes(root) is not None else ""))
        assert results is not None
        rec.check(not results.records, f"{len(results.records)} fiches renvoyées après la fin du résultat")
        rec.check(results.returned == 0, f"numberOfRecordsReturned={results.returned}, 0 attendu")
        rec.check(results.next_record == 0, f"nextRecord={results.next_record}, 0 attendu (plus aucune fiche)")


@conformance(
    "CSW-009",
    title="Parcourir toutes les pages donne chaque fiche une seule fois, sans répétition",
    requirements=[spec("getrecords-paging")],
    abstract_test=ets("GetRecords-tc22.1"),
    applies_to=CSW202,
)
def test_walk_all_pages(csw: CswContext, verdict: Verdict) -> None:
    """Following nextRecord from startPosition=1 to the end SHALL return each matching record exactly once:
    no identifier repeated. Whether the announced counts are right is CSW-008's."""
    with verdict.instance("GetRecords csw:Record") as rec:
        walk = csw.walk(csw.get_records_params())
        for issue in walk.issues:
            rec.fail(issue)
        rec.check(not walk.duplicates, f"{len(walk.duplicates)} fiches renvoyées plusieurs fois "
                  f"(ex. {sorted(set(walk.duplicates))[:5]})")
        missing_ids = sum(1 for i in walk.ids if not i)
        rec.check(not missing_ids, f"{missing_ids} fiches sans dc:identifier")
        if not walk.complete:
            rec.note(f"parcours incomplet ({walk.cut_reason or 'page en erreur'}) : {len(walk.ids)} fiches lues "
                     f"sur {walk.matched}")


@conformance(
    "CSW-010",
    title="resultType=hits et resultType=results annoncent le même nombre de fiches",
    requirements=[spec("getrecords-resulttype")],
    abstract_test=ets("GetRecords-tc1.1"),
    applies_to=CSW202,
)
def test_hits_and_results_agree(csw: CswContext, verdict: Verdict) -> None:
    """resultType=hits SHALL return no record and the same numberOfRecordsMatched as resultType=results, for
    the whole catalogue and for a constrained query."""
    queries: dict[str, dict[str, str]] = {"catalogue entier": {}}
    try:
        rid, title = csw.sample_records(limit=1)[0]
        word = csw.title_word(title)
        if word:
            queries[f"titre contenant « {word} »"] = {
                "constraintLanguage": "CQL_TEXT", "constraint_language_version": "1.1.0",
                "constraint": f"dc:title like '%{word}%'"}
    except NotTested:
        pass
    for label, extra in queries.items():
        with verdict.instance(label) as rec:
            hits, (root, ex) = csw.search(csw.get_records_params(resultType="hits", **extra))
            rec.require(hits is not None, f"resultType=hits : {ex.describe()} — "
                        + (f"exception {exception_codes(root)}" if exception_codes(root) is not None
                           else "pas de csw:GetRecordsResponse"))
            results, (root, ex) = csw.search(csw.get_records_params(maxRecords="1", **extra))
            rec.require(results is not None, f"resultType=results : {ex.describe()} — "
                        + (f"exception {exception_codes(root)}" if exception_codes(root) is not None
                           else "pas de csw:GetRecordsResponse"))
            assert hits is not None and results is not None
            rec.check(hits.matched is not None and hits.matched == results.matched,
                      f"hits : numberOfRecordsMatched={hits.matched}, results : {results.matched}")
            rec.check(not hits.records, f"resultType=hits renvoie {len(hits.records)} fiches (aucune attendue)")
            if hits.returned:
                rec.note(f"resultType=hits annonce numberOfRecordsReturned={hits.returned} sans renvoyer de fiche")


def _walk_matches(csw: CswContext, extra: dict[str, str]) -> tuple[list[str | None], dict[str, str], list[str]]:
    walk = csw.walk(csw.get_records_params(**extra))
    if walk.failed_page is not None:  # the paging of the answer fails (CSW-009's): the result set is unknown
        raise NotTested(f"résultat incomplet, {walk.failed_page} (pagination : voir CSW-009)")
    issues = list(walk.issues)
    if not walk.complete:
        issues.append(f"parcours incomplet : {walk.cut_reason or 'page en erreur'}")
    return walk.ids, walk.titles, issues


@conformance(
    "CSW-011",
    title="Une contrainte CQL_TEXT (titre, AnyText) est respectée : la fiche connue est trouvée, rien d'autre",
    requirements=[spec("getrecords-constraint"), spec("cql-text")],
    abstract_test=None,
    applies_to=CSW202,
)
def test_cql_constraint(csw: CswContext, verdict: Verdict) -> None:
    """With CONSTRAINTLANGUAGE=CQL_TEXT, ``dc:title like '%w%'`` (w a word of the title of a record read from
    the catalogue) SHALL return that record and only records whose title contains w; ``csw:AnyText like
    '%w%'`` SHALL also return that record."""
    for rid, title in csw.sample_records(verdict, limit=3):
        word = csw.title_word(title)
        with verdict.instance(f"fiche={rid}") as rec:
            if not word:
                raise NotTested(f"titre {title!r} sans mot de 5 lettres ou plus")
            for prop in ("dc:title", "csw:AnyText"):
                extra = {"constraintLanguage": "CQL_TEXT", "constraint_language_version": "1.1.0",
                         "constraint": f"{prop} like '%{word}%'"}
                results, (root, ex) = csw.search(csw.get_records_params(maxRecords="1", **extra))
                if not rec.check(results is not None, f"{prop} like '%{word}%' : {ex.describe()} — "
                                 + (f"exception {exception_codes(root)}" if exception_codes(root) is not None
                                    else "pas de csw:GetRecordsResponse")):
                    continue
                ids, titles, issues = _walk_matches(csw, extra)
                for issue in issues:
                    rec.note(f"{prop} : {issue}")
                rec.check(rid in ids, f"{prop} like '%{word}%' : la fiche {rid} (titre {title!r}) n'est pas renvoyée")
                if prop == "dc:title":
                    wrong = [i for i in ids if i and word.lower() not in titles.get(i, "").lower()]
                    rec.check(not wrong, f"dc:title like '%{word}%' : {len(wrong)} fiches dont le titre ne contient "
                              f"pas « {word} » (ex. {wrong[:5]})")


@conformance(
    "CSW-012",
    title="Un filtre OGC en KVP (CONSTRAINTLANGUAGE=FILTER) est respecté",
    requirements=[spec("getrecords-constraint"), spec("filter-encoding")],
    abstract_test=ets("GetRecords-tc19.1"),
    applies_to=CSW202,
)
def test_filter_constraint(csw: CswContext, verdict: Verdict) -> None:
    """With CONSTRAINTLANGUAGE=FILTER, PropertyIsEqualTo on dc:identifier SHALL return exactly that record, and
    PropertyIsLike on dc:title SHALL return it among records whose title contains the word only."""
    for rid, title in csw.sample_records(verdict, limit=3):
        with verdict.instance(f"fiche={rid}") as rec:
            equal = (f"<ogc:Filter {FILTER_NS}><ogc:PropertyIsEqualTo><ogc:PropertyName>dc:identifier"
                     f"</ogc:PropertyName><ogc:Literal>{escape(rid)}</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>")
            extra = {"constraintLanguage": "FILTER", "constraint_language_version": "1.1.0", "constraint": equal}
            results, (root, ex) = csw.search(csw.get_records_params(maxRecords="10", **extra))
            rec.require(results is not None, f"PropertyIsEqualTo dc:identifier : {ex.describe()} — "
                        + (f"exception {exception_codes(root)}" if exception_codes(root) is not None
                           else "pas de csw:GetRecordsResponse"))
            assert results is not None
            rec.check(results.ids == [rid], f"PropertyIsEqualTo dc:identifier={rid} : fiches {results.ids[:5]} "
                      f"(numberOfRecordsMatched={results.matched}), seule {rid} attendue")
            word = csw.title_word(title)
            if not word:
                rec.note(f"titre {title!r} sans mot de 5 lettres : PropertyIsLike non essayé")
                continue
            like = (f"<ogc:Filter {FILTER_NS}><ogc:PropertyIsLike wildCard=\"%\" singleChar=\"_\" escapeChar=\"\\\">"
                    f"<ogc:PropertyName>dc:title</ogc:PropertyName><ogc:Literal>%{escape(word)}%</ogc:Literal>"
                    "</ogc:PropertyIsLike></ogc:Filter>")
            extra = {"constraintLanguage": "FILTER", "constraint_language_version": "1.1.0", "constraint": like}
            first, (root, ex) = csw.search(csw.get_records_params(maxRecords="1", **extra))
            if not rec.check(first is not None, f"PropertyIsLike dc:title : {ex.describe()} — "
                             + (f"exception {exception_codes(root)}" if exception_codes(root) is not None
                                else "pas de csw:GetRecordsResponse")):
                continue
            ids, titles, issues = _walk_matches(csw, extra)
            for issue in issues:
                rec.note(f"PropertyIsLike : {issue}")
            rec.check(rid in ids, f"PropertyIsLike dc:title '%{word}%' : la fiche {rid} n'est pas renvoyée")
            wrong = [i for i in ids if i and word.lower() not in titles.get(i, "").lower()]
            rec.check(not wrong, f"PropertyIsLike dc:title '%{word}%' : {len(wrong)} fiches hors critère "
                      f"(ex. {wrong[:5]})")


@conformance(
    "CSW-013",
    title="GetRecordById en outputSchema ISO (gmd) renvoie la fiche demandée, même fileIdentifier",
    requirements=[spec("getrecordbyid"), spec("getrecordbyid-outputschema")],
    abstract_test=ets("GetRecordById-tc2.1"),
    applies_to=CSW202,
)
def test_get_record_by_id_iso(csw: CswContext, verdict: Verdict) -> None:
    """For records of the catalogue, GetRecordById with outputSchema=http://www.isotc211.org/2005/gmd and
    ElementSetName=full SHALL return exactly one gmd:MD_Metadata (or gmi:MI_Metadata) whose fileIdentifier is
    the identifier asked for."""
    caps = csw.capabilities()
    schemas = csw.parameter_values(caps, "GetRecordById", "outputSchema")
    if GMD_SCHEMA not in schemas:
        raise NotTested(f"GetRecordById n'annonce pas l'outputSchema {GMD_SCHEMA} (annoncés : {schemas})")
    limit = min(csw.budgets.max_features, csw.budgets.max_records)
    for rid, _ in csw.sample_records(verdict, limit=limit):
        with verdict.instance(f"fiche={rid}") as rec:
            ex = csw.kvp({"service": "CSW", "version": "2.0.2", "request": "GetRecordById", "id": rid,
                          "outputSchema": GMD_SCHEMA, "elementSetName": "full"})
            root = csw.parse(ex)
            rec.require(ex.status == 200 and root is not None, f"{ex.describe()} : réponse XML 200 attendue")
            rec.require(root.tag == f"{{{CSW_NS}}}GetRecordByIdResponse",
                        f"racine {local(root.tag)} : csw:GetRecordByIdResponse attendu"
                        + (f" (exception {exception_codes(root)})" if exception_codes(root) is not None else ""))
            children = [c for c in root if isinstance(c.tag, str)]
            iso = [c for c in children if c.tag in (f"{{{GMD_NS}}}MD_Metadata", f"{{{GMI_NS}}}MI_Metadata")]
            rec.require(len(children) == 1 and len(iso) == 1,
                        f"{len(children)} éléments dans la réponse ({[local(c.tag) for c in children][:3]}), "
                        "un seul gmd:MD_Metadata attendu")
            got = record_id(iso[0])
            rec.check(got == rid, f"fileIdentifier {got!r} au lieu de {rid!r}")
            rec.check(record_title(iso[0]), "fiche ISO sans titre (citation/title)")


@conformance(
    "CSW-014",
    title="GetRecordById avec un identifiant inconnu renvoie une réponse vide",
    requirements=[spec("getrecordbyid")],
    abstract_test=ets("GetRecordById-tc3.1"),
    applies_to=CSW202,
)
def test_get_record_by_id_unknown(csw: CswContext, verdict: Verdict) -> None:
    """GetRecordById for an identifier that matches no record SHALL return an empty csw:GetRecordByIdResponse."""
    for schema in (None, GMD_SCHEMA):
        with verdict.instance(f"outputSchema={schema or '(défaut)'}") as rec:
            params = {"service": "CSW", "version": "2.0.2", "request": "GetRecordById", "id": UNKNOWN_ID,
                      "elementSetName": "full"}
            if schema:
                params["outputSchema"] = schema
            ex = csw.kvp(params)
            root = csw.parse(ex)
            rec.require(ex.status == 200 and root is not None, f"{ex.describe()} : réponse XML 200 attendue")
            rec.require(root.tag == f"{{{CSW_NS}}}GetRecordByIdResponse",
                        f"racine {local(root.tag)} : csw:GetRecordByIdResponse vide attendu"
                        + (f" (exception {exception_codes(root)})" if exception_codes(root) is not None else ""))
            children = [local(c.tag) for c in root if isinstance(c.tag, str)]
            rec.check(not children, f"réponse non vide pour un identifiant inexistant : {children[:3]}")
