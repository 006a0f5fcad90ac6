"""The built-in reference catalogue: pycsw (CSW 2.0.2/3.0), OGC API Records and a DCAT-AP document.

Three endpoints over the same ISO 19139 records (every ``*.xml`` of ``records/``, in sorted order):

- ``csw``: pycsw 2.6.2 under gunicorn, from its own virtualenv ``.venv-csw`` (``scripts/setup-catalogue.sh``),
  endpoint ``http://127.0.0.1:PORT/csw``, SQLite repository loaded at start;
- ``ogcapi_records``: a second pygeoapi (from ``.venv-ref``) whose collection ``metadonnees`` is pygeoapi's
  ``CSWFacade`` over that pycsw. It also serves the small feature collections (``stations_hydrometriques``,
  ``zones_inondables``) that the records' download locators point to, so that those locators answer.
  Known deviations of pygeoapi 0.21's CSWFacade (real behaviour, kept): each record's ``time`` is the plain
  ``dc:date`` string, not an object; its links to online resources have no ``rel``; paging passes the 0-based
  ``offset`` as the 1-based CSW ``startPosition``, so each page after the first repeats the last record of the
  previous page. pycsw caps every page at 10 records (``maxrecords``);
- ``dcat``: a DCAT-AP 3 catalogue generated from the records at start, served by a small thread on loopback
  at ``http://127.0.0.1:PORT/dcat`` (Turtle by default, RDF/XML or JSON-LD by ``Accept`` or by the
  ``.ttl`` / ``.rdf`` / ``.jsonld`` suffixes).

Record files may contain two placeholders, replaced at start before loading:
``{{RECORDS_URL}}`` is the landing page of the records pygeoapi, with a trailing slash (so
``{{RECORDS_URL}}collections/stations_hydrometriques`` is a feature collection), and ``{{CSW_URL}}`` is the
CSW endpoint, without a trailing slash (e.g. ``{{CSW_URL}}?service=CSW&amp;request=GetRecordById&amp;id=...``).
Nothing is downloaded at run time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import yaml
from lxml import etree
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS

from cicclo.reference import CRS84, LICENCE, REPO_ROOT, listening_socket, pygeoapi_server_settings
from cicclo.reference.builtins import Started
from cicclo.reference.data import extent_of

RECORDS_DIR = Path(__file__).resolve().parent / "records"
RECORDS_COLLECTION = "metadonnees"
GMD_SCHEMA = "http://www.isotc211.org/2005/gmd"
NS = {
    "gmd": GMD_SCHEMA,
    "gco": "http://www.isotc211.org/2005/gco",
    "gmx": "http://www.isotc211.org/2005/gmx",
    "srv": "http://www.isotc211.org/2005/srv",
    "gml": "http://www.opengis.net/gml/3.2",
    "gml32": "http://www.opengis.net/gml",
    "xlink": "http://www.w3.org/1999/xlink",
}
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
AVAILABILITY = "http://publications.europa.eu/resource/authority/planned-availability/"
OAPIF_CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
EU_LANG = "http://publications.europa.eu/resource/authority/language/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
LANGUAGES = {"fre": "FRA", "fra": "FRA", "eng": "ENG", "ger": "DEU", "deu": "DEU", "spa": "SPA", "ita": "ITA"}
RDF_VARIANTS = {  # suffix: (rdflib format, media type)
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "rdf": ("xml", "application/rdf+xml; charset=utf-8"),
    "jsonld": ("json-ld", "application/ld+json; charset=utf-8"),
}

# Run with .venv-csw's interpreter: creates the SQLite repository and loads a folder of records; prints the
# loaded files and pycsw's message for each file it refused as JSON on stdout.
PYCSW_LOADER = """
import configparser, glob, json, logging, os, sys
logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
refused = {}
class Refusals(logging.Handler):
    def emit(self, record):
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            message += " : " + str(record.exc_info[1])
        for path in glob.glob(os.path.join(sys.argv[2], "*.xml")):
            if path in message:
                refused.setdefault(path, message)
