"""INSPIRE TG metadata 2.0, classes 3 (spatial data services), 4 (network services), 5 (invocable SDS)."""

from __future__ import annotations

from cicclo.declare import conformance
from cicclo.metadata.harvest import MetadataContext
from cicclo.metadata.uris import NS, NS_MONITORING, SDS, SDS_INVOCABLE, ats, req
from cicclo.verdict import Verdict


@conformance(
    "MD-SDS-001",
    title="Le type de ressource est service",
    requirements=[req("sds/resource-type")],
    abstract_test=ats("sds/resource-type"),
    applies_to=SDS,
)
def test_sds_resource_type(suite_context: MetadataContext, verdict: Verdict) -> None:
    """The resource type SHALL be given once as gmd:hierarchyLevel service."""
    suite_context.run_check(verdict, "MD-SDS-001")


@conformance(
    "MD-SDS-002",
    title="La fiche a exactement une identification srv:SV_ServiceIdentification",
    requirements=[req("sds/service-identification-element")],
    abstract_test=ats("sds/service-identification-element"),
    applies_to=SDS,
)
def test_sds_service_identification(suite_context: MetadataContext, verdict: Verdict) -> None:
    """There SHALL be exactly one srv:SV_ServiceIdentification."""
    suite_context.run_check(verdict, "MD-SDS-002")


@conformance(
    "MD-SDS-003",
    title="La résolution spatiale du service, si elle est donnée, est une échelle ou une distance",
    requirements=[req("sds/spatial-resolution")],
    abstract_test=ats("sds/spatial-resolution"),
    applies_to=SDS,
)
def test_sds_spatial_resolution(suite_context: MetadataContext, verdict: Verdict) -> None:
    """Spatial resolution of a service, where given, SHALL be an equivalent scale or a distance with a unit."""
    suite_context.run_check(verdict, "MD-SDS-003")


@conformance(
    "MD-SDS-004",
    title="Le service a un mot-clé de catégorie (SpatialDataServiceCategory)",
    requirements=[req("sds/sds-category")],
    abstract_test=ats("sds/sds-category"),
    applies_to=SDS,
)
def test_sds_category(suite_context: MetadataContext, verdict: Verdict) -> None:
    """At least one keyword SHALL give the service category from SpatialDataServiceCategory (ISO 19119)."""
    suite_context.run_check(verdict, "MD-SDS-004")


@conformance(
    "MD-SDS-005",
    title="Le type de service est une valeur de SpatialDataServiceType",
    requirements=[req("sds/sds-type")],
    abstract_test=ats("sds/sds-type"),
    applies_to=SDS,
)
def test_sds_type(suite_context: MetadataContext, verdict: Verdict) -> None:
    """srv:serviceType/gco:LocalName SHALL be a SpatialDataServiceType value."""
    suite_context.run_check(verdict, "MD-SDS-005")


@conformance(
    "MD-SDS-006",
    title="Un service de consultation ou de téléchargement désigne ses ressources couplées (srv:operatesOn)",
    requirements=[req("sds/coupled-resource")],
    abstract_test=ats("sds/coupled-resource"),
    applies_to=SDS,
)
def test_sds_coupled_resource(suite_context: MetadataContext, verdict: Verdict) -> None:
    """A view or download service SHALL give its coupled resources as srv:operatesOn with xlink:href to the data set
    record."""
    suite_context.run_check(verdict, "MD-SDS-006")


@conformance(
    "MD-SDS-007",
    title="Les localisateurs du service sont des URL http(s)",
    requirements=[req("sds/resource-locator")],
    abstract_test=ats("sds/resource-locator"),
    applies_to=SDS,
)
def test_sds_resource_locator(suite_context: MetadataContext, verdict: Verdict) -> None:
    """Resource locators of a service, where given, SHALL be absolute http(s) URLs."""
    suite_context.run_check(verdict, "MD-SDS-007")


@conformance(
    "MD-SDS-008",
    title="La fiche de service a exactement un élément de qualité de portée service",
    requirements=[req("sds/only-one-dq-element")],
    abstract_test=ats("sds/only-one-dq-element"),
    applies_to=SDS,
)
def test_sds_only_one_dq(suite_context: MetadataContext, verdict: Verdict) -> None:
    """There SHALL be exactly one DQ_DataQuality with scope service."""
    suite_context.run_check(verdict, "MD-SDS-008")


