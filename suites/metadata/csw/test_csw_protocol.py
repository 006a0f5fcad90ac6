"""CSW 2.0.2: capabilities, KVP encoding and exception reports (GET only)."""

from __future__ import annotations

from typing import Any

from cicclo.classes import CSW202
from cicclo.csw.context import CSW_SCHEMA, VERSION, XML_TYPES, CswContext, exception_codes, local
from cicclo.csw.uris import CSW_NS, NS, ets, spec
from cicclo.declare import conformance
from cicclo.errors import NotTested
from cicclo.http import Exchange
from cicclo.verdict import InstanceRecorder, Verdict

MANDATORY_OPERATIONS = ("GetCapabilities", "DescribeRecord", "GetRecords", "GetRecordById")


def _expect_exception(rec: InstanceRecorder, csw: CswContext, ex: Exchange, code: str, what: str) -> None:
    """The response SHALL be an ows:ExceptionReport carrying ``code``."""
    root = csw.parse(ex)
    codes = exception_codes(root)
    rec.require(codes is not None, f"{what} : {ex.describe()} — pas de ows:ExceptionReport"
                + (f" (racine {local(root.tag)})" if root is not None else " (corps non XML)"))
    assert codes is not None
    rec.check(code in codes, f"{what} : code(s) d'exception {codes}, {code} attendu")
    rec.check(ex.status is not None and ex.status < 500, f"{what} : statut HTTP {ex.status} (erreur serveur)")


@conformance(
    "CSW-001",
    title="GetCapabilities en GET (KVP) renvoie un document csw:Capabilities 2.0.2 en XML",
    requirements=[spec("getcapabilities"), spec("kvp-encoding")],
    abstract_test=ets("GetCapabilities-tc1.1"),
    applies_to=CSW202,
)
def test_get_capabilities(csw: CswContext, verdict: Verdict) -> None:
    """GET ?service=CSW&request=GetCapabilities&acceptversions=2.0.2 SHALL return csw:Capabilities, version
    2.0.2, with an XML media type, and its ServiceTypeVersion SHALL list 2.0.2."""
    with verdict.instance("GetCapabilities") as rec:
        ex = csw.capabilities_exchange()
        rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")
        rec.check(ex.media_type in XML_TYPES, f"Content-Type {ex.content_type!r} : application/xml attendu")
        root = csw.parse(ex)
        rec.require(root is not None, "corps non XML")
        rec.require(root.tag == f"{{{CSW_NS}}}Capabilities", f"racine {root.tag} : csw:Capabilities attendu")
        rec.check(root.get("version") == VERSION, f"version={root.get('version')!r}, {VERSION} attendu")
        versions = [(v.text or "").strip() for v in root.iterfind(
            "ows:ServiceIdentification/ows:ServiceTypeVersion", NS)]
        rec.check(VERSION in versions, f"ServiceTypeVersion {versions} : {VERSION} attendu")
        for section in ("ServiceIdentification", "OperationsMetadata", "Filter_Capabilities"):
            found = root.find(f"ows:{section}", NS) if section != "Filter_Capabilities" else root.find(
                "ogc:Filter_Capabilities", NS)
            rec.check(found is not None, f"section {section} absente des capacités complètes")


