"""The one HTTP client of the suite.

It enforces one deadline per request (total time while the headers and the body arrive, whatever the pace of
the bytes) and one per run, a size cap on decoded bodies, read-only methods, the target's own hosts and ports
only, retries with backoff of idempotent requests on a refused, reset or prematurely closed connection (never on
a 5xx nor on a timeout), a per-run cache of identical GETs (failures included) and a circuit breaker per host
that opens after consecutive transport failures and half-opens after a cooldown. Every exchange is kept as
redacted evidence with a curl line that reproduces it, and is attached to the test instance that made it.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import os
import resource
import shlex
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from cicclo import __version__
from cicclo.errors import TransportError
from cicclo.parsing import json_document
from cicclo.redact import Redactor

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TEST_ID_HEADER = "X-Cicclo-Test-Id"
USER_AGENT = f"cicclo/{__version__} (suite de conformite CICCLO)"
EVIDENCE_BODY_CHARS = 16_384
MAX_REDIRECTS = 5
# the codings the client asks for, decoded here layer by layer with the body cap applied to the decoded bytes
ACCEPT_ENCODING = "gzip, deflate"
DECODE_STEP = 64 * 1024
RETRY_BACKOFF_S = 0.25
DEFAULT_PORTS = {"http": 80, "https": 443}

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
    """Transport limits of a run; ``request_timeout`` is the total time of one request (connection, headers and
    body), ``read_timeout`` the longest silence between two reads."""

    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    request_timeout: float = 15.0
    max_body_bytes: int = 20 * 1024 * 1024
    run_budget_s: float = 3600.0
    concurrency: int = 4
    retries: int = 2
    breaker_threshold: int = 2
    breaker_cooldown_s: float = 30.0


def host_key(url: str) -> str:
    """'host:port' of an http(s) URL, the port made explicit ('' for any other URL)."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return ""
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        return ""
    return f"{parts.hostname.lower()}:{port}"


# -- one deadline per request, enforced on every read and write of the socket --------------------------------

_DEADLINE = threading.local()


