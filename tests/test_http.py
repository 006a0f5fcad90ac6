"""The one HTTP client: timeouts, size cap, retries, cache, breaker, safety and evidence."""

from __future__ import annotations

import json
import shlex
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from cicclo.errors import TransportError
from cicclo.http import CURRENT_TEST_ID, TEST_ID_HEADER, USER_AGENT, EvidenceStore, HttpClient, Limits
from cicclo.redact import Redactor
from tests.servers import free_port_with_nothing_listening, hang, reply, scripted_socket, serve


def client(tmp_path: Path, limits: Limits | None = None, **kwargs: object) -> HttpClient:
    return HttpClient(allowed_hosts={"127.0.0.1:*"}, evidence=EvidenceStore(tmp_path / "evidence", Redactor()),
                      limits=limits, **kwargs)  # type: ignore[arg-type]


def test_read_timeout_is_a_transport_error(tmp_path: Path) -> None:
    with serve(hang) as (url, _):
        started = time.monotonic()
        with pytest.raises(TransportError, match="pas de réponse dans le délai"):
            client(tmp_path, Limits(read_timeout=0.5)).get(url)
        assert time.monotonic() - started < 5


def test_server_error_is_returned_never_retried(tmp_path: Path) -> None:
    with serve(lambda h: reply(h, 503, "{}")) as (url, seen):
        ex = client(tmp_path).get(url)
    assert ex.status == 503
    assert len(seen.requests) == 1


def test_connection_refused_is_retried_then_reported(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port_with_nothing_listening()}/"
    with pytest.raises(TransportError, match="connexion impossible"):
        client(tmp_path, Limits(retries=2)).get(url)


def test_body_over_the_cap_is_cut_with_a_precise_message(tmp_path: Path) -> None:
    chunk = b" " * (1024 * 1024)

    def huge(handler: object) -> None:
        h = handler  # a 50 MB body, streamed
        h.send_response(200)  # type: ignore[attr-defined]
        h.send_header("Content-Type", "application/json")  # type: ignore[attr-defined]
        h.send_header("Content-Length", str(50 * len(chunk)))  # type: ignore[attr-defined]
        h.end_headers()  # type: ignore[attr-defined]
        try:
            for _ in range(50):
                h.wfile.write(chunk)  # type: ignore[attr-defined]
        except (BrokenPipeError, ConnectionResetError):
            pass

    with serve(huge) as (url, _):
        tracemalloc.start()
        with pytest.raises(TransportError, match="plus de 2 Mo"):
            client(tmp_path, Limits(max_body_bytes=2 * 1024 * 1024)).get(url)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024


def test_identical_gets_are_served_from_the_run_cache(tmp_path: Path) -> None:
    with serve(lambda h: reply(h, 200, "{}")) as (url, seen):
        c = client(tmp_path)
        first, second = c.get(url, accept="application/json"), c.get(url, accept="application/json")
        c.get(url, accept="text/html")
    assert first is second
    assert len(seen.requests) == 2
    assert c.stats.cache_hits == 1


def test_breaker_stops_calling_a_dead_host(tmp_path: Path) -> None:
    port = free_port_with_nothing_listening()
    c = client(tmp_path, Limits(retries=0, breaker_threshold=2))
    for path in ("a", "b"):
        with pytest.raises(TransportError):
            c.get(f"http://127.0.0.1:{port}/{path}")
    with pytest.raises(TransportError, match="injoignable"):
        c.get(f"http://127.0.0.1:{port}/c")


def test_foreign_hosts_are_never_contacted(tmp_path: Path) -> None:
    with pytest.raises(TransportError, match="hors de la cible"):
        client(tmp_path).get("http://example.invalid/")
    redirect = serve(lambda h: reply(h, 302, "", headers={"Location": "http://example.invalid/x"}))
    with redirect as (url, _), pytest.raises(TransportError, match="hors de la cible"):
        client(tmp_path).get(url)


def test_write_methods_need_the_target_to_opt_in(tmp_path: Path) -> None:
    with serve(lambda h: reply(h, 201, "{}")) as (url, seen):
        with pytest.raises(TransportError, match="refusée"):
            client(tmp_path).request("POST", url)
        assert not seen.requests
        assert client(tmp_path, allow_write=True).request("POST", url).status == 201


