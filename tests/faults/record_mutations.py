"""Targeted mutations of the conformant metadata records: one per record check, to prove that each check can fail.

Each entry of :data:`MUTATIONS` takes one conformant record of ``src/cicclo/reference/records/``, optionally
turns it into another kind of record first (``prepare``: e.g. a download service into an invocable service, so
that the MD-SDSI-* checks apply), then applies one small lxml edit that breaks exactly the requirement of its
test ID. ``also`` lists the other IDs the edit cannot avoid tripping, each with the reason in ``why``.

:data:`LINK_MUTATIONS` break the links (MD-LINK-*): they change nothing the content checks see, and only fail
against a live catalogue (end-to-end test). :data:`CANNOT_FAIL` names the checks that no mutation can make fail
on the record kind they apply to (a defect of the check, reported to the lead); their entry is the mutation
that *should* fail them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

RECORDS = Path(__file__).resolve().parents[2] / "src" / "cicclo" / "reference" / "records"
DATASET = "conforme-01-stations-hydrometriques.xml"
SERIES = "conforme-02-zones-inondables.xml"
DOWNLOAD = "conforme-03-service-telechargement.xml"
DISCOVERY = "conforme-04-service-decouverte.xml"

NS = {
    "gmd": "http://www.isotc211.org/2005/gmd",
    "gco": "http://www.isotc211.org/2005/gco",
    "gmx": "http://www.isotc211.org/2005/gmx",
    "gmi": "http://www.isotc211.org/2005/gmi",
    "srv": "http://www.isotc211.org/2005/srv",
    "gml": "http://www.opengis.net/gml/3.2",
    "xlink": "http://www.w3.org/1999/xlink",
}
NIL = f"{{{NS['gco']}}}nilReason"
HREF = f"{{{NS['xlink']}}}href"
REGISTRY = "http://inspire.ec.europa.eu/metadata-codelist/"
GMX_CODELISTS = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml"

IDENT = "gmd:identificationInfo/*"
CITATION = f"{IDENT}/gmd:citation/gmd:CI_Citation"
QUALITY = "gmd:dataQualityInfo/gmd:DQ_DataQuality"
RESULT = f"{QUALITY}/gmd:report/gmd:DQ_DomainConsistency/gmd:result/gmd:DQ_ConformanceResult"
ONLINE = "gmd:distributionInfo/gmd:MD_Distribution/gmd:transferOptions/gmd:MD_DigitalTransferOptions/gmd:onLine"
DOWNLOAD_LINK = f"{ONLINE}[gmd:CI_OnlineResource/gmd:applicationProfile]"
LEGAL = f"{IDENT}/gmd:resourceConstraints/gmd:MD_LegalConstraints"
THEMES = (f"{IDENT}/gmd:descriptiveKeywords/gmd:MD_Keywords[gmd:thesaurusName/gmd:CI_Citation/gmd:title/*"
          "='GEMET - INSPIRE themes, version 1.0']")
SCOPE_BLOCK = (f"{IDENT}/gmd:descriptiveKeywords[gmd:MD_Keywords/gmd:thesaurusName/gmd:CI_Citation/gmd:title"
               "/gmx:Anchor='Champ géographique']")
BBOX = f"{IDENT}/gmd:extent/gmd:EX_Extent/gmd:geographicElement/gmd:EX_GeographicBoundingBox"
PERIOD = f"{IDENT}/gmd:extent/gmd:EX_Extent/gmd:temporalElement/gmd:EX_TemporalExtent/gmd:extent/gml:TimePeriod"
CRS_CODE = ("gmd:referenceSystemInfo/gmd:MD_ReferenceSystem/gmd:referenceSystemIdentifier/gmd:RS_Identifier"
            "/gmd:code")


# -- small lxml edits ------------------------------------------------------------------------------------------


def q(name: str) -> str:
    """Clark name of a prefixed name: q("gmd:title") -> "{http://www.isotc211.org/2005/gmd}title"."""
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def find(root: Any, path: str, count: int | None = 1) -> list[Any]:
    """The nodes of ``path``; a mutation that no longer finds its target (the corpus changed) fails loudly."""
    found = root.xpath(path, namespaces=NS)
    assert found and (count is None or len(found) == count), f"{path} : {len(found)} nœud(s) trouvé(s)"
    return list(found)


def one(root: Any, path: str) -> Any:
    return find(root, path)[0]


def remove(root: Any, path: str, count: int | None = 1) -> None:
    for node in find(root, path, count):
        node.getparent().remove(node)


def nil(root: Any, path: str, reason: str = "missing") -> None:
    """Empty a property element and mark it gco:nilReason (schema-valid way of leaving a value out)."""
    for node in find(root, path):
        for child in list(node):
            node.remove(child)
        node.text = None
        node.set(NIL, reason)


def set_text(root: Any, path: str, value: str) -> None:
    one(root, path).text = value


def set_code(root: Any, path: str, value: str) -> None:
    code = one(root, path)
    code.set("codeListValue", value)
    code.text = value


def to_text(root: Any, path: str, value: str | None = None) -> None:
    """Replace the gmx:Anchor at ``path`` by a gco:CharacterString (its text, or ``value``)."""
    anchor = one(root, path)
    string = etree.Element(q("gco:CharacterString"))
    string.text = anchor.text if value is None else value
    anchor.getparent().replace(anchor, string)


def duplicate(root: Any, path: str) -> Any:
    node = one(root, path)
    twin = copy.deepcopy(node)
    node.addnext(twin)
    return twin


def build(xml: str) -> Any:
    """An element from a fragment written with the usual prefixes."""
    declarations = " ".join(f'xmlns:{p}="{u}"' for p, u in NS.items())
    wrapper = etree.fromstring(f"<w {declarations}>{xml}</w>")
    return wrapper[0]


def conformance_report(title: str, date: str, explanation: str, passed: str = "true",
                       kind: str = "DQ_DomainConsistency") -> Any:
    return build(f"""<gmd:report><gmd:{kind}><gmd:result><gmd:DQ_ConformanceResult>
      <gmd:specification><gmd:CI_Citation>
        <gmd:title><gco:CharacterString>{title}</gco:CharacterString></gmd:title>
        <gmd:date><gmd:CI_Date><gmd:date><gco:Date>{date}</gco:Date></gmd:date>
          <gmd:dateType><gmd:CI_DateTypeCode codeList="{GMX_CODELISTS}#CI_DateTypeCode"
            codeListValue="publication">publication</gmd:CI_DateTypeCode></gmd:dateType></gmd:CI_Date></gmd:date>
      </gmd:CI_Citation></gmd:specification>
      <gmd:explanation><gco:CharacterString>{explanation}</gco:CharacterString></gmd:explanation>
      <gmd:pass><gco:Boolean>{passed}</gco:Boolean></gmd:pass>
    </gmd:DQ_ConformanceResult></gmd:result></gmd:{kind}></gmd:report>""")


def add_report(root: Any, report: Any) -> None:
    """Append a gmd:report after the existing ones (before gmd:lineage, as the schema wants)."""
    one(root, f"{QUALITY}/gmd:report[last()]").addnext(report)


def second_data_identification(root: Any) -> None:
    """Add a second, minimal but schema-valid MD_DataIdentification (citation, abstract, language)."""
    ident = build(f"""<gmd:identificationInfo><gmd:MD_DataIdentification>
      <gmd:citation><gmd:CI_Citation>
        <gmd:title><gco:CharacterString>Seconde description de la ressource</gco:CharacterString></gmd:title>
        <gmd:date><gmd:CI_Date><gmd:date><gco:Date>2020-01-01</gco:Date></gmd:date>
          <gmd:dateType><gmd:CI_DateTypeCode codeList="{GMX_CODELISTS}#CI_DateTypeCode"
            codeListValue="publication">publication</gmd:CI_DateTypeCode></gmd:dateType></gmd:CI_Date></gmd:date>
      </gmd:CI_Citation></gmd:citation>
      <gmd:abstract><gco:CharacterString>Description ajoutée par erreur.</gco:CharacterString></gmd:abstract>
      <gmd:language><gmd:LanguageCode codeList="http://www.loc.gov/standards/iso639-2/"
        codeListValue="fre">français</gmd:LanguageCode></gmd:language>
    </gmd:MD_DataIdentification></gmd:identificationInfo>""")
    one(root, "gmd:identificationInfo").addnext(ident)


# -- record kinds absent from the corpus ---------------------------------------------------------------------


def to_invocable(root: Any) -> None:
    """The download service becomes an invocable spatial data service (TG 2.0 conformance class 5): service type
    other, no coupled resource, declared conformant to Regulation 1089/2010, to a technical specification and to
    the invocable category's conformance class."""
    set_text(root, f"{IDENT}/srv:serviceType/gco:LocalName", "other")
    remove(root, f"{IDENT}/srv:operatesOn")
    set_code(root, f"{IDENT}/srv:couplingType/srv:SV_CouplingType", "loose")
    profile = one(root, f"{ONLINE}/gmd:CI_OnlineResource/gmd:applicationProfile/gmx:Anchor")
    profile.set(HREF, f"{REGISTRY}SpatialDataServiceType/other")
    profile.text = "other"
    title = one(root, f"{RESULT}/gmd:specification/gmd:CI_Citation/gmd:title/gmx:Anchor")
    title.set(HREF, "http://data.europa.eu/eli/reg/2010/1089")
    title.text = ("Règlement (UE) n° 1089/2010 de la Commission du 23 novembre 2010 portant modalités d'application "
                  "de la directive 2007/2/CE en ce qui concerne l'interopérabilité des séries et des services de "
                  "données géographiques")
    set_text(root, f"{RESULT}/gmd:specification/gmd:CI_Citation/gmd:date/gmd:CI_Date/gmd:date/gco:Date",
             "2010-12-08")
    add_report(root, conformance_report("OGC API - Features - Part 1: Core", "2019-10-14",
                                        "Service conforme à la spécification technique OGC API Features."))
    category = conformance_report("Métadonnées INSPIRE des services de données géographiques invocables",
                                  "2017-03-02", "Service de données géographiques de catégorie « invocable ».")
    title = one(category, ".//gmd:specification/gmd:CI_Citation/gmd:title")
    title[0].tag = f"{{{NS['gmx']}}}Anchor"
    title[0].set(HREF, "http://inspire.ec.europa.eu/id/ats/metadata/2.0/sds-invocable")
    add_report(root, category)


