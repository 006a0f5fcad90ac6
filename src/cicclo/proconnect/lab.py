"""A ProConnect-like OpenID provider run by the suite itself, to test a relying party with forged tokens.

The provider listens on ``127.0.0.1:<port>`` (threaded ``http.server``) and serves discovery, JWKS, authorize
(no login page: it redirects straight back with a code), token, userinfo and end_session. Before each login
the suite chooses a :class:`Case`: how the ID token, the UserInfo response, the ``state`` sent back and the
logout return are built. Everything the relying party sends (authorization request, client authentication,
code redemptions, UserInfo token presentation, logout parameters) is recorded in :class:`Login` objects, so
that a test can decide both "did the RP grant a session?" and "what did the RP do?".

One provider can serve several relying parties (one per registration profile: ID token alg, UserInfo format),
keyed by ``client_id``: :meth:`LabProvider.add_client`. Each login is answered with the registration of the
client that started it (audience, algorithms, HMAC key).

Tokens are built with joserfc; the deliberately broken ones (``none``, key confusion) are assembled by hand,
since a JOSE library rightly refuses to make them. Every key, secret, code and token goes through
``on_secret`` so that the run's redactor masks it in every output.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, RSAKey

from cicclo.proconnect.profile import (
    ACR_RANK,
    PROCONNECT_ACR,
    SIGNING_ALGS,
    TOKEN_AUTH_METHODS,
    Redirect,
    asked_levels,
)

LAB_AGENT: dict[str, Any] = {
    "sub": "cicclo-lab-7c1e9a52-agent",
    "given_name": "Camille",
    "usual_name": "Martin",
    "email": "camille.martin@labo.cicclo.example",
    "uid": "lab-0042",
    "siret": "13002526500013",
    "idp_id": "cicclo-lab-idp",
    "organization_label": "Laboratoire cicclo",
    "roles": ["agent_public"],
}
LAB_SCOPES = ["openid", "given_name", "usual_name", "email", "uid", "siret", "idp_id", "organization_label",
              "roles", "phone", "siren", "organizational_unit", "belonging_population", "chorusdt", "custom"]
LAB_CLAIMS = ["sub", "given_name", "usual_name", "email", "uid", "siret", "idp_id", "organization_label", "roles",
              "acr", "amr", "auth_time", "iss", "sid"]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _segment(obj: Mapping[str, Any]) -> str:
    return b64url(json.dumps(obj, separators=(",", ":")).encode())


def hs256_by_hand(header: Mapping[str, Any], payload: Mapping[str, Any], key: bytes) -> str:
    """An HS256 JWS with any byte string as key (used for the public-key-as-secret confusion)."""
    signing_input = f"{_segment(header)}.{_segment(payload)}"
    mac = hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


def unsigned(payload: Mapping[str, Any]) -> str:
    """A JWT with ``alg: none`` and an empty signature (RFC 7519 §6)."""
    return f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(payload)}."


def corrupt(token: str) -> str:
    """The same JWS with its signature altered (one byte flipped), so that verification must fail."""
    head, body, sig = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
    raw[len(raw) // 2] ^= 0x5A
    return f"{head}.{body}.{b64url(bytes(raw))}"


@dataclass(frozen=True)
class Case:
    """How the provider answers one login. ``None`` means "as registered" for algorithms."""

    key: str
    id_token_alg: str | None = None
    id_token_sig: str = "good"          # good | bad | none | key-confusion
    id_token_set: Mapping[str, Any] = field(default_factory=dict)   # claims replaced (after the normal ones)
    id_token_drop: tuple[str, ...] = ()
    id_token_times: Mapping[str, int] = field(default_factory=dict)  # claim -> seconds from now (exp, iat…)
    userinfo: str = "registered"        # registered | json | jwt | none | bad
    userinfo_set: Mapping[str, Any] = field(default_factory=dict)
    state: str = "echo"                 # echo | other
    allow_code_reuse: bool = False
    logout_state: str = "echo"          # echo | other | drop
    kid: bool = True                    # False: the JWS header carries no kid
    jwks: str = "all"                   # all | single (only the primary client's signing key)
    discovery_issuer: str | None = None  # the issuer discovery and the ID token name (None: the lab's own)
    error: str | None = None            # authorize answers this error (login_required…) instead of a code


NOMINAL = Case("nominal")


@dataclass
class Login:
    """What one authorization request led to, as the provider saw it."""

    case: Case
    params: dict[str, str]
    code: str
    created: float = field(default_factory=time.time)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    userinfo_requests: list[dict[str, Any]] = field(default_factory=list)
    access_token: str | None = None
    client: LabConfig | None = None
    id_token_claims: dict[str, Any] = field(default_factory=dict)
    redemptions: int = 0


@dataclass
class LabConfig:
    """A relying party registered at the lab provider (from the target's ``lab`` or ``lab_variants`` options)."""

    port: int
    client_id: str
    client_secret: str | None = None
    redirect_uri: str | None = None
    post_logout_redirect_uri: str | None = None
    id_token_alg: str = "ES256"
    userinfo_alg: str | None = None
    acr_required: str | None = None
    issuer: str | None = None

    @property
    def base(self) -> str:
        return (self.issuer or f"http://127.0.0.1:{self.port}").rstrip("/")


class LabProvider:
    """The suite's ProConnect-like provider; :meth:`start` binds 127.0.0.1:<port>."""

    def __init__(self, config: LabConfig, on_secret: Callable[[str, str], None] | None = None) -> None:
        self.config = config  # the first client registered (the primary lab relying party)
        self.issuer = config.base
        self.clients: dict[str, LabConfig] = {config.client_id: config}
        self._on_secret = on_secret or (lambda name, value: None)
        self.ec_key, self.rsa_key = self._new_keys("")
        if config.client_secret:
            self._on_secret(f"proconnect.lab.{config.client_id}.client_secret", config.client_secret)
        self.case = NOMINAL
        self.fetches: list[str] = []  # "discovery" or "jwks", in the order the relying parties read them
        self.logins: list[Login] = []
        self.by_code: dict[str, Login] = {}
        self.by_token: dict[str, Login] = {}
        self.logouts: list[dict[str, Any]] = []
        self.stray: list[str] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._counter = 0

    # -- lifecycle --------------------------------------------------------------------------------------

    def start(self) -> LabProvider:
        handler = type("LabHandler", (_Handler,), {"lab": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", self.config.port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="cicclo-lab-provider", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LabProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what the suite uses ----------------------------------------------------------------------------

    def add_client(self, config: LabConfig) -> LabConfig:
        """Register one more relying party (same port and issuer); an already known client_id is kept as is."""
        if config.port != self.config.port or config.base != self.issuer:
            raise ValueError(f"le client {config.client_id} attend l'émetteur {config.base} sur le port "
                             f"{config.port}, ce fournisseur de test est {self.issuer} (port {self.config.port})")
        with self._lock:
            known = self.clients.setdefault(config.client_id, config)
        if known is config and config.client_secret:
            self._on_secret(f"proconnect.lab.{config.client_id}.client_secret", config.client_secret)
        return known

    def client_of(self, login: Login) -> LabConfig:
        return login.client or self.config

    def use(self, case: Case) -> int:
        """Make ``case`` the answer of the next logins; returns the index of the next login record."""
        with self._lock:
            self.case = case
            return len(self.logins)

    def logins_since(self, index: int) -> list[Login]:
        with self._lock:
            return list(self.logins[index:])

    def secret(self, name: str, value: str) -> str:
        self._on_secret(name, value)
        return value

    def record_fetch(self, what: str) -> None:
        with self._lock:
            self.fetches.append(what)

    def fetch_mark(self) -> int:
        with self._lock:
            return len(self.fetches)

    def fetched_since(self, mark: int, what: str) -> int:
        """How many times ``what`` (discovery or jwks) was read since :meth:`fetch_mark` gave ``mark``."""
        with self._lock:
            return self.fetches[mark:].count(what)

    def _new_keys(self, tag: str) -> tuple[ECKey, RSAKey]:
        """A fresh ES256 and RS256 key pair (kids ``lab-es256-<tag>…``), their private members redacted."""
        suffix = f"{tag}{secrets.token_hex(4)}"
        ec = ECKey.generate_key("P-256", {"kid": f"lab-es256-{suffix}", "alg": "ES256", "use": "sig"}, private=True)
        rsa = RSAKey.generate_key(2048, {"kid": f"lab-rs256-{suffix}", "alg": "RS256", "use": "sig"}, private=True)
        for key in (ec, rsa):
            private = key.as_dict(private=True)
            for member in ("d", "p", "q", "dp", "dq", "qi"):
                if member in private:
                    self._on_secret(f"proconnect.lab.{private['kid']}.{member}", str(private[member]))
        return ec, rsa

    def rotate_keys(self) -> None:
        """Replace the signing keys for good (new kids, the old keys withdrawn from the JWKS), as a provider's key
        rotation does (OIDC Core §10.1.1)."""
        ec, rsa = self._new_keys("rot-")
        with self._lock:
            self.ec_key, self.rsa_key = ec, rsa

    def issuer_of(self, case: Case) -> str:
        return case.discovery_issuer or self.issuer

    def metadata(self) -> dict[str, Any]:
        base = self.issuer
        return {
            "issuer": self.issuer_of(self.case),
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks",
            "end_session_endpoint": f"{base}/session/end",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "token_endpoint_auth_methods_supported": list(TOKEN_AUTH_METHODS),
            "token_endpoint_auth_signing_alg_values_supported": ["ES256", "RS256"],
            "id_token_signing_alg_values_supported": list(SIGNING_ALGS),
            "userinfo_signing_alg_values_supported": list(SIGNING_ALGS),
            "acr_values_supported": list(PROCONNECT_ACR),
            "scopes_supported": LAB_SCOPES,
            "claims_supported": LAB_CLAIMS,
            "claims_parameter_supported": True,
            "code_challenge_methods_supported": ["S256"],
            "request_parameter_supported": False,
        }

    def jwks(self) -> dict[str, Any]:
        """The published keys while the current case is played (``single``: only the key of the primary client's
        ID token alg)."""
        case = self.case
        keys: dict[str, ECKey | RSAKey] = {"ES256": self.ec_key, "RS256": self.rsa_key}
        if case.jwks == "single" and self.config.id_token_alg in keys:
            keys = {self.config.id_token_alg: keys[self.config.id_token_alg]}
        return {"keys": [key.as_dict(private=False) for key in keys.values()]}

    # -- token forging ----------------------------------------------------------------------------------

    def _sign(self, claims: Mapping[str, Any], alg: str, how: str, client: LabConfig, case: Case) -> str:
        header = {"typ": "JWT", "alg": alg}
        ec, rsa = self.ec_key, self.rsa_key
        if how == "none":
            return unsigned(claims)
        if how == "key-confusion":
            pem = rsa.as_pem(private=False)
            return hs256_by_hand({"typ": "JWT", "alg": "HS256", "kid": rsa.kid}, claims, pem)
        if alg == "HS256":
            if not client.client_secret:
                raise ValueError("HS256 sans secret client : cas non jouable")
            token = jwt.encode(header, dict(claims), OctKey.import_key(client.client_secret))
        elif alg == "RS256":
            token = jwt.encode({**header, "kid": rsa.kid} if case.kid else header, dict(claims), rsa)
        else:
            token = jwt.encode({**header, "kid": ec.kid} if case.kid else header, dict(claims), ec)
        return corrupt(token) if how == "bad" else token

    def acr_for(self, params: Mapping[str, str], client: LabConfig | None = None) -> str:
        """The level asked for (claims, then acr_values; of several, the strongest ProConnect level, as an agent
        who can reach it would get), else the required one, else eidas1."""
        asked = asked_levels(Redirect.of("authorize", params))
        known = [v for v in asked if v in ACR_RANK]
        if known:
            return max(known, key=lambda v: ACR_RANK[v])
        if asked:
            return asked[0]
        return (client or self.config).acr_required or "eidas1"

    def id_token(self, login: Login) -> str:
        case, now, client = login.case, int(time.time()), self.client_of(login)
        claims: dict[str, Any] = {
            "iss": self.issuer_of(case), "sub": LAB_AGENT["sub"], "aud": client.client_id, "exp": now + 600,
            "iat": now, "auth_time": now - 5, "acr": self.acr_for(login.params, client), "amr": ["pwd"],
            "sid": f"lab-sid-{login.code[:8]}", "idp_id": LAB_AGENT["idp_id"],
        }
        if "nonce" in login.params:
            claims["nonce"] = login.params["nonce"]
        claims.update(case.id_token_set)
        claims.update({name: now + delta for name, delta in case.id_token_times.items()})
        for name in case.id_token_drop:
            claims.pop(name, None)
        login.id_token_claims = claims
        alg = case.id_token_alg or client.id_token_alg
        token = self._sign(claims, alg, case.id_token_sig, client, case)
        return self.secret(f"proconnect.lab.id_token.{login.code[:6]}", token)

    def userinfo(self, login: Login) -> tuple[str, bytes]:
        """(content type, body) of the UserInfo response for ``login``."""
        claims = {**LAB_AGENT, **login.case.userinfo_set}
        kind, client = login.case.userinfo, self.client_of(login)
        if kind == "registered":
            kind = "jwt" if client.userinfo_alg else "json"
        if kind == "json":
            return "application/json", json.dumps(claims).encode()
        claims = {**claims, "iss": self.issuer_of(login.case), "aud": client.client_id}
        alg = client.userinfo_alg or client.id_token_alg
        how = {"jwt": "good", "none": "none", "bad": "bad"}[kind]
        token = self.secret(f"proconnect.lab.userinfo.{login.code[:6]}",
                            self._sign(claims, alg, how, client, login.case))
        return "application/jwt", token.encode()

    # -- request handling (called by the HTTP handler) --------------------------------------------------

    def authorize(self, params: dict[str, str]) -> tuple[int, dict[str, str], str]:
        redirect_uri = params.get("redirect_uri", "")
        client = self.clients.get(params.get("client_id") or "")
        if client is None:
            return 400, {}, "client_id inconnu du fournisseur de test"
        if not redirect_uri or (client.redirect_uri and redirect_uri != client.redirect_uri):
            return 400, {}, f"redirect_uri non enregistré : {redirect_uri!r} (erreur Y030031 chez ProConnect)"
        with self._lock:
            case = self.case
            self._counter += 1
            code = self.secret(f"proconnect.lab.code.{self._counter}", secrets.token_urlsafe(32))
            login = Login(case=case, params=dict(params), code=code, client=client)
            self.logins.append(login)
            self.by_code[code] = login
        if params.get("response_type") != "code":
            query = {"error": "unsupported_response_type", "state": params.get("state", "")}
            return 302, {"Location": _add_query(redirect_uri, query)}, ""
        if case.error:
            query = {"error": case.error, "error_description": f"cas de test {case.key}"}
            if "state" in params:
                query["state"] = params["state"]
            return 302, {"Location": _add_query(redirect_uri, query)}, ""
        query = {"code": code}
        if case.state == "echo" and "state" in params:
            query["state"] = params["state"]
        elif case.state == "other":
            query["state"] = secrets.token_urlsafe(32)
        return 302, {"Location": _add_query(redirect_uri, query)}, ""

    def token(self, form: dict[str, str], headers: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        auth = headers.get("authorization", "")
        record: dict[str, Any] = {"at": time.time(), "redirect_uri": form.get("redirect_uri")}
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if auth.lower().startswith("basic "):
            record["auth_method"] = "client_secret_basic"
            try:
                pair = base64.b64decode(auth[6:].strip()).decode()
                client_id, secret = _split_basic(pair)
            except (ValueError, UnicodeDecodeError):
                return 401, {"error": "invalid_client"}
        elif form.get("client_assertion_type", "").endswith("jwt-bearer") and form.get("client_assertion"):
            record["auth_method"] = "private_key_jwt"
            self.secret(f"proconnect.lab.client_assertion.{len(self.stray)}", form["client_assertion"])
        elif secret is not None:
            record["auth_method"] = "client_secret_post"
        else:
            record["auth_method"] = "none"
        with self._lock:
            login = self.by_code.get(form.get("code", ""))
            if login is not None:
                login.redemptions += 1
                login.token_requests.append(record)
        if login is None:
            self.stray.append(f"code inconnu présenté au point de jeton ({record['auth_method']})")
            return 400, {"error": "invalid_grant"}
        client = self.client_of(login)
        if client_id not in (None, client.client_id):
            return 401, {"error": "invalid_client"}
        if record["auth_method"] in ("client_secret_basic", "client_secret_post") and (
                client.client_secret and secret != client.client_secret):
            return 401, {"error": "invalid_client"}
        if login.redemptions > 1 and not login.case.allow_code_reuse:
            return 400, {"error": "invalid_grant", "error_description": "code déjà utilisé"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        if form.get("redirect_uri") != login.params.get("redirect_uri"):
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri différent"}
        challenge = login.params.get("code_challenge")
        if challenge is not None:
            verifier = form.get("code_verifier", "")
            method = login.params.get("code_challenge_method", "plain")
            computed = b64url(hashlib.sha256(verifier.encode()).digest()) if method == "S256" else verifier
            if not verifier or not hmac.compare_digest(computed, challenge):
                return 400, {"error": "invalid_grant", "error_description": "code_verifier incorrect"}
        access = self.secret(f"proconnect.lab.access_token.{login.code[:6]}", secrets.token_urlsafe(32))
        with self._lock:
            login.access_token = access
            self.by_token[access] = login
        return 200, {"access_token": access, "token_type": "Bearer", "expires_in": 3600,
                     "id_token": self.id_token(login), "scope": login.params.get("scope", "openid")}

    def userinfo_request(self, method: str, headers: Mapping[str, str], form: dict[str, str],
                         query: dict[str, str]) -> tuple[int, str, bytes]:
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            how, token = "header", auth[7:].strip()
        elif form.get("access_token"):
            how, token = "body", form["access_token"]
        elif query.get("access_token"):
            how, token = "query", query["access_token"]
        else:
            how, token = "absent", ""
        login = self.by_token.get(token)
        if login is None:
            return 401, "application/json", b'{"error":"invalid_token"}'
        login.userinfo_requests.append({"method": method, "token_in": how, "at": time.time()})
        content_type, body = self.userinfo(login)
        return 200, content_type, body

    def end_session(self, params: dict[str, str]) -> tuple[int, dict[str, str], str]:
        with self._lock:
            case = self.case
            self.logouts.append({"params": dict(params), "case": case.key, "at": time.time()})
        target = params.get("post_logout_redirect_uri")
        if not target:
            return 200, {}, "Vous êtes déconnecté du fournisseur de test."
        registered = [c.post_logout_redirect_uri for c in self.clients.values()]
        if None not in registered and target not in registered:
            return 400, {}, f"post_logout_redirect_uri non enregistré : {target!r} (erreur Y030111 chez ProConnect)"
        query: dict[str, str] = {}
        if case.logout_state == "echo" and "state" in params:
            query["state"] = params["state"]
        elif case.logout_state == "other":
            query["state"] = secrets.token_urlsafe(32)
        return 302, {"Location": _add_query(target, query)}, ""


def _split_basic(pair: str) -> tuple[str, str]:
    """client_id and secret of a Basic header (form-urlencoded first, RFC 6749 §2.3.1)."""
    user, sep, password = pair.partition(":")
    if not sep:
        raise ValueError("Basic sans deux-points")
    return unquote_plus(user), unquote_plus(password)


def _add_query(url: str, query: Mapping[str, str]) -> str:
    if not query:
        return url
    return url + ("&" if urlsplit(url).query else "?") + urlencode(query)


def _flat(qs: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(qs, keep_blank_values=True).items()}


class _Handler(BaseHTTPRequestHandler):
    lab: LabProvider
    server_version = "cicclo-lab-provider"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet: the suite keeps evidence
        return

    def _send(self, status: int, headers: Mapping[str, str], body: bytes, content_type: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, doc: Any) -> None:
        self._send(status, {}, json.dumps(doc).encode(), "application/json")

    def _page(self, status: int, headers: Mapping[str, str], text: str) -> None:
        self._send(status, headers, text.encode(), "text/plain; charset=utf-8")

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", errors="replace") if length else ""
        return _flat(raw)

    def _route(self, method: str) -> None:
        parts = urlsplit(self.path)
        base_path = urlsplit(self.lab.issuer).path.rstrip("/")
        path = parts.path[len(base_path):] if base_path and parts.path.startswith(base_path) else parts.path
        query = _flat(parts.query)
        form = self._form() if method == "POST" else {}
        headers = {k.lower(): v for k, v in self.headers.items()}
        lab = self.lab
        if path == "/.well-known/openid-configuration" and method == "GET":
            lab.record_fetch("discovery")
            self._json(200, lab.metadata())
        elif path == "/jwks" and method == "GET":
            lab.record_fetch("jwks")
            self._send(200, {}, json.dumps(lab.jwks()).encode(), "application/jwk-set+json")
        elif path == "/authorize":
            status, extra, text = lab.authorize({**query, **form})
            self._page(status, extra, text)
        elif path == "/token" and method == "POST":
            status, doc = lab.token(form, headers)
            self._json(status, doc)
        elif path == "/userinfo":
            status, content_type, body = lab.userinfo_request(method, headers, form, query)
            extra = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if status == 401 else {}
            self._send(status, extra, body, content_type)
        elif path == "/session/end":
            status, extra, text = lab.end_session({**query, **form})
            self._page(status, extra, text)
        else:
            self._page(404, {}, "inconnu du fournisseur de test")

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._route("GET")

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        self._route("POST")
