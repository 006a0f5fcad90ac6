"""Do the URLs a record gives really answer? Resource locators, linked GetCapabilities, coupled resources.

Every request goes through the run's HTTP client (only the target's hosts are contacted; a URL on another host
is reported in a note, not fetched). Each test checks at most ``budgets.max_links`` URLs and says so when the
budget cuts the work. A transport failure makes the record's instance ERROR, never FAIL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cicclo.errors import InvalidContent, NotApplicable, NotTested, TransportError
from cicclo.metadata import inspire
from cicclo.metadata.harvest import Record, run_record_check
from cicclo.oapif.xml import XmlError, parse_xml
from cicclo.parsing import json_document
from cicclo.verdict import InstanceRecorder, Verdict

# root element local names accepted as the GetCapabilities answer of each OGC service type
CAPABILITIES_ROOTS: dict[str, tuple[str, ...]] = {
    "WMS": ("WMS_Capabilities", "WMT_MS_Capabilities"),
    "WFS": ("WFS_Capabilities",),
    "WMTS": ("Capabilities",),
    "WCS": ("Capabilities", "WCS_Capabilities"),
    "CSW": ("Capabilities",),
    "SOS": ("Capabilities",),
    "WPS": ("Capabilities",),
}
NAMESPACE_HINT = {"WMS": "/wms", "WFS": "/wfs", "WMTS": "/wmts", "WCS": "/wcs", "CSW": "/cat/csw", "SOS": "/sos",
                  "WPS": "/wps"}
OGC_API = "OGC API"
FALLBACK_TO_GET = {403, 404, 405, 406, 500, 501}


@dataclass
class LinkBudget:
    """At most ``limit`` URLs checked by one test; the cut is reported once per record."""

    limit: int
    used: int = 0
    done: dict[str, Any] = field(default_factory=dict)

    def take(self, url: str) -> bool:
        if url in self.done:
            return True
        if self.used >= self.limit:
            return False
        self.used += 1
        return True


def claimed_service(url: str, protocol: str) -> str | None:
    """The service type a locator claims: from request=GetCapabilities&service=X in the URL, else the protocol."""
    query = {k.lower(): v for k, v in parse_qsl(urlsplit(url).query)}
    if query.get("request", "").lower() == "getcapabilities" and query.get("service", "").upper() in CAPABILITIES_ROOTS:
        return query["service"].upper()
    prot = protocol.upper()
    if re.search(r"OGC\s*:?\s*API|OGCAPI", prot):
        return OGC_API
    match = re.search(r"OGC:(WMS|WFS|WMTS|WCS|CSW|SOS|WPS)\b", prot)
    if match:
        return match.group(1)
    match = re.search(r"/serviceType/ogc/(wms|wfs|wmts|wcs|csw|sos|wps)\b", protocol, re.IGNORECASE)
    return match.group(1).upper() if match else None


def capabilities_problem(service: str, body: bytes, media_type: str) -> str | None:
    """Why the answer is not the service's capabilities document (None when it is)."""
    if service == OGC_API:
        try:
            doc = json_document(body, "page d'accueil")
        except InvalidContent:
            return f"page d'accueil OGC API attendue en JSON, reçu {media_type or 'un corps sans type'} illisible"
        if not isinstance(doc, dict) or not isinstance(doc.get("links"), list):
            return "page d'accueil OGC API attendue : objet JSON avec un tableau links"
        return None
    try:
        root = parse_xml(body)
    except XmlError as exc:
        return f"document XML illisible ({exc})"
    local = root.tag.split("}")[-1]
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if local == "ExceptionReport" or local == "ServiceExceptionReport":
        text = " ".join(t.strip() for t in root.itertext() if t.strip())[:200]
        return f"rapport d'exception {local} au lieu des capacités {service} : {text}"
    hint = NAMESPACE_HINT[service]
    if local in CAPABILITIES_ROOTS[service] and (hint in namespace or local == "WMT_MS_Capabilities"):
        return None
    return f"élément racine {root.tag} : capacités {service} attendues ({'/'.join(CAPABILITIES_ROOTS[service])})"


def _fetch_status(client: Any, url: str) -> tuple[int, str]:
    """HEAD, then GET when HEAD is refused or fails; returns (status, description)."""
    ex = client.head(url)
    if ex.status is not None and ex.status < 400:
        return ex.status, ex.describe()
    if ex.status in FALLBACK_TO_GET or ex.status is None:
        ex = client.get(url)
    return ex.status or 0, ex.describe()


