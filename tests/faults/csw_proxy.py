"""A fault-injecting reverse proxy in front of the reference pycsw (the built-in ``catalogue``).

URL scheme: ``http://127.0.0.1:<port>/<defect>/<path>?<query>`` forwards ``GET`` and ``POST`` to
``<upstream origin>/<path>?<query>`` with one named defect applied, so the CSW endpoint seen through a defect
is ``http://127.0.0.1:<port>/<defect>/csw`` (``CswFaultProxy.base(defect)``). Upstream URLs in bodies are
rewritten to stay on the proxy, under the same defect (the capabilities' operation URLs included).

Defects (:data:`CSW_DEFECTS`):

- ``none``: forwarded untouched;
- ``paging-repeats``: a GetRecords with ``startPosition`` > 1 returns the records of the first page again
  (the ``SearchResults`` attributes, ``nextRecord`` included, stay those of the page asked for);
- ``page-two-500``: the second page of an unconstrained GetRecords query (``resultType=results``,
  ``startPosition`` = ``maxRecords`` + 1, the page that the first one announces with ``nextRecord``) is answered
  HTTP 500 with an HTML error page;
- ``wrong-matched``: ``numberOfRecordsMatched`` of every GetRecords response is 3 more than the truth;
- ``no-exception-report``: an ``ows:ExceptionReport`` (any status) becomes HTTP 200 with an empty
  ``csw:GetRecordsResponse``;
- ``capabilities-as-html``: the ``csw:Capabilities`` document is served as ``text/html`` (body unchanged);
- ``no-describerecord``: the ``DescribeRecord`` operation is missing from ``ows:OperationsMetadata``;
- ``case-sensitive-kvp``: KVP parameter names are recognised in one spelling only (lower case, or the
  lowerCamelCase of the request encoding, e.g. ``typeNames``); any other case is ignored, so the request
  gets a ``MissingParameterValue`` exception report;
- ``no-version-negotiation``: a GetCapabilities whose AcceptVersions lists no supported version is answered
  with the 2.0.2 capabilities instead of the ``VersionNegotiationFailed`` exception;
- ``wrong-exception-code``: the ``InvalidParameterValue`` exception code becomes ``NoApplicableCode``;
- ``hits-ignore-constraint``: a GetRecords with ``resultType=hits`` ignores its constraint (counts the
  whole catalogue), while ``resultType=results`` still applies it;
- ``cql-ignored``: a ``CONSTRAINTLANGUAGE=CQL_TEXT`` constraint is dropped (unfiltered results);
- ``filter-ignored``: a ``CONSTRAINTLANGUAGE=FILTER`` constraint is dropped (unfiltered results);
- ``getrecordbyid-other-record``: GetRecordById of a known identifier returns another record of the
  catalogue;
- ``unknown-id-returns-record``: GetRecordById of an unknown identifier returns a record of the catalogue
  instead of an empty response;
- ``no-extended-capabilities``: ``inspire_ds:ExtendedCapabilities`` is removed from the capabilities;
- ``inspire-no-mandatory-keyword``: ``inspire_common:MandatoryKeyword`` is removed from the extended
  capabilities (no ``MetadataUrl`` either, so a mandatory element is missing);
- ``two-default-languages``: the extended capabilities declare a second ``DefaultLanguage`` (``eng``);
- ``language-639-2t``: the service names French ``fra`` (ISO 639-2/T) instead of ``fre`` (ISO 639-2/B),
  in the capabilities and in the ``LANGUAGE`` parameter it accepts.

``before`` hooks edit the request sent upstream, ``after`` hooks edit the response. KVP parameter names
are matched case-insensitively by the proxy itself (CSW 2.0.2 §10.5.5.1); POST bodies are XML requests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, TypeGuard
from urllib.parse import parse_qsl, urlencode, urlsplit

from lxml import etree

from tests.faults.base import LoopbackProxy

CSW202 = "http://www.opengis.net/cat/csw/2.0.2"
CSW30 = "http://www.opengis.net/cat/csw/3.0"
OWS_NAMESPACES = ("http://www.opengis.net/ows", "http://www.opengis.net/ows/1.1", "http://www.opengis.net/ows/2.0")


@dataclass
class CswExchange:
    """One proxied request and its response, as the defects see and edit them."""

    method: str
    path: str
    query: list[tuple[str, str]]
    body: bytes = b""
    content_type: str = ""
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    response: bytes = b""

    def param(self, name: str) -> str | None:
        """A KVP parameter, case-insensitively."""
        return next((v for k, v in self.query if k.lower() == name.lower()), None)

    def set_param(self, name: str, value: str) -> None:
        self.query = [(k, v) for k, v in self.query if k.lower() != name.lower()] + [(name, value)]

    def drop_params(self, *names: str) -> None:
        lowered = {n.lower() for n in names}
        self.query = [(k, v) for k, v in self.query if k.lower() not in lowered]

    def copy(self) -> CswExchange:
        """The same request, without its response (to send it again, edited)."""
        return CswExchange(self.method, self.path, list(self.query), self.body, self.content_type)

    def replace_with(self, other: CswExchange) -> None:
        """Answer with ``other``'s response."""
        self.status, self.headers, self.response = other.status, dict(other.headers), other.response

    def set_root(self, root: etree._Element) -> None:
        self.response = etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def request_root(self) -> etree._Element | None:
        if self.method != "POST" or not self.body:
            return None
        try:
            return etree.fromstring(self.body)
        except etree.XMLSyntaxError:
            return None

    @property
    def operation(self) -> str:
        root = self.request_root()
        if root is not None:
            return etree.QName(root).localname
        return self.param("request") or ""

    @property
    def start_position(self) -> int:
        root = self.request_root()
        raw = root.get("startPosition") if root is not None else self.param("startPosition")
        try:
            return int(raw or 1)
        except ValueError:
            return 1

    def response_root(self) -> etree._Element | None:
        try:
            return etree.fromstring(self.response)
        except etree.XMLSyntaxError:
            return None


