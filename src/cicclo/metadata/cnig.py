"""National recommendations of the CNIG metadata guide (v2.0, 2019) that a program can check.

Source: "Guide de saisie des éléments de métadonnées INSPIRE – Appliqué aux données", CNIG, v2.0
(https://cnig.gouv.fr/IMG/pdf/guide-de-saisie-des-elements-de-metadonnees-inspire-v2.0-1.pdf), chapters on
keywords, resource locator, reference system and constraints. Only rules not already covered by an INSPIRE
check are implemented here, so that one defect never shows twice. Same conventions as
:mod:`cicclo.metadata.inspire`: a function returns French failure messages or raises NotApplicable.
"""

from __future__ import annotations

import re
from typing import Any

from cicclo.errors import NotApplicable
from cicclo.metadata import codelists
from cicclo.metadata.inspire import (
    Check,
    Messages,
    first,
    href,
    keyword_blocks,
    keyword_values,
    legal_blocks,
    linkage,
    online_resources,
    text,
    theme_blocks,
    theme_of,
    xp,
)

EPSG_URI = re.compile(r"^https?://www\.opengis\.net/def/crs/EPSG/0/\d+$")
OPEN_LICENCE = re.compile(r"licence ouverte|open licen[cs]e|etalab|odbl|open database licen[cs]e|cc[- ]by",
                          re.IGNORECASE)
OPEN_DATA_KEYWORD = "données ouvertes"
SERVICE_URL = re.compile(r"[?&]request=GetCapabilities", re.IGNORECASE)


def cnig01_one_theme(root: Any) -> Messages:
    themes = {theme_of(label, link) for b in theme_blocks(root) for label, link in keyword_values(b)} - {None}
    if not themes:
        raise NotApplicable("aucun thème INSPIRE reconnu (voir MD-DS-004)")
    if len(themes) > 1:
        return [f"{len(themes)} thèmes INSPIRE ({', '.join(sorted(str(t).rsplit('/', 1)[-1] for t in themes))}) :"
                " le guide CNIG recommande un seul thème par ressource"]
    return []


def cnig02_open_data_keyword(root: Any) -> Messages:
    conditions = [f"{text(o)} {href(o)}" for b in legal_blocks(root, "useConstraints")
                  for o in xp(b, "gmd:otherConstraints")]
    if not any(OPEN_LICENCE.search(c) for c in conditions):
        raise NotApplicable("pas de licence ouverte dans les conditions d'utilisation")
    free = [label.lower() for b in keyword_blocks(root) for label, _ in keyword_values(b)]
    if OPEN_DATA_KEYWORD not in free:
        return [f"licence ouverte sans le mot-clé « {OPEN_DATA_KEYWORD} »"]
    return []


def cnig03_crs_epsg_uri(root: Any) -> Messages:
    codes = xp(root, "gmd:referenceSystemInfo/gmd:MD_ReferenceSystem/gmd:referenceSystemIdentifier"
                     "/gmd:RS_Identifier/gmd:code")
    if not codes:
        raise NotApplicable("aucun système de référence déclaré (voir MD-IOP-001)")
    return [f"système de référence {text(c)!r} : gmx:Anchor vers http://www.opengis.net/def/crs/EPSG/0/<code> "
            "recommandé" for c in codes if not EPSG_URI.match(href(c))]


def cnig04_service_links_complete(root: Any) -> Messages:
    links = [r for r in online_resources(root)
             if first(r, "gmd:applicationProfile") is not None or SERVICE_URL.search(linkage(r))]
    if not links:
        raise NotApplicable("aucun lien vers un service")
    out = []
    for res in links:
        missing = [name for name in ("protocol", "applicationProfile", "description")
                   if not (text(first(res, f"gmd:{name}")) or href(first(res, f"gmd:{name}")))]
        if missing:
            out.append(f"lien de service {linkage(res)!r} : {', '.join(missing)} absent(s)")
    return out


def cnig05_conditions_known(root: Any) -> Messages:
    others = [o for b in legal_blocks(root, "useConstraints") for o in xp(b, "gmd:otherConstraints")]
    if not others:
        raise NotApplicable("aucune condition d'utilisation (voir MD-C-118)")
    unknown = [o for o in others
               if codelists.in_register(href(o), "conditions_applying_to_access_and_use") == "conditionsUnknown"
               or "conditions inconnues" in text(o).lower()]
    if unknown:
        return ["conditions d'accès et d'utilisation « inconnues » : le guide CNIG demande de les préciser"]
    return []


def cnig06_theme_label_language(root: Any) -> Messages:
    code = first(root, "gmd:language/gmd:LanguageCode")
    lang = code.get("codeListValue") if code is not None else None
    column = {"fre": "fr", "eng": "en"}.get(lang or "")
    blocks = theme_blocks(root)
    if column is None or not blocks:
        raise NotApplicable("pas de thème INSPIRE, ou langue des métadonnées autre que le français ou l'anglais")
    labels = {c["uri"]: c[column] for c in codelists.inspire()["inspire_themes"]["concepts"]}
    out = []
    for block in blocks:
        for label, link in keyword_values(block):
            theme = theme_of(label, link)
            if theme and label != labels[theme]:
                out.append(f"thème {label!r} : libellé dans la langue des métadonnées attendu ({labels[theme]!r})")
    return out


CHECKS: dict[str, Check] = {
    "MD-CNIG-001": Check(cnig01_one_theme, "dataset"),
    "MD-CNIG-002": Check(cnig02_open_data_keyword, "dataset"),
    "MD-CNIG-003": Check(cnig03_crs_epsg_uri, "dataset"),
    "MD-CNIG-004": Check(cnig04_service_links_complete, "any"),
    "MD-CNIG-005": Check(cnig05_conditions_known, "any"),
    "MD-CNIG-006": Check(cnig06_theme_label_language, "dataset"),
}