def test_identification_headers_are_sent(tmp_path: Path) -> None:
    with serve(lambda h: reply(h, 200, "{}")) as (url, seen):
        token = CURRENT_TEST_ID.set("OAPIF-CORE-003")
        try:
            client(tmp_path).get(url)
        finally:
            CURRENT_TEST_ID.reset(token)
    headers = seen.requests[0][2]
    assert headers["User-Agent"] == USER_AGENT
    assert headers[TEST_ID_HEADER] == "OAPIF-CORE-003"


def test_evidence_keeps_the_exchange_and_a_replayable_curl_line(tmp_path: Path) -> None:
    body = json.dumps({"data": "x" * 40_000})
    with serve(lambda h: reply(h, 200, body)) as (url, _):
        ex = client(tmp_path).get(url + "items?limit=2", accept="application/geo+json")
    doc = json.loads((tmp_path / ex.ref).read_text(encoding="utf-8"))
    assert doc["response"]["status"] == 200
    assert doc["response"]["body"]["size"] == len(body)
    assert doc["response"]["body"]["truncated"] is True
    assert len(doc["response"]["body"]["sha256"]) == 64
    argv = shlex.split(doc["curl"])
    assert argv[0] == "curl" and argv[-1] == url + "items?limit=2"
    assert "Accept: application/geo+json" in argv


def drip(handler: object) -> None:
    """Headers then a body, one byte every 0.3 s: each read is quick, the whole never ends."""
    h = handler
    h.send_response(200)  # type: ignore[attr-defined]
    h.send_header("Content-Type", "application/json")  # type: ignore[attr-defined]
    h.send_header("Content-Length", "1000")  # type: ignore[attr-defined]
    h.end_headers()  # type: ignore[attr-defined]
    try:
        for _ in range(1000):
            h.wfile.write(b" ")  # type: ignore[attr-defined]
            h.wfile.flush()  # type: ignore[attr-defined]
            time.sleep(0.3)
    except OSError:
        pass


def test_one_deadline_per_request_whatever_the_pace_of_the_bytes(tmp_path: Path) -> None:
    with serve(drip) as (url, _):
        started = time.monotonic()
        with pytest.raises(TransportError, match="délai total de la requête dépassé"):
            client(tmp_path, Limits(read_timeout=1, request_timeout=2)).get(url)
        assert time.monotonic() - started < 4


def test_the_run_budget_bounds_a_request_in_flight(tmp_path: Path) -> None:
    with serve(drip) as (url, _):
        started = time.monotonic()
        with pytest.raises(TransportError, match="pas de réponse dans le délai"):
            client(tmp_path, Limits(read_timeout=1, request_timeout=60, run_budget_s=1.5)).get(url)
        assert time.monotonic() - started < 3.5


def test_a_host_that_fails_the_probe_is_not_waited_on_again(tmp_path: Path) -> None:
    with serve(hang) as (url, seen):
        c = client(tmp_path, Limits(read_timeout=0.5))
        started = time.monotonic()
        c.probe([url, url + "autre"])
        assert time.monotonic() - started < 2  # the URLs are probed together
        with pytest.raises(TransportError, match="injoignable"):
            c.get(url + "b")
    assert len(seen.requests) == 2


def test_one_hanging_resource_does_not_condemn_its_host(tmp_path: Path) -> None:
    def some_hang(h: object) -> None:
        if "lent" in h.path:  # type: ignore[attr-defined]
            hang(h)  # type: ignore[arg-type]
        else:
            reply(h, 200, "{}")  # type: ignore[arg-type]

    with serve(some_hang) as (url, _):
        c = client(tmp_path, Limits(read_timeout=0.5))
        with pytest.raises(TransportError, match="pas de réponse"):
            c.get(url + "lent")
        assert c.get(url + "rapide").status == 200


def test_breaker_half_opens_after_its_cooldown_and_closes_on_an_answer(tmp_path: Path) -> None:
    port = free_port_with_nothing_listening()
    c = client(tmp_path, Limits(retries=0, breaker_threshold=1, breaker_cooldown_s=0.3))
    with pytest.raises(TransportError, match="connexion impossible"):
        c.get(f"http://127.0.0.1:{port}/a")
    with pytest.raises(TransportError, match="injoignable"):
        c.get(f"http://127.0.0.1:{port}/b")
    time.sleep(0.4)
    with pytest.raises(TransportError, match="connexion impossible"):  # the half-open probe, still refused
        c.get(f"http://127.0.0.1:{port}/c")
    with pytest.raises(TransportError, match="injoignable"):  # open again, for twice as long
        c.get(f"http://127.0.0.1:{port}/d")
    time.sleep(0.7)
    import socket

    with socket.socket() as sock:  # the host comes back: the probe gets an answer and the breaker closes
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen()
        import threading

        def answer() -> None:
            for _ in range(2):
                conn, _ = sock.accept()
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}")
                conn.close()

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        assert c.get(f"http://127.0.0.1:{port}/e").status == 200
        assert c.get(f"http://127.0.0.1:{port}/f").status == 200
        thread.join(5)


