"""INSPIRE TG metadata 2.0 checks (ISO 19139 encoding) as small pure functions.

Each check takes the parsed ``gmd:MD_Metadata`` element and returns the list of French failure messages (empty
when the record meets the requirement). A check that does not concern the record (e.g. no temporal extent to
check) raises :class:`cicclo.errors.NotApplicable` with the reason. The requirement texts are those of the
"Technical Guidance for the implementation of INSPIRE dataset and service metadata based on ISO/TS 19139:2007"
(https://github.com/INSPIRE-MIF/technical-guidelines, folder metadata/metadata-iso19139) and the abstract
tests of https://github.com/inspire-eu-validation/metadata (branch 2.0).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cicclo.errors import NotApplicable
from cicclo.metadata import codelists

NS = {
    "gmd": "http://www.isotc211.org/2005/gmd",
    "gco": "http://www.isotc211.org/2005/gco",
    "gmx": "http://www.isotc211.org/2005/gmx",
    "srv": "http://www.isotc211.org/2005/srv",
    "xlink": "http://www.w3.org/1999/xlink",
    "gml": "http://www.opengis.net/gml/3.2",
    "gml320": "http://www.opengis.net/gml",
}
XLINK_HREF = f"{{{NS['xlink']}}}href"
MD_METADATA = f"{{{NS['gmd']}}}MD_Metadata"
NETWORK_SERVICE_TYPES = frozenset({"discovery", "view", "download", "transformation", "invoke"})
COUPLED_SERVICE_TYPES = frozenset({"view", "download"})
URI_SCHEMES = ("http", "https", "urn", "info", "tag")
REG_1089 = re.compile(r"1089\s*/\s*2010|2010\s*/\s*1089|32010R1089", re.IGNORECASE)
REG_976 = re.compile(r"976\s*/\s*2009|2009\s*/\s*976|32009R0976", re.IGNORECASE)
# the conformance classes of the TG 2.0 that a spatial data service cites to declare its category (ATS
# sds-invocable/sds-category: a conformity report whose specification title is an Anchor to one of them)
SDS_CATEGORY_CLASS = re.compile(r"/id/ats/metadata/2\.0/sds-(invocable|interoperable|harmonised)$")

Messages = list[str]


# -- helpers -------------------------------------------------------------------------------------------------


def xp(node: Any, path: str) -> list[Any]:
    """XPath with the ISO 19139 prefixes."""
    return node.xpath(path, namespaces=NS)  # type: ignore[no-any-return]


def text(prop: Any | None) -> str:
    """The text of a property element given as gco:CharacterString, gmx:Anchor or PT_FreeText ('' if none)."""
    if prop is None:
        return ""
    for path in ("gco:CharacterString", "gmx:Anchor", "gmx:FileName", "gmd:LocalisedCharacterString"):
        found = xp(prop, path)
        if found:
            return (found[0].text or "").strip()
    return ""


def href(prop: Any | None) -> str:
    """The xlink:href of the gmx:Anchor inside a property element ('' if none)."""
    if prop is None:
        return ""
    anchors = xp(prop, "gmx:Anchor")
    return (anchors[0].get(XLINK_HREF) or "").strip() if anchors else ""


def first(node: Any, path: str) -> Any | None:
    found = xp(node, path)
    return found[0] if found else None


def code_value(prop: Any | None) -> str:
    """The codeListValue of the code element inside a property element."""
    if prop is None or len(prop) == 0:
        return ""
    return (prop[0].get("codeListValue") or "").strip()


def identification(root: Any) -> Any | None:
    return first(root, "gmd:identificationInfo/*")


def is_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not re.search(r"\s", value)


def is_uri(value: str) -> bool:
    """An absolute URI with a scheme the TG identifiers use in practice (http(s), urn, info, tag)."""
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):(\S+)$", value)
    if match is None:
        return False
    scheme = match.group(1).lower()
    return scheme in URI_SCHEMES and (scheme not in ("http", "https") or is_url(value))


def valid_date(value: str) -> bool:
    value = value.strip()
    try:
        if "T" in value:
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        elif re.fullmatch(r"\d{4}(-\d{2})?", value):
            return True
        else:
            dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def date_of(ci_date: Any) -> str:
    found = xp(ci_date, "gmd:date/gco:Date | gmd:date/gco:DateTime")
    return (found[0].text or "").strip() if found else ""


def citation_dates(citation: Any) -> list[tuple[str, str]]:
    """(date, dateType code) of each gmd:date/gmd:CI_Date of a CI_Citation."""
    return [(date_of(d), code_value(first(d, "gmd:dateType"))) for d in xp(citation, "gmd:date/gmd:CI_Date")]


def hierarchy_levels(root: Any) -> list[str]:
    return [(c.get("codeListValue") or "").strip() for c in xp(root, "gmd:hierarchyLevel/gmd:MD_ScopeCode")]


def service_type(root: Any) -> str:
    found = xp(root, "gmd:identificationInfo/srv:SV_ServiceIdentification/srv:serviceType/gco:LocalName")
    return (found[0].text or "").strip() if found else ""


def record_tags(root: Any) -> frozenset[str]:
    """What kind of record this is: 'dataset' (data set or series), 'service', 'network', 'invocable'."""
    levels = hierarchy_levels(root)
    tags = {"any"}
    if xp(root, "gmd:identificationInfo/srv:SV_ServiceIdentification") or "service" in levels:
        tags.add("service")
        stype = service_type(root)
        if stype in NETWORK_SERVICE_TYPES:
            tags.add("network")
        if stype == "other" or declared_sds_category(root):
            tags.add("invocable")
    elif xp(root, "gmd:identificationInfo/gmd:MD_DataIdentification") or set(levels) & {"dataset", "series"}:
        tags.add("dataset")
    return frozenset(tags)


def sds_category_of(result: Any) -> str | None:
    """'invocable', 'interoperable' or 'harmonised' when a conformance result cites that TG 2.0 class."""
    found = SDS_CATEGORY_CLASS.search(spec_title(result)[1].rstrip("/"))
    return found.group(1) if found else None


def declared_sds_category(root: Any) -> str | None:
    """The category a record declares by conformity, if any."""
    return next((c for c in map(sds_category_of, conformance_results(root)) if c), None)


def responsible_party_problems(party: Any, where: str) -> Messages:
    out = []
    if not text(first(party, "gmd:organisationName")):
        out.append(f"{where} : nom de l'organisation (organisationName) absent ou vide")
    emails = [text(e) for e in xp(party, "gmd:contactInfo/gmd:CI_Contact/gmd:address/gmd:CI_Address"
                                         "/gmd:electronicMailAddress")]
    if not any(emails):
        out.append(f"{where} : adresse électronique (electronicMailAddress) absente ou vide")
    if not code_value(first(party, "gmd:role")):
        out.append(f"{where} : rôle (gmd:role/gmd:CI_RoleCode) absent")
    return out


def online_resources(root: Any) -> list[Any]:
    return xp(root, "gmd:distributionInfo//gmd:transferOptions//gmd:onLine/gmd:CI_OnlineResource")


def linkage(resource: Any) -> str:
    found = xp(resource, "gmd:linkage/gmd:URL")
    return (found[0].text or "").strip() if found else ""


def conformance_results(root: Any) -> list[Any]:
    return xp(root, "gmd:dataQualityInfo/gmd:DQ_DataQuality/gmd:report/*/gmd:result/gmd:DQ_ConformanceResult")


def spec_title(result: Any) -> tuple[str, str]:
    """(title text, Anchor href) of a conformance result's specification."""
    title = first(result, "gmd:specification/gmd:CI_Citation/gmd:title")
    return text(title), href(title)


