"""The one HTTP client: timeouts, size cap, retries, cache, breaker, safety and evidence."""

from __future__ import annotations

import json
import shlex
import time
import tracemalloc
from pathlib import Path

import pytest

from cicclo.errors import TransportError
from cicclo.http import CURRENT_TEST_ID, TEST_ID_HEADER, USER_AGENT, EvidenceStore, HttpClient, Limits
from cicclo.redact import Redactor
from tests.servers import free_port_with_nothing_listening, hang, reply, serve


def client(tmp_path: Path, limits: Limits | None = None, **kwargs: object) -> HttpClient:
    return HttpClient(allowed_hosts={"127.0.0.1"}, evidence=EvidenceStore(tmp_path / "evidence", Redactor()),
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
