"""Small loopback HTTP servers for the harness tests: scripted answers, never a mock of httpx."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Route = Callable[[BaseHTTPRequestHandler], None]


class Recorder:
    """What the server saw: one (method, path, headers) per request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []

    def paths(self) -> list[str]:
        return [p for _, p, _ in self.requests]


@contextmanager
def serve(route: Route) -> Iterator[tuple[str, Recorder]]:
    """Serve ``route`` for every request on a free loopback port; yields (base URL, recorder)."""
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            recorder.requests.append((self.command, self.path, dict(self.headers)))
            route(self)

        do_GET = do_HEAD = do_POST = do_OPTIONS = _handle  # noqa: N815

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", recorder
    finally:
        server.shutdown()
        server.server_close()


def reply(handler: BaseHTTPRequestHandler, status: int, body: bytes | str = b"",
          content_type: str = "application/json", headers: dict[str, str] | None = None) -> None:
    data = body.encode() if isinstance(body, str) else body
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(data)


def hang(handler: BaseHTTPRequestHandler) -> None:
    """Accept the request and never answer (until the test ends)."""
    time.sleep(30)


def free_port_with_nothing_listening() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def scripted_socket(script: list[bytes | None]) -> Iterator[tuple[str, list[bytes]]]:
    """A raw loopback server that plays one entry of ``script`` per connection: bytes are sent as the whole
    answer, None resets the connection (RST) after reading the request; yields (base URL, requests read)."""
    seen: list[bytes] = []
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)

    def play() -> None:
        for answer in script:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with conn:
                seen.append(conn.recv(65536))
                if answer is None:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                else:
                    conn.sendall(answer)

    thread = threading.Thread(target=play, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/", seen
    finally:
        sock.close()