def legal_blocks(root: Any, kind: str) -> list[Any]:
    """MD_LegalConstraints of the identification having gmd:accessConstraints or gmd:useConstraints."""
    return xp(root, f"gmd:identificationInfo/*/gmd:resourceConstraints/gmd:MD_LegalConstraints[gmd:{kind}]")


def keyword_blocks(root: Any) -> list[Any]:
    return xp(root, "gmd:identificationInfo/*/gmd:descriptiveKeywords/gmd:MD_Keywords")


def thesaurus_title(block: Any) -> str:
    return text(first(block, "gmd:thesaurusName/gmd:CI_Citation/gmd:title"))


def theme_blocks(root: Any) -> list[Any]:
    return [b for b in keyword_blocks(root) if thesaurus_title(b) == codelists.THEME_THESAURUS_TITLE]


def keyword_values(block: Any) -> list[tuple[str, str]]:
    """(text, Anchor href) of each keyword of a MD_Keywords block."""
    return [(text(k), href(k)) for k in xp(block, "gmd:keyword")]


def theme_of(label: str, link: str) -> str | None:
    lookup = codelists.theme_lookup()
    return lookup.get(codelists.label_key(link)) if link else lookup.get(codelists.label_key(label))


# -- common requirements C.3 ... C.22 (C.1 is iso19139.validate, C.2 is checked when parsing) ---------------


def c02_root_element(root: Any) -> Messages:
    if root.tag != MD_METADATA:
        return [f"élément racine {root.tag} : gmd:MD_Metadata attendu"]
    return []


def c03_code_list_values(root: Any) -> Messages:
    """TG Requirement C.3: "The code list value shall be encoded using the codeListValue attribute of the relevant
    ISO 19139 element. The value shall be the identifier of the code list value". The TG adds: "Both the value of
    the codeList attribute [...] and the textual content of the ISO 19139 element are purely informative", so the
    codeList URL is not checked."""
    out = []
    lists = codelists.iso_codelists()
    for el in root.iter():
        if not isinstance(el.tag, str) or el.get("codeList") is None:
            continue
        name = el.tag.split("}")[-1]
        value = (el.get("codeListValue") or "").strip()
        if not value:
            out.append(f"{name} (ligne {el.sourceline}) : attribut codeListValue absent ou vide")
            continue
        if name == "LanguageCode" or name not in lists:
            continue
        if value not in lists[name]:
            out.append(f"{name} (ligne {el.sourceline}) : valeur {value!r} hors de la liste de codes {name}")
    return out


def c04_free_text(root: Any) -> Messages:
    out = []
    for el in xp(root, "//gco:CharacterString | //gmx:Anchor"):
        if not (el.text or "").strip():
            parent = el.getparent()
            pname = parent.tag.split("}")[-1] if parent is not None else "?"
            out.append(f"texte libre vide dans {pname} (ligne {el.sourceline})")
    for anchor in xp(root, "//gmx:Anchor"):
        if not (anchor.get(XLINK_HREF) or "").strip():
            out.append(f"gmx:Anchor sans xlink:href (ligne {anchor.sourceline})")
    locales = {loc.get("id") for loc in xp(root, "gmd:locale/gmd:PT_Locale")}
    for loc in xp(root, "//gmd:LocalisedCharacterString"):
        ref = (loc.get("locale") or "").lstrip("#")
        if ref not in locales:
            out.append(f"traduction (ligne {loc.sourceline}) vers la locale #{ref} non déclarée dans gmd:locale")
    return out


def _language_problems(prop: Any | None, what: str, allowed: frozenset[str]) -> Messages:
    if prop is None:
        return [f"{what} absente"]
    code = first(prop, "gmd:LanguageCode")
    if code is None:
        return [f"{what} : gmd:LanguageCode attendu (texte libre trouvé : {text(prop)!r})"]
    out = []
    if (code.get("codeList") or "").replace("https://", "http://").rstrip("/") + "/" != codelists.LANGUAGE_CODELIST:
        out.append(f"{what} : codeList {code.get('codeList')!r}, {codelists.LANGUAGE_CODELIST} attendu")
    value = code.get("codeListValue") or ""
    if value not in allowed:
        out.append(f"{what} : code {value!r} : code ISO 639-2/B de trois lettres minuscules attendu (ex. fre)")
    return out


def c05_metadata_language(root: Any) -> Messages:
    return _language_problems(first(root, "gmd:language"), "langue des métadonnées", codelists.eu_languages())


def c06_md_point_of_contact(root: Any) -> Messages:
    parties = xp(root, "gmd:contact/gmd:CI_ResponsibleParty")
    if not parties:
        return ["aucun point de contact des métadonnées (gmd:contact/gmd:CI_ResponsibleParty)"]
    out = []
    for i, party in enumerate(parties, 1):
        out += responsible_party_problems(party, f"contact des métadonnées n° {i}")
    if not any(code_value(first(p, "gmd:role")) == "pointOfContact" for p in parties):
        out.append("aucun contact des métadonnées avec le rôle pointOfContact")
    return out