def test_a_failure_is_remembered_not_refetched(tmp_path: Path) -> None:
    with serve(lambda h: reply(h, 200, b"x" * 4096)) as (url, seen):
        c = client(tmp_path, Limits(max_body_bytes=1024, breaker_threshold=100))
        for _ in range(5):
            with pytest.raises(TransportError, match="plus de 0 Mo"):
                c.get(url)
    assert len(seen.requests) == 1


def test_ports_are_part_of_the_target(tmp_path: Path) -> None:
    with serve(lambda h: reply(h, 200, "{}")) as (url, seen):
        port = url.rsplit(":", 1)[1].strip("/")
        c = HttpClient(allowed_hosts={f"127.0.0.1:{port}"}, evidence=EvidenceStore(None, Redactor()))
        assert c.get(url).status == 200
        other = f"http://127.0.0.1:{int(port) + 1}/"
        assert not c.is_target_url(other)
        with pytest.raises(TransportError, match="hors de la cible"):
            c.get(other)
        assert not c.is_target_url("file:///etc/passwd")
        with pytest.raises(TransportError, match="non HTTP"):
            c.get("file:///etc/passwd")
    assert len(seen.requests) == 1


OK_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
CUT_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{"


def test_resets_and_premature_closes_of_a_get_are_retried_and_recorded(tmp_path: Path) -> None:
    with scripted_socket([None, CUT_ANSWER, OK_ANSWER]) as (url, seen):
        ex = client(tmp_path, Limits(retries=2)).get(url)
    assert ex.status == 200 and len(seen) == 3
    doc = json.loads((tmp_path / ex.ref).read_text(encoding="utf-8"))
    assert len(doc["retried"]) == 2
    assert all("connexion interrompue" in r for r in doc["retried"])


def test_retries_are_bounded_and_reported(tmp_path: Path) -> None:
    with scripted_socket([None, None, None, OK_ANSWER]) as (url, seen), \
            pytest.raises(TransportError, match="2 nouvel"):
        client(tmp_path, Limits(retries=2)).get(url)
    assert len(seen) == 3


def test_a_write_is_never_retried(tmp_path: Path) -> None:
    with scripted_socket([None, OK_ANSWER]) as (url, seen), pytest.raises(TransportError):
        client(tmp_path, Limits(retries=2), allow_write=True).request("POST", url)
    assert len(seen) == 1


def gzip_layers(data: bytes, layers: int) -> bytes:
    import gzip

    for _ in range(layers):
        data = gzip.compress(data)
    return data


@pytest.mark.parametrize("layers", [1, 2, 3])
def test_the_cap_applies_to_decoded_bytes_whatever_the_layers(tmp_path: Path, layers: int) -> None:
    bomb = gzip_layers(b"\0" * (64 * 1024 * 1024), layers)
    coding = ", ".join(["gzip"] * layers)
    with serve(lambda h: reply(h, 200, bomb, headers={"Content-Encoding": coding})) as (url, _):
        tracemalloc.start()
        with pytest.raises(TransportError, match="une fois décodée"):
            client(tmp_path, Limits(max_body_bytes=2 * 1024 * 1024)).get(url)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024


def test_compressed_bodies_are_decoded(tmp_path: Path) -> None:
    body = json.dumps({"a": list(range(1000))}).encode()
    with serve(lambda h: reply(h, 200, gzip_layers(body, 2), headers={"Content-Encoding": "gzip, gzip"})) as (url, _):
        assert client(tmp_path).get(url).json() == {"a": list(range(1000))}


def test_the_first_refusal_of_each_host_is_remembered(tmp_path: Path) -> None:
    def route(h: BaseHTTPRequestHandler) -> None:
        reply(h, 401 if "prive" in h.path else 200, "{}")

    with serve(route) as (url, seen):
        c = client(tmp_path)
        c.get(url + "public")
        assert c.first_refusal(url) is None
        first = c.get(url + "prive/a")
        c.get(url + "prive/b")
        other = f"http://127.0.0.1:{free_port_with_nothing_listening()}/"
    assert c.first_refusal(url + "ailleurs") is first
    assert first.status == 401
    assert c.first_refusal(other) is None
    assert len(seen.requests) == 3
