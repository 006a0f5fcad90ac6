"""A deliberately broken OpenID Connect relying party: it believes whatever the provider sends back.

:class:`CredulousRP` serves, on a free ``127.0.0.1`` port (threaded ``http.server``):

- ``/protected/``: 200 with the session's claims when the session cookie is known, else a redirect to ``/login``;
- ``/login``: reads the provider's discovery (``metadata_url``, at every login, so the provider may start after
  the relying party), then redirects to its ``authorization_endpoint`` (``response_type=code``, ``scope``,
  ``state``, ``nonce``, ``redirect_uri``, the acr level asked for by the ``claims`` parameter);
- ``/callback`` (the registered ``redirect_uri``): redeems the code at the token endpoint (``client_secret_post``),
  calls UserInfo with ``Authorization: Bearer``, opens a session and redirects to the protected page;
- ``/logout``: redirects to the provider's ``end_session_endpoint`` with ``id_token_hint``, ``state`` and
  ``post_logout_redirect_uri``;
- ``/logged-out`` (the registered ``post_logout_redirect_uri``): closes the session, one fixed page.

It validates nothing: the ID token and a JWT UserInfo are decoded without looking at the signature or the alg,
and neither ``iss``, ``aud``, ``exp``, ``iat``, ``nonce``, ``sub`` nor ``acr`` is checked; ``state`` is ignored on
both returns, and a session is opened whenever a callback carries a code and the token endpoint answers at all
(even with an error). Every callback visit redeems its code again. It exists so that the project's own tests
can show that each negative case of the ProConnect suite FAILs against a relying party broken that way.

More named flaws (:data:`FLAWS`) break what it sends (authorization request, token request, UserInfo call,
logout redirect) or refuse every login, or add one misguided check (a kid required, keys pinned, the withdrawn
2FA acr list); each targets one check of the suite. Every login sends valid idp_hint, login_hint and siret_hint.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import secrets
import threading
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from cicclo.proconnect.profile import LEGACY_MFA_ACR

SCOPE = "openid given_name usual_name email uid siret idp_id"
COOKIE = "cicclo_credulous_session"

FLAWS: dict[str, str] = {
    "response-type-hybrid": "response_type=code id_token",
    "scope-profile": "scope openid profile",
    "redirect-uri-unregistered": "redirect_uri with a trailing /x, not the registered value",
    "short-state": "the same 8-character state at every login",
    "no-nonce": "no nonce in the authorization request",
    "acr-not-requested": "neither claims nor acr_values",
    "acr-values": "the level asked for by acr_values instead of the claims parameter",
    "pkce-plain": "PKCE with code_challenge_method=plain",
    "unknown-auth-param": "an extra display=page parameter",
    "other-client-id": "a client_id other than the registered one in the authorization request",
    "local-logout": "logout closes the local session only, no redirect to end_session",
    "logout-no-hint": "neither id_token_hint nor client_id at end_session",
    "logout-short-state": "an 8-character state at end_session",
    "logout-redirect-unregistered": "a post_logout_redirect_uri other than the registered value",
    "client-secret-basic": "client authentication by HTTP Basic at the token endpoint",
    "token-redirect-uri": "a redirect_uri at the token endpoint other than the one of the authorization request",
    "userinfo-token-in-body": "the access token sent to UserInfo in a POST body",
    "never-logs-in": "the callback redeems the code but opens no session (even a valid login is refused)",
    "acr-legacy-mfa-request": "asks for the withdrawn 2FA list (eidas2, eidas3, …/self-asserted-2fa, "
                              "…/consistency-checked-2fa)",
    "acr-legacy-mfa-check": "asks for the 2026 MFA levels but opens a session only for the withdrawn 2FA list",
    "requires-kid": "refuses an ES256 or RS256 ID token whose header has no kid",
    "pinned-jwks": "reads the JWKS at its first login only and refuses an ID token whose kid it does not hold",
    "family-name-only": "keeps only the standard profile claims (sub, given_name, family_name, email)",
    "malformed-hints": "a login_hint that is no e-mail address and a 10-digit siret_hint",
}
OLD_MFA_RECIPE = ["eidas2", "eidas3", *LEGACY_MFA_ACR]  # double_authentification.md from 2025-08 to 2026-06
HINTS = {"login_hint": "agent@example.gouv.fr", "siret_hint": "13002526500013", "idp_hint": "cicclo-lab-idp"}
BAD_HINTS = {"login_hint": "agent", "siret_hint": "1300252650", "idp_hint": "cicclo-lab-idp"}
STANDARD_CLAIMS = ("sub", "given_name", "family_name", "email")

LOGGED_OUT_PAGE = "<!doctype html><title>Déconnecté</title><p>Vous êtes déconnecté du service.</p>"


def jwt_header(token: str) -> dict[str, Any]:
    return _segment(token, 0)


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a compact JWS, read without any verification (the flaw this server is made of)."""
    return _segment(token, 1)