def c07_md_date(root: Any) -> Messages:
    stamps = xp(root, "gmd:dateStamp/gco:Date | gmd:dateStamp/gco:DateTime")
    if not stamps:
        return ["date des métadonnées (gmd:dateStamp en gco:Date ou gco:DateTime) absente"]
    value = (stamps[0].text or "").strip()
    return [] if valid_date(value) else [f"date des métadonnées {value!r} : date ISO 8601 attendue"]


def c08_resource_title(root: Any) -> Messages:
    ident = identification(root)
    title = text(first(ident, "gmd:citation/gmd:CI_Citation/gmd:title")) if ident is not None else ""
    return [] if title else ["intitulé de la ressource (citation/title) absent ou vide"]


def c09_resource_abstract(root: Any) -> Messages:
    ident = identification(root)
    summary = text(first(ident, "gmd:abstract")) if ident is not None else ""
    return [] if summary else ["résumé de la ressource (gmd:abstract) absent ou vide"]


def c10_responsible_organisation(root: Any) -> Messages:
    parties = xp(root, "gmd:identificationInfo/*/gmd:pointOfContact/gmd:CI_ResponsibleParty")
    if not parties:
        return ["aucune partie responsable de la ressource (identificationInfo/*/gmd:pointOfContact)"]
    out = []
    for i, party in enumerate(parties, 1):
        out += responsible_party_problems(party, f"partie responsable n° {i}")
    return out


def _temporal_extents(root: Any) -> list[Any]:
    return xp(root, "gmd:identificationInfo/*/gmd:extent/gmd:EX_Extent/gmd:temporalElement/*"
                    " | gmd:identificationInfo/*/srv:extent/gmd:EX_Extent/gmd:temporalElement/*")


def _resource_dates(root: Any) -> list[tuple[str, str]]:
    citation = first(root, "gmd:identificationInfo/*/gmd:citation/gmd:CI_Citation")
    return citation_dates(citation) if citation is not None else []


def c11_temporal_reference(root: Any) -> Messages:
    dates = _resource_dates(root)
    out = []
    for value, kind in dates:
        if not valid_date(value):
            out.append(f"date de référence {value!r} : date ISO 8601 attendue")
        if kind not in ("creation", "publication", "revision"):
            out.append(f"date {value!r} : type {kind!r}, creation, publication ou revision attendu")
    if not dates and not _temporal_extents(root):
        out.append("aucune référence temporelle (ni étendue temporelle, ni date de création, publication ou révision)")
    return out


def c12_max_one_creation_date(root: Any) -> Messages:
    count = sum(1 for _, kind in _resource_dates(root) if kind == "creation")
    return [f"{count} dates de création : une au plus"] if count > 1 else []


def c13_max_one_revision_date(root: Any) -> Messages:
    count = sum(1 for _, kind in _resource_dates(root) if kind == "revision")
    return [f"{count} dates de dernière révision : une au plus"] if count > 1 else []


def c14_temporal_extent(root: Any) -> Messages:
    extents = _temporal_extents(root)
    if not extents:
        raise NotApplicable("aucune étendue temporelle déclarée")
    out = []
    for ext in extents:
        periods = xp(ext, "gmd:extent/gml:TimePeriod | gmd:extent/gml320:TimePeriod")
        instants = xp(ext, "gmd:extent/gml:TimeInstant | gmd:extent/gml320:TimeInstant")
        if not periods and not instants:
            out.append(f"étendue temporelle (ligne {ext.sourceline}) : gml:TimePeriod ou gml:TimeInstant attendu")
            continue
        for period in periods:
            for bound in ("beginPosition", "endPosition"):
                pos = xp(period, f"gml:{bound} | gml320:{bound}")
                if not pos:
                    out.append(f"période temporelle (ligne {period.sourceline}) : gml:{bound} absent")
                    continue
                value = (pos[0].text or "").strip()
                if not value and pos[0].get("indeterminatePosition") in ("now", "unknown"):
                    continue
                if not valid_date(value):
                    out.append(f"période temporelle : {bound} {value!r} n'est pas une date ISO 8601")
        for instant in instants:
            pos = xp(instant, "gml:timePosition | gml320:timePosition")
            if not pos or not valid_date(pos[0].text or ""):
                out.append(f"instant (ligne {instant.sourceline}) : gml:timePosition ISO 8601 attendu")
    return out


def c15_keyword_originating_cv(root: Any) -> Messages:
    out = []
    for block in keyword_blocks(root):
        citation = first(block, "gmd:thesaurusName/gmd:CI_Citation")
        if citation is None:
            continue
        title = text(first(citation, "gmd:title"))
        if not title:
            out.append(f"thésaurus (ligne {citation.sourceline}) sans titre")
        dates = citation_dates(citation)
        if len(dates) != 1:
            out.append(f"thésaurus {title!r} : {len(dates)} dates, exactement une attendue")
        for value, kind in dates:
            if not valid_date(value) or kind not in ("creation", "publication", "revision"):
                out.append(f"thésaurus {title!r} : date {value!r} de type {kind!r} invalide")
    return out


def c16_group_keywords_by_cv(root: Any) -> Messages:
    seen: dict[str, int] = {}
    for block in keyword_blocks(root):
        title = thesaurus_title(block)
        if title:
            seen[title] = seen.get(title, 0) + 1
    return [f"mots-clés du thésaurus {t!r} répartis en {n} blocs : un seul bloc par thésaurus attendu"
            for t, n in seen.items() if n > 1]


def limitation_values(block: Any) -> list[str]:
    """The LimitationsOnPublicAccess codes that the otherConstraints Anchors of a MD_LegalConstraints point to."""
    values = [codelists.in_register(href(o), "limitations_on_public_access") for o in xp(block, "gmd:otherConstraints")]
    return [v for v in values if v is not None]