# -- the table -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    record: str
    edit: Callable[[Any], None]
    description: str
    prepare: Callable[[Any], None] | None = None
    also: frozenset[str] = frozenset()
    why: str = ""


def _root_mi_metadata(root: Any) -> None:
    root.tag = q("gmi:MI_Metadata")


def _swap_contact_and_date(root: Any) -> None:
    one(root, "gmd:contact").addprevious(one(root, "gmd:dateStamp"))


def _remove_contact_email(root: Any) -> None:
    remove(root, "gmd:contact/gmd:CI_ResponsibleParty/gmd:contactInfo/gmd:CI_Contact/gmd:address/gmd:CI_Address"
                 "/gmd:electronicMailAddress")


def _two_creation_dates(root: Any) -> None:
    twin = duplicate(root, f"{CITATION}/gmd:date[gmd:CI_Date/gmd:dateType/*/@codeListValue='creation']")
    one(twin, "gmd:CI_Date/gmd:date/gco:Date").text = "2020-01-15"


def _two_revision_dates(root: Any) -> None:
    twin = duplicate(root, f"{CITATION}/gmd:date[gmd:CI_Date/gmd:dateType/*/@codeListValue='revision']")
    one(twin, "gmd:CI_Date/gmd:date/gco:Date").text = "2024-06-30"