@dataclass(frozen=True)
class CswDefect:
    """``before`` edits the request sent upstream; ``after`` edits the response and may ask the proxy for
    another upstream exchange with ``fetch``."""

    name: str
    after: Callable[[CswExchange, Callable[[CswExchange], CswExchange]], None] | None = None
    before: Callable[[CswExchange], None] | None = None


def _search_results(root: etree._Element | None) -> etree._Element | None:
    if root is None:
        return None
    return next(iter(root.xpath("//*[local-name()='SearchResults']")), None)


def _paging_repeats(ex: CswExchange, fetch: Callable[[CswExchange], CswExchange]) -> None:
    if ex.operation != "GetRecords" or ex.start_position <= 1 or ex.status != 200:
        return
    root = ex.response_root()
    results = _search_results(root)
    if root is None or results is None:
        return
    first = CswExchange(ex.method, ex.path, list(ex.query), ex.body, ex.content_type)
    request = first.request_root()
    if request is not None:
        request.set("startPosition", "1")
        first.body = etree.tostring(request, xml_declaration=True, encoding="UTF-8")
    else:
        first.set_param("startPosition", "1")
    first_results = _search_results(fetch(first).response_root())
    if first_results is None:
        return
    count = len(results)  # as many records as the real page: only their identity is wrong
    for child in list(results):
        results.remove(child)
    for child in list(first_results)[:count]:
        results.append(child)
    ex.response = etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _page_two_500(ex: CswExchange, fetch: Callable[[CswExchange], CswExchange]) -> None:
    request = ex.request_root()
    if ex.operation != "GetRecords" or request is not None or ex.param("constraint") is not None \
            or (ex.param("resultType") or "results").lower() != "results":
        return
    size = ex.param("maxRecords") or "10"
    if not size.isdigit() or ex.start_position != int(size) + 1:
        return
    ex.status = 500
    ex.headers = {"content-type": "text/html; charset=UTF-8"}
    ex.response = b"<html><body><h1>500 Internal Server Error</h1></body></html>"