def c17_limitations_on_public_access(root: Any) -> Messages:
    """TG Requirement C.17: "Limitations on public access (or lack of such limitations) for the described resource
    shall be described using exactly one gmd:resourceConstraints/gmd:MD_LegalConstraints element. This element shall
    not be the same one as used for describing conditions applying to access and use [...] shall include a
    combination of: one instance of gmd:accessConstraints/gmd:MD_RestrictionCode element with code list value
    "otherRestrictions" and at least one instance of gmd:otherConstraints/gmx:Anchor pointing to one of the values
    from the code list for LimitationsOnPublicAccess". The limitations block is the one whose Anchors point into
    that list: a separate conditions block (C.18) that also uses accessConstraints is not counted."""
    if not legal_blocks(root, "accessConstraints"):
        return ["aucune limitation d'accès public (MD_LegalConstraints/gmd:accessConstraints)"]
    blocks = [b for b in legal_blocks(root, "accessConstraints") if limitation_values(b)]
    if not blocks:
        return ["otherConstraints : aucun gmx:Anchor vers la liste INSPIRE LimitationsOnPublicAccess"]
    out = []
    if len(blocks) > 1:
        out.append(f"{len(blocks)} blocs MD_LegalConstraints déclarent des limitations d'accès public "
                   "(LimitationsOnPublicAccess) : un seul attendu")
    allowed = codelists.register_values("limitations_on_public_access")
    for block in blocks:
        codes = [c.get("codeListValue") for c in xp(block, "gmd:accessConstraints/gmd:MD_RestrictionCode")]
        if "otherRestrictions" not in codes:
            out.append(f"accessConstraints {codes} : la valeur otherRestrictions est attendue")
        out += [f"valeur {v!r} inconnue de la liste LimitationsOnPublicAccess" for v in limitation_values(block)
                if v not in allowed]
    return out


def c118_conditions_for_access_and_use(root: Any) -> Messages:
    """TG Requirement C.18: "Conditions for access and use of the described resource shall be described using
    exactly one gmd:resourceConstraints/gmd:MD_LegalConstraints element. This element shall not be the same used for
    describing limitations on public access [...] One instance of either gmd:accessConstraints or
    gmd:useConstraints element shall be given. In both cases this element shall contain a gmd:MD_RestrictionCode
    element with code list value "otherRestrictions". Additionally at least one instance of gmd:otherConstraints
    shall be given describing the actual conditions." A block with LimitationsOnPublicAccess Anchors is the C.17
    block, not a conditions block. Replaces MD-C-018, which accepted only useConstraints."""
    blocks = [b for b in xp(root, "gmd:identificationInfo/*/gmd:resourceConstraints/gmd:MD_LegalConstraints")
              if not limitation_values(b)]
    allowed = codelists.register_values("conditions_applying_to_access_and_use")
    out = []
    found = False
    for block in blocks:
        codes = [c.get("codeListValue") for c in xp(block, "gmd:accessConstraints/gmd:MD_RestrictionCode"
                                                           " | gmd:useConstraints/gmd:MD_RestrictionCode")]
        others = xp(block, "gmd:otherConstraints")
        if "otherRestrictions" in codes and any(text(o) or href(o) for o in others):
            found = True
        for other in others:
            code = codelists.in_register(href(other), "conditions_applying_to_access_and_use")
            if code is not None and code not in allowed:
                out.append(f"valeur {code!r} inconnue de la liste ConditionsApplyingToAccessAndUse")
    if not found:
        out.append("aucun bloc MD_LegalConstraints de conditions d'accès et d'utilisation : accessConstraints ou "
                   "useConstraints = otherRestrictions avec des conditions (otherConstraints), distinct du bloc des "
                   "limitations d'accès public")
    return out


def c19_bounding_box(root: Any) -> Messages:
    boxes = xp(root, "gmd:identificationInfo/*/gmd:extent/gmd:EX_Extent/gmd:geographicElement"
                     "/gmd:EX_GeographicBoundingBox | gmd:identificationInfo/*/srv:extent/gmd:EX_Extent"
                     "/gmd:geographicElement/gmd:EX_GeographicBoundingBox")
    if not boxes:
        if "service" in record_tags(root):
            raise NotApplicable("service sans rectangle de délimitation (facultatif pour un service)")
        return ["aucun rectangle de délimitation géographique (EX_GeographicBoundingBox)"]
    out = []
    for box in boxes:
        values: dict[str, float] = {}
        for side in ("westBoundLongitude", "eastBoundLongitude", "southBoundLatitude", "northBoundLatitude"):
            found = xp(box, f"gmd:{side}/gco:Decimal")
            try:
                values[side] = float((found[0].text or "").strip()) if found else float("nan")
            except ValueError:
                values[side] = float("nan")
            if values[side] != values[side]:
                out.append(f"rectangle (ligne {box.sourceline}) : {side} absent ou non décimal")
        if len(values) == 4 and all(v == v for v in values.values()):
            if not (-180 <= values["westBoundLongitude"] <= 180 and -180 <= values["eastBoundLongitude"] <= 180):
                out.append(f"rectangle (ligne {box.sourceline}) : longitudes hors de [-180, 180]")
            if not (-90 <= values["southBoundLatitude"] <= values["northBoundLatitude"] <= 90):
                out.append(f"rectangle (ligne {box.sourceline}) : latitudes hors de [-90, 90] ou sud > nord")
    return out


def c20_conformity(root: Any) -> Messages:
    if not conformance_results(root):
        return ["aucun degré de conformité (DQ_DomainConsistency/DQ_ConformanceResult) déclaré"]
    return []


def c21_conformity_specification(root: Any) -> Messages:
    results = conformance_results(root)
    if not results:
        raise NotApplicable("aucun résultat de conformité (voir MD-C-020)")
    out = []
    for res in results:
        title, _ = spec_title(res)
        if not title:
            out.append(f"résultat de conformité (ligne {res.sourceline}) : spécification sans titre")
        citation = first(res, "gmd:specification/gmd:CI_Citation")
        dates = citation_dates(citation) if citation is not None else []
        if len(dates) != 1 or not valid_date(dates[0][0]) or dates[0][1] not in (
                "creation", "publication", "revision"):
            out.append(f"spécification {title[:60]!r} : une date (création, publication ou révision) attendue")
    return out


def c22_conformity_degree(root: Any) -> Messages:
    results = conformance_results(root)
    if not results:
        raise NotApplicable("aucun résultat de conformité (voir MD-C-020)")
    out = []
    for res in results:
        passes = xp(res, "gmd:pass")
        if not passes:
            out.append(f"résultat de conformité (ligne {res.sourceline}) : gmd:pass absent")
            continue
        boolean = xp(passes[0], "gco:Boolean")
        if boolean:
            if (boolean[0].text or "").strip() not in ("true", "false", "1", "0"):
                out.append(f"gmd:pass {boolean[0].text!r} : booléen attendu")
        elif passes[0].get(f"{{{NS['gco']}}}nilReason") != "unknown":
            out.append("gmd:pass vide : gco:Boolean, ou gco:nilReason=\"unknown\" (non évalué), attendu")
    return out


# -- data sets and series: 1.1 ... 1.11 ---------------------------------------------------------------------