def _lat_swapped(root: Any) -> None:
    set_text(root, f"{BBOX}/gmd:southBoundLatitude/gco:Decimal", "48.5")
    set_text(root, f"{BBOX}/gmd:northBoundLatitude/gco:Decimal", "45.0")


def _second_theme(root: Any) -> None:
    keyword = build('<gmd:keyword><gmx:Anchor xlink:href="http://inspire.ec.europa.eu/theme/hy">Hydrographie'
                    "</gmx:Anchor></gmd:keyword>")
    one(root, f"{THEMES}/gmd:keyword").addnext(keyword)


def _topology_quantitative(root: Any) -> None:
    add_report(root, build("""<gmd:report><gmd:DQ_TopologicalConsistency><gmd:result><gmd:DQ_QuantitativeResult>
      <gmd:valueUnit xlink:href="http://www.opengis.net/def/uom/OGC/1.0/unity"/>
      <gmd:value gco:nilReason="missing"/>
    </gmd:DQ_QuantitativeResult></gmd:result></gmd:DQ_TopologicalConsistency></gmd:report>"""))


def _topology_descriptive(root: Any) -> None:
    report = conformance_report("Règles de topologie du producteur", "2020-01-01", "x",
                                kind="DQ_TopologicalConsistency")
    nil(report, "*/gmd:result/gmd:DQ_ConformanceResult/gmd:explanation")
    add_report(root, report)