@conformance(
    "CSW-002",
    title="Les capacités déclarent les opérations obligatoires en GET, les schémas de sortie et typeNames",
    requirements=[spec("getcapabilities-operationsmetadata"), spec("getrecords")],
    abstract_test=ets("GetCapabilities-tc1.2"),
    applies_to=CSW202,
)
def test_operations_declared(csw: CswContext, verdict: Verdict) -> None:
    """OperationsMetadata SHALL declare GetCapabilities, DescribeRecord, GetRecords and GetRecordById, each with
    an HTTP GET endpoint; GetRecords SHALL declare the csw:Record output schema and typeName."""
    caps = csw.capabilities()
    for name in MANDATORY_OPERATIONS:
        with verdict.instance(f"operation={name}") as rec:
            op = csw.operation(caps, name)
            rec.require(op is not None, f"opération {name} non déclarée")
            gets = [g.get(f"{{{NS['xlink']}}}href") for g in op.iterfind("ows:DCP/ows:HTTP/ows:Get", NS)]
            rec.check(any(gets), f"{name} : aucun point d'accès HTTP GET (ows:DCP/ows:HTTP/ows:Get/@xlink:href)")
            if name == "GetRecords":
                schemas = csw.parameter_values(caps, name, "outputSchema")
                rec.check(CSW_SCHEMA in schemas, f"outputSchema {schemas} : {CSW_SCHEMA} attendu")
                types = csw.parameter_values(caps, name, "typeNames") + csw.parameter_values(caps, name, "typeName")
                rec.check(types, "GetRecords : paramètre typeNames non déclaré")


def _records_of(results: Any) -> list[Any]:
    return results.records if results is not None else []


@conformance(
    "CSW-003",
    title="Chaque outputSchema annoncé pour GetRecords fonctionne réellement",
    requirements=[spec("getrecords-outputschema"), spec("getcapabilities-operationsmetadata")],
    abstract_test=None,
    applies_to=CSW202,
)
def test_output_schemas_work(csw: CswContext, verdict: Verdict) -> None:
    """For each outputSchema value GetRecords advertises, GetRecords with that outputSchema SHALL return a
    csw:GetRecordsResponse (no exception) whose recordSchema is the schema asked for, with records, and as
    many matches as the same query in the csw:Record schema."""
    caps = csw.capabilities()
    schemas = csw.parameter_values(caps, "GetRecords", "outputSchema")
    if not schemas:
        raise NotTested("aucun outputSchema annoncé pour GetRecords (vérifié par CSW-002)")
    type_names = csw.parameter_values(caps, "GetRecords", "typeNames")
    for schema in schemas:
        with verdict.instance(f"outputSchema={schema}") as rec:
            params = csw.get_records_params(outputSchema=schema, maxRecords="2", elementSetName="full")
            if schema != CSW_SCHEMA and "gmd:MD_Metadata" in type_names and schema.startswith(
                    "http://www.isotc211.org/"):
                params["typeNames"] = "gmd:MD_Metadata"
            results, (root, ex) = csw.search(params)
            codes = exception_codes(root)
            rec.require(results is not None, f"{ex.describe()} : "
                        + (f"exception {codes}" if codes is not None else "pas de csw:GetRecordsResponse"))
            assert results is not None
            for problem in results.problems:
                rec.fail(problem)
            rec.check(results.record_schema in (None, schema),
                      f"recordSchema={results.record_schema!r} au lieu de {schema!r}")
            if results.matched and not results.records:
                rec.fail(f"{results.matched} fiches correspondent mais aucune n'est renvoyée dans ce schéma")
            if schema != CSW_SCHEMA:  # the output schema changes the representation, never the result set
                same = csw.precondition_search({**params, "outputSchema": CSW_SCHEMA, "resultType": "hits"},
                                               "même requête en outputSchema csw:Record", "CSW-010")
                rec.check(same.matched == results.matched,
                          f"numberOfRecordsMatched={results.matched} dans ce schéma mais {same.matched} pour la même "
                          "requête en csw:Record")