def ds01_resource_type(root: Any) -> Messages:
    levels = hierarchy_levels(root)
    if len(levels) != 1:
        return [f"{len(levels)} gmd:hierarchyLevel : exactement un attendu (dataset ou series)"]
    if levels[0] not in ("dataset", "series"):
        return [f"type de ressource {levels[0]!r} : dataset ou series attendu"]
    return []


def ds02_only_one_data_identification(root: Any) -> Messages:
    idents = xp(root, "gmd:identificationInfo/*")
    data = xp(root, "gmd:identificationInfo/gmd:MD_DataIdentification")
    if len(idents) != 1 or len(data) != 1:
        return [f"{len(idents)} identificationInfo dont {len(data)} MD_DataIdentification : exactement un attendu"]
    return []


def resource_identifiers(root: Any) -> list[tuple[str, str]]:
    """(code, codeSpace) of each identifier of the resource citation."""
    return [(text(first(i, "gmd:code")), text(first(i, "gmd:codeSpace")))
            for i in xp(root, "gmd:identificationInfo/*/gmd:citation/gmd:CI_Citation/gmd:identifier/*")]


def ds03_dataset_uid(root: Any) -> Messages:
    if not any(code for code, _ in resource_identifiers(root)):
        return ["aucun identificateur de ressource unique (citation/identifier/*/code)"]
    return []


def ds103_dataset_uid_uri(root: Any) -> Messages:
    ids = [(code, space) for code, space in resource_identifiers(root) if code]
    if not ids:
        raise NotApplicable("aucun identificateur de ressource (voir MD-DS-003)")
    out = []
    for code, space in ids:
        if is_uri(code) or (space and is_uri(space) and not re.search(r"\s", code)):
            continue
        shown = f"{space} + {code}" if space else code
        out.append(f"identificateur {shown!r} : une URI (espace de noms + code, ex. https://…/id/…) est attendue")
    return out


def ds04_inspire_theme_keyword(root: Any) -> Messages:
    """TG Requirement 1.4: "at least one keyword from the INSPIRE Spatial Data Themes vocabulary of the general
    environmental multilingual thesaurus (GEMET). The keyword values shall be the exact text values of the terms
    in this vocabulary" — in any of its languages (an Anchor to the theme URI is recognised by its URI)."""
    blocks = theme_blocks(root)
    expected = codelists.THEME_THESAURUS_TITLE
    if not blocks:
        near = [thesaurus_title(b) for b in keyword_blocks(root)
                if "inspire" in thesaurus_title(b).lower()
                or any(theme_of(t, h) for t, h in keyword_values(b))]
        if near:
            return [f"thésaurus {near[0]!r} : le titre doit être exactement {expected!r}"]
        return [f"aucun mot-clé du thésaurus {expected!r} (thème INSPIRE)"]
    out = []
    themes = []
    for block in blocks:
        dates = citation_dates(first(block, "gmd:thesaurusName/gmd:CI_Citation"))
        if not any(d == codelists.THEME_THESAURUS_DATE and k == "publication" for d, k in dates):
            out.append(f"thésaurus {expected!r} : date de publication {codelists.THEME_THESAURUS_DATE} attendue")
        for label, link in keyword_values(block):
            theme = theme_of(label, link)
            if theme is None:
                out.append(f"mot-clé {label or link!r} : ce n'est pas un thème INSPIRE")
            themes.append(theme)
    if not any(themes):
        out.append("aucun thème INSPIRE reconnu dans le bloc du thésaurus des thèmes")
    return out


def _resolution_problems(root: Any) -> Messages:
    resolutions = xp(root, "gmd:identificationInfo/*/gmd:spatialResolution/gmd:MD_Resolution")
    if not resolutions:
        raise NotApplicable("aucune résolution spatiale déclarée (conditionnelle)")
    out = []
    for res in resolutions:
        denominators = xp(res, "gmd:equivalentScale/gmd:MD_RepresentativeFraction/gmd:denominator/gco:Integer")
        distances = xp(res, "gmd:distance/gco:Distance")
        if denominators:
            value = (denominators[0].text or "").strip()
            if not value.isdigit() or int(value) <= 0:
                out.append(f"échelle équivalente {value!r} : entier positif attendu")
        elif distances:
            try:
                float((distances[0].text or "").strip())
            except ValueError:
                out.append(f"distance de résolution {distances[0].text!r} : nombre attendu")
            if not distances[0].get("uom"):
                out.append("distance de résolution sans unité (uom)")
        else:
            out.append(f"résolution (ligne {res.sourceline}) : ni échelle équivalente ni distance")
    return out


def ds05_spatial_resolution(root: Any) -> Messages:
    return _resolution_problems(root)


def ds06_resource_language(root: Any) -> Messages:
    ident = identification(root)
    props = xp(ident, "gmd:language") if ident is not None else []
    if not props:
        return ["langue de la ressource absente (zxx pour une ressource sans texte)"]
    out = []
    for prop in props:
        out += _language_problems(prop, "langue de la ressource", codelists.languages())
    return out


def ds07_topic_category(root: Any) -> Messages:
    cats = [(c.text or "").strip() for c in xp(root, "gmd:identificationInfo/*/gmd:topicCategory"
                                                    "/gmd:MD_TopicCategoryCode")]
    if not cats:
        return ["aucune catégorie thématique (gmd:topicCategory/gmd:MD_TopicCategoryCode)"]
    return [f"catégorie thématique {c!r} inconnue" for c in cats if c not in codelists.TOPIC_CATEGORIES]


def ds108_resource_locator(root: Any) -> Messages:
    """TG Requirement 1.8: "A Resource locator linking to the service(s) providing online access to the described
    data set or data set series shall be given, if such online access is available [...] These links shall be
    encoded using gmd:transferOptions/gmd:MD_DigitalTransferOptions/gmd:onLine/gmd:CI_OnlineResource/gmd:linkage/
    gmd:URL element. The multiplicity of this element is 0..n." A record without locator is not applicable (whether
    online access exists cannot be seen in the record). Replaces MD-DS-008, which failed records without one."""
    urls = [linkage(r) for r in online_resources(root)]
    if not urls:
        raise NotApplicable("aucun localisateur de ressource (multiplicité 0..n : exigé seulement si un accès en "
                            "ligne existe)")
    return [f"localisateur {u!r} : URL http(s) absolue attendue" for u in urls if not is_url(u)]