def _service_resolution(root: Any) -> None:
    one(root, f"{IDENT}/gmd:resourceConstraints[last()]").addnext(build(
        "<gmd:spatialResolution><gmd:MD_Resolution><gmd:equivalentScale><gmd:MD_RepresentativeFraction>"
        "<gmd:denominator><gco:Integer>0</gco:Integer></gmd:denominator>"
        "</gmd:MD_RepresentativeFraction></gmd:equivalentScale></gmd:MD_Resolution></gmd:spatialResolution>"))


def _view_link_bad_protocol(root: Any) -> None:
    link = duplicate(root, DOWNLOAD_LINK)
    profile = one(link, "gmd:CI_OnlineResource/gmd:applicationProfile/gmx:Anchor")
    profile.set(HREF, f"{REGISTRY}SpatialDataServiceType/view")
    profile.text = "view"
    protocol = one(link, "gmd:CI_OnlineResource/gmd:protocol")
    protocol.remove(protocol[0])
    protocol.append(build('<gmx:Anchor xlink:href="http://www.opengis.net/def/serviceType/ogc/wms-inconnu">WMS'
                          "</gmx:Anchor>"))


def _download_protocol_off_list(root: Any) -> None:
    protocol = one(root, f"{DOWNLOAD_LINK}/gmd:CI_OnlineResource/gmd:protocol")
    protocol.remove(protocol[0])
    protocol.append(build('<gmx:Anchor xlink:href="http://www.opengis.net/def/serviceType/ogc/wfs-inconnu">'
                          "WFS</gmx:Anchor>"))


def _network_services_regulation_not_cited(root: Any) -> None:
    anchor = one(root, f"{RESULT}/gmd:specification/*/gmd:title/gmx:Anchor[contains(., '976/2009')]")
    anchor.set(HREF, "https://inspire.ec.europa.eu/documents/network-services")
    anchor.text = "Règlement sur les services en réseau"


def _conditions_unknown(root: Any) -> None:
    anchor = one(root, f"{LEGAL}[gmd:useConstraints]/gmd:otherConstraints/gmx:Anchor")
    anchor.set(HREF, f"{REGISTRY}ConditionsApplyingToAccessAndUse/conditionsUnknown")
    anchor.text = "Conditions inconnues"


def _english_theme_label(root: Any) -> None:
    set_text(root, f"{THEMES}/gmd:keyword/gmx:Anchor", "Environmental monitoring facilities")


def _crs_code_with_codespace(root: Any) -> None:
    to_text(root, f"{CRS_CODE}/gmx:Anchor", "2154")
    one(root, CRS_CODE).addnext(build("<gmd:codeSpace><gco:CharacterString>EPSG</gco:CharacterString>"
                                      "</gmd:codeSpace>"))


