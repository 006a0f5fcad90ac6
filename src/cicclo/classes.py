"""Conformance classes the suites know, keyed by their official URI.

A declaration whose ``applies_to`` is not listed here is rejected at collection time, so that a typo
can never turn into a silent NOT_APPLICABLE.
"""

from __future__ import annotations

from dataclasses import dataclass

OAPIF1 = "http://www.opengis.net/spec/ogcapi-features-1/1.0"
OAPIF1_DRAFT_1_1 = "http://www.opengis.net/spec/ogcapi-features-1/1.1"


@dataclass(frozen=True)
class ConformanceClass:
    uri: str
    suite: str
    code: str
    title_fr: str
    standard: str
    always_applicable: bool = False

    @property
    def informative_uris(self) -> tuple[str, ...]:
        """URIs that also declare this class, for information only (e.g. a 1.1 draft URI)."""
        if self.uri.startswith(OAPIF1 + "/"):
            return (OAPIF1_DRAFT_1_1 + self.uri[len(OAPIF1):],)
        return ()


_PART1 = "OGC API - Features - Part 1: Core 1.0.1 (OGC 17-069r4)"
INSPIRE_OAPIF = "http://inspire.ec.europa.eu/id/spec/oapif-download/1.0"
_INSPIRE_OAPIF = "INSPIRE – Bonne pratique : service de téléchargement fondé sur OGC API Features (1.0)"
CSW202 = "http://www.opengis.net/cat/csw/2.0.2"
_CSW = "OGC Catalogue Services 2.0.2 – liaison HTTP (OGC 07-006r1), profil ISO AP 1.0 (OGC 07-045)"
INSPIRE_DISCOVERY = "http://inspire.ec.europa.eu/id/ats/discovery-service/review-ats-csw-3.1/csw-iso-ap"
_INSPIRE_DS = "INSPIRE – Service de découverte CSW (ATS, csw-iso-ap)"
OAREC1 = "http://www.opengis.net/spec/ogcapi-records-1/1.0"
_OAREC = "OGC API - Records - Part 1: Core 1.0 (OGC 20-004r1)"
INSPIRE_MD = "http://inspire.ec.europa.eu/id/ats/metadata/2.0"
_INSPIRE_MD = ("INSPIRE – Guide technique métadonnées ISO 19139, TG 2.2.1 du 2025-01-31 (identifiants d'exigences "
               "metadata/2.0, inchangés depuis TG 2.0)")
_INSPIRE_MD_VALIDATOR = "INSPIRE – Validateur de référence v2025.1, classe 4b (suivi des services en réseau)"
CNIG_MD = "https://cnig.gouv.fr/IMG/pdf/guide-de-saisie-des-elements-de-metadonnees-inspire-v2.0-1.pdf"
_CNIG = "CNIG – Guide de saisie des éléments de métadonnées INSPIRE v2.0 (2019)"
DCAT_AP3 = "https://semiceu.github.io/DCAT-AP/releases/3.0.1/"
_DCAT = "DCAT-AP 3.0.1 (formes SHACL)"
PROCONNECT_OP = "https://openid.net/specs/openid-connect-discovery-1_0.html"
PROCONNECT_RP = "https://partenaires.proconnect.gouv.fr/docs/fournisseur-service/implementation_technique"
PROCONNECT_RP_LAB = "https://openid.net/specs/openid-connect-core-1_0.html"
_PC = "ProConnect – documentation fournisseurs de service, OpenID Connect Core 1.0 et Discovery 1.0"

