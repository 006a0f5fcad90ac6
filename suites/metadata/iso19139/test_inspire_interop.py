"""INSPIRE TG metadata 2.0, class 2: interoperability metadata for data sets and series (2.1 to 2.8)."""

from __future__ import annotations

from cicclo.declare import conformance
from cicclo.metadata.harvest import MetadataContext
from cicclo.metadata.uris import ISDSS, ats, req
from cicclo.verdict import Verdict


@conformance(
    "MD-IOP-001",
    title="Le système de référence de coordonnées est déclaré",
    requirements=[req("isdss/crs")],
    abstract_test=ats("isdss/crs"),
    applies_to=ISDSS,
)
def test_crs(suite_context: MetadataContext, verdict: Verdict) -> None:
    """The coordinate reference system SHALL be given (referenceSystemInfo/…/RS_Identifier)."""
    suite_context.run_check(verdict, "MD-IOP-001")


@conformance(
    "MD-IOP-002",
    title="Le système de référence est identifié par une URI (http ou urn) ou un code avec espace de codes",
    requirements=[req("isdss/crs-id")],
    abstract_test=ats("isdss/crs-id"),
    applies_to=ISDSS,
)
def test_crs_id(suite_context: MetadataContext, verdict: Verdict) -> None:
    """TG Requirement 2.1: "The gmd:codeSpace child element shall be used if the code alone does not uniquely
    identify the referred coordinate reference system": a URI (http, or URN such as urn:ogc:def:crs:EPSG::2154) or a
    code with a codeSpace."""
    suite_context.run_check(verdict, "MD-IOP-002")


@conformance(
    "MD-IOP-003",
    title="Un référentiel temporel non grégorien est déclaré",
    requirements=[req("isdss/temportal-rs")],
    abstract_test=ats("isdss/temportal-rs"),
    applies_to=ISDSS,
)
def test_temporal_reference_system(suite_context: MetadataContext, verdict: Verdict) -> None:
    """A temporal reference system other than the Gregorian calendar SHALL be declared (the TG URI keeps its typo
    'temportal')."""
    suite_context.run_check(verdict, "MD-IOP-003")


@conformance(
    "MD-IOP-004",
    title="Le type de représentation spatiale est donné (liste ISO)",
    requirements=[req("isdss/spatial-representation-type")],
    abstract_test=ats("isdss/spatial-representation-type"),
    applies_to=ISDSS,
)
def test_spatial_representation_type(suite_context: MetadataContext, verdict: Verdict) -> None:
    """The spatial representation type SHALL be given from MD_SpatialRepresentationTypeCode."""
    suite_context.run_check(verdict, "MD-IOP-004")


@conformance(
    "MD-IOP-005",
    title="L'encodage des caractères, s'il est donné, vient de MD_CharacterSetCode",
    requirements=[req("isdss/character-encoding")],
    abstract_test=ats("isdss/character-encoding"),
    applies_to=ISDSS,
)
def test_character_encoding(suite_context: MetadataContext, verdict: Verdict) -> None:
    """The character encoding, when not UTF-8, SHALL be given from MD_CharacterSetCode."""
    suite_context.run_check(verdict, "MD-IOP-005")


@conformance(
    "MD-IOP-006",
    title="L'encodage des données (format et version) est déclaré",
    requirements=[req("isdss/data-encoding")],
    abstract_test=ats("isdss/data-encoding"),
    applies_to=ISDSS,
)
def test_data_encoding(suite_context: MetadataContext, verdict: Verdict) -> None:
    """The data encoding SHALL be given as distributionFormat/MD_Format with a name and a version."""
    suite_context.run_check(verdict, "MD-IOP-006")


@conformance(
    "MD-IOP-007",
    title="Les résultats quantitatifs de cohérence topologique ont une valeur et une unité",
    requirements=[req("isdss/topological-consistency-quantitative-results")],
    abstract_test=ats("isdss/topological-consistency-quantitative-results"),
    applies_to=ISDSS,
)
def test_topological_quantitative(suite_context: MetadataContext, verdict: Verdict) -> None:
    """Quantitative topological consistency results SHALL have a value and a unit."""
    suite_context.run_check(verdict, "MD-IOP-007")


@conformance(
    "MD-IOP-008",
    title="Les résultats descriptifs de cohérence topologique citent une spécification et s'expliquent",
    requirements=[req("isdss/topological-consistency-descriptive-results")],
    abstract_test=ats("isdss/topological-consistency-descriptive-results"),
    applies_to=ISDSS,
)
def test_topological_descriptive(suite_context: MetadataContext, verdict: Verdict) -> None:
    """Descriptive topological consistency results SHALL cite a specification and give an explanation."""
    suite_context.run_check(verdict, "MD-IOP-008")