MUTATIONS: dict[str, Mutation] = {
    # -- common requirements (any record) -------------------------------------------------------------------
    "MD-C-001": Mutation(DATASET, _swap_contact_and_date, "gmd:dateStamp déplacé avant gmd:contact (ordre du schéma)"),
    "MD-C-002": Mutation(DATASET, _root_mi_metadata, "racine gmi:MI_Metadata (ISO 19115-2) au lieu de gmd:MD_Metadata",
                         also=frozenset({"MD-C-001"}),
                         why="aucun autre élément racine n'est valide dans les jeux de schémas admis (pas de gmi)"),
    "MD-C-003": Mutation(DATASET, lambda r: set_code(r, f"{IDENT}/gmd:pointOfContact/*/gmd:role/gmd:CI_RoleCode",
                                                     "gestionnaire"),
                         "rôle « gestionnaire » hors de la liste de codes CI_RoleCode"),
    "MD-C-004": Mutation(DATASET, lambda r: set_text(r, "gmd:metadataStandardName/gco:CharacterString", ""),
                         "nom de la norme de métadonnées laissé vide (gco:CharacterString vide)"),
    "MD-C-005": Mutation(DATASET, lambda r: one(r, "gmd:language/gmd:LanguageCode").set("codeListValue", "fr"),
                         "langue des métadonnées « fr » (code à deux lettres) au lieu de « fre »"),
    "MD-C-006": Mutation(DATASET, _remove_contact_email, "contact des métadonnées sans adresse électronique"),
    "MD-C-007": Mutation(DATASET, lambda r: nil(r, "gmd:dateStamp"), "date des métadonnées absente (nilReason)"),
    "MD-C-008": Mutation(DATASET, lambda r: nil(r, f"{CITATION}/gmd:title"), "intitulé de la ressource absent"),
    "MD-C-009": Mutation(DATASET, lambda r: nil(r, f"{IDENT}/gmd:abstract"), "résumé de la ressource absent"),
    "MD-C-010": Mutation(DATASET, lambda r: remove(r, f"{IDENT}/gmd:pointOfContact/*/gmd:organisationName"),
                         "partie responsable sans nom d'organisation"),
    "MD-C-011": Mutation(SERIES, lambda r: nil(r, f"{CITATION}/gmd:date/gmd:CI_Date/gmd:date"),
                         "seule date de référence de la série laissée vide, sans étendue temporelle"),
    "MD-C-012": Mutation(DATASET, _two_creation_dates, "deux dates de création de la ressource"),
    "MD-C-013": Mutation(DATASET, _two_revision_dates, "deux dates de dernière révision de la ressource"),
    "MD-C-014": Mutation(DATASET, lambda r: set_text(r, f"{PERIOD}/gml:endPosition", "31/12/2024"),
                         "fin de l'étendue temporelle au format jj/mm/aaaa"),
    "MD-C-015": Mutation(DATASET, lambda r: nil(r, f"{SCOPE_BLOCK}/*/gmd:thesaurusName/*/gmd:date/gmd:CI_Date"
                                                   "/gmd:date"),
                         "date du thésaurus « Champ géographique » absente"),
    "MD-C-016": Mutation(DATASET, lambda r: duplicate(r, SCOPE_BLOCK),
                         "mots-clés du même thésaurus répartis en deux blocs"),
    "MD-C-017": Mutation(DATASET, lambda r: to_text(r, f"{LEGAL}[gmd:accessConstraints]/gmd:otherConstraints"
                                                       "/gmx:Anchor"),
                         "limitation d'accès public en texte libre au lieu d'un gmx:Anchor vers la liste INSPIRE"),
    "MD-C-118": Mutation(DATASET, lambda r: set_code(r, f"{LEGAL}/gmd:useConstraints/gmd:MD_RestrictionCode",
                                                     "license"),
                         "conditions d'utilisation en useConstraints=license au lieu de otherRestrictions"),
    "MD-C-019": Mutation(DATASET, _lat_swapped, "rectangle de délimitation avec latitude sud > latitude nord"),
    "MD-C-020": Mutation(DOWNLOAD, lambda r: remove(r, f"{QUALITY}/gmd:report"),
                         "service sans aucun résultat de conformité",
                         also=frozenset({"MD-NSM-001"}),
                         why="un service en réseau sans aucune conformité ne peut citer le règlement 976/2009 "
                             "(suivi, classe 4b)"),
    "MD-C-021": Mutation(DATASET, lambda r: nil(r, f"{RESULT}/gmd:specification/*/gmd:date/gmd:CI_Date/gmd:date"),
                         "spécification de conformité sans date"),
    "MD-C-022": Mutation(DATASET, lambda r: nil(r, f"{RESULT}/gmd:pass", "missing"),
                         "degré de conformité vide avec nilReason « missing » (seul « unknown » admis)"),
    # -- data sets and series ------------------------------------------------------------------------------
    "MD-DS-001": Mutation(DATASET, lambda r: remove(r, "gmd:hierarchyLevel"),
                          "type de ressource (hierarchyLevel) absent"),
    "MD-DS-002": Mutation(DATASET, second_data_identification, "deux sections d'identification MD_DataIdentification"),
    "MD-DS-003": Mutation(DATASET, lambda r: remove(r, f"{CITATION}/gmd:identifier"),
                          "identificateur de ressource unique absent"),
    "MD-DS-103": Mutation(DATASET, lambda r: set_text(r, f"{CITATION}/gmd:identifier/*/gmd:code/gco:CharacterString",
                                                      "STATIONS_LOIRE"),
                          "identificateur de ressource « STATIONS_LOIRE » sans espace de noms (pas une URI)"),
    "MD-DS-004": Mutation(DATASET, lambda r: remove(r, f"{THEMES}/.."), "aucun mot-clé de thème INSPIRE"),
    "MD-DS-005": Mutation(DATASET, lambda r: set_text(r, f"{IDENT}/gmd:spatialResolution//gmd:denominator/gco:Integer",
                                                      "0"),
                          "échelle équivalente de dénominateur 0"),
    "MD-DS-006": Mutation(DATASET, lambda r: one(r, f"{IDENT}/gmd:language/gmd:LanguageCode").set("codeListValue",
                                                                                                "fra"),
                          "langue de la ressource « fra » (ISO 639-2/T) au lieu de « fre » (ISO 639-2/B)"),
    "MD-DS-007": Mutation(DATASET, lambda r: remove(r, f"{IDENT}/gmd:topicCategory"), "catégorie thématique absente"),
    "MD-DS-108": Mutation(SERIES, lambda r: set_text(r, f"{ONLINE}[not(*/gmd:applicationProfile)]"
                                                      "/gmd:CI_OnlineResource/gmd:linkage/gmd:URL",
                                                      "zones-inondables.zip"),
                          "localisateur de ressource qui n'est pas une URL absolue"),
    "MD-DS-009": Mutation(DATASET, lambda r: set_code(r, f"{QUALITY}/gmd:scope/*/gmd:level/gmd:MD_ScopeCode", "series"),
                          "qualité de portée « series » pour un jeu de données (aucune de portée dataset)"),
    "MD-DS-010": Mutation(DATASET, lambda r: to_text(r, f"{RESULT}/gmd:specification/*/gmd:title/gmx:Anchor",
                                                     "Spécification de produit interne"),
                          "conformité déclarée à une spécification interne, pas au règlement 1089/2010"),
    "MD-DS-011": Mutation(DATASET, lambda r: nil(r, f"{QUALITY}/gmd:lineage/*/gmd:statement"),
                          "généalogie sans texte (statement absent)"),
    # -- interoperability of data sets --------------------------------------------------------------------
    "MD-IOP-001": Mutation(DATASET, lambda r: remove(r, "gmd:referenceSystemInfo"),
                           "aucun système de référence de coordonnées"),
    "MD-IOP-002": Mutation(DATASET, lambda r: to_text(r, f"{CRS_CODE}/gmx:Anchor", "Lambert 93"),
                           "système de référence « Lambert 93 » en texte, sans URI ni codeSpace",
                           also=frozenset({"MD-CNIG-003"}),
                           why="MD-CNIG-003 (gmx:Anchor vers l'URI EPSG) est strictement plus exigeant : tout "
                               "identifiant refusé par MD-IOP-002 l'est aussi par MD-CNIG-003"),
    "MD-IOP-003": Mutation(DATASET, lambda r: one(r, PERIOD).set("frame", "urn:x-cicclo:calendrier:republicain"),
                           "étendue temporelle dans un calendrier non grégorien non déclaré"),
    "MD-IOP-004": Mutation(DATASET, lambda r: remove(r, f"{IDENT}/gmd:spatialRepresentationType"),
                           "type de représentation spatiale absent"),
    "MD-IOP-005": Mutation(DATASET, lambda r: set_code(r, f"{IDENT}/gmd:characterSet/gmd:MD_CharacterSetCode",
                                                       "utf-8"),
                           "encodage des caractères « utf-8 » au lieu du code « utf8 »",
                           also=frozenset({"MD-C-003"}),
                           why="la valeur est aussi vérifiée par MD-C-003 (toute liste de codes ISO) : une valeur "
                               "hors liste ne peut échouer à l'un sans l'autre, et sans codeList la fiche est "
                               "invalide (MD-C-001)"),
    "MD-IOP-006": Mutation(DATASET, lambda r: remove(r, "gmd:distributionInfo/*/gmd:distributionFormat"),
                           "aucun encodage (distributionFormat) déclaré"),
    "MD-IOP-007": Mutation(DATASET, _topology_quantitative,
                           "résultat quantitatif de cohérence topologique sans valeur"),
    "MD-IOP-008": Mutation(DATASET, _topology_descriptive, "cohérence topologique déclarée sans explication"),
    # -- spatial data services -----------------------------------------------------------------------------
    "MD-SDS-001": Mutation(DOWNLOAD, lambda r: remove(r, "gmd:hierarchyLevel"),
                           "fiche de service sans hierarchyLevel service"),
    "MD-SDS-002": Mutation(DOWNLOAD, second_data_identification,
                           "service avec une seconde section d'identification (MD_DataIdentification)"),
    "MD-SDS-003": Mutation(DOWNLOAD, _service_resolution, "résolution spatiale du service de dénominateur 0",
                           also=frozenset({"MD-C-001"}),
                           why="srv:SV_ServiceIdentification n'a pas d'élément gmd:spatialResolution dans les "
                               "schémas ISO 19139 : la vérification ne peut s'appliquer qu'à une fiche invalide "
                               "(l'ATS INSPIRE cherche la résolution d'un service dans gmd:abstract)"),
    "MD-SDS-004": Mutation(DOWNLOAD, lambda r: to_text(r, f"{IDENT}/gmd:descriptiveKeywords/*/gmd:keyword/gmx:Anchor"
                                                          "[contains(@xlink:href, 'SpatialDataServiceCategory')]"),
                           "catégorie de service en texte libre (libellé français) au lieu du code de la liste"),
    "MD-SDS-005": Mutation(DOWNLOAD, lambda r: set_text(r, f"{IDENT}/srv:serviceType/gco:LocalName",
                                                        "OGC API Features"),
                           "type de service « OGC API Features » hors de la liste SpatialDataServiceType",
                           also=frozenset({"MD-NS-001"}),
                           why="les valeurs de SpatialDataServiceType sont les types en réseau plus other : un type "
                               "hors liste échoue toujours aux deux"),
    "MD-SDS-006": Mutation(DOWNLOAD, lambda r: one(r, f"{IDENT}/srv:operatesOn").attrib.pop(HREF),
                           "ressource couplée donnée par uuidref seul, sans xlink:href"),
    "MD-SDS-007": Mutation(DOWNLOAD, lambda r: set_text(r, f"{ONLINE}/*/gmd:linkage/gmd:URL", "telechargement/"),
                           "localisateur du service en URL relative"),
    "MD-SDS-008": Mutation(DOWNLOAD, lambda r: duplicate(r, "gmd:dataQualityInfo"),
                           "deux éléments DQ_DataQuality de portée service"),
    "MD-NS-001": Mutation(DISCOVERY, lambda r: set_text(r, f"{IDENT}/srv:serviceType/gco:LocalName", "CSW"),
                          "service de découverte de type « CSW » au lieu de discovery",
                          also=frozenset({"MD-SDS-005"}),
                          why="un type qui n'est ni un type en réseau ni other est hors de SpatialDataServiceType"),
    "MD-NSM-001": Mutation(DOWNLOAD, _network_services_regulation_not_cited,
                           "conformité aux services en réseau sans citer le règlement 976/2009"),
    # -- invocable spatial data services (prepared from the download service) -------------------------------
    "MD-SDSI-001": Mutation(DOWNLOAD, lambda r: set_text(r, f"{IDENT}/srv:serviceType/gco:LocalName", "invoke"),
                            "service invocable déclaré de type « invoke » au lieu de other", prepare=to_invocable,
                            also=frozenset({"MD-NSM-001"}),
                            why="de type invoke, le service est un service en réseau : la classe 4b (suivi) lui "
                                "demande la conformité au règlement 976/2009, que la fiche invocable ne cite pas"),
    "MD-SDSI-002": Mutation(DOWNLOAD, lambda r: to_text(r, f"{ONLINE}/*/gmd:description/gmx:Anchor"),
                            "point d'accès décrit en texte libre au lieu du code OnLineDescriptionCode accessPoint",
                            prepare=to_invocable),
    "MD-SDSI-003": Mutation(DOWNLOAD, lambda r: remove(r, f"{QUALITY}/gmd:report[1]"),
                            "service invocable sans conformité au règlement 1089/2010", prepare=to_invocable),
    "MD-SDSI-005": Mutation(DOWNLOAD, lambda r: remove(r, f"{QUALITY}/gmd:report[2]"),
                            "service invocable sans conformité à une spécification technique", prepare=to_invocable),
    "MD-SDSI-006": Mutation(DOWNLOAD, lambda r: remove(r, f"{QUALITY}/gmd:report[last()]"),
                            "service invocable de type other sans conformité à la classe de sa catégorie",
                            prepare=to_invocable),
    # -- linked services (data sets) -----------------------------------------------------------------------
    "MD-LS-001": Mutation(DATASET, _view_link_bad_protocol,
                          "lien vers un service de consultation dont le protocole est hors de la liste ProtocolValue"),
    "MD-LS-002": Mutation(DATASET, _download_protocol_off_list,
                          "lien vers le service de téléchargement dont le protocole est hors de la liste "
                          "ProtocolValue"),
    # -- CNIG ----------------------------------------------------------------------------------------------
    "MD-CNIG-001": Mutation(DATASET, _second_theme, "deux thèmes INSPIRE pour une même ressource"),
    "MD-CNIG-002": Mutation(DATASET, lambda r: remove(r, f"{IDENT}/gmd:descriptiveKeywords/*/gmd:keyword"
                                                         "[gco:CharacterString='données ouvertes']"),
                            "licence ouverte sans le mot-clé « données ouvertes »"),
    "MD-CNIG-003": Mutation(DATASET, _crs_code_with_codespace,
                            "système de référence en code « 2154 » + codeSpace EPSG au lieu de l'URI EPSG"),
    "MD-CNIG-004": Mutation(DATASET, lambda r: remove(r, f"{DOWNLOAD_LINK}/*/gmd:description"),
                            "lien vers un service sans description"),
    "MD-CNIG-005": Mutation(DOWNLOAD, _conditions_unknown, "conditions d'accès et d'utilisation « inconnues »"),
    "MD-CNIG-006": Mutation(DATASET, _english_theme_label,
                            "thème INSPIRE libellé en anglais dans une fiche en français"),
}