def _segment(token: str, index: int) -> dict[str, Any]:
    try:
        payload = token.split(".")[index]
        doc = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return {}
    return doc if isinstance(doc, dict) else {}


class CredulousRP:
    """One relying party registered as ``client_id`` at the provider of ``metadata_url``; :meth:`start` binds it."""

    def __init__(self, metadata_url: str, client_id: str, client_secret: str, *, flaws: Iterable[str] = (),
                 acr: str | list[str] | None = "eidas1", scope: str = SCOPE) -> None:
        unknown = set(flaws) - set(FLAWS)
        if unknown:
            raise ValueError(f"défauts inconnus : {', '.join(sorted(unknown))} (connus : {', '.join(FLAWS)})")
        self.metadata_url = metadata_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.flaws = frozenset(flaws)
        self.acr = OLD_MFA_RECIPE if "acr-legacy-mfa-request" in self.flaws else acr
        self.pinned_kids: set[str] | None = None
        self.scope = "openid profile" if "scope-profile" in self.flaws else scope
        self.sessions: dict[str, dict[str, Any]] = {}
        self.pending: dict[str, dict[str, str]] = {}  # state -> redirect_uri, code_verifier (never checked)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name="credulous-rp")

    # -- what a target file declares ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"{self.base_url}/protected/"

    @property
    def login_url(self) -> str:
        return f"{self.base_url}/login"

    @property
    def logout_url(self) -> str:
        return f"{self.base_url}/logout"

    @property
    def redirect_uri(self) -> str:
        return f"{self.base_url}/callback"

    @property
    def post_logout_redirect_uri(self) -> str:
        return f"{self.base_url}/logged-out"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the flow -------------------------------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        doc = httpx.get(self.metadata_url, timeout=10).raise_for_status().json()
        if not isinstance(doc, dict):
            raise ValueError("document de découverte qui n'est pas un objet JSON")
        return doc

    def authorization_url(self) -> str:
        meta = self.metadata()
        flaws = self.flaws
        state = "abcd1234" if "short-state" in flaws else secrets.token_urlsafe(32)
        redirect_uri = self.redirect_uri + ("/x" if "redirect-uri-unregistered" in flaws else "")
        params: dict[str, str] = {
            "response_type": "code id_token" if "response-type-hybrid" in flaws else "code",
            "client_id": f"{self.client_id}-autre" if "other-client-id" in flaws else self.client_id,
            "redirect_uri": redirect_uri, "scope": self.scope, "state": state,
        }
        if "no-nonce" not in flaws:
            params["nonce"] = secrets.token_urlsafe(32)
        levels = [self.acr] if isinstance(self.acr, str) else list(self.acr or [])
        if levels and "acr-values" in flaws:
            params["acr_values"] = " ".join(levels)
        elif levels and "acr-not-requested" not in flaws:
            params["claims"] = json.dumps({"id_token": {"acr": {"essential": True, "values": levels}}})
        params.update(BAD_HINTS if "malformed-hints" in flaws else HINTS)
        verifier = ""
        if "pkce-plain" in flaws:
            verifier = secrets.token_urlsafe(48)
            params.update(code_challenge=verifier, code_challenge_method="plain")
        if "unknown-auth-param" in flaws:
            params["display"] = "page"
        with self._lock:
            self.pending[state] = {"redirect_uri": redirect_uri, "code_verifier": verifier}
        return _with_query(str(meta["authorization_endpoint"]), params)

    def callback(self, query: Mapping[str, str]) -> str | None:
        """Redeem the code and open a session (its id); None when the token endpoint could not be reached or a
        flawed check (:meth:`refuses`) turns the login down."""
        meta = self.metadata()
        with self._lock:  # state only picks the PKCE verifier: an unknown state is not an error here
            pending = self.pending.get(query.get("state", ""), {})
        redirect_uri = pending.get("redirect_uri", self.redirect_uri)
        form = {"grant_type": "authorization_code", "code": query.get("code", ""),
                "redirect_uri": redirect_uri + ("/autre" if "token-redirect-uri" in self.flaws else "")}
        if pending.get("code_verifier"):
            form["code_verifier"] = pending["code_verifier"]
        auth: tuple[str, str] | None = None
        if "client-secret-basic" in self.flaws:
            auth = (self.client_id, self.client_secret)
        else:
            form.update(client_id=self.client_id, client_secret=self.client_secret)
        try:
            answer = httpx.post(str(meta["token_endpoint"]), data=form, auth=auth, timeout=10)
        except httpx.HTTPError:
            return None
        try:
            tokens = answer.json()
        except ValueError:
            tokens = {}
        tokens = tokens if isinstance(tokens, dict) else {}
        id_token = str(tokens.get("id_token") or "")
        claims = jwt_claims(id_token)
        access = tokens.get("access_token")
        if access and meta.get("userinfo_endpoint"):
            claims.update(self.userinfo(str(meta["userinfo_endpoint"]), str(access)))
        if self.refuses(meta, id_token, claims):
            return None
        if "family-name-only" in self.flaws:
            claims = {k: v for k, v in claims.items() if k in STANDARD_CLAIMS}
        session = secrets.token_urlsafe(32)
        with self._lock:
            self.sessions[session] = {"claims": claims, "id_token": id_token}
        return session

    def refuses(self, meta: Mapping[str, Any], id_token: str, claims: Mapping[str, Any]) -> bool:
        """The only checks this relying party makes, each one a flaw of its own."""
        header = jwt_header(id_token)
        kid = header.get("kid")
        if "requires-kid" in self.flaws and not kid and header.get("alg") in ("ES256", "RS256"):
            return True
        if "acr-legacy-mfa-check" in self.flaws and claims.get("acr") not in OLD_MFA_RECIPE:
            return True
        if "pinned-jwks" in self.flaws:
            if self.pinned_kids is None:
                keys = httpx.get(str(meta["jwks_uri"]), timeout=10).json().get("keys", [])
                self.pinned_kids = {str(k.get("kid")) for k in keys if isinstance(k, dict)}
            return bool(kid) and kid not in self.pinned_kids
        return False

    def userinfo(self, endpoint: str, access: str) -> dict[str, Any]:
        try:
            if "userinfo-token-in-body" in self.flaws:
                answer = httpx.post(endpoint, data={"access_token": access}, timeout=10)
            else:
                answer = httpx.get(endpoint, headers={"Authorization": f"Bearer {access}"}, timeout=10)
        except httpx.HTTPError:
            return {}
        if answer.headers.get("content-type", "").startswith("application/jwt"):
            return jwt_claims(answer.text.strip())
        try:
            doc = answer.json()
        except ValueError:
            return {}
        return doc if isinstance(doc, dict) else {}

    def logout_url_at_provider(self, session: dict[str, Any] | None) -> str:
        meta = self.metadata()
        params: dict[str, str] = {}
        if "logout-no-hint" not in self.flaws and session and session.get("id_token"):
            params["id_token_hint"] = session["id_token"]
        params["state"] = "abcd1234" if "logout-short-state" in self.flaws else secrets.token_urlsafe(32)
        params["post_logout_redirect_uri"] = self.post_logout_redirect_uri + (
            "/ailleurs" if "logout-redirect-unregistered" in self.flaws else "")
        return _with_query(str(meta["end_session_endpoint"]), params)

    def session_of(self, cookie_header: str | None) -> tuple[str | None, dict[str, Any] | None]:
        for part in (cookie_header or "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE:
                with self._lock:
                    return value, self.sessions.get(value)
        return None, None

    def close(self, session_id: str | None) -> None:
        if session_id:
            with self._lock:
                self.sessions.pop(session_id, None)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        rp = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "credulous-rp"

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: str = "", headers: Mapping[str, str] | None = None) -> None:
                data = body.encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                session_id, session = rp.session_of(self.headers.get("Cookie"))
                try:
                    self._route(parts.path, query, session_id, session)
                except (httpx.HTTPError, ValueError, KeyError) as exc:
                    self._send(502, f"<p>fournisseur injoignable ou incompréhensible : {html.escape(str(exc))}</p>")

            def _route(self, path: str, query: dict[str, str], session_id: str | None,
                       session: dict[str, Any] | None) -> None:
                if path == "/protected/":
                    if session is None:
                        self._send(302, headers={"Location": rp.login_url})
                    else:
                        shown = html.escape(json.dumps(session["claims"], ensure_ascii=False, sort_keys=True))
                        self._send(200, f"<!doctype html><title>Espace agent</title><pre>{shown}</pre>")
                elif path == "/login":
                    self._send(302, headers={"Location": rp.authorization_url()})
                elif path.startswith("/callback"):
                    new = rp.callback(query) if query.get("code") else None
                    if new is not None and "never-logs-in" in rp.flaws:
                        rp.close(new)
                        self._send(302, headers={"Location": rp.url})
                    elif new is None:
                        self._send(502, "<p>pas de code, ou point de jeton injoignable</p>")
                    else:
                        self._send(302, headers={"Location": rp.url,
                                                 "Set-Cookie": f"{COOKIE}={new}; Path=/; HttpOnly; SameSite=Lax"})
                elif path == "/logout":
                    if "local-logout" in rp.flaws:
                        rp.close(session_id)
                        self._send(200, LOGGED_OUT_PAGE, {"Set-Cookie": f"{COOKIE}=; Path=/; Max-Age=0"})
                    else:
                        self._send(302, headers={"Location": rp.logout_url_at_provider(session)})
                elif path.startswith("/logged-out"):  # the state sent back is not looked at
                    rp.close(session_id)
                    self._send(200, LOGGED_OUT_PAGE, {"Set-Cookie": f"{COOKIE}=; Path=/; Max-Age=0"})
                else:
                    self._send(404, "<p>inconnu</p>")

        return Handler


def _with_query(url: str, params: Mapping[str, str]) -> str:
    return url + ("&" if urlsplit(url).query else "?") + urlencode(params)