logging.getLogger("pycsw").addHandler(Refusals(level=logging.ERROR))
from pycsw.core import admin, config
cp = configparser.ConfigParser(interpolation=None)
cp.read(sys.argv[1], encoding="utf-8")
database, table = cp.get("repository", "database"), cp.get("repository", "table")
admin.setup_db(database, table, cp.get("server", "home"))
loaded = admin.load_records(config.StaticContext(), database, table, sys.argv[2])
print(json.dumps({"loaded": sorted(loaded), "refused": refused}))
"""


class CatalogueError(RuntimeError):
    pass


def _venv(env_var: str, default: str, needed: list[str], script: str) -> Path:
    venv = Path(os.environ.get(env_var, REPO_ROOT / default))
    missing = [name for name in needed if not list(venv.glob(name))]
    if missing:
        raise CatalogueError(f"{', '.join(missing)} introuvable dans {venv} : lancer `bash {script}` "
                             "(ou scripts/setup.sh)")
    return venv


def find_csw_venv() -> Path:
    return _venv("CICCLO_CSW_VENV", ".venv-csw", ["bin/gunicorn", "lib/python3*/site-packages/pycsw"],
                 "scripts/setup-catalogue.sh")


def find_records_venv() -> Path:
    return _venv("CICCLO_REF_VENV", ".venv-ref", ["bin/gunicorn", "bin/pygeoapi", "lib/python3*/site-packages/owslib"],
                 "scripts/setup-catalogue.sh")


def default_record_files() -> list[Path]:
    """Every record of the built-in set (conformant and defect records), in sorted order."""
    return sorted(RECORDS_DIR.glob("*.xml"))


def render_records(files: list[Path], dest: Path, records_url: str, csw_url: str) -> list[Path]:
    """Copy the records into ``dest`` with the placeholders replaced; returns the written files."""
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for src in files:
        text = src.read_text(encoding="utf-8")
        text = text.replace("{{RECORDS_URL}}", records_url).replace("{{CSW_URL}}", csw_url)
        out = dest / src.name
        out.write_text(text, encoding="utf-8")
        written.append(out)
    return written


def write_pycsw_config(workdir: Path, url: str) -> Path:
    """The pycsw 2.6.2 INI configuration (no ``gzip_compresslevel``: pycsw 2.6.2 truncates gzip bodies)."""
    home = str(workdir)
    text = f"""[server]
home={home}
url={url}
mimetype=application/xml; charset=UTF-8
encoding=UTF-8
language=fr-FR
maxrecords=10
loglevel=ERROR
logfile={workdir / "pycsw.log"}
pretty_print=true
domainquerytype=list
domaincounts=false
profiles=apiso

[manager]
transactions=false
allowed_ips=127.0.0.1

[metadata:main]
identification_title=Catalogue de référence cicclo
identification_abstract=Catalogue CSW de test servant les fiches ISO 19139 de la suite cicclo
identification_keywords=catalogue,métadonnées,test
identification_keywords_type=theme
identification_fees=Aucun
identification_accessconstraints=Aucune
provider_name=cicclo
provider_url={url}
contact_name=Équipe cicclo
contact_position=Administrateur
contact_address=1 rue de l'Exemple
contact_city=Paris
contact_stateorprovince=Île-de-France
contact_postalcode=75000
contact_country=France
contact_phone=+33-1-00-00-00-00
contact_fax=+33-1-00-00-00-01
contact_email=contact@example.org
contact_url={url}
contact_hours=9h - 17h
contact_instructions=Par courriel
contact_role=pointOfContact

[repository]
database=sqlite:///{workdir / "records.db"}
table=records