def _wrong_matched(ex: CswExchange, fetch: Callable[[CswExchange], CswExchange]) -> None:
    root = ex.response_root()
    results = _search_results(root)
    if root is None or results is None or results.get("numberOfRecordsMatched") is None:
        return
    results.set("numberOfRecordsMatched", str(int(results.get("numberOfRecordsMatched", "0")) + 3))
    ex.response = etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _no_exception_report(ex: CswExchange, fetch: Callable[[CswExchange], CswExchange]) -> None:
    """A request missing a mandatory parameter gets an empty result instead of its exception report."""
    root = ex.response_root()
    if root is None or etree.QName(root).localname != "ExceptionReport" or \
            etree.QName(root).namespace not in OWS_NAMESPACES:
        return
    if not any(e.get("exceptionCode") == "MissingParameterValue" for e in root.iter("{*}Exception")):
        return
    request = ex.request_root()
    version = ex.param("version") or (request.get("version") if request is not None else None)
    ns = CSW30 if (version or "").startswith("3") else CSW202
    ex.status = 200
    ex.headers["content-type"] = "application/xml; charset=UTF-8"
    ex.response = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<csw:GetRecordsResponse xmlns:csw="{ns}">'
        '<csw:SearchStatus timestamp="2026-01-01T00:00:00Z"/>'
        '<csw:SearchResults numberOfRecordsMatched="0" numberOfRecordsReturned="0" nextRecord="0"/>'
        "</csw:GetRecordsResponse>"
    ).encode()


Fetch = Callable[[CswExchange], CswExchange]
INSPIRE_DS = "http://inspire.ec.europa.eu/schemas/inspire_ds/1.0"
INSPIRE_COMMON = "http://inspire.ec.europa.eu/schemas/common/1.0"
DC = "http://purl.org/dc/elements/1.1/"
XML_HEADERS = {"content-type": "application/xml; charset=UTF-8"}


def _root_is(root: etree._Element | None, namespace: str, name: str) -> TypeGuard[etree._Element]:
    return root is not None and root.tag == f"{{{namespace}}}{name}"


def _exception_report(code: str, locator: str, text: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows" version="1.2.0">'
        f'<ows:Exception exceptionCode="{code}" locator="{locator}"><ows:ExceptionText>{text}'
        "</ows:ExceptionText></ows:Exception></ows:ExceptionReport>"
    ).encode()


def _capabilities_as_html(ex: CswExchange, fetch: Fetch) -> None:
    if _root_is(ex.response_root(), CSW202, "Capabilities"):
        ex.headers["content-type"] = "text/html; charset=UTF-8"


def _no_describerecord(ex: CswExchange, fetch: Fetch) -> None:
    root = ex.response_root()
    if not _root_is(root, CSW202, "Capabilities"):
        return
    for op in root.xpath("//*[local-name()='OperationsMetadata']/*[local-name()='Operation']"):
        if op.get("name") == "DescribeRecord":
            op.getparent().remove(op)
    ex.set_root(root)


# The lowerCamelCase spelling of each KVP parameter: with the all-lower-case one, the only spellings a
# case-sensitive server recognises (any other is ignored).
KNOWN_SPELLINGS = {name.lower(): name for name in (
    "service", "version", "request", "acceptVersions", "sections", "updateSequence",
    "acceptFormats", "namespace", "resultType", "requestId", "outputFormat", "outputSchema", "startPosition",
    "maxRecords", "typeNames", "typeName", "elementSetName", "elementName", "constraintLanguage",
    "constraint_language_version", "constraint", "sortBy", "distributedSearch", "hopCount", "responseHandler",
    "id", "schemaLanguage", "language",
)}


def _case_sensitive_kvp(ex: CswExchange, fetch: Fetch) -> None:
    if ex.method != "GET":
        return
    for name, _ in ex.query:
        known = KNOWN_SPELLINGS.get(name.lower())
        if known is not None and name not in (known, name.lower()):
            ex.status = 400
            ex.headers = {**ex.headers, **XML_HEADERS}
            ex.response = _exception_report("MissingParameterValue", known.lower(),
                                            f"Missing parameter value: {known.lower()}")
            return


def _no_version_negotiation(ex: CswExchange, fetch: Fetch) -> None:
    root = ex.response_root()
    if ex.operation != "GetCapabilities" or root is None or etree.QName(root).localname != "ExceptionReport":
        return
    if not any(e.get("exceptionCode") == "VersionNegotiationFailed" for e in root.iter("{*}Exception")):
        return
    retry = ex.copy()
    retry.set_param("acceptversions", "2.0.2")
    ex.replace_with(fetch(retry))


