"""The project's hostile server: one loopback HTTP server whose first path segment picks a misbehaviour.

Each case answers as a server the suite does not control might: slow drips, compression bombs, nesting and
number bombs, remote and local JSON-LD contexts, entity expansion, credentials in URLs echoed back, links and
redirects to another port of the same host. A second listener (``off_target``) records any request that
reaches it: the suite must never contact it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from tests.servers import Recorder, reply, serve

SECRET_IN_URL = "VALEUR-SECRETE-URL-42"
PASSWORD_IN_URL = "motdepasse-en-clair-7"
# a secret with the characters that URL encodings change
AWKWARD_SECRET = "a/b+c=d&e f%g-0123456"
DRIP_PAUSE_S = 2.0


@cache
def double_gzip_bomb(inner_mb: int = 256) -> bytes:
    """``inner_mb`` MiB of zeros gzipped twice: a few KiB on the wire."""
    def gzip(chunks: Iterator[bytes]) -> bytes:
        comp = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        return b"".join(comp.compress(c) for c in chunks) + comp.flush()

    once = gzip(b"\0" * (1024 * 1024) for _ in range(inner_mb))
    return gzip(iter([once]))


def billion_laughs() -> bytes:
    entities = "".join(f'<!ENTITY l{i + 1} "{("&l" + str(i) + ";") * 10}">' for i in range(9))
    return (f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY l0 "ha">{entities}]>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">'
            '<dcat:Catalog rdf:about="http://h.example/c"><dct:title>&l9;</dct:title></dcat:Catalog>'
            "</rdf:RDF>").encode()


def json_ld(context: Any) -> bytes:
    import json

    return json.dumps({"@context": context, "@id": "http://h.example/c", "@type": "dcat:Catalog",
                       "dct:title": "catalogue"}).encode()


@dataclass
class Hostile:
    base: str  # http://127.0.0.1:PORT/
    off_target: str  # http://127.0.0.1:OTHER/ : nothing may reach it
    seen: Recorder
    off_seen: Recorder
    counts: dict[str, int] = field(default_factory=dict)

    def url(self, case: str) -> str:
        return f"{self.base}{case}/"


def _landing(h: BaseHTTPRequestHandler, links: list[dict[str, str]], **extra: Any) -> None:
    import json

    reply(h, 200, json.dumps({"title": "API hostile", "links": links, **extra}))


def _drip(h: BaseHTTPRequestHandler) -> None:
    """The status line and headers, one byte every DRIP_PAUSE_S."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
    try:
        for byte in head:
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
            time.sleep(DRIP_PAUSE_S)
    except OSError:
        pass


def _endless_chunks(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()
    chunk = b" " * 65536
    try:
        while True:
            h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    except OSError:
        pass


def _huge(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(200 * 1024 * 1024))
    h.end_headers()
    chunk = b" " * (1024 * 1024)
    try:
        for _ in range(200):
            h.wfile.write(chunk)
    except OSError:
        pass


def routes(hostile: Hostile) -> dict[str, Callable[[BaseHTTPRequestHandler, str], None]]:
    off = hostile.off_target.rstrip("/")

    def echo_links(h: BaseHTTPRequestHandler, rest: str) -> None:
        """A landing page whose links repeat the query string it was called with (keys included)."""
        parts = urlsplit(h.path)
        here = f"http://{h.headers['Host']}{parts.path}"
        query = f"?{parts.query}" if parts.query else ""
        _landing(h, [{"rel": "self", "href": here + query}, {"rel": "conformance", "href": f"{here}conformance{query}"},
                     {"rel": "data", "href": f"{here}collections{query}"}], description=f"requête reçue : {h.path}")

    def other_port(h: BaseHTTPRequestHandler, rest: str) -> None:
        if rest.startswith("collections"):
            reply(h, 302, "", headers={"Location": f"{off}/collections"})
            return
        _landing(h, [{"rel": "conformance", "href": f"{off}/conformance"},
                     {"rel": "service-desc", "href": f"{off}/api",
                      "type": "application/vnd.oai.openapi+json;version=3.0"},
                     {"rel": "data", "href": f"http://{h.headers['Host']}/other-port/collections"},
                     {"rel": "alternate", "href": "file:///etc/passwd"}])

    def rdf(body: bytes, media_type: str) -> Callable[[BaseHTTPRequestHandler, str], None]:
        return lambda h, rest: reply(h, 200, body, media_type)

    return {
        "drip": lambda h, rest: _drip(h),
        "gzip-gzip": lambda h, rest: reply(h, 200, double_gzip_bomb(), headers={"Content-Encoding": "gzip, gzip"}),
        "deep-json": lambda h, rest: reply(h, 200, b"[" * 100_000 + b"]" * 100_000),
        "big-number": lambda h, rest: reply(h, 200, b'{"title": "x", "links": [], "n": ' + b"7" * 200_000 + b"}"),
        "echo": echo_links,
        "other-port": other_port,
        "endless": lambda h, rest: _endless_chunks(h),
        "huge": lambda h, rest: _huge(h),
        "hang": lambda h, rest: time.sleep(60),
        "dcat-remote": rdf(json_ld(f"{off}/contexte.jsonld"), "application/ld+json"),
        "dcat-file": rdf(json_ld(["file:///etc/passwd", {"@import": "file:///dev/zero"}]), "application/ld+json"),
        "laughs": rdf(billion_laughs(), "application/rdf+xml"),
    }


@contextmanager
def hostile_server() -> Iterator[Hostile]:
    with serve(lambda h: reply(h, 200, "{}")) as (off_url, off_seen):
        holder: dict[str, Hostile] = {}

        def dispatch(h: BaseHTTPRequestHandler) -> None:
            hostile = holder["h"]
            case, _, rest = urlsplit(h.path).path.lstrip("/").partition("/")
            with lock:
                hostile.counts[f"{case}/{rest}"] = hostile.counts.get(f"{case}/{rest}", 0) + 1
            route = table.get(case)
            if route is None:
                reply(h, 404, '{"code": "NotFound"}')
            else:
                route(h, rest)

        lock = threading.Lock()
        with serve(dispatch) as (url, seen):
            holder["h"] = hostile = Hostile(base=url, off_target=off_url, seen=seen, off_seen=off_seen)
            table = routes(hostile)
            yield hostile


@contextmanager
def full_accept_queue() -> Iterator[str]:
    """A port whose accept queue is full (backlog 0, nothing accepted, queue filled): connects hang."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(0)
    port = sock.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.2)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        for filler in fillers:
            filler.close()
        sock.close()