# Checks no mutation can make fail on the records they apply to: test ID -> why (defects of the check).
CANNOT_FAIL: dict[str, str] = {}


# Link defects: invisible to the content checks, they fail only against the live catalogue.
def _locator_404(root: Any) -> None:
    url = one(root, f"{DOWNLOAD_LINK}/*/gmd:linkage/gmd:URL")
    url.text = (url.text or "") + "collections/inexistante"


def _claims_wms(root: Any) -> None:
    protocol = one(root, f"{DOWNLOAD_LINK}/*/gmd:protocol/gco:CharacterString")
    protocol.text = "OGC:WMS"


def _coupled_record_missing(root: Any) -> None:
    operates = one(root, f"{IDENT}/srv:operatesOn")
    operates.set(HREF, operates.get(HREF, "").rsplit("&id=", 1)[0] + "&id=fiche-inexistante")


LINK_MUTATIONS: dict[str, Mutation] = {
    "MD-LINK-001": Mutation(DATASET, _locator_404, "localisateur du service de téléchargement qui répond 404"),
    "MD-LINK-002": Mutation(DATASET, _claims_wms, "lien annoncé OGC:WMS qui mène à une page d'accueil OGC API"),
    "MD-LINK-003": Mutation(DOWNLOAD, _coupled_record_missing,
                            "ressource couplée vers une fiche absente du catalogue"),
}


def mutate(xml: bytes, mutation: Mutation, *, edit: bool = True) -> bytes:
    """The record ``xml`` prepared (kind change) then, when ``edit``, mutated; serialized back to bytes."""
    root = etree.fromstring(xml, etree.XMLParser(remove_blank_text=False, resolve_entities=False, no_network=True))
    if mutation.prepare is not None:
        mutation.prepare(root)
    if edit:
        mutation.edit(root)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")  # type: ignore[no-any-return]


def template(name: str) -> bytes:
    """A corpus record as stored (placeholders {{RECORDS_URL}} and {{CSW_URL}} not replaced)."""
    return (RECORDS / name).read_bytes()