def _wrong_exception_code(ex: CswExchange, fetch: Fetch) -> None:
    root = ex.response_root()
    if root is None or etree.QName(root).localname != "ExceptionReport":
        return
    changed = False
    for exc in root.iter("{*}Exception"):
        if exc.get("exceptionCode") == "InvalidParameterValue":
            exc.set("exceptionCode", "NoApplicableCode")
            changed = True
    if changed:
        ex.set_root(root)


def _hits_ignore_constraint(ex: CswExchange) -> None:
    if ex.operation == "GetRecords" and (ex.param("resultType") or "").lower() == "hits":
        ex.drop_params("constraint", "constraintLanguage", "constraint_language_version")


def _constraint_ignored(language: str) -> Callable[[CswExchange], None]:
    def before(ex: CswExchange) -> None:
        if ex.operation == "GetRecords" and (ex.param("constraintLanguage") or "").upper() == language:
            ex.drop_params("constraint", "constraintLanguage", "constraint_language_version")

    return before


def _catalogue_ids(ex: CswExchange, fetch: Fetch, count: int) -> list[str]:
    """Identifiers of the first ``count`` records of the catalogue."""
    listing = CswExchange("GET", ex.path, [("service", "CSW"), ("version", "2.0.2"), ("request", "GetRecords"),
                                           ("typeNames", "csw:Record"), ("resultType", "results"),
                                           ("elementSetName", "brief"), ("maxRecords", str(count))])
    results = _search_results(fetch(listing).response_root())
    if results is None:
        return []
    return [(e.text or "").strip() for e in results.iter(f"{{{DC}}}identifier")]


def _records_in(root: etree._Element | None) -> list[etree._Element]:
    return [c for c in root if isinstance(c.tag, str)] if root is not None else []


def _getrecordbyid_other_record(ex: CswExchange, fetch: Fetch) -> None:
    root = ex.response_root()
    if ex.operation != "GetRecordById" or not _root_is(root, CSW202, "GetRecordByIdResponse") \
            or not _records_in(root):
        return
    asked = ex.param("id") or ""
    other = next((i for i in _catalogue_ids(ex, fetch, 2) if i and i != asked), None)
    if other is not None:
        retry = ex.copy()
        retry.set_param("id", other)
        ex.replace_with(fetch(retry))


def _unknown_id_returns_record(ex: CswExchange, fetch: Fetch) -> None:
    root = ex.response_root()
    if ex.operation != "GetRecordById" or not _root_is(root, CSW202, "GetRecordByIdResponse") \
            or _records_in(root) or not ex.param("id"):
        return
    first = next(iter(_catalogue_ids(ex, fetch, 1)), None)
    if first:
        retry = ex.copy()
        retry.set_param("id", first)
        ex.replace_with(fetch(retry))


def _edit_extended_capabilities(edit: Callable[[etree._Element], None]) -> Callable[[CswExchange, Fetch], None]:
    """An ``after`` hook applying ``edit`` to the inspire_ds:ExtendedCapabilities of every capabilities."""

    def after(ex: CswExchange, fetch: Fetch) -> None:
        root = ex.response_root()
        if not _root_is(root, CSW202, "Capabilities"):
            return
        found = root.findall(f"{{*}}OperationsMetadata/{{{INSPIRE_DS}}}ExtendedCapabilities")
        for ext in found:
            edit(ext)
        if found:
            ex.set_root(root)

    return after


def _remove_extended(ext: etree._Element) -> None:
    ext.getparent().remove(ext)


def _remove_mandatory_keyword(ext: etree._Element) -> None:
    for keyword in ext.findall(f"{{{INSPIRE_COMMON}}}MandatoryKeyword"):
        ext.remove(keyword)


def _second_default_language(ext: etree._Element) -> None:
    languages = ext.find(f"{{{INSPIRE_COMMON}}}SupportedLanguages")
    default = languages.find(f"{{{INSPIRE_COMMON}}}DefaultLanguage") if languages is not None else None
    if default is None:
        return
    extra = etree.Element(f"{{{INSPIRE_COMMON}}}DefaultLanguage")
    etree.SubElement(extra, f"{{{INSPIRE_COMMON}}}Language").text = "eng"
    default.addnext(extra)


