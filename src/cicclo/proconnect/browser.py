"""A headless browser over the suite's HTTP client: its own cookie jar, redirects followed one hop at a time.

Each hop goes through :class:`cicclo.http.HttpClient` (``follow_redirects=False``), so it is checked against the
target's hosts and kept as evidence. The browser always sends its own ``Cookie`` header (with a marker cookie
naming the journey), so cookies the shared client may have kept from other requests are never mixed in: each
browser is a fresh cookie jar. Cookie values, authorization codes and tokens seen in redirects are handed to
``on_secret`` so that the run's redactor masks them in every output.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx

from cicclo.http import Exchange
from cicclo.proconnect.profile import Redirect, is_loopback

REDIRECTS = (301, 302, 303, 307, 308)
MAX_HOPS = 20
JWT_LIKE = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")
SECRET_PARAMS = ("code", "id_token_hint", "id_token", "access_token", "refresh_token", "client_secret",
                 "client_assertion", "logout_token")


class Client(Protocol):
    def get(self, url: str, *, accept: str | None = None, headers: Any = None, params: Any = None,
            cache: bool = True, follow_redirects: bool = True) -> Exchange: ...


@dataclass
class Journey:
    """The hops of one navigation: every exchange, and the URL left pending when it stopped early."""

    hops: list[Exchange] = field(default_factory=list)
    pending: str | None = None

    @property
    def last(self) -> Exchange:
        return self.hops[-1]

    def urls(self) -> list[str]:
        return [h.url for h in self.hops]


class Browser:
    """One browser profile: a cookie jar shared by every request it makes."""

    def __init__(self, client: Client, label: str, on_secret: Callable[[str, str], None] | None = None) -> None:
        self.client = client
        self.label = label
        self.jar = httpx.Cookies()
        self._on_secret = on_secret or (lambda name, value: None)
        self._seen = 0

    def _secret(self, kind: str, value: str) -> None:
        if len(value) >= 8:
            self._seen += 1
            self._on_secret(f"proconnect.{kind}.{self.label}.{self._seen}", value)

    def cookie_header(self, url: str) -> str:
        request = httpx.Request("GET", _cookie_url(url))
        self.jar.set_cookie_header(request)
        jar_part = request.headers.get("cookie", "")
        marker = f"cicclo_parcours={re.sub(r'[^A-Za-z0-9_.-]', '_', self.label)}"
        return f"{marker}; {jar_part}" if jar_part else marker

    def harvest(self, text: str) -> None:
        """Register the codes, tokens and JWTs found in a URL or body so that they are redacted."""
        query = urlsplit(text).query if text.startswith("http") else ""
        for name, value in parse_qsl(query, keep_blank_values=True):
            if name in SECRET_PARAMS:
                self._secret(name, value)
        for match in JWT_LIKE.findall(text):
            self._secret("jwt", match)

    def step(self, url: str) -> Exchange:
        """One GET, no redirect followed; the response's cookies go into the jar."""
        self.harvest(url)
        # a new connection per hop: some relying parties leave an error body on a kept-alive connection
        headers = {"Cookie": self.cookie_header(url), "Connection": "close"}
        ex = self.client.get(url, headers=headers, cache=False, follow_redirects=False)
        request = httpx.Request("GET", _cookie_url(ex.url))
        response = httpx.Response(ex.status or 0, headers=ex.headers, request=request)
        self.jar.extract_cookies(response)
        for value in ex.headers.get_list("set-cookie"):
            self._secret("cookie", value.split(";", 1)[0].partition("=")[2])
        if "location" in ex.headers:
            self.harvest(urljoin(url, ex.headers["location"]))
        return ex

    def navigate(self, url: str, stop: Callable[[str], bool] | None = None, max_hops: int = MAX_HOPS) -> Journey:
        """GET ``url`` and follow redirects; stops before visiting a URL for which ``stop`` is true."""
        journey = Journey()
        for _ in range(max_hops):
            ex = self.step(url)
            journey.hops.append(ex)
            if ex.status not in REDIRECTS or "location" not in ex.headers:
                return journey
            url = urljoin(url, ex.headers["location"])
            if stop is not None and stop(url):
                journey.pending = url
                return journey
        journey.pending = url
        return journey


def _cookie_url(url: str) -> str:
    """The URL as the cookie jar sees it: http on the loopback counts as secure, as browsers do (a potentially
    trustworthy origin), so that Secure cookies set by a local server (Keycloak's) come back to it."""
    if url.startswith("http://") and is_loopback(url):
        return "https://" + url[len("http://"):]
    return url


def is_authorization_request(url: str) -> bool:
    """A redirect to a provider's authorization endpoint: it carries client_id and redirect_uri."""
    params = Redirect.parse(url).params
    return "client_id" in params and "redirect_uri" in params and "post_logout_redirect_uri" not in params


def is_logout_request(url: str) -> bool:
    """A redirect to a provider's end_session endpoint (RP-Initiated Logout 1.0 §2 parameters)."""
    params = Redirect.parse(url).params
    return any(p in params for p in ("id_token_hint", "post_logout_redirect_uri", "logout_hint"))


def same_page(url: str, page: str) -> bool:
    a, b = urlsplit(url), urlsplit(page)
    return (a.netloc.lower(), a.path.rstrip("/")) == (b.netloc.lower(), b.path.rstrip("/"))
