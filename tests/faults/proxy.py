"""A fault-injecting reverse proxy in front of the reference pygeoapi.

``http://127.0.0.1:<port>/<defect>/<path>`` forwards ``/<path>`` to the reference server with one named
defect applied (``none`` forwards untouched). Absolute upstream URLs in bodies and headers are rewritten so
that links stay on the proxy, under the same defect.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.faults.base import LoopbackProxy

HUGE_BODY_BYTES = 50 * 1024 * 1024
HANG_SECONDS = 60


@dataclass
class Exchange:
    """What a defect may change: the request it sees and the response it returns."""

    path: str
    query: list[tuple[str, str]]
    accept: str
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    protocol: str = "HTTP/1.1"

    def json(self) -> Any:
        return json.loads(self.body)

    def set_json(self, doc: Any) -> None:
        self.body = json.dumps(doc).encode()

    @property
    def is_items(self) -> bool:
        return bool(re.fullmatch(r"collections/[^/]+/items", self.path))

    @property
    def is_feature(self) -> bool:
        return bool(re.fullmatch(r"collections/[^/]+/items/[^/]+", self.path))

    @property
    def is_json(self) -> bool:
        return "json" in self.headers.get("content-type", "")


@dataclass(frozen=True)
class Defect:
    """``before`` edits the request (or answers it itself), ``after`` edits the response."""

    name: str
    before: Callable[[Exchange], bool] | None = None  # returns True when it produced the response
    after: Callable[[Exchange], None] | None = None
    hang: Callable[[Exchange], bool] | None = None
    huge: Callable[[Exchange], bool] | None = None


class FaultProxy(LoopbackProxy):
    def __init__(self, upstream: str, defects: dict[str, Defect]) -> None:
        self.defects = defects
        super().__init__(upstream)

    def base(self, defect: str) -> str:
        return f"{self.url}/{defect}/"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                parts = urlsplit(self.path)
                name, _, rest = parts.path.lstrip("/").partition("/")
                defect = proxy.defects.get(name)
                if defect is None:
                    self.send_error(404, "unknown defect")
                    return
                ex = Exchange(rest, parse_qsl(parts.query, keep_blank_values=True), self.headers.get("Accept", ""))
                if defect.hang and defect.hang(ex):
                    time.sleep(HANG_SECONDS)
                    return
                if defect.huge and defect.huge(ex):
                    self._send_huge()
                    return
                if not (defect.before and defect.before(ex)):
                    proxy._forward(ex, name)
                    if defect.after:
                        defect.after(ex)
                self.protocol_version = ex.protocol
                self.send_response(ex.status)
                for key, value in ex.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(ex.body)))
                if ex.protocol == "HTTP/1.0":
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(ex.body)

            def _send_huge(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(HUGE_BODY_BYTES))
                self.end_headers()
                chunk = b" " * (1024 * 1024)
                try:
                    for _ in range(HUGE_BODY_BYTES // len(chunk)):
                        self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler

    def _forward(self, ex: Exchange, defect: str) -> None:
        url = f"{self.upstream}/{ex.path}" + (f"?{urlencode(ex.query)}" if ex.query else "")
        resp = self.client.get(url, headers={"Accept": ex.accept} if ex.accept else {})
        public = f"{self.url}/{defect}"
        ex.status = resp.status_code
        ex.headers = {k: v.replace(self.upstream, public) for k, v in resp.headers.items()
                      if k.lower() in ("content-type", "location", "content-crs", "link")}
        ex.body = resp.content.replace(self.upstream.encode(), public.encode())