@conformance(
    "MD-NS-001",
    title="Un service en réseau a le type discovery, view, download, transformation ou invoke",
    requirements=[req("ns/sds-type")],
    abstract_test=ats("ns/sds-type"),
    applies_to=NS,
)
def test_ns_type(suite_context: MetadataContext, verdict: Verdict) -> None:
    """The service type of a network service SHALL be discovery, view, download, transformation or invoke."""
    suite_context.run_check(verdict, "MD-NS-001")


@conformance(
    "MD-NSM-001",
    title="Un service en réseau déclare sa conformité au règlement (CE) n° 976/2009 (suivi)",
    requirements=[ats("ns-monitoring/ns-conformity")],
    abstract_test=ats("ns-monitoring/ns-conformity"),
    applies_to=NS_MONITORING,
)
def test_nsm_conformity(suite_context: MetadataContext, verdict: Verdict) -> None:
    """Validator class 4b (monitoring of network services): the record SHALL include the degree of conformity with
    the implementing rules for network services, a DQ_ConformanceResult citing Regulation (EC) No 976/2009."""
    suite_context.run_check(verdict, "MD-NSM-001")


@conformance(
    "MD-SDSI-001",
    title="Un service invocable a le type other",
    requirements=[req("sds-invocable/sds-type")],
    abstract_test=ats("sds-invocable/sds-type"),
    applies_to=SDS_INVOCABLE,
)
def test_sdsi_type(suite_context: MetadataContext, verdict: Verdict) -> None:
    """An invocable spatial data service SHALL have the service type other."""
    suite_context.run_check(verdict, "MD-SDSI-001")


@conformance(
    "MD-SDSI-002",
    title="Un service invocable donne un point d'accès (OnLineDescriptionCode accessPoint)",
    requirements=[req("sds-invocable/access-point")],
    abstract_test=ats("sds-invocable/access-point"),
    applies_to=SDS_INVOCABLE,
)
def test_sdsi_access_point(suite_context: MetadataContext, verdict: Verdict) -> None:
    """An invocable SDS SHALL give at least one access point described by OnLineDescriptionCode accessPoint."""
    suite_context.run_check(verdict, "MD-SDSI-002")


@conformance(
    "MD-SDSI-003",
    title="Un service invocable déclare sa conformité au règlement 1089/2010 modifié",
    requirements=[req("sds-invocable/conformity")],
    abstract_test=ats("sds-invocable/conformity"),
    applies_to=SDS_INVOCABLE,
)
def test_sdsi_conformity(suite_context: MetadataContext, verdict: Verdict) -> None:
    """An invocable SDS SHALL declare conformity to Regulation (EU) No 1089/2010 as amended."""
    suite_context.run_check(verdict, "MD-SDSI-003")


@conformance(
    "MD-SDSI-005",
    title="Un service invocable déclare sa conformité à une spécification technique",
    requirements=[req("sds-invocable/conformity-to-technical-specifications")],
    abstract_test=ats("sds-invocable/conformity-to-technical-specifications"),
    applies_to=SDS_INVOCABLE,
)
def test_sdsi_technical_specification(suite_context: MetadataContext, verdict: Verdict) -> None:
    """An invocable SDS SHALL declare conformity to the technical specification(s) it implements."""
    suite_context.run_check(verdict, "MD-SDSI-005")


@conformance(
    "MD-SDSI-006",
    title="Un service invocable déclare sa catégorie (invocable, interopérable, harmonisé) par une conformité",
    requirements=[req("sds-invocable/sds-category")],
    abstract_test=ats("sds-invocable/sds-category"),
    applies_to=SDS_INVOCABLE,
)
def test_sdsi_category_declared(suite_context: MetadataContext, verdict: Verdict) -> None:
    """An invocable SDS SHALL declare its category by a conformity report citing the TG 2.0 conformance class
    of that category (sds-invocable, sds-interoperable or sds-harmonised), its title an Anchor to the class.
    Replaces MD-SDSI-004, which looked for the ISO 19119 classification keyword (that is MD-SDS-004)."""
    suite_context.run_check(verdict, "MD-SDSI-006")
