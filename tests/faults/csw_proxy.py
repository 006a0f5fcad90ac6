"""A fault-injecting reverse proxy in front of the reference pycsw (the built-in ``catalogue``).

URL scheme: ``http://127.0.0.1:<port>/<defect>/<path>?<query>`` forwards ``GET`` and ``POST`` to
``<upstream origin>/<path>?<query>`` with one named defect applied, so the CSW endpoint seen through a defect
is ``http://127.0.0.1:<port>/<defect>/csw`` (``CswFaultProxy.base(defect)``). Upstream URLs in bodies are
rewritten to stay on the proxy, under the same defect (the capabilities' operation URLs included).

Defects (:data:`CSW_DEFECTS`):

- ``none``: forwarded untouched;
- ``paging-repeats``: a GetRecords with ``startPosition`` > 1 returns the records of the first page again
  (the ``SearchResults`` attributes, ``nextRecord`` included, stay those of the page asked for);
- ``wrong-matched``: ``numberOfRecordsMatched`` of every GetRecords response is 3 more than the truth;
- ``no-exception-report``: an ``ows:ExceptionReport`` (any status) becomes HTTP 200 with an empty
  ``csw:GetRecordsResponse``.

KVP parameter names are matched case-insensitively (CSW 2.0.2 §10.5.5.1); POST bodies are XML requests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
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
    """``after`` edits the response; it may ask the proxy for another upstream exchange with ``fetch``."""

    name: str
    after: Callable[[CswExchange, Callable[[CswExchange], CswExchange]], None] | None = None


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
    version = ex.param("version") or (ex.request_root().get("version") if ex.request_root() is not None else None)
    ns = CSW30 if (version or "").startswith("3") else CSW202
    ex.status = 200
    ex.headers["content-type"] = "application/xml; charset=UTF-8"
    ex.response = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<csw:GetRecordsResponse xmlns:csw="{ns}">'
        '<csw:SearchStatus timestamp="2026-01-01T00:00:00Z"/>'
        '<csw:SearchResults numberOfRecordsMatched="0" numberOfRecordsReturned="0" nextRecord="0"/>'
        "</csw:GetRecordsResponse>"
    ).encode()


CSW_DEFECTS: dict[str, CswDefect] = {d.name: d for d in (
    CswDefect("none"),
    CswDefect("paging-repeats", _paging_repeats),
    CswDefect("wrong-matched", _wrong_matched),
    CswDefect("no-exception-report", _no_exception_report),
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