def _scoped_quality(root: Any, levels: tuple[str, ...]) -> list[Any]:
    return [q for q in xp(root, "gmd:dataQualityInfo/gmd:DQ_DataQuality")
            if code_value(first(q, "gmd:scope/gmd:DQ_Scope/gmd:level")) in levels]


def ds09_one_data_quality(root: Any) -> Messages:
    level = (hierarchy_levels(root) or ["dataset"])[0]
    scoped = _scoped_quality(root, (level,))
    if len(scoped) != 1:
        return [f"{len(scoped)} éléments DQ_DataQuality de portée {level!r} : exactement un attendu"]
    return []


def ds10_conformity(root: Any) -> Messages:
    for res in conformance_results(root):
        title, link = spec_title(res)
        if REG_1089.search(title) or REG_1089.search(link):
            return []
    return ["aucune déclaration de conformité au règlement (UE) n° 1089/2010 (interopérabilité)"]


def ds11_lineage(root: Any) -> Messages:
    statements = [text(s) for s in xp(root, "gmd:dataQualityInfo/gmd:DQ_DataQuality/gmd:lineage/gmd:LI_Lineage"
                                            "/gmd:statement")]
    if not any(statements):
        return ["généalogie absente (DQ_DataQuality/lineage/LI_Lineage/statement)"]
    return []


# -- interoperability of data sets: 2.1 ... 2.8 ------------------------------------------------------------


def _crs_identifiers(root: Any) -> list[Any]:
    return xp(root, "gmd:referenceSystemInfo/gmd:MD_ReferenceSystem/gmd:referenceSystemIdentifier/gmd:RS_Identifier")


def iop01_crs(root: Any) -> Messages:
    if not _crs_identifiers(root):
        return ["aucun système de référence de coordonnées (referenceSystemInfo/…/RS_Identifier)"]
    return []


def iop02_crs_id(root: Any) -> Messages:
    """TG Requirements 2.1 and 2.2: "The gmd:code child element of gmd:RS_Identifier is mandatory. The gmd:codeSpace
    child element shall be used if the code alone does not uniquely identify the referred coordinate reference
    system." A URI (http(s) or URN such as urn:ogc:def:crs:EPSG::2154, which the reference validator accepts) is
    unique by itself; any other code needs a codeSpace."""
    ids = _crs_identifiers(root)
    if not ids:
        raise NotApplicable("aucun système de référence (voir MD-IOP-001)")
    out = []
    for rs in ids:
        code = first(rs, "gmd:code")
        value, link, space = text(code), href(code), text(first(rs, "gmd:codeSpace"))
        if link:
            if not is_uri(link):
                out.append(f"système de référence {value!r} : xlink:href {link!r} n'est pas une URI")
        elif not value:
            out.append("système de référence sans code")
        elif not (is_uri(value) or space):
            out.append(f"système de référence {value!r} : URI (http ou urn) ou code avec codeSpace attendu")
    return out


def iop03_temporal_reference_system(root: Any) -> Messages:
    frames = [p.get("frame") for p in xp(root, "//gml:TimePeriod | //gml:TimeInstant | //gml320:TimePeriod"
                                               " | //gml320:TimeInstant") if p.get("frame")]
    other = [f for f in frames if not re.search(r"ISO-?8601|gregorian", f or "", re.IGNORECASE)]
    if not other:
        raise NotApplicable("calendrier grégorien (défaut) : aucun système de référence temporel à déclarer")
    return [] if len(_crs_identifiers(root)) > 1 else [
        f"référentiel temporel {other[0]!r} non grégorien : il doit être déclaré dans referenceSystemInfo"]


def iop04_spatial_representation_type(root: Any) -> Messages:
    codes = xp(root, "gmd:identificationInfo/*/gmd:spatialRepresentationType/gmd:MD_SpatialRepresentationTypeCode")
    if not codes:
        return ["type de représentation spatiale absent (gmd:spatialRepresentationType)"]
    allowed = codelists.iso_codelists()["MD_SpatialRepresentationTypeCode"]
    return [f"type de représentation {c.get('codeListValue')!r} inconnu" for c in codes
            if c.get("codeListValue") not in allowed]


def iop05_character_encoding(root: Any) -> Messages:
    codes = xp(root, "gmd:identificationInfo/*/gmd:characterSet/gmd:MD_CharacterSetCode")
    if not codes:
        raise NotApplicable("encodage des caractères non précisé : UTF-8 supposé")
    allowed = codelists.iso_codelists()["MD_CharacterSetCode"]
    return [f"encodage {c.get('codeListValue')!r} inconnu de MD_CharacterSetCode" for c in codes
            if c.get("codeListValue") not in allowed]


def iop06_data_encoding(root: Any) -> Messages:
    formats = xp(root, "gmd:distributionInfo/gmd:MD_Distribution/gmd:distributionFormat/gmd:MD_Format")
    if not formats:
        return ["aucun encodage (distributionFormat/MD_Format) déclaré"]
    out = []
    for fmt in formats:
        if not text(first(fmt, "gmd:name")):
            out.append(f"format (ligne {fmt.sourceline}) sans nom")
        version = first(fmt, "gmd:version")
        if version is None or (not text(version) and version.get(f"{{{NS['gco']}}}nilReason") is None):
            out.append(f"format {text(first(fmt, 'gmd:name'))!r} sans version (ou nilReason)")
    return out


def _topology(root: Any, kind: str) -> list[Any]:
    return xp(root, f"gmd:dataQualityInfo/gmd:DQ_DataQuality/gmd:report/gmd:DQ_TopologicalConsistency"
                    f"/gmd:result/gmd:{kind}")


def iop07_topological_quantitative(root: Any) -> Messages:
    results = _topology(root, "DQ_QuantitativeResult")
    if not results:
        raise NotApplicable("aucun résultat quantitatif de cohérence topologique")
    out = []
    for res in results:
        if not xp(res, "gmd:valueUnit[@xlink:href or *]"):
            out.append(f"résultat quantitatif (ligne {res.sourceline}) sans unité (valueUnit)")
        if not [v for v in xp(res, "gmd:value/gco:Record") if (v.text or "").strip()]:
            out.append(f"résultat quantitatif (ligne {res.sourceline}) sans valeur")
    return out


def iop08_topological_descriptive(root: Any) -> Messages:
    results = _topology(root, "DQ_ConformanceResult")
    if not results:
        raise NotApplicable("aucun résultat descriptif de cohérence topologique")
    out = []
    for res in results:
        title, _ = spec_title(res)
        if not title:
            out.append(f"cohérence topologique (ligne {res.sourceline}) : spécification sans titre")
        if not xp(res, "gmd:explanation/gco:CharacterString[normalize-space()]"):
            out.append(f"cohérence topologique (ligne {res.sourceline}) : explication absente")
    return out


