"""Code lists shipped with the project (INSPIRE registry facts, ISO 19139 gmxCodelists), loaded once."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from lxml import etree

from cicclo.targets import REPO_ROOT

EXTERNAL = REPO_ROOT / "schemas" / "external"
INSPIRE_FILE = EXTERNAL / "inspire-codelists" / "inspire-codelists.json"
GMX_CODELISTS = (EXTERNAL / "iso19139" / "pycsw" / "plugins" / "profiles" / "apiso" / "schemas" / "ogc" / "iso"
                 / "19139" / "20070417" / "resources" / "codelist" / "gmxCodelists.xml")
REGISTRY = "inspire.ec.europa.eu/metadata-codelist/"
THEME_REGISTER = "inspire.ec.europa.eu/theme"
THEME_THESAURUS_TITLE = "GEMET - INSPIRE themes, version 1.0"
THEME_THESAURUS_DATE = "2008-06-01"
LANGUAGE_CODELIST = "http://www.loc.gov/standards/iso639-2/"

# ISO 19119 code lists that gmxCodelists.xml does not hold (values from ISO 19119:2005 / 19139 srv)
SERVICE_CODELISTS: dict[str, frozenset[str]] = {
    "SV_CouplingType": frozenset({"loose", "mixed", "tight"}),
    "DCPList": frozenset({"XML", "CORBA", "JAVA", "COM", "SQL", "WebServices"}),
}
TOPIC_CATEGORIES = frozenset({
    "farming", "biota", "boundaries", "climatologyMeteorologyAtmosphere", "economy", "elevation", "environment",
    "geoscientificInformation", "health", "imageryBaseMapsEarthCover", "intelligenceMilitary", "inlandWaters",
    "location", "oceans", "planningCadastre", "society", "structure", "transportation",
    "utilitiesCommunication",
})


@cache
def inspire() -> dict[str, Any]:
    """The INSPIRE code-list facts (themes, access limitations, service types...)."""
    return json.loads(INSPIRE_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@cache
def iso_codelists() -> dict[str, frozenset[str]]:
    """ISO 19139 code list name -> allowed values, from gmxCodelists.xml (plus the srv lists)."""
    gmx = "http://www.isotc211.org/2005/gmx"
    gml = "http://www.opengis.net/gml/3.2"
    tree = etree.parse(str(GMX_CODELISTS), etree.XMLParser(no_network=True, resolve_entities=False))
    lists: dict[str, frozenset[str]] = dict(SERVICE_CODELISTS)
    for dictionary in tree.iter(f"{{{gmx}}}CodeListDictionary", f"{{{gmx}}}ML_CodeListDictionary"):
        name = dictionary.get(f"{{{gml}}}id")
        values = {(i.text or "").strip()
                  for i in dictionary.iterfind(f".//{{{gmx}}}CodeDefinition/{{{gml}}}identifier")}
        values |= {(i.text or "").strip()
                   for i in dictionary.iterfind(f".//{{{gmx}}}ML_CodeDefinition/{{{gml}}}identifier")}
        if name:
            lists[name] = frozenset(v for v in values if v)
    return lists


@cache
def theme_lookup() -> dict[str, str]:
    """Lower-cased theme URI and labels (English, French and the other GEMET languages) -> theme URI."""
    lookup: dict[str, str] = {}
    for concept in inspire()["inspire_themes"]["concepts"]:
        uri = concept["uri"]
        labels = [concept["en"], concept["fr"], *concept.get("labels", {}).values()]
        for key in (uri, uri.replace("http://", "https://"), *labels):
            lookup[label_key(key)] = uri
    return lookup


def label_key(label: str) -> str:
    """A label compared without case, and with the Romanian cedilla letters (ş, ţ) read as comma-below (ș, ț)."""
    return label.strip().lower().replace("ş", "ș").replace("ţ", "ț")


def register_values(key: str) -> frozenset[str]:
    return frozenset(inspire()[key]["values"])


def in_register(href: str, register_key: str) -> str | None:
    """The code of ``href`` when it is a URI of the named INSPIRE register (http or https), else None."""
    register = inspire()[register_key]["register"].split("://", 1)[1]
    for scheme in ("http://", "https://"):
        prefix = scheme + register + "/"
        if href.startswith(prefix):
            return href[len(prefix):].strip("/")
    return None


def _uri_key(uri: str) -> str:
    return uri.strip().replace("https://", "http://", 1).rstrip("/")


def is_protocol_value(uri: str) -> bool:
    """Whether ``uri`` is a value of the INSPIRE ProtocolValue code list. Its values are external URIs (OGC service
    types, RFC 4287 for Atom), compared without scheme or trailing-slash differences; a URI under the register's
    own namespace is accepted too (its values there are not shipped offline)."""
    values = {_uri_key(v) for v in inspire()["protocol_value"]["values"]}
    return _uri_key(uri) in values or in_register(uri, "protocol_value") is not None


def languages() -> frozenset[str]:
    data = inspire()
    return frozenset(data["eu_languages_iso639_2b"]) | frozenset(data["other_languages_iso639_2b"])


def eu_languages() -> frozenset[str]:
    return frozenset(inspire()["eu_languages_iso639_2b"])