def _remaining(timeout: float | None) -> float | None:
    """``timeout`` shortened to what is left of the current request's deadline (raises when none is left)."""
    deadline: float | None = getattr(_DEADLINE, "at", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("délai total de la requête dépassé")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _remaining(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _remaining(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _remaining(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    """The standard socket backend whose every wait is bounded by the current request's deadline: a server that
    drips one byte per second ends at the deadline, not after a read timeout per byte."""

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        try:
            left = _remaining(timeout)
        except httpcore.ReadTimeout:
            raise httpcore.ConnectTimeout("délai total de la requête dépassé") from None
        return _DeadlineStream(super().connect_tcp(host, port, left, local_address, socket_options))


def _transport(limits: Limits) -> httpx.HTTPTransport:
    transport = httpx.HTTPTransport(http1=True, http2=False, trust_env=False)
    # httpx offers no total timeout: its pool is rebuilt on the deadline backend (same settings otherwise)
    transport._pool = httpcore.ConnectionPool(  # noqa: SLF001
        max_connections=limits.concurrency * 2, max_keepalive_connections=limits.concurrency * 2,
        http1=True, http2=False, network_backend=_DeadlineBackend(),
    )
    return transport


# -- bounded decoding -------------------------------------------------------------------------------------

class NoAnswerInTime(TransportError):
    """The request's deadline (or the silence allowed between reads) passed before the answer was complete."""


class BodyTooLarge(Exception):
    """The decoded body passed the cap."""


class _Decoder:
    """Decodes the content codings of a response (any number of gzip/deflate layers) step by step, so that no
    layer ever produces more than a small step at once and the cap applies to the decoded bytes."""

    def __init__(self, header: str, cap: int) -> None:
        codings = [c.strip().lower() for c in header.split(",") if c.strip() and c.strip().lower() != "identity"]
        unknown = [c for c in codings if c not in ("gzip", "x-gzip", "deflate")]
        if unknown:
            raise TransportError(f"codage de contenu non demandé ni pris en charge : {', '.join(unknown)}")
        # the codings were applied in the order listed: they are undone from the last one
        self.layers = [self._layer(c) for c in reversed(codings)]
        self.kinds = list(reversed(codings))
        self.started = [False] * len(self.layers)
        self.cap = cap
        self.size = 0

    @staticmethod
    def _layer(coding: str, raw: bool = False) -> Any:
        return zlib.decompressobj(-zlib.MAX_WBITS if raw else (zlib.MAX_WBITS | 16 if "gzip" in coding
                                                               else zlib.MAX_WBITS))

    def _step(self, i: int, data: bytes) -> Iterator[bytes]:
        """Feed ``data`` to layer ``i`` and yield the fully decoded output, a step at a time."""
        if i == len(self.layers):
            self.size += len(data)
            if self.size > self.cap:
                raise BodyTooLarge
            yield data
            return
        layer = self.layers[i]
        while data:
            try:
                out = layer.decompress(data, DECODE_STEP)
            except zlib.error:
                if self.started[i] or self.kinds[i] != "deflate":
                    raise TransportError(f"corps compressé ({self.kinds[i]}) illisible") from None
                # "deflate" sent without its zlib wrapper, as some servers do
                self.layers[i] = layer = self._layer("deflate", raw=True)
                out = layer.decompress(data, DECODE_STEP)
            self.started[i] = True
            data = layer.unconsumed_tail
            yield from self._step(i + 1, out)

    def feed(self, data: bytes) -> Iterator[bytes]:
        yield from self._step(0, data)

    def flush(self) -> Iterator[bytes]:
        for i, layer in enumerate(self.layers):
            yield from self._step(i + 1, layer.flush())


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
    retried: list[str] = field(default_factory=list)  # the transport errors of the attempts that were retried

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
        """The body parsed as JSON; malformed, too deep or otherwise unreadable JSON is the server's fault, so it
        is a FAIL ("contenu invalide")."""
        return json_document(self.body, f"{self.method} {self.url}")

    def describe(self) -> str:
        return f"{self.method} {self.url} → {self.status} {self.media_type or '(sans Content-Type)'}"


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder, so no reader ever sees half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600; a published file follows the umask
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


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
        if ex.headers.get("content-encoding", "identity").lower() != "identity":
            parts.append("--compressed")
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
                shown = json.dumps(red.json(json_document(ex.body, "preuve")), ensure_ascii=False, indent=1)
            except (ValueError, AssertionError):  # unreadable JSON is kept as text (the test reports it)
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
            "retried": [red.text(r) for r in ex.retried],
            "redirected_from": red.url(ex.redirected_from) if ex.redirected_from else None,
            "curl": red.text(self.curl(ex)),
        }
        if self.directory:
            write_atomic(self.directory.parent / ex.ref, json.dumps(doc, ensure_ascii=False, indent=1))
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


@dataclass
class _HostState:
    failures: int = 0
    opened_at: float | None = None
    cooldown: float = 0.0
    probing: bool = False
    last_error: str = ""


class Breaker:
    """Per host: open after ``threshold`` consecutive transport failures (at once when the host failed the probe
    at the start of the run), half-open after a cooldown (one request tries again, the others still fail fast),
    closed again by any answer; each failed try doubles the cooldown (up to ten times the first)."""

    def __init__(self, threshold: int, cooldown: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold = max(1, threshold)
        self.cooldown = cooldown
        self.clock = clock
        self._hosts: dict[str, _HostState] = {}
        self._lock = threading.Lock()

    def before(self, host: str) -> None:
        """Raise TransportError when the host's breaker is open (or half-open with a probe in flight)."""
        with self._lock:
            state = self._hosts.get(host)
            if state is None or state.opened_at is None:
                return
            wait = state.opened_at + state.cooldown - self.clock()
            if wait > 0 or state.probing:
                retry = f"nouvel essai dans {wait:.0f} s" if wait > 0 else "essai en cours"
                raise TransportError(f"hôte {host} considéré injoignable après {state.failures} échec(s) de "
                                     f"transport consécutif(s) (disjoncteur ouvert, {retry}) ; dernier échec : "
                                     f"{state.last_error}")
            state.probing = True  # half-open: this request is the probe

    def success(self, host: str) -> None:
        with self._lock:
            self._hosts.pop(host, None)

    def failure(self, host: str, error: str, at_once: bool = False) -> None:
        with self._lock:
            state = self._hosts.setdefault(host, _HostState())
            state.failures += 1
            state.last_error = error
            if state.probing:
                state.probing = False
                state.cooldown = min(state.cooldown * 2, self.cooldown * 10)
                state.opened_at = self.clock()
            elif state.opened_at is None and (at_once or state.failures >= self.threshold):
                state.cooldown = self.cooldown
                state.opened_at = self.clock()


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
        # 'host:port' entries; a bare host stands for its default web ports, 'host:*' for any port
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.evidence = evidence
        self.auth_headers = dict(auth_headers or {})
        self.auth_params = dict(auth_params or {})
        self.allow_write = allow_write
        self.stats = RunStats()
        self.started = time.monotonic()
        self._client = httpx.Client(
            transport=_transport(self.limits),
            follow_redirects=False,
            trust_env=False,  # no proxy, .netrc or certificate setting taken from the environment
            timeout=httpx.Timeout(
                connect=self.limits.connect_timeout,
                read=self.limits.read_timeout,
                write=self.limits.read_timeout,
                pool=self.limits.request_timeout,
            ),
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
            # no cookie is kept between requests: a session must never leak from one test (or service) to
            # another; a test that drives a browser-like login sends its own Cookie header
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
        )
        self._slots = threading.BoundedSemaphore(self.limits.concurrency)
        self._stats_lock = threading.Lock()
        self._cache: dict[tuple[str, ...], Exchange | TransportError] = {}
        self._key_locks: dict[tuple[str, ...], threading.Lock] = {}
        self._cache_lock = threading.Lock()
        self.breaker = Breaker(self.limits.breaker_threshold, self.limits.breaker_cooldown_s)
        self._refusals: dict[str, Exchange] = {}  # per host: the first exchange answered 401 or 403

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
        obtained; an HTTP error status is returned, not raised. A GET that failed is remembered like one that
        succeeded: the run never asks twice for a body it could not get.
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

    def probe(self, urls: Iterable[str]) -> None:
        """One request to each URL, all at once, so that hosts that hang or refuse open their breaker together
        at the start of the run: N dead hosts cost one request deadline, not N. Redirects are not followed."""
        def one(url: str) -> None:
            with contextlib.suppress(TransportError):
                self._send("GET", url, {}, None, probe=True)

        urls = list(dict.fromkeys(urls))
        with ThreadPoolExecutor(max_workers=max(1, min(len(urls), self.limits.concurrency))) as pool:
            list(pool.map(one, urls))

    def is_target_url(self, url: str) -> bool:
        """True when ``url`` is on one of the target's own hosts and ports (the only ones the suite contacts)."""
        key = host_key(url)
        if not key:
            return False
        host, port = key.rsplit(":", 1)
        return (key in self.allowed_hosts or f"{host}:*" in self.allowed_hosts
                or (host in self.allowed_hosts and int(port) in DEFAULT_PORTS.values()))

    def first_refusal(self, url: str) -> Exchange | None:
        """The first exchange of the run that the host of ``url`` answered 401 or 403, if any: a test that
        needs to know whether the server demands authentication need not ask again."""
        with self._stats_lock:
            return self._refusals.get(host_key(url))

    def run_seconds(self) -> float:
        return time.monotonic() - self.started

    # -- internals --------------------------------------------------------------------------------------

    def _check_host(self, url: str) -> str:
        if urlsplit(url).scheme not in DEFAULT_PORTS:
            raise TransportError(f"URL non HTTP refusée : {url}")
        if not self.is_target_url(url):
            raise TransportError(
                f"hôte {host_key(url) or urlsplit(url).netloc!r} hors de la cible : requête non envoyée ({url}) ; "
                "la suite ne contacte que les hôtes et ports déclarés dans le fichier cible"
            )
        return host_key(url)

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

    def _send(self, method: str, url: str, headers: dict[str, str], redirected_from: str | None,
              probe: bool = False) -> Exchange:
        host = self._check_host(url)
        if self.run_seconds() > self.limits.run_budget_s:
            raise TransportError(f"budget de temps de la campagne épuisé ({self.limits.run_budget_s:.0f} s)")
        self.breaker.before(host)
        test_id = CURRENT_TEST_ID.get()
        send_headers = {**headers, **self.auth_headers}
        if test_id:
            send_headers[TEST_ID_HEADER] = test_id
        send_url = str(httpx.URL(url).copy_merge_params(self.auth_params)) if self.auth_params else url
        ex = Exchange(
            ref=self.evidence.next_ref(),
            method=method,
            url=send_url,
            request_headers=[("User-Agent", USER_AGENT), ("Accept-Encoding", ACCEPT_ENCODING),
                             *send_headers.items()],
            redirected_from=redirected_from,
        )
        try:
            self._attempts(ex, send_headers)
        except TransportError as exc:
            ex.error = str(exc)
            with self._stats_lock:
                self.stats.transport_errors += 1
            self.breaker.failure(host, ex.error, at_once=probe)
            self.evidence.record(ex, test_id)
            attach_evidence([ex.ref])
            raise
        self.breaker.success(host)
        if ex.status in (401, 403):
            with self._stats_lock:
                self._refusals.setdefault(host, ex)
        self.evidence.record(ex, test_id)
        attach_evidence([ex.ref])
        return ex

    def _deadline(self) -> float:
        """When the request starting now must be over: its own timeout, or the end of the run's budget."""
        now = time.monotonic()
        return min(now + self.limits.request_timeout, self.started + self.limits.run_budget_s)

    def _attempts(self, ex: Exchange, headers: dict[str, str]) -> None:
        """The exchange, retried with backoff when an idempotent request meets a refused, reset or prematurely
        closed connection (each retried error is kept in ``ex.retried``); never retried after a timeout."""
        attempts = 1 + (self.limits.retries if ex.method in READ_METHODS else 0)
        for attempt in range(attempts):
            deadline = self._deadline()
            try:
                self._exchange(ex, headers, deadline)
                return
            except (httpx.ConnectError, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as exc:
                kind = "connexion impossible" if isinstance(exc, httpx.ConnectError) else "connexion interrompue"
                message = f"{ex.method} {ex.url} : {kind} ({type(exc).__name__}: {exc or 'sans détail'})"
                pause = RETRY_BACKOFF_S * 2 ** attempt
                if attempt + 1 == attempts or time.monotonic() + pause >= self._deadline() - 1:
                    if ex.retried:
                        message += f" ; {len(ex.retried)} nouvel(s) essai(s) sans succès"
                    raise TransportError(message) from None
                ex.retried.append(message)
                ex.status, ex.body, ex.headers = None, b"", httpx.Headers()
                time.sleep(pause)
            except httpx.TimeoutException as exc:
                total = time.monotonic() >= deadline - 0.05
                what = (f"délai total de la requête dépassé ({self.limits.request_timeout:g} s)" if total
                        else f"{type(exc).__name__}, connexion {self.limits.connect_timeout:g} s, "
                             f"silence {self.limits.read_timeout:g} s")
                raise NoAnswerInTime(f"{ex.method} {ex.url} : pas de réponse dans le délai ({what})") from None
            except httpx.HTTPError as exc:
                raise TransportError(f"{ex.method} {ex.url} : erreur de transport ({type(exc).__name__}: {exc})") \
                    from None

    def _exchange(self, ex: Exchange, headers: dict[str, str], deadline: float) -> None:
        with self._slots:
            started = time.monotonic()
            _DEADLINE.at = deadline
            try:
                with self._client.stream(ex.method, ex.url, headers=headers) as resp:
                    ex.status, ex.reason = resp.status_code, resp.reason_phrase
                    ex.http_version, ex.headers = resp.http_version, resp.headers
                    decoder = _Decoder(resp.headers.get("content-encoding", ""), self.limits.max_body_bytes)
                    chunks: list[bytes] = []
                    try:
                        for raw in resp.iter_raw():
                            chunks.extend(decoder.feed(raw))
                        chunks.extend(decoder.flush())
                    except BodyTooLarge:
                        raise TransportError(
                            f"{ex.method} {ex.url} : réponse de plus de "
                            f"{self.limits.max_body_bytes // (1024 * 1024)} Mo une fois décodée, lecture interrompue"
                        ) from None
                    ex.body = b"".join(chunks)
            finally:
                _DEADLINE.at = None
                ex.elapsed_ms = (time.monotonic() - started) * 1000
                with self._stats_lock:
                    self.stats.requests += 1
                    self.stats.server_wait_s += ex.elapsed_ms / 1000
                    self.stats.bytes_received += len(ex.body)