@conformance(
    "CSW-004",
    title="Les noms des paramètres KVP ne dépendent pas de la casse",
    requirements=[spec("kvp-encoding")],
    abstract_test=ets("GetCapabilities-tc4.1"),
    applies_to=CSW202,
)
def test_kvp_case_insensitive(csw: CswContext, verdict: Verdict) -> None:
    """Parameter names in KVP encoding SHALL be handled case-insensitively (values keep their case)."""
    variants = {
        "GetCapabilities en majuscules": {"SERVICE": "CSW", "REQUEST": "GetCapabilities", "ACCEPTVERSIONS": VERSION},
        "GetCapabilities en casse mixte": {"SeRvIcE": "CSW", "rEqUeSt": "GetCapabilities",
                                           "AcceptVersions": VERSION},
    }
    for label, params in variants.items():
        with verdict.instance(label) as rec:
            ex = csw.kvp(params)
            root = csw.parse(ex)
            rec.check(ex.status == 200 and root is not None and root.tag == f"{{{CSW_NS}}}Capabilities",
                      f"{ex.describe()} : csw:Capabilities attendu"
                      + (f" (exception {exception_codes(root)})" if exception_codes(root) is not None else ""))
    with verdict.instance("GetRecords en majuscules") as rec:
        upper = {k.upper(): v for k, v in csw.get_records_params(maxRecords="1").items()}
        results, (root, ex) = csw.search(upper)
        rec.check(results is not None, f"{ex.describe()} : csw:GetRecordsResponse attendu"
                  + (f" (exception {exception_codes(root)})" if exception_codes(root) is not None else ""))


@conformance(
    "CSW-005",
    title="Une version non prise en charge donne l'exception VersionNegotiationFailed",
    requirements=[spec("version-negotiation"), spec("exceptions")],
    abstract_test=ets("GetCapabilities-tc1.3"),
    applies_to=CSW202,
)
def test_version_negotiation(csw: CswContext, verdict: Verdict) -> None:
    """GetCapabilities with AcceptVersions listing only unsupported versions SHALL return an
    ows:ExceptionReport with code VersionNegotiationFailed."""
    with verdict.instance("acceptversions=0.0.1") as rec:
        ex = csw.kvp({"service": "CSW", "request": "GetCapabilities", "acceptversions": "0.0.1"})
        _expect_exception(rec, csw, ex, "VersionNegotiationFailed", "GetCapabilities acceptversions=0.0.1")


@conformance(
    "CSW-006",
    title="Un paramètre obligatoire manquant donne l'exception MissingParameterValue",
    requirements=[spec("exceptions"), spec("kvp-encoding")],
    abstract_test=ets("GetCapabilities-tc2.1"),
    applies_to=CSW202,
)
def test_missing_parameter(csw: CswContext, verdict: Verdict) -> None:
    """A request lacking a mandatory parameter SHALL return an ows:ExceptionReport with code
    MissingParameterValue (GetCapabilities without service; GetRecordById without id)."""
    cases = {
        "GetCapabilities sans service": {"request": "GetCapabilities", "acceptversions": VERSION},
        "GetRecordById sans id": {"service": "CSW", "version": VERSION, "request": "GetRecordById"},
    }
    for label, params in cases.items():
        with verdict.instance(label) as rec:
            _expect_exception(rec, csw, csw.kvp(params), "MissingParameterValue", label)


@conformance(
    "CSW-007",
    title="Une valeur de paramètre invalide donne l'exception InvalidParameterValue",
    requirements=[spec("exceptions"), spec("getrecords-outputschema")],
    abstract_test=ets("GetCapabilities-tc3.1"),
    applies_to=CSW202,
)
def test_invalid_parameter(csw: CswContext, verdict: Verdict) -> None:
    """A request with an invalid parameter value SHALL return an ows:ExceptionReport with code
    InvalidParameterValue (service=NOT_CSW; GetRecords with an unknown outputSchema, ets GetRecords-tc26.1)."""
    cases = {
        "GetCapabilities service=NOT_CSW": {"service": "NOT_CSW", "request": "GetCapabilities",
                                            "acceptversions": VERSION},
        "GetRecords outputSchema inconnu": csw.get_records_params(outputSchema="urn:cicclo:schema-inconnu"),
    }
    for label, params in cases.items():
        with verdict.instance(label) as rec:
            _expect_exception(rec, csw, csw.kvp(params), "InvalidParameterValue", label)