# -- spatial data services: 3.1 ... 3.8, 4.1, 5.1 ... 5.5 ---------------------------------------------------


def sds01_resource_type(root: Any) -> Messages:
    levels = hierarchy_levels(root)
    if len(levels) != 1 or levels[0] != "service":
        return [f"gmd:hierarchyLevel {levels} : exactement une valeur service attendue"]
    return []


def sds02_service_identification(root: Any) -> Messages:
    idents = xp(root, "gmd:identificationInfo/*")
    services = xp(root, "gmd:identificationInfo/srv:SV_ServiceIdentification")
    if len(idents) != 1 or len(services) != 1:
        return [f"{len(idents)} identificationInfo dont {len(services)} srv:SV_ServiceIdentification : "
                "exactement un attendu"]
    return []


def sds03_spatial_resolution(root: Any) -> Messages:
    return _resolution_problems(root)


def _category_keywords(root: Any) -> list[str]:
    allowed = codelists.register_values("spatial_data_service_category")
    found = []
    for block in keyword_blocks(root):
        for label, link in keyword_values(block):
            code = codelists.in_register(link, "spatial_data_service_category") if link else label
            if code in allowed:
                found.append(code)
    return found


def sds04_category(root: Any) -> Messages:
    if not _category_keywords(root):
        return ["aucun mot-clé de catégorie de service (liste SpatialDataServiceCategory, ISO 19119)"]
    return []


def sds05_type(root: Any) -> Messages:
    stype = service_type(root)
    if not stype:
        return ["type de service (srv:serviceType/gco:LocalName) absent"]
    allowed = codelists.register_values("spatial_data_service_type")
    return [] if stype in allowed else [f"type de service {stype!r} : une valeur de {sorted(allowed)} attendue"]


def coupled_hrefs(root: Any) -> list[tuple[str, str]]:
    """(xlink:href, uuidref) of each srv:operatesOn."""
    return [((o.get(XLINK_HREF) or "").strip(), (o.get("uuidref") or "").strip())
            for o in xp(root, "gmd:identificationInfo/srv:SV_ServiceIdentification/srv:operatesOn")]


def sds06_coupled_resource(root: Any) -> Messages:
    stype = service_type(root)
    coupled = coupled_hrefs(root)
    if stype not in COUPLED_SERVICE_TYPES and not coupled:
        raise NotApplicable(f"service de type {stype!r} : pas de ressource couplée exigée")
    if not coupled:
        return [f"service de type {stype!r} sans ressource couplée (srv:operatesOn)"]
    return [f"ressource couplée (uuidref {uuid!r}) : xlink:href vers la fiche du jeu de données attendu"
            + (f", trouvé {link!r}" if link else "") for link, uuid in coupled if not is_url(link)]


def sds07_resource_locator(root: Any) -> Messages:
    urls = [linkage(r) for r in online_resources(root)]
    if not urls:
        raise NotApplicable("aucun localisateur de ressource déclaré pour ce service")
    return [f"localisateur {u!r} : URL http(s) absolue attendue" for u in urls if not is_url(u)]


def sds08_only_one_dq_element(root: Any) -> Messages:
    scoped = _scoped_quality(root, ("service",))
    if len(scoped) != 1:
        return [f"{len(scoped)} éléments DQ_DataQuality de portée service : exactement un attendu"]
    return []


def ns01_type(root: Any) -> Messages:
    stype = service_type(root)
    if stype == "other":
        raise NotApplicable("service de type other : pas un service en réseau")
    if stype not in NETWORK_SERVICE_TYPES:
        return [f"type de service en réseau {stype!r} : une valeur de {sorted(NETWORK_SERVICE_TYPES)} attendue"]
    return []


def nsm01_conformity(root: Any) -> Messages:
    """Validator conformance class 4b "INSPIRE Network Services metadata for Monitoring" (ATS ns-monitoring/
    ns-conformity): "Test that the service metadata includes information on the degree of conformity with the
    implementing rules for network services", i.e. a DQ_ConformanceResult whose specification cites Regulation
    (EC) No 976/2009 (ETS: title contains '976/2009'). Several conformity statements are allowed (the ETS failing
    them is validator issue INSPIRE-MIF/helpdesk-validator#1209)."""
    if service_type(root) == "other":
        raise NotApplicable("service de type other : pas un service en réseau")
    results = conformance_results(root)
    if not results:
        return ["aucune déclaration de conformité (DQ_ConformanceResult) : la conformité au règlement (CE) "
                "n° 976/2009 (services en réseau) est attendue pour le suivi"]
    if not any(REG_976.search(" ".join(spec_title(r))) for r in results):
        return ["aucune déclaration de conformité au règlement (CE) n° 976/2009 (services en réseau)"]
    return []


def sdsi01_type(root: Any) -> Messages:
    return [] if service_type(root) == "other" else ["service invocable : type de service other attendu"]


def sdsi02_access_point(root: Any) -> Messages:
    for res in online_resources(root) + xp(root, "//srv:connectPoint/gmd:CI_OnlineResource"):
        code = codelists.in_register(href(first(res, "gmd:description")), "on_line_description_code")
        if code == "accessPoint" and is_url(linkage(res)):
            return []
    return ["aucun point d'accès (CI_OnlineResource décrit par OnLineDescriptionCode/accessPoint)"]


def sdsi03_conformity(root: Any) -> Messages:
    if not any(REG_1089.search(" ".join(spec_title(r))) for r in conformance_results(root)):
        return ["aucune déclaration de conformité au règlement (UE) n° 1089/2010 modifié (services invocables)"]
    return []


def sdsi05_technical_specification(root: Any) -> Messages:
    others = [r for r in conformance_results(root) if not REG_1089.search(" ".join(spec_title(r)))
              and not sds_category_of(r)]  # a category declaration is no technical specification
    if not others:
        return ["aucune conformité déclarée à une spécification technique (hors règlement 1089/2010)"]
    return []


def sdsi06_category_declared(root: Any) -> Messages:
    if declared_sds_category(root) is None:
        return ["catégorie non déclarée : aucune conformité citant la classe sds-invocable, sds-interoperable ou "
                "sds-harmonised du guide technique 2.0 (titre de spécification en gmx:Anchor)"]
    return []