class _LinkWalk:
    """Checks the URLs of one record within the test's budget, collecting transport errors."""

    def __init__(self, client: Any, budget: LinkBudget, rec: InstanceRecorder) -> None:
        self.client, self.budget, self.rec = client, budget, rec
        self.checked = 0
        self.errors: list[str] = []

    def allowed(self, url: str) -> bool:
        if not inspire.is_url(url):
            return False
        if not self.client.is_target_url(url):
            self.rec.note(f"{url} : hôte hors de la cible, non contacté (le déclarer dans extra_hosts pour le tester)")
            return False
        if not self.budget.take(url):
            self.rec.note(f"budget max_links ({self.budget.limit}) atteint : {url} non vérifié")
            return False
        self.checked += 1
        return True

    def finish(self, what: str) -> None:
        if self.errors and not self.rec.failures:
            raise TransportError("; ".join(self.errors))
        if not self.checked and not self.rec.failures:
            raise NotTested(f"aucun {what} vérifiable sur les hôtes de la cible")


def check_locators(verdict: Verdict, records: list[Record], client: Any, max_links: int) -> None:
    """MD-LINK-001: every resource locator of every record answers (status below 400)."""
    budget = LinkBudget(max_links)

    def one(rec: InstanceRecorder, record: Record) -> None:
        urls = list(dict.fromkeys(inspire.linkage(r) for r in inspire.online_resources(record.root)))
        if not urls:
            raise NotApplicable("aucun localisateur de ressource")
        walk = _LinkWalk(client, budget, rec)
        for url in urls:
            if not walk.allowed(url):
                continue
            try:
                status, described = budget.done.get(url) or _fetch_status(client, url)
            except TransportError as exc:
                walk.errors.append(str(exc))
                continue
            budget.done[url] = (status, described)
            rec.check(status < 400, f"localisateur {url} : {described} (réponse d'erreur)")
        walk.finish("localisateur")

    run_record_check(verdict, records, "MD-LINK-001", one)


def check_capabilities(verdict: Verdict, records: list[Record], client: Any, max_links: int) -> None:
    """MD-LINK-002: a locator that claims a service (GetCapabilities URL or service protocol) returns that
    service's capabilities document (an OGC API landing page for OGC API protocols)."""
    budget = LinkBudget(max_links)

    def one(rec: InstanceRecorder, record: Record) -> None:
        claims = []
        for res in inspire.online_resources(record.root):
            prot = inspire.first(res, "gmd:protocol")
            service = claimed_service(inspire.linkage(res), f"{inspire.text(prot)} {inspire.href(prot)}")
            if service:
                claims.append((inspire.linkage(res), service))
        if not claims:
            raise NotApplicable("aucun lien vers des capacités de service")
        walk = _LinkWalk(client, budget, rec)
        for url, service in dict.fromkeys(claims):
            if not walk.allowed(url):
                continue
            accept = "application/json" if service == OGC_API else "application/xml, text/xml"
            try:
                ex = client.get(url, accept=accept)
            except TransportError as exc:
                walk.errors.append(str(exc))
                continue
            if not rec.check(ex.status == 200, f"{service} {ex.describe()} : 200 attendu"):
                continue
            problem = capabilities_problem(service, ex.body, ex.media_type)
            rec.check(problem is None, f"{url} : {problem}")
        walk.finish("lien de service")

    run_record_check(verdict, records, "MD-LINK-002", one)


def check_coupled_resources(verdict: Verdict, records: list[Record], client: Any, max_links: int) -> None:
    """MD-LINK-003: each coupled resource (srv:operatesOn/@xlink:href) of a service record returns the data
    set's ISO 19139 record (with the same identifier as uuidref, when given)."""
    budget = LinkBudget(max_links)

    def one(rec: InstanceRecorder, record: Record) -> None:
        coupled = [(h, u) for h, u in inspire.coupled_hrefs(record.root) if h]
        if not coupled:
            raise NotApplicable("aucune ressource couplée avec xlink:href")
        walk = _LinkWalk(client, budget, rec)
        for link, uuid in coupled:
            if not walk.allowed(link):
                continue
            try:
                ex = client.get(link, accept="application/xml, text/xml")
            except TransportError as exc:
                walk.errors.append(str(exc))
                continue
            if not rec.check(ex.status == 200, f"ressource couplée {ex.describe()} : 200 attendu"):
                continue
            rec.check(_has_record(ex.body, uuid), f"ressource couplée {link} : pas de gmd:MD_Metadata"
                      + (f" d'identifiant {uuid}" if uuid else "") + " dans la réponse")
        walk.finish("lien de ressource couplée")

    run_record_check(verdict, records, "MD-LINK-003", one, kind="service")


def _has_record(body: bytes, uuid: str) -> bool:
    try:
        root = parse_xml(body)
    except XmlError:
        return False
    found = [root] if root.tag == inspire.MD_METADATA else root.iter(inspire.MD_METADATA)
    for md in found:
        ident = inspire.xp(md, "gmd:fileIdentifier/*/text()")
        if not uuid or (ident and str(ident[0]).strip() == uuid):
            return True
    return False
