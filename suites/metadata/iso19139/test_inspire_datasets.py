"""INSPIRE TG metadata 2.0, class 1: baseline metadata for data sets and series (1.1 to 1.11, strict 1.3)."""

from __future__ import annotations

from cicclo.declare import conformance
from cicclo.metadata.harvest import MetadataContext
from cicclo.metadata.uris import DATASETS, ats, req
from cicclo.verdict import Verdict


@conformance(
    "MD-DS-001",
    title="Le type de ressource est dataset ou series",
    requirements=[req("datasets-and-series/resource-type")],
    abstract_test=ats("datasets-and-series/resource-type"),
    applies_to=DATASETS,
)
def test_resource_type(suite_context: MetadataContext, verdict: Verdict) -> None:
    """The resource type SHALL be given once as gmd:hierarchyLevel dataset or series."""
    suite_context.run_check(verdict, "MD-DS-001")


@conformance(
    "MD-DS-002",
    title="La fiche a exactement une identification MD_DataIdentification",
    requirements=[req("datasets-and-series/only-one-md-data-identification")],
    abstract_test=ats("datasets-and-series/only-one-md-data-identification"),
    applies_to=DATASETS,
)
def test_only_one_data_identification(suite_context: MetadataContext, verdict: Verdict) -> None:
    """There SHALL be exactly one gmd:identificationInfo/gmd:MD_DataIdentification."""
    suite_context.run_check(verdict, "MD-DS-002")


@conformance(
    "MD-DS-003",
    title="La ressource a un identificateur unique",
    requirements=[req("datasets-and-series/dataset-uid")],
    abstract_test=ats("datasets-and-series/dataset-uid"),
    applies_to=DATASETS,
)
def test_dataset_uid(suite_context: MetadataContext, verdict: Verdict) -> None:
    """A unique resource identifier SHALL be given (citation/identifier/*/code)."""
    suite_context.run_check(verdict, "MD-DS-003")


@conformance(
    "MD-DS-103",
    title="L'identificateur de ressource unique est une URI (lecture stricte de la TG 1.3)",
    requirements=[req("datasets-and-series/dataset-uid")],
    abstract_test=None,
    applies_to=DATASETS,
)
def test_dataset_uid_uri(suite_context: MetadataContext, verdict: Verdict) -> None:
    """TG 1.3 says the identifier SHALL be a URI (namespace + code); the INSPIRE validator only checks presence, so
    this stricter check is separate."""
    suite_context.run_check(verdict, "MD-DS-103")


@conformance(
    "MD-DS-004",
    title="Au moins un mot-clé est un thème INSPIRE du thésaurus « GEMET - INSPIRE themes, version 1.0 »",
    requirements=[req("datasets-and-series/inspire-theme-keyword")],
    abstract_test=ats("datasets-and-series/inspire-theme-keyword"),
    applies_to=DATASETS,
)
def test_inspire_theme_keyword(suite_context: MetadataContext, verdict: Verdict) -> None:
    """At least one keyword SHALL come from the thesaurus titled exactly "GEMET - INSPIRE themes, version 1.0"
    (2008-06-01)."""
    suite_context.run_check(verdict, "MD-DS-004")


@conformance(
    "MD-DS-005",
    title="La résolution spatiale, si elle est donnée, est une échelle ou une distance avec unité",
    requirements=[req("datasets-and-series/spatial-resolution")],
    abstract_test=ats("datasets-and-series/spatial-resolution"),
    applies_to=DATASETS,
)
def test_spatial_resolution(suite_context: MetadataContext, verdict: Verdict) -> None:
    """Spatial resolution, where given, SHALL be an equivalent scale (integer) or a distance with a unit."""
    suite_context.run_check(verdict, "MD-DS-005")


@conformance(
    "MD-DS-006",
    title="La langue de la ressource est un code ISO 639-2/B (gmd:LanguageCode)",
    requirements=[req("datasets-and-series/resource-language")],
    abstract_test=ats("datasets-and-series/resource-language"),
    applies_to=DATASETS,
)
def test_resource_language(suite_context: MetadataContext, verdict: Verdict) -> None:
    """The resource language SHALL be given as gmd:LanguageCode with an ISO 639-2/B code (zxx when no text)."""
    suite_context.run_check(verdict, "MD-DS-006")


@conformance(
    "MD-DS-007",
    title="La ressource a au moins une catégorie thématique ISO",
    requirements=[req("datasets-and-series/topic-category")],
    abstract_test=ats("datasets-and-series/topic-category"),
    applies_to=DATASETS,
)
def test_topic_category(suite_context: MetadataContext, verdict: Verdict) -> None:
    """At least one ISO 19115 topic category SHALL be given."""
    suite_context.run_check(verdict, "MD-DS-007")


@conformance(
    "MD-DS-108",
    title="Les localisateurs de ressource donnés sont des URL http(s) (aucun exigé sans accès en ligne)",
    requirements=[req("datasets-and-series/resource-locator")],
    abstract_test=ats("datasets-and-series/resource-locator"),
    applies_to=DATASETS,
)
def test_resource_locator(suite_context: MetadataContext, verdict: Verdict) -> None:
    """TG Requirement 1.8: a resource locator SHALL be given "if such online access is available" (multiplicity
    0..n), as gmd:linkage/gmd:URL: each one given SHALL be an absolute http(s) URL; none is not applicable. Replaces
    MD-DS-008, which failed a record without locator."""
    suite_context.run_check(verdict, "MD-DS-108")


@conformance(
    "MD-DS-009",
    title="La fiche a exactement un élément de qualité de portée jeu ou série",
    requirements=[req("datasets-and-series/one-data-quality-element")],
    abstract_test=ats("datasets-and-series/one-data-quality-element"),
    applies_to=DATASETS,
)
def test_one_data_quality_element(suite_context: MetadataContext, verdict: Verdict) -> None:
    """There SHALL be exactly one DQ_DataQuality whose scope is the data set or series."""
    suite_context.run_check(verdict, "MD-DS-009")


@conformance(
    "MD-DS-010",
    title="La conformité au règlement (UE) n° 1089/2010 est déclarée",
    requirements=[req("datasets-and-series/conformity")],
    abstract_test=ats("datasets-and-series/conformity"),
    applies_to=DATASETS,
)
def test_conformity(suite_context: MetadataContext, verdict: Verdict) -> None:
    """A conformity statement to Regulation (EU) No 1089/2010 SHALL be given (even if not evaluated)."""
    suite_context.run_check(verdict, "MD-DS-010")


@conformance(
    "MD-DS-011",
    title="La généalogie de la ressource est renseignée",
    requirements=[req("datasets-and-series/lineage")],
    abstract_test=ats("datasets-and-series/lineage"),
    applies_to=DATASETS,
)
def test_lineage(suite_context: MetadataContext, verdict: Verdict) -> None:
    """Lineage SHALL be given (LI_Lineage/statement)."""
    suite_context.run_check(verdict, "MD-DS-011")