# -- linked services (data sets): 8.1, 8.2 ------------------------------------------------------------------


def service_links(root: Any, service: str) -> list[Any]:
    """The online resources whose application profile names the INSPIRE service type ``service``."""
    found = []
    for res in online_resources(root):
        prof = first(res, "gmd:applicationProfile")
        link = href(prof)
        code = codelists.in_register(link, "spatial_data_service_type") if link else text(prof)
        if code == service:
            found.append(res)
    return found


def _linkage_problems(root: Any, service: str) -> Messages:
    """TG Requirements 8.1/8.2 C and D: "The element gmd:protocol shall be present. If the element gmd:protocol is
    encoded using gmx:Anchor, the attribute gmx:Anchor/@xlink:href shall point to the URI of one of the values in
    https://inspire.ec.europa.eu/metadata-codelist/ProtocolValue" (values such as
    http://www.opengis.net/def/serviceType/ogc/wms, the TG's own example)."""
    links = service_links(root, service)
    if not links:
        raise NotApplicable(f"aucun localisateur vers un service de type {service!r} (profil applicatif)")
    out = []
    for res in links:
        url = linkage(res)
        if not is_url(url):
            out.append(f"lien {service} {url!r} : URL http(s) absolue attendue")
        prot = first(res, "gmd:protocol")
        if not (text(prot) or href(prot)):
            out.append(f"lien {service} {url!r} : protocole (gmd:protocol) absent")
        elif href(prot) and not codelists.is_protocol_value(href(prot)):
            out.append(f"lien {service} {url!r} : protocole {href(prot)!r} hors de la liste ProtocolValue")
    return out


def ls01_view_linkage(root: Any) -> Messages:
    return _linkage_problems(root, "view")


def ls02_download_linkage(root: Any) -> Messages:
    return _linkage_problems(root, "download")


# -- registry ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """A record check: the function and the record kind (tag of :func:`record_tags`) it applies to."""

    func: Callable[[Any], Messages]
    kind: str


CHECKS: dict[str, Check] = {
    "MD-C-003": Check(c03_code_list_values, "any"),
    "MD-C-004": Check(c04_free_text, "any"),
    "MD-C-005": Check(c05_metadata_language, "any"),
    "MD-C-006": Check(c06_md_point_of_contact, "any"),
    "MD-C-007": Check(c07_md_date, "any"),
    "MD-C-008": Check(c08_resource_title, "any"),
    "MD-C-009": Check(c09_resource_abstract, "any"),
    "MD-C-010": Check(c10_responsible_organisation, "any"),
    "MD-C-011": Check(c11_temporal_reference, "any"),
    "MD-C-012": Check(c12_max_one_creation_date, "any"),
    "MD-C-013": Check(c13_max_one_revision_date, "any"),
    "MD-C-014": Check(c14_temporal_extent, "any"),
    "MD-C-015": Check(c15_keyword_originating_cv, "any"),
    "MD-C-016": Check(c16_group_keywords_by_cv, "any"),
    "MD-C-017": Check(c17_limitations_on_public_access, "any"),
    "MD-C-118": Check(c118_conditions_for_access_and_use, "any"),
    "MD-C-019": Check(c19_bounding_box, "any"),
    "MD-C-020": Check(c20_conformity, "any"),
    "MD-C-021": Check(c21_conformity_specification, "any"),
    "MD-C-022": Check(c22_conformity_degree, "any"),
    "MD-DS-001": Check(ds01_resource_type, "dataset"),
    "MD-DS-002": Check(ds02_only_one_data_identification, "dataset"),
    "MD-DS-003": Check(ds03_dataset_uid, "dataset"),
    "MD-DS-103": Check(ds103_dataset_uid_uri, "dataset"),
    "MD-DS-004": Check(ds04_inspire_theme_keyword, "dataset"),
    "MD-DS-005": Check(ds05_spatial_resolution, "dataset"),
    "MD-DS-006": Check(ds06_resource_language, "dataset"),
    "MD-DS-007": Check(ds07_topic_category, "dataset"),
    "MD-DS-108": Check(ds108_resource_locator, "dataset"),
    "MD-DS-009": Check(ds09_one_data_quality, "dataset"),
    "MD-DS-010": Check(ds10_conformity, "dataset"),
    "MD-DS-011": Check(ds11_lineage, "dataset"),
    "MD-IOP-001": Check(iop01_crs, "dataset"),
    "MD-IOP-002": Check(iop02_crs_id, "dataset"),
    "MD-IOP-003": Check(iop03_temporal_reference_system, "dataset"),
    "MD-IOP-004": Check(iop04_spatial_representation_type, "dataset"),
    "MD-IOP-005": Check(iop05_character_encoding, "dataset"),
    "MD-IOP-006": Check(iop06_data_encoding, "dataset"),
    "MD-IOP-007": Check(iop07_topological_quantitative, "dataset"),
    "MD-IOP-008": Check(iop08_topological_descriptive, "dataset"),
    "MD-SDS-001": Check(sds01_resource_type, "service"),
    "MD-SDS-002": Check(sds02_service_identification, "service"),
    "MD-SDS-003": Check(sds03_spatial_resolution, "service"),
    "MD-SDS-004": Check(sds04_category, "service"),
    "MD-SDS-005": Check(sds05_type, "service"),
    "MD-SDS-006": Check(sds06_coupled_resource, "service"),
    "MD-SDS-007": Check(sds07_resource_locator, "service"),
    "MD-SDS-008": Check(sds08_only_one_dq_element, "service"),
    "MD-NS-001": Check(ns01_type, "service"),
    "MD-NSM-001": Check(nsm01_conformity, "network"),
    "MD-SDSI-001": Check(sdsi01_type, "invocable"),
    "MD-SDSI-002": Check(sdsi02_access_point, "invocable"),
    "MD-SDSI-003": Check(sdsi03_conformity, "invocable"),
    "MD-SDSI-005": Check(sdsi05_technical_specification, "invocable"),
    "MD-SDSI-006": Check(sdsi06_category_declared, "invocable"),
    "MD-LS-001": Check(ls01_view_linkage, "dataset"),
    "MD-LS-002": Check(ls02_download_linkage, "dataset"),
}

KIND_LABELS_FR = {
    "any": "fiche",
    "dataset": "fiche de jeu ou de série de données",
    "service": "fiche de service",
    "network": "fiche de service en réseau",
    "invocable": "fiche de service invocable (type other, ou catégorie déclarée par conformité)",
}