[metadata:inspire]
enabled=true
languages_supported=fre,eng
default_language=fre
date=2025-01-01
gemet_keywords=Utility and governmental services
conformity_service=notEvaluated
contact_name=Équipe cicclo
contact_email=contact@example.org
temp_extent=2019-01-01/2025-12-31
"""
    path = workdir / "pycsw.cfg"
    path.write_text(text, encoding="utf-8")
    return path


# --- feature data that the records' download locators point to --------------------------------------------

def stations_hydrometriques() -> list[dict[str, Any]]:
    """20 gauging stations (points) in the Loire basin."""
    rng = random.Random(45)
    rivers = ["la Loire", "l'Allier", "le Cher", "l'Indre", "la Vienne", "la Maine", "le Loir"]
    feats = []
    for i in range(1, 21):
        x, y = round(rng.uniform(-2.4, 4.4), 5), round(rng.uniform(45.1, 48.4), 5)
        feats.append({"type": "Feature", "id": f"station-{i:02d}",
                      "geometry": {"type": "Point", "coordinates": [x, y]},
                      "properties": {"code": f"K{4000 + i * 17:04d}0010", "cours_eau": rng.choice(rivers),
                                     "mise_en_service": f"{rng.randrange(1960, 2020)}-01-01"}})
    return feats


def zones_inondables() -> list[dict[str, Any]]:
    """4 flood zones (axis-aligned polygons) along the Seine upstream of Paris."""
    feats = []
    for i, (x, y) in enumerate([(2.45, 48.75), (2.75, 48.55), (3.1, 48.45), (3.6, 48.4)], start=1):
        ring = [[x, y], [x + 0.2, y], [x + 0.2, y + 0.08], [x, y + 0.08], [x, y]]
        feats.append({"type": "Feature", "id": f"zone-{i}",
                      "geometry": {"type": "Polygon", "coordinates": [ring]},
                      "properties": {"alea": ["faible", "moyen", "fort", "très fort"][i - 1],
                                     "crue_reference": "1910"}})
    return feats


def write_records_configuration(workdir: Path, url: str, csw_url: str) -> Path:
    """Data files and configuration of the records pygeoapi; returns the configuration path."""
    collections: dict[str, Any] = {
        RECORDS_COLLECTION: {
            "type": "collection",
            "title": "Fiches de métadonnées du catalogue de référence",
            "description": "Fiches ISO 19139 du catalogue CSW de référence, vues en OGC API Records",
            "keywords": ["métadonnées", "catalogue"],
            "links": [{"type": "application/xml", "rel": "alternate", "title": "Catalogue CSW",
                       "href": f"{csw_url}?service=CSW&version=2.0.2&request=GetCapabilities"}],
            "extents": {"spatial": {"bbox": [-5.5, 41.0, 10.0, 51.5], "crs": CRS84}},
            "providers": [{"type": "record", "name": "CSWFacade", "data": csw_url, "id_field": "identifier",
                           "time_field": "date", "title_field": "title"}],
        },
    }
    for name, title, feats in (
        ("stations_hydrometriques", "Stations hydrométriques du bassin de la Loire", stations_hydrometriques()),
        ("zones_inondables", "Zones inondables de la vallée de la Seine", zones_inondables()),
    ):
        path = workdir / f"{name}.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False),
                        encoding="utf-8")
        collections[name] = {
            "type": "collection", "title": title, "description": f"{title} (données fictives de test)",
            "keywords": ["test"], "links": [],
            "extents": {"spatial": {"bbox": extent_of(feats), "crs": CRS84}},
            "providers": [{"type": "feature", "name": "GeoJSON", "data": str(path), "id_field": "id"}],
        }
    config = {
        **pygeoapi_server_settings(workdir, url),
        "metadata": {
            "identification": {
                "title": "Catalogue de référence cicclo (OGC API Records)",
                "description": "Fiches de métadonnées de test et données qu'elles décrivent",
                "keywords": ["catalogue", "métadonnées"], "keywords_type": "theme",
                "terms_of_service": LICENCE, "url": url,
            },
            "license": {"name": "Licence Ouverte 2.0", "url": LICENCE},
            "provider": {"name": "cicclo", "url": url},
            "contact": {"name": "cicclo", "email": "contact@example.org", "role": "pointOfContact"},
        },
        "resources": collections,
    }
    path = workdir / "pygeoapi-config.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- ISO 19139 -> DCAT-AP ------------------------------------------------------------------------------------

@dataclass
class IsoSummary:
    """What the DCAT mapping takes from one ISO 19139 record (every field may be missing in a defect record)."""

    file_id: str
    level: str = "dataset"
    title: str | None = None
    abstract: str | None = None
    identifiers: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    language: str | None = None
    date_stamp: str | None = None
    dates: dict[str, str] = field(default_factory=dict)
    bbox: tuple[float, float, float, float] | None = None
    period: tuple[str | None, str | None] | None = None
    organisation: str | None = None
    email: str | None = None
    licences: list[str] = field(default_factory=list)
    access_rights: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    online: list[dict[str, str]] = field(default_factory=list)
    operates_on: list[str] = field(default_factory=list)


def _text(node: etree._Element | None) -> str | None:
    if node is None:
        return None
    value = " ".join("".join(node.itertext()).split())
    return value or None


def _first(root: etree._Element, path: str) -> str | None:
    found = root.xpath(path, namespaces=NS)
    return _text(found[0]) if found else None


def summarize_iso(root: etree._Element, fallback_id: str) -> IsoSummary:
    """Extract the DCAT-relevant facts of a ``gmd:MD_Metadata`` element."""
    s = IsoSummary(file_id=_first(root, "gmd:fileIdentifier/*") or fallback_id)
    s.level = (root.xpath("string(gmd:hierarchyLevel/*/@codeListValue)", namespaces=NS) or "dataset").strip()
    ident = root.xpath("gmd:identificationInfo/*", namespaces=NS)
    if not ident:
        return s
    idn = ident[0]
    s.title = _first(idn, "gmd:citation/*/gmd:title")
    s.abstract = _first(idn, "gmd:abstract")
    s.identifiers = [t for t in (_text(n) for n in idn.xpath("gmd:citation/*/gmd:identifier/*/gmd:code",
                                                              namespaces=NS)) if t]
    for kw in idn.xpath("gmd:descriptiveKeywords/*/gmd:keyword/*", namespaces=NS):
        href = kw.get(XLINK_HREF, "")
        if href.startswith("http://inspire.ec.europa.eu/theme/"):
            s.themes.append(href)
        elif _text(kw):
            s.keywords.append(_text(kw))  # type: ignore[arg-type]
    s.language = (idn.xpath("string(gmd:language/gmd:LanguageCode/@codeListValue)", namespaces=NS)
                  or root.xpath("string(gmd:language/gmd:LanguageCode/@codeListValue)", namespaces=NS)
                  or None)
    s.date_stamp = _first(root, "gmd:dateStamp/*")
    for d in idn.xpath("gmd:citation/*/gmd:date/gmd:CI_Date", namespaces=NS):
        kind = d.xpath("string(gmd:dateType/*/@codeListValue)", namespaces=NS)
        value = _first(d, "gmd:date/*")
        if kind and value:
            s.dates.setdefault(kind, value)
    box = idn.xpath(".//gmd:EX_GeographicBoundingBox", namespaces=NS)
    if box:
        try:
            s.bbox = tuple(float(_first(box[0], f"gmd:{b}/*") or "x") for b in  # type: ignore[assignment]
                           ("westBoundLongitude", "southBoundLatitude", "eastBoundLongitude", "northBoundLatitude"))
        except ValueError:
            s.bbox = None
    period = idn.xpath(".//gmd:EX_TemporalExtent/gmd:extent/*", namespaces=NS)
    if period:
        s.period = (_first(period[0], "gml:beginPosition|gml32:beginPosition"),
                    _first(period[0], "gml:endPosition|gml32:endPosition"))
    s.organisation = _first(idn, "gmd:pointOfContact/*/gmd:organisationName")
    s.email = _first(idn, "gmd:pointOfContact/*//gmd:electronicMailAddress")
    for constraint in idn.xpath("gmd:resourceConstraints/gmd:MD_LegalConstraints", namespaces=NS):
        use = bool(constraint.xpath("gmd:useConstraints", namespaces=NS))
        for other in constraint.xpath("gmd:otherConstraints/*", namespaces=NS):
            value = other.get(XLINK_HREF) or _text(other)
            if value:
                (s.licences if use else s.access_rights).append(value)
    s.formats = [t for t in (_text(n) for n in root.xpath(
        "gmd:distributionInfo/*/gmd:distributionFormat/*/gmd:name", namespaces=NS)) if t]
    for res in root.xpath("gmd:distributionInfo//gmd:CI_OnlineResource", namespaces=NS):
        url = _first(res, "gmd:linkage/gmd:URL")
        if url:
            s.online.append({"url": url, "protocol": _first(res, "gmd:protocol") or "",
                             "name": _first(res, "gmd:name") or "", "description": _first(res, "gmd:description") or "",
                             "function": res.xpath("string(gmd:function/*/@codeListValue)", namespaces=NS)})
    for op in idn.xpath("srv:operatesOn", namespaces=NS):
        ref = op.get("uuidref") or op.get(XLINK_HREF)
        if ref:
            s.operates_on.append(ref)
    return s


def _iri(value: str | None) -> URIRef | None:
    return URIRef(value) if value and value.startswith(("http://", "https://")) and " " not in value else None


def _date_literal(value: str) -> Literal:
    return Literal(value, datatype=XSD.dateTime if "T" in value else XSD.date)


def dcat_graph(summaries: list[IsoSummary], dcat_url: str, csw_url: str) -> Graph:
    """A DCAT-AP 3 catalogue of the records: datasets, the data services coupled to them, catalogue records."""
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("vcard", VCARD), ("gsp", GSP),
                       ("dcatap", DCATAP), ("skos", SKOS), ("adms", ADMS)):
        g.bind(prefix, ns)
    base = dcat_url.rstrip("/")
    catalogue = URIRef(f"{base}#catalogue")
    publisher = URIRef(f"{base}#editeur")
    g.add((catalogue, RDF.type, DCAT.Catalog))
    g.add((catalogue, DCTERMS.title, Literal("Catalogue de référence cicclo", lang="fr")))
    g.add((catalogue, DCTERMS.description, Literal(
        "Jeux de données et services décrits par les fiches ISO 19139 du catalogue CSW de référence", lang="fr")))
    g.add((catalogue, DCTERMS.publisher, publisher))
    g.add((catalogue, FOAF.homepage, URIRef(f"{csw_url}?service=CSW&version=2.0.2&request=GetCapabilities")))
    g.add((catalogue, DCTERMS.language, URIRef(EU_LANG + "FRA")))
    g.add((catalogue, DCTERMS.license, URIRef(LICENCE)))
    g.add((URIRef(LICENCE), RDF.type, DCTERMS.LicenseDocument))
    stamps = sorted(s.date_stamp for s in summaries if s.date_stamp)
    if stamps:
        g.add((catalogue, DCTERMS.issued, _date_literal(stamps[0])))
        g.add((catalogue, DCTERMS.modified, _date_literal(stamps[-1])))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal("Équipe cicclo", lang="fr")))
    themes = URIRef("http://inspire.ec.europa.eu/theme")
    g.add((catalogue, DCAT.themeTaxonomy, themes))
    g.add((themes, RDF.type, SKOS.ConceptScheme))
    g.add((themes, DCTERMS.title, Literal("GEMET - INSPIRE themes, version 1.0", lang="en")))
    boxes = [s.bbox for s in summaries if s.bbox]
    if boxes:
        _add_bbox(g, catalogue, (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                                 max(b[3] for b in boxes)))
    by_file_id: dict[str, URIRef] = {}
    services: list[tuple[URIRef, IsoSummary]] = []
    for s in summaries:
        is_service = s.level == "service"
        kind = DCAT.DataService if is_service else DCAT.Dataset
        subject = _iri(s.identifiers[0] if s.identifiers else None) or URIRef(f"{base}#{s.file_id}")
        by_file_id[s.file_id] = subject
        g.add((subject, RDF.type, kind))
        g.add((catalogue, DCAT.service if is_service else DCAT.dataset, subject))
        for ident in s.identifiers or [s.file_id]:
            g.add((subject, DCTERMS.identifier, Literal(ident)))
        if s.title:
            g.add((subject, DCTERMS.title, Literal(s.title, lang="fr")))
        if s.abstract:
            g.add((subject, DCTERMS.description, Literal(s.abstract, lang="fr")))
        for kw in s.keywords:
            g.add((subject, DCAT.keyword, Literal(kw, lang="fr")))
        for theme in s.themes:
            g.add((subject, DCAT.theme, URIRef(theme)))
        if s.language:
            g.add((subject, DCTERMS.language, URIRef(EU_LANG + LANGUAGES.get(s.language, s.language.upper()))))
        if "creation" in s.dates or "publication" in s.dates:
            g.add((subject, DCTERMS.issued, _date_literal(s.dates.get("creation") or s.dates["publication"])))
        if "revision" in s.dates:
            g.add((subject, DCTERMS.modified, _date_literal(s.dates["revision"])))
        if s.bbox:
            _add_bbox(g, subject, s.bbox)
        if s.period and not is_service:
            period = BNode()
            g.add((subject, DCTERMS.temporal, period))
            g.add((period, RDF.type, DCTERMS.PeriodOfTime))
            if s.period[0]:
                g.add((period, DCAT.startDate, _date_literal(s.period[0])))
            if s.period[1]:
                g.add((period, DCAT.endDate, _date_literal(s.period[1])))
        if s.organisation:
            agent = URIRef(f"{base}#organisation-{hashlib.sha1(s.organisation.encode()).hexdigest()[:10]}")
            g.add((subject, DCTERMS.publisher, agent))
            g.add((agent, RDF.type, FOAF.Agent))
            g.add((agent, FOAF.name, Literal(s.organisation, lang="fr")))
        if s.organisation or s.email:
            contact = BNode()
            g.add((subject, DCAT.contactPoint, contact))
            g.add((contact, RDF.type, VCARD.Organization))
            if s.organisation:
                g.add((contact, VCARD.fn, Literal(s.organisation)))
            if s.email:
                g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{s.email}")))
        for right in s.access_rights:
            rights = BNode()
            g.add((subject, DCTERMS.accessRights, rights))
            g.add((rights, RDF.type, DCTERMS.RightsStatement))
            g.add((rights, DCTERMS.description if not _iri(right) else DCTERMS.source, _iri(right) or Literal(right)))
        licences = [URIRef(lic) for lic in s.licences if _iri(lic)]
        if is_service:
            services.append((subject, s))
            for lic in licences:
                g.add((subject, DCTERMS.license, lic))
                g.add((lic, RDF.type, DCTERMS.LicenseDocument))
            access = next((o for o in s.online if _iri(o["url"])), None)
            if access:
                endpoint = access["url"]
                g.add((subject, DCAT.endpointURL, URIRef(endpoint)))
                if endpoint.split("?")[0] == csw_url:
                    g.add((subject, DCAT.endpointDescription,
                           URIRef(f"{csw_url}?service=CSW&version=2.0.2&request=GetCapabilities")))
                elif "api" in access["protocol"].lower() and "features" in access["protocol"].lower():
                    g.add((subject, DCAT.endpointDescription, URIRef(endpoint.split("?")[0].rstrip("/") + "/openapi")))
                    g.add((subject, DCTERMS.conformsTo, URIRef(OAPIF_CORE)))
        else:
            for i, online in enumerate(o for o in s.online if _iri(o["url"])):
                dist = URIRef(f"{base}#{s.file_id}-distribution-{i + 1}")
                g.add((subject, DCAT.distribution, dist))
                g.add((dist, RDF.type, DCAT.Distribution))
                g.add((dist, DCAT.accessURL, URIRef(online["url"])))
                g.add((dist, DCTERMS.title, Literal(online["name"] or online["description"] or s.title or "",
                                                     lang="fr")))
                g.add((dist, DCATAP.availability, URIRef(AVAILABILITY + "STABLE")))
                if online["description"]:
                    g.add((dist, DCTERMS.description, Literal(online["description"], lang="fr")))
                if any(f.lower() == "geojson" for f in s.formats):
                    g.add((dist, DCTERMS.format, URIRef(FILE_TYPE + "GEOJSON")))
                for lic in licences:
                    g.add((dist, DCTERMS.license, lic))
                    g.add((lic, RDF.type, DCTERMS.LicenseDocument))
        record = URIRef(f"{csw_url}?" + urlencode({"service": "CSW", "version": "2.0.2", "request": "GetRecordById",
                                                   "id": s.file_id, "outputSchema": GMD_SCHEMA,
                                                   "elementSetName": "full"}))
        g.add((catalogue, DCAT.record, record))
        g.add((record, RDF.type, DCAT.CatalogRecord))
        g.add((record, FOAF.primaryTopic, subject))
        g.add((record, DCTERMS.identifier, Literal(s.file_id)))
        g.add((record, DCTERMS.conformsTo, URIRef(GMD_SCHEMA)))
        g.add((URIRef(GMD_SCHEMA), RDF.type, DCTERMS.Standard))
        g.add((record, ADMS.status, URIRef("http://purl.org/adms/status/Completed")))
        if s.date_stamp:
            g.add((record, DCTERMS.issued, _date_literal(s.date_stamp)))
            g.add((record, DCTERMS.modified, _date_literal(s.date_stamp)))
    for subject, s in services:
        for ref in s.operates_on:
            target = by_file_id.get(ref) or next((v for k, v in by_file_id.items() if k in ref), None)
            if target is not None:
                g.add((subject, DCAT.servesDataset, target))
                for distribution in list(g.objects(target, DCAT.distribution)):
                    g.add((distribution, DCAT.accessService, subject))
    return g


def _add_bbox(g: Graph, subject: URIRef, bbox: tuple[float, float, float, float]) -> None:
    w, s, e, n = bbox
    location = BNode()
    g.add((subject, DCTERMS.spatial, location))
    g.add((location, RDF.type, DCTERMS.Location))
    g.add((location, DCAT.bbox, Literal(f"POLYGON(({w} {s},{e} {s},{e} {n},{w} {n},{w} {s}))",
                                        datatype=GSP.wktLiteral)))
    g.add((location, DCAT.centroid, Literal(f"POINT({round((w + e) / 2, 6)} {round((s + n) / 2, 6)})",
                                            datatype=GSP.wktLiteral)))


class DcatServer:
    """A loopback thread serving one RDF graph at ``/dcat`` (content negotiation) and ``/dcat.{ttl,rdf,jsonld}``."""

    def __init__(self) -> None:
        self._bodies: dict[str, bytes] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/dcat"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="cicclo-dcat")

    def publish(self, graph: Graph) -> None:
        self._bodies = {suffix: graph.serialize(format=fmt, encoding="utf-8")
                        for suffix, (fmt, _) in RDF_VARIANTS.items()}

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():  # shutdown() would wait forever for a loop that never ran
            self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _variant(self) -> str | None:
                path = urlsplit(self.path).path
                if path == "/dcat":
                    accept = self.headers.get("Accept", "")
                    ranked = sorted(((_quality(accept, mt), suffix) for suffix, (_, mt) in RDF_VARIANTS.items()),
                                    key=lambda p: -p[0])
                    return ranked[0][1] if ranked[0][0] > 0 else "ttl"
                suffix = path.removeprefix("/dcat.")
                return suffix if path.startswith("/dcat.") and suffix in RDF_VARIANTS else None

            def _answer(self, with_body: bool) -> None:
                variant = self._variant()
                if variant is None:
                    body, ctype, status = b"Introuvable : le catalogue DCAT est servi sur /dcat\n", \
                        "text/plain; charset=utf-8", 404
                else:
                    body, ctype, status = owner._bodies.get(variant, b""), RDF_VARIANTS[variant][1], 200
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Vary", "Accept")
                self.end_headers()
                if with_body:
                    self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                self._answer(True)

            def do_HEAD(self) -> None:  # noqa: N802
                self._answer(False)

        return Handler


def _quality(accept: str, media_type: str) -> float:
    """The q-value ``accept`` gives to ``media_type`` (0 when not accepted; ``*/*`` counts a little less)."""
    wanted = media_type.split(";")[0]
    best = 0.0
    for part in accept.split(","):
        fields = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in fields[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if fields[0] == wanted:
            best = max(best, q)
        elif fields[0] in ("*/*", wanted.split("/")[0] + "/*"):
            best = max(best, q * 0.5)
    return best


# --- processes -----------------------------------------------------------------------------------------------

def _stop_groups(procs: list[subprocess.Popen[bytes]]) -> None:
    """Quick-stop gunicorn process groups (SIGINT to every group first, then SIGKILL what is left)."""
    running = [p for p in procs if p.poll() is None]
    for proc in running:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
    for proc in running:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        # workers left behind by a master that died first
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def _tail(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-2000:] if path.exists() else ""


class ReferenceCatalogue:
    """Start/stop pycsw, the OGC API Records pygeoapi and the DCAT document over a set of ISO 19139 records."""

    def __init__(self, workdir: Path | None = None, record_files: list[Path] | None = None) -> None:
        self._tmp = None if workdir else tempfile.TemporaryDirectory(prefix="cicclo-catalogue-")
        self.workdir = Path(workdir or self._tmp.name)  # type: ignore[union-attr]
        self.record_files = list(record_files) if record_files is not None else default_record_files()
        self.csw_url: str | None = None
        self.records_url: str | None = None
        self.dcat_url: str | None = None
        self.loaded: list[str] = []
        self.rejected: list[str] = []
        self.refused: dict[str, str] = {}  # file name -> pycsw's message, for each record it did not load
        self._procs: list[subprocess.Popen[bytes]] = []
        self._sockets: list[socket.socket] = []
        self._dcat: DcatServer | None = None

    def __enter__(self) -> ReferenceCatalogue:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def services(self) -> dict[str, dict[str, Any]]:
        # the records pycsw refused are handed to the suite, which reports them (MD-C-001/MD-C-002), never drops them
        csw: dict[str, Any] = {"url": self.csw_url, "options": {"refused_records": dict(self.refused)}}
        return {"csw": csw, "ogcapi_records": {"url": self.records_url}, "dcat": {"url": self.dcat_url}}

    def start(self, timeout: float = 60.0) -> dict[str, dict[str, Any]]:
        """Start everything and wait until it answers; returns the services (``csw``, ``ogcapi_records``,
        ``dcat``). Stops what was started when something fails."""
        try:
            self._start(timeout)
        except BaseException:
            self.stop(cleanup=False)
            raise
        return self.services

    def _start(self, timeout: float) -> None:
        csw_venv, ref_venv = find_csw_venv(), find_records_venv()
        if not self.record_files:
            raise CatalogueError(f"aucune fiche ISO 19139 à charger (dossier {RECORDS_DIR})")
        self.workdir.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + timeout
        # the listening sockets are made here and handed to gunicorn (fd://): no port can be taken meanwhile
        csw_sock, rec_sock = listening_socket(), listening_socket()
        self._sockets += [csw_sock, rec_sock]
        csw_url = f"http://127.0.0.1:{csw_sock.getsockname()[1]}/csw"
        records_url = f"http://127.0.0.1:{rec_sock.getsockname()[1]}/"
        files = render_records(self.record_files, self.workdir / "records", records_url, csw_url)
        csw_dir, rec_dir = self.workdir / "pycsw", self.workdir / "pygeoapi"
        csw_dir.mkdir(exist_ok=True)
        rec_dir.mkdir(exist_ok=True)
        cfg = write_pycsw_config(csw_dir, csw_url)
        config = write_records_configuration(rec_dir, records_url, csw_url)
        openapi = rec_dir / "openapi.yml"
        rec_env = {"PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi), "HOME": str(rec_dir)}

        # pycsw repository and pygeoapi OpenAPI document, side by side
        loader, generated = self._run_side_by_side([
            ([str(csw_venv / "bin" / "python"), "-c", PYCSW_LOADER, str(cfg), str(self.workdir / "records")],
             {}, csw_dir),
            ([str(ref_venv / "bin" / "pygeoapi"), "openapi", "generate", str(config), "--output-file", str(openapi)],
             rec_env, rec_dir),
        ], deadline)
        if loader[0] != 0:
            raise CatalogueError(f"chargement des fiches dans pycsw impossible : {loader[2][-2000:]}")
        if generated[0] != 0:
            raise CatalogueError(f"pygeoapi openapi generate a échoué : {generated[2][-2000:]}")
        report = json.loads(loader[1].strip().splitlines()[-1])
        loaded = set(report["loaded"])
        self.loaded = [f.name for f in files if str(f) in loaded]
        self.rejected = [f.name for f in files if str(f) not in loaded]
        self.refused = {f.name: report["refused"].get(str(f), "refusée sans message de pycsw")
                        for f in files if str(f) not in loaded}
        if not self.loaded:
            raise CatalogueError(f"pycsw n'a chargé aucune fiche : {loader[2][-2000:]}")

        # both servers boot together (CSWFacade only calls pycsw when asked for records)
        csw_log, rec_log = csw_dir / "server.log", rec_dir / "server.log"
        csw_proc = self._spawn(csw_venv, csw_sock, "pycsw.wsgi:application", {"PYCSW_CONFIG": str(cfg)}, csw_dir,
                               csw_log)
        rec_proc = self._spawn(ref_venv, rec_sock, "pygeoapi.flask_app:APP", rec_env, rec_dir, rec_log)

        # DCAT document, while the servers boot
        summaries = [summarize_iso(etree.parse(str(f)).getroot(), f.stem) for f in files if f.name in self.loaded]
        self._dcat = DcatServer()
        self._dcat.publish(dcat_graph(summaries, self._dcat.url, csw_url))
        self._dcat.start()

        self._wait(csw_proc, f"{csw_url}?service=CSW&version=2.0.2&request=GetCapabilities", deadline, csw_log,
                   "pycsw")
        self._wait(rec_proc, f"{records_url}collections/{RECORDS_COLLECTION}/items?f=json&limit=1", deadline,
                   rec_log, "pygeoapi (OGC API Records)")
        self.csw_url, self.records_url, self.dcat_url = csw_url, records_url, self._dcat.url

    def _run_side_by_side(self, commands: list[tuple[list[str], dict[str, str], Path]],
                          deadline: float) -> list[tuple[int, str, str]]:
        """Run short commands concurrently (each in its own process group); returns (exit, stdout, stderr)."""
        procs = [subprocess.Popen(cmd, env={**os.environ, **env}, cwd=cwd, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, start_new_session=True)
                 for cmd, env, cwd in commands]
        try:
            outputs = []
            for proc in procs:
                out, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
                outputs.append((proc.returncode, out, err))
            return outputs
        except subprocess.TimeoutExpired:
            raise CatalogueError("préparation du catalogue trop longue (pycsw-admin / pygeoapi openapi)") from None
        finally:
            for proc in procs:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()

    def _spawn(self, venv: Path, sock: socket.socket, app: str, env: dict[str, str], cwd: Path,
               log: Path) -> subprocess.Popen[bytes]:
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [str(venv / "bin" / "gunicorn"), "-w", "2", "-b", f"fd://{sock.fileno()}", "--no-control-socket",
                 "--timeout", "120", app],
                env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=cwd,
                pass_fds=(sock.fileno(),))
        self._procs.append(proc)
        self._sockets.remove(sock)
        sock.close()  # gunicorn has its own copy
        return proc

    def _wait(self, proc: subprocess.Popen[bytes], url: str, deadline: float, log: Path, what: str) -> None:
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise CatalogueError(f"{what} ne répond pas sur {url} :\n{_tail(log)}")

    def stop(self, cleanup: bool = True) -> None:
        """Stop the servers (their whole process groups) and the DCAT thread; idempotent."""
        _stop_groups(self._procs)
        self._procs = []
        while self._sockets:
            self._sockets.pop().close()
        if self._dcat is not None:
            self._dcat.stop()
            self._dcat = None
        self.csw_url = self.records_url = self.dcat_url = None
        if cleanup and self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def start_builtin(workdir: Path, started_urls: Mapping[str, str]) -> Started:
    """Built-in ``catalogue``: services ``csw``, ``ogcapi_records`` and ``dcat`` over every built-in record
    (conformant and defect records; use :class:`ReferenceCatalogue` with ``record_files`` for another set)."""
    catalogue = ReferenceCatalogue(workdir)
    services = catalogue.start()
    return Started(services=services, stop=catalogue.stop)