KNOWN_CLASSES: dict[str, ConformanceClass] = {
    c.uri: c
    for c in (
        ConformanceClass(f"{OAPIF1}/conf/core", "oapif", "CORE", "Cœur (Core)", _PART1, always_applicable=True),
        ConformanceClass(f"{OAPIF1}/conf/geojson", "oapif", "GEOJSON", "Encodage GeoJSON", _PART1),
        ConformanceClass(f"{OAPIF1}/conf/gmlsf0", "oapif", "GMLSF0", "Encodage GML Simple Features niveau 0", _PART1),
        ConformanceClass(f"{OAPIF1}/conf/gmlsf2", "oapif", "GMLSF2", "Encodage GML Simple Features niveau 2", _PART1),
        ConformanceClass(f"{OAPIF1}/conf/html", "oapif", "HTML", "Encodage HTML", _PART1),
        ConformanceClass(f"{OAPIF1}/conf/oas30", "oapif", "OAS30", "Définition OpenAPI 3.0", _PART1),
        ConformanceClass(f"{INSPIRE_OAPIF}/conf/pre-defined", "oapif", "INSPIRE-DL",
                         "INSPIRE : téléchargement de jeux prédéfinis (métadonnées et licence)", _INSPIRE_OAPIF),
        ConformanceClass(CSW202, "csw", "CSW", "Service de catalogue CSW 2.0.2", _CSW),
        ConformanceClass(INSPIRE_DISCOVERY, "csw", "INSPIRE-DS", "INSPIRE : service de découverte", _INSPIRE_DS),
        *(ConformanceClass(f"{OAREC1}/conf/{code}", "records", code.upper(), title, _OAREC) for code, title in (
            ("record-core", "Fiche (cœur)"),
            ("record-collection", "Collection de fiches"),
            ("record-core-query-parameters", "Paramètres de requête des fiches"),
            ("records-api", "API de fiches"),
            ("sorting", "Tri"),
            ("json", "Encodage JSON"),
            ("html", "Encodage HTML"),
            ("oas30", "Définition OpenAPI 3.0"),
            ("searchable-catalog", "Catalogue interrogeable"),
            ("autodiscovery", "Découverte automatique du catalogue"),
        )),
        *(ConformanceClass(f"{INSPIRE_MD}/{code}", "metadata", tag, title, _INSPIRE_MD) for code, tag, title in (
            ("common", "INSPIRE-C", "Exigences communes des fiches ISO 19139"),
            ("datasets-and-series", "INSPIRE-DS1", "Jeux et séries de données : métadonnées de base"),
            ("isdss", "INSPIRE-DS2", "Jeux et séries de données : interopérabilité"),
            ("sds", "INSPIRE-SDS", "Services de données géographiques : métadonnées de base"),
            ("ns", "INSPIRE-NS", "Services en réseau"),
            ("sds-invocable", "INSPIRE-SDS5", "Services de données géographiques invocables"),
            ("linked-service-metadata", "INSPIRE-LS", "Services liés aux jeux de données"),
        )),
        ConformanceClass(f"{INSPIRE_MD}/ns-monitoring", "metadata", "INSPIRE-NSM",
                         "Services en réseau : métadonnées pour le suivi (monitoring)", _INSPIRE_MD_VALIDATOR),
        ConformanceClass(CNIG_MD, "metadata", "CNIG", "Règles nationales du CNIG", _CNIG),
        ConformanceClass(DCAT_AP3, "metadata", "DCAT-AP", "Conformité DCAT-AP 3.0.1", _DCAT),
        ConformanceClass(PROCONNECT_OP, "proconnect", "PC-OP", "Fournisseur d'identité (découverte et clés)", _PC),
        ConformanceClass(PROCONNECT_RP, "proconnect", "PC-RP", "Fournisseur de service, boîte noire", _PC),
        ConformanceClass(PROCONNECT_RP_LAB, "proconnect", "PC-RP-LAB",
                         "Fournisseur de service face au fournisseur d'identité de la suite", _PC),
    )
}


def declared_classes(conforms_to: list[str]) -> tuple[set[str], list[str]]:
    """Known classes declared by a ``conformsTo`` list, and notes on informative (draft) URIs used."""
    declared: set[str] = set()
    notes: list[str] = []
    given = set(conforms_to)
    for uri, cls in KNOWN_CLASSES.items():
        if uri in given:
            declared.add(uri)
            continue
        for alt in cls.informative_uris:
            if alt in given:
                declared.add(uri)
                notes.append(f"classe déclarée sous l'URI du projet 1.1 (informatif) : {alt}")
    return declared, notes
