"""The one HTTP client of the suite.

It enforces timeouts, a total budget per run, a size cap on bodies, read-only methods, the target's own
hosts only, retries on connection errors of idempotent requests (never on a 5xx), a per-run cache of
identical GETs and a circuit breaker per host. Every exchange is kept as redacted evidence with a curl line
that reproduces it, and is attached to the test instance that made it.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import resource
import shlex
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from cicclo import __version__
from cicclo.errors import InvalidContent, TransportError
from cicclo.redact import Redactor

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TEST_ID_HEADER = "X-Cicclo-Test-Id"
USER_AGENT = f"cicclo/{__version__} (suite de conformite CICCLO)"
EVIDENCE_BODY_CHARS = 16_384
MAX_REDIRECTS = 5

T = TypeVar("T")
R = TypeVar("R")

CURRENT_TEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("cicclo_test_id", default=None)
CURRENT_SINK: contextvars.ContextVar[Callable[[str], None] | None] = contextvars.ContextVar(
    "cicclo_evidence_sink", default=None
)


def attach_evidence(refs: Iterable[str]) -> None:
    """Attach already-recorded exchanges (e.g. a shared page walk) to the current test instance."""
    sink = CURRENT_SINK.get()
    if sink:
        for ref in refs:
            sink(ref)


def remembered(memo: dict[Any, tuple[Any, list[str]]], key: Any, compute: Callable[[], R]) -> R:
    """``compute()`` once per ``key``; every later use attaches the exchanges made by that computation to the
    current test instance, so a verdict drawn from shared data still keeps its evidence."""
    if key in memo:
        attach_evidence(memo[key][1])
        return memo[key][0]  # type: ignore[no-any-return]
    refs: list[str] = []
    outer = CURRENT_SINK.get()

    def sink(ref: str) -> None:
        refs.append(ref)
        if outer:
            outer(ref)

    token = CURRENT_SINK.set(sink)
    try:
        value = compute()
    finally:
        CURRENT_SINK.reset(token)
    memo[key] = (value, refs)
    return value


@dataclass(frozen=True)
class Limits:
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    max_body_bytes: int = 20 * 1024 * 1024
    run_budget_s: float = 3600.0
    concurrency: int = 4
    retries: int = 2
    breaker_threshold: int = 2


@dataclass
class Exchange:
    """One request and its response (or the transport error that replaced it)."""

    ref: str
    method: str
    url: str
    request_headers: list[tuple[str, str]]
    status: int | None = None
    reason: str = ""
    http_version: str = ""
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""
    elapsed_ms: float = 0.0
    error: str | None = None
    redirected_from: str | None = None

    @property
    def media_type(self) -> str:
        """The media type without parameters, lower-cased ('' when absent)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON; malformed JSON is the server's fault, so it is a FAIL."""
        try:
            return json.loads(self.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidContent(f"{self.method} {self.url} : corps JSON invalide ({exc})") from None

    def describe(self) -> str:
        return f"{self.method} {self.url} → {self.status} {self.media_type or '(sans Content-Type)'}"


class EvidenceStore:
    """Writes each exchange as a redacted JSON file and hands out its reference."""

    def __init__(self, directory: Path | None, redactor: Redactor, prefix: str = "") -> None:
        self.directory = directory
        self.redactor = redactor
        self.prefix = prefix  # one per pytest-xdist worker, so that parallel workers never share a file name
        self._counter = 0
        self._lock = threading.Lock()
        if directory:
            directory.mkdir(parents=True, exist_ok=True)

    def next_ref(self) -> str:
        with self._lock:
            self._counter += 1
            return f"evidence/{self.prefix}{self._counter:06d}.json"

    def curl(self, ex: Exchange) -> str:
        parts = ["curl", "-sS", "-i"]
        if ex.method == "HEAD":
            parts.append("-I")
        elif ex.method != "GET":
            parts += ["-X", ex.method]
        for name, value in ex.request_headers:
            if name.lower() in ("user-agent", "accept-encoding", "connection", "host", "content-length"):
                continue
            parts += ["-H", f"{name}: {value}"]
        parts.append(ex.url)
        quoted = []
        for part in parts:
            shell = self.redactor.for_shell(part)
            if shell != part:  # a secret replaced by ${VAR}: double quotes so the shell expands it
                escaped = shell.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`")
                quoted.append(f'"{escaped}"')
            else:
                quoted.append(shlex.quote(part))
        return " ".join(quoted)

    def record(self, ex: Exchange, test_id: str | None) -> dict[str, Any]:
        red = self.redactor
        body_text = ex.text()
        truncated = len(body_text) > EVIDENCE_BODY_CHARS
        shown: Any = body_text[:EVIDENCE_BODY_CHARS]
        if not truncated and "json" in ex.media_type:
            try:
                shown = json.dumps(red.json(json.loads(body_text)), ensure_ascii=False, indent=1)
            except ValueError:
                shown = red.text(shown)
        else:
            shown = red.text(shown)
        doc = {
            "ref": ex.ref,
            "test_id": test_id,
            "request": {"method": ex.method, "url": red.url(ex.url), "headers": red.headers(ex.request_headers)},
            "response": None
            if ex.status is None
            else {
                "status": ex.status,
                "reason": ex.reason,
                "http_version": ex.http_version,
                "headers": red.headers(list(ex.headers.multi_items())),
                "body": {
                    "size": len(ex.body),
                    "sha256": hashlib.sha256(ex.body).hexdigest(),
                    "truncated": truncated,
                    "text": shown,
                },
            },
            "elapsed_ms": round(ex.elapsed_ms, 1),
            "error": red.text(ex.error) if ex.error else None,
            "redirected_from": red.url(ex.redirected_from) if ex.redirected_from else None,
            "curl": red.text(self.curl(ex)),
        }
        if self.directory:
            path = self.directory.parent / ex.ref
            path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
        return doc


@dataclass
class RunStats:
    requests: int = 0
    cache_hits: int = 0
    bytes_received: int = 0
    server_wait_s: float = 0.0
    transport_errors: int = 0

    def to_json(self, wall_s: float) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "cache_hits": self.cache_hits,
            "bytes_received": self.bytes_received,
            "server_wait_s": round(self.server_wait_s, 3),
            "transport_errors": self.transport_errors,
            "wall_s": round(wall_s, 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }


class HttpClient:
    """Shared by every test of a run against one target."""

    def __init__(
        self,
        *,
        allowed_hosts: Iterable[str],
        evidence: EvidenceStore,
        limits: Limits | None = None,
        auth_headers: Mapping[str, str] | None = None,
        auth_params: Mapping[str, str] | None = None,
        allow_write: bool = False,
    ) -> None:
        self.limits = limits or Limits()
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.evidence = evidence
        self.auth_headers = dict(auth_headers or {})
        self.auth_params = dict(auth_params or {})
        self.allow_write = allow_write
        self.stats = RunStats()
        self.started = time.monotonic()
        self._client = httpx.Client(
            http1=True,
            http2=False,
            follow_redirects=False,
            timeout=httpx.Timeout(
                connect=self.limits.connect_timeout,
                read=self.limits.read_timeout,
                write=self.limits.read_timeout,
                pool=self.limits.read_timeout * 3,
            ),
            limits=httpx.Limits(max_connections=self.limits.concurrency * 2),
            headers={"User-Agent": USER_AGENT},
            # no cookie is kept between requests: a session must never leak from one test (or service) to
            # another; a test that drives a browser-like login sends its own Cookie header
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
        )
        self._slots = threading.BoundedSemaphore(self.limits.concurrency)
        self._stats_lock = threading.Lock()
        self._cache: dict[tuple[str, ...], Exchange | TransportError] = {}
        self._key_locks: dict[tuple[str, ...], threading.Lock] = {}
        self._cache_lock = threading.Lock()
        self._failures: dict[str, int] = {}

    def close(self) -> None:
        self._client.close()

    # -- public API -------------------------------------------------------------------------------------

    def get(self, url: str, *, accept: str | None = None, headers: Mapping[str, str] | None = None,
            params: Mapping[str, str] | None = None, cache: bool = True, follow_redirects: bool = True) -> Exchange:
        return self.request("GET", url, accept=accept, headers=headers, params=params, cache=cache,
                            follow_redirects=follow_redirects)

    def head(self, url: str, *, accept: str | None = None) -> Exchange:
        return self.request("HEAD", url, accept=accept, cache=False)

    def request(self, method: str, url: str, *, accept: str | None = None,
                headers: Mapping[str, str] | None = None, params: Mapping[str, str] | None = None,
                cache: bool = True, follow_redirects: bool = True) -> Exchange:
        """Send a request (following redirects within the target's hosts) and record the evidence.

        With ``follow_redirects=False`` the one exchange is returned as is, never cached (a browser-like driver
        follows the hops itself, e.g. for OpenID Connect logins). Raises TransportError when no answer could be
        obtained; an HTTP error status is returned, not raised.
        """
        method = method.upper()
        if method not in READ_METHODS and not self.allow_write:
            raise TransportError(f"méthode {method} refusée : la cible n'a pas autorisé les tests en écriture")
        if params:
            url = str(httpx.URL(url).copy_merge_params(dict(params)))
        req_headers = dict(headers or {})
        if accept:
            req_headers["Accept"] = accept
        if not follow_redirects:
            return self._send(method, url, req_headers, None)
        key = (method, url, req_headers.get("Accept", ""), req_headers.get("Accept-Language", ""))
        if not (cache and method == "GET"):
            return self._fetch_following(method, url, req_headers)
        with self._cache_lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            cached = self._cache.get(key)
            if cached is None:
                try:
                    cached = self._fetch_following(method, url, req_headers)
                except TransportError as exc:
                    cached = exc
                if isinstance(cached, TransportError) or len(cached.body) <= 2 * 1024 * 1024:
                    self._cache[key] = cached
                elif isinstance(cached, Exchange):
                    return cached
            else:
                with self._stats_lock:
                    self.stats.cache_hits += 1
                if isinstance(cached, Exchange):
                    attach_evidence([cached.ref])
        if isinstance(cached, TransportError):
            raise cached
        return cached

    def parallel(self, func: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Run ``func`` over items concurrently (bounded by the target's limit), results in order.

        The caller's context (current test and instance) is carried into each worker.
        """
        items = list(items)
        if len(items) <= 1:
            yield from (func(i) for i in items)
            return
        with ThreadPoolExecutor(max_workers=self.limits.concurrency) as pool:
            futures = [pool.submit(contextvars.copy_context().run, func, i) for i in items]
            for fut in futures:
                yield fut.result()

    def is_target_url(self, url: str) -> bool:
        """True when ``url`` is on one of the target's own hosts (the only ones the suite contacts)."""
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and (parts.hostname or "").lower() in self.allowed_hosts

    def run_seconds(self) -> float:
        return time.monotonic() - self.started

    # -- internals --------------------------------------------------------------------------------------

    def _check_host(self, url: str) -> str:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https"):
            raise TransportError(f"URL non HTTP refusée : {url}")
        if host not in self.allowed_hosts:
            raise TransportError(
                f"hôte {host!r} hors de la cible : requête non envoyée ({url}) ; "
                "la suite ne contacte que les hôtes déclarés dans le fichier cible"
            )
        return host

    def _fetch_following(self, method: str, url: str, headers: dict[str, str]) -> Exchange:
        previous: str | None = None
        for _ in range(MAX_REDIRECTS + 1):
            ex = self._send(method, url, headers, previous)
            if ex.status in (301, 302, 303, 307, 308) and "location" in ex.headers:
                previous, url = url, urljoin(url, ex.headers["location"])
                if ex.status == 303:
                    method = "GET"
                continue
            return ex
        raise TransportError(f"plus de {MAX_REDIRECTS} redirections depuis {url}")

    def _send(self, method: str, url: str, headers: dict[str, str], redirected_from: str | None) -> Exchange:
        host = self._check_host(url)
        if self.run_seconds() > self.limits.run_budget_s:
            raise TransportError(f"budget de temps de la campagne épuisé ({self.limits.run_budget_s:.0f} s)")
        if self._failures.get(host, 0) >= self.limits.breaker_threshold:
            raise TransportError(
                f"hôte {host} considéré injoignable après {self._failures[host]} échecs de transport consécutifs"
            )
        test_id = CURRENT_TEST_ID.get()
        send_headers = {**headers, **self.auth_headers}
        if test_id:
            send_headers[TEST_ID_HEADER] = test_id
        send_url = str(httpx.URL(url).copy_merge_params(self.auth_params)) if self.auth_params else url
        ex = Exchange(
            ref=self.evidence.next_ref(),
            method=method,
            url=send_url,
            request_headers=[("User-Agent", USER_AGENT), *send_headers.items()],
            redirected_from=redirected_from,
        )
        attempts = 1 + (self.limits.retries if method in READ_METHODS else 0)
        try:
            for attempt in range(attempts):
                try:
                    self._exchange(ex, send_headers)
                    break
                except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                    if attempt + 1 == attempts:
                        raise TransportError(
                            f"{method} {url} : connexion impossible ({exc or type(exc).__name__})"
                        ) from None
                    time.sleep(0.2 * (attempt + 1))
                except httpx.TimeoutException as exc:
                    raise TransportError(
                        f"{method} {url} : pas de réponse dans le délai ({type(exc).__name__}, "
                        f"lecture {self.limits.read_timeout:.0f} s)"
                    ) from None
                except httpx.HTTPError as exc:
                    raise TransportError(
                        f"{method} {url} : erreur de transport ({type(exc).__name__}: {exc})"
                    ) from None
        except TransportError as exc:
            ex.error = str(exc)
            with self._stats_lock:
                self.stats.transport_errors += 1
                self._failures[host] = self._failures.get(host, 0) + 1
            self.evidence.record(ex, test_id)
            attach_evidence([ex.ref])
            raise
        with self._stats_lock:
            self._failures[host] = 0
        self.evidence.record(ex, test_id)
        attach_evidence([ex.ref])
        return ex

    def _exchange(self, ex: Exchange, headers: dict[str, str]) -> None:
        with self._slots:
            started = time.monotonic()
            try:
                with self._client.stream(ex.method, ex.url, headers=headers) as resp:
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in resp.iter_bytes():
                        size += len(chunk)
                        if size > self.limits.max_body_bytes:
                            ex.status, ex.headers = resp.status_code, resp.headers
                            raise TransportError(
                                f"{ex.method} {ex.url} : réponse de plus de "
                                f"{self.limits.max_body_bytes // (1024 * 1024)} Mo, lecture interrompue"
                            )
                        chunks.append(chunk)
                    ex.status = resp.status_code
                    ex.reason = resp.reason_phrase
                    ex.http_version = resp.http_version
                    ex.headers = resp.headers
                    ex.body = b"".join(chunks)
            finally:
                ex.elapsed_ms = (time.monotonic() - started) * 1000
                with self._stats_lock:
                    self.stats.requests += 1
                    self.stats.server_wait_s += ex.elapsed_ms / 1000
                    self.stats.bytes_received += len(ex.body)