def _terminology_codes(ext: etree._Element) -> None:
    for language in ext.iter(f"{{{INSPIRE_COMMON}}}Language"):
        if (language.text or "").strip() == "fre":
            language.text = "fra"


def _language_from_terminology(ex: CswExchange) -> None:
    if (ex.param("language") or "").lower() == "fra":
        ex.query = [(k, "fre" if k.lower() == "language" else v) for k, v in ex.query]


CSW_DEFECTS: dict[str, CswDefect] = {d.name: d for d in (
    CswDefect("none"),
    CswDefect("paging-repeats", _paging_repeats),
    CswDefect("page-two-500", _page_two_500),
    CswDefect("wrong-matched", _wrong_matched),
    CswDefect("no-exception-report", _no_exception_report),
    CswDefect("capabilities-as-html", _capabilities_as_html),
    CswDefect("no-describerecord", _no_describerecord),
    CswDefect("case-sensitive-kvp", _case_sensitive_kvp),
    CswDefect("no-version-negotiation", _no_version_negotiation),
    CswDefect("wrong-exception-code", _wrong_exception_code),
    CswDefect("hits-ignore-constraint", before=_hits_ignore_constraint),
    CswDefect("cql-ignored", before=_constraint_ignored("CQL_TEXT")),
    CswDefect("filter-ignored", before=_constraint_ignored("FILTER")),
    CswDefect("getrecordbyid-other-record", _getrecordbyid_other_record),
    CswDefect("unknown-id-returns-record", _unknown_id_returns_record),
    CswDefect("no-extended-capabilities", _edit_extended_capabilities(_remove_extended)),
    CswDefect("inspire-no-mandatory-keyword", _edit_extended_capabilities(_remove_mandatory_keyword)),
    CswDefect("two-default-languages", _edit_extended_capabilities(_second_default_language)),
    CswDefect("language-639-2t", _edit_extended_capabilities(_terminology_codes), _language_from_terminology),
)}


class CswFaultProxy(LoopbackProxy):
    """``CswFaultProxy(catalogue.csw_url).start()``; ``base("wrong-matched")`` is the faulty CSW endpoint."""

    def __init__(self, upstream_csw_url: str, defects: dict[str, CswDefect] | None = None) -> None:
        parts = urlsplit(upstream_csw_url)
        self.csw_path = parts.path.strip("/") or "csw"
        self.defects = defects or CSW_DEFECTS
        super().__init__(f"{parts.scheme}://{parts.netloc}")

    def base(self, defect: str) -> str:
        """The CSW endpoint under ``defect``."""
        return f"{self.url}/{defect}/{self.csw_path}"

    def fetch(self, ex: CswExchange) -> CswExchange:
        """Send ``ex``'s request upstream and fill in its response."""
        url = f"{self.upstream}/{ex.path}" + (f"?{urlencode(ex.query)}" if ex.query else "")
        if ex.method == "POST":
            resp = self.client.post(url, content=ex.body,
                                    headers={"Content-Type": ex.content_type or "application/xml"})
        else:
            resp = self.client.get(url)
        ex.status = resp.status_code
        ex.headers = {k.lower(): v for k, v in resp.headers.items() if k.lower() in ("content-type", "date")}
        ex.response = resp.content
        return ex

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                name, _, rest = parts.path.lstrip("/").partition("/")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                defect = proxy.defects.get(name)
                if defect is None:
                    self.send_error(404, "unknown defect")
                    return
                ex = CswExchange(method, rest, parse_qsl(parts.query, keep_blank_values=True), body,
                                 self.headers.get("Content-Type", ""))
                if defect.before:
                    defect.before(ex)
                proxy.fetch(ex)
                if defect.after:
                    defect.after(ex, proxy.fetch)
                public = f"{proxy.url}/{name}".encode()
                payload = ex.response.replace(proxy.upstream.encode(), public)
                self.send_response(ex.status)
                for key, value in ex.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

        return Handler
