"""Built-in ``keycloak``: Keycloak as the platform's ProConnect broker (how the Géoplateforme integrates ProConnect).

Pieces (installed by ``scripts/setup-keycloak.sh``; nothing is downloaded at run time):

* :class:`Keycloak`: the Keycloak server distribution (``servers/keycloak/dist``, org.keycloak:keycloak-quarkus-dist)
  started with ``kc.sh start-dev`` on a free loopback port, its database in memory (``--db=dev-mem``), run with a
  JDK 21+ from ``/usr/lib/jvm`` (Keycloak 26 refuses JDK 17). Once it answers, the realm of the committed file
  ``servers/keycloak/realm-cicclo.json`` is imported through the admin REST API, with one OpenID Connect identity
  provider per ProConnect it brokers: ``proconnect`` (the reference oidc-provider of :mod:`cicclo.reference.proconnect`)
  and ``proconnect-lab`` (the suite's own test provider, on a port chosen here). Each is configured as a platform
  would: code flow, ``client_secret_post``, PKCE S256, signature checked against ``jwks_uri``, the ProConnect
  scopes (no ``profile``), ``usual_name`` mapped to the last name.
* :class:`BrokerWindow`: a minimal application of the realm (client ``cicclo-app``) that shows, as JSON, who
  Keycloak says is logged in. It is the suite's window on Keycloak's session: ``/<alias>/protected/`` answers 200
  with a session, else redirects to the window's Keycloak authorization request with ``kc_idp_hint=<alias>``
  (the ``login_url``), that Keycloak turns into a ProConnect authorization request. The relying party under test
  is Keycloak.

Services given by :func:`start_builtin`: ``proconnect_provider`` is the Keycloak realm itself (the platform's own
provider, for PC-OP-*); ``proconnect_rp`` is Keycloak as ProConnect's relying party (black box against the
reference provider, options ``provider_issuer`` naming it), ``lab`` the same broker pointed at the suite's provider.
Logout is not declared (the window would have to log out of Keycloak first, which the black-box logout checks read
as the relying party's own logout request).
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import subprocess
import threading
import time
from collections.abc import Mapping
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from cicclo.reference import REPO_ROOT, free_port
from cicclo.reference.builtins import Started
from cicclo.reference.proconnect import OidcProvider, ProConnectError, _stop_group, _tail, new_secret

KEYCLOAK_HOME = Path(os.environ.get("CICCLO_KEYCLOAK_HOME", REPO_ROOT / "servers" / "keycloak" / "dist"))
REALM_FILE = REPO_ROOT / "servers" / "keycloak" / "realm-cicclo.json"
REALM = "cicclo"
SETUP_HINT = "lancer `bash scripts/setup-keycloak.sh`"
START_TIMEOUT = 300.0
LAB_PATHS = {"AUTHORIZATION_URL": "/authorize", "TOKEN_URL": "/token", "USERINFO_URL": "/userinfo",
             "JWKS_URL": "/jwks", "LOGOUT_URL": "/session/end"}  # those of cicclo.proconnect.lab
DISCOVERY_FIELDS = {"AUTHORIZATION_URL": "authorization_endpoint", "TOKEN_URL": "token_endpoint",
                    "USERINFO_URL": "userinfo_endpoint", "JWKS_URL": "jwks_uri",
                    "LOGOUT_URL": "end_session_endpoint"}


def java_home() -> Path | None:
    """A JDK able to run Keycloak 26 (Java 21 or later): CICCLO_KEYCLOAK_JAVA_HOME, else the newest under
    /usr/lib/jvm."""
    chosen = os.environ.get("CICCLO_KEYCLOAK_JAVA_HOME")
    if chosen:
        return Path(chosen)
    best: tuple[int, Path] | None = None
    for release in Path("/usr/lib/jvm").glob("*/release"):
        match = re.search(r'JAVA_VERSION="(\d+)', release.read_text(encoding="utf-8", errors="replace"))
        if match and int(match.group(1)) >= 21 and (best is None or int(match.group(1)) > best[0]):
            best = (int(match.group(1)), release.parent)
    return best[1] if best else None


def _fill(template: str, values: Mapping[str, str]) -> str:
    for name, value in values.items():
        template = template.replace(f"@{name}@", json.dumps(value)[1:-1])
    return template


def realm(app_url: str, app_secret: str, brokers: list[dict[str, str]]) -> dict[str, Any]:
    """The committed realm with the application and one identity provider (and its mappers) per broker entry
    (ALIAS, ISSUER, CLIENT_ID, CLIENT_SECRET and the endpoint URLs)."""
    doc = json.loads(_fill(REALM_FILE.read_text(encoding="utf-8"), {"APP_URL": app_url, "APP_SECRET": app_secret}))
    idp, mappers = json.dumps(doc["identityProviders"][0]), json.dumps(doc["identityProviderMappers"])
    doc["identityProviders"] = [json.loads(_fill(idp, b)) for b in brokers]
    doc["identityProviderMappers"] = [m for b in brokers for m in json.loads(_fill(mappers, b))]
    return doc


class Keycloak:
    """``kc.sh start-dev`` on a free loopback port; :meth:`start` waits for it and imports the realm."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.workdir = Path(workdir)
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.admin_password = new_secret()
        self.startup_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def issuer(self) -> str:
        return f"{self.base}/realms/{REALM}"

    def broker_endpoint(self, alias: str) -> str:
        return f"{self.issuer}/broker/{alias}/endpoint"

    def start(self, realm_doc: Mapping[str, Any], timeout: float = START_TIMEOUT) -> None:
        script = KEYCLOAK_HOME / "bin" / "kc.sh"
        jdk = java_home()
        if not script.is_file():
            raise ProConnectError(f"Keycloak introuvable dans {KEYCLOAK_HOME} : {SETUP_HINT}")
        if jdk is None:
            raise ProConnectError("aucun JDK 21 ou plus récent sous /usr/lib/jvm (Keycloak 26 l'exige) : "
                                  "CICCLO_KEYCLOAK_JAVA_HOME pour en désigner un")
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = self.workdir / "keycloak.log"
        env = {**os.environ, "JAVA_HOME": str(jdk), "KC_BOOTSTRAP_ADMIN_USERNAME": "cicclo-admin",
               "KC_BOOTSTRAP_ADMIN_PASSWORD": self.admin_password}
        started = time.monotonic()
        with log.open("wb") as out:
            self._proc = subprocess.Popen(
                [str(script), "start-dev", "--http-host=127.0.0.1", f"--http-port={self.port}",
                 f"--http-management-port={free_port()}", "--db=dev-mem", "--log-level=WARN"],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=self.workdir, env=env)
        deadline = time.monotonic() + timeout
        while not self._answers(f"{self.base}/realms/master"):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise ProConnectError(f"Keycloak ne répond pas sur {self.base} :\n{_tail(log)}")
            time.sleep(0.5)
        self.startup_seconds = time.monotonic() - started
        self._import(realm_doc)

    def _answers(self, url: str) -> bool:
        try:
            return httpx.get(url, timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def _import(self, realm_doc: Mapping[str, Any]) -> None:
        token = httpx.post(f"{self.base}/realms/master/protocol/openid-connect/token", timeout=30, data={
            "grant_type": "password", "client_id": "admin-cli", "username": "cicclo-admin",
            "password": self.admin_password}).raise_for_status().json()["access_token"]
        answer = httpx.post(f"{self.base}/admin/realms", json=dict(realm_doc), timeout=60,
                            headers={"Authorization": f"Bearer {token}"})
        if answer.status_code != 201:
            self.stop()
            raise ProConnectError(f"import du royaume {REALM} refusé par Keycloak : {answer.status_code} "
                                  f"{answer.text[:500]}")

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        _stop_group(proc, timeout=30)


def _claims(token: str) -> dict[str, Any]:
    """The payload of an ID token the window got from Keycloak over its loopback back channel."""
    payload = token.split(".")[1]
    doc = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return doc if isinstance(doc, dict) else {}


class BrokerWindow:
    """The realm's application ``cicclo-app``: shows who Keycloak logged in (see the module docstring)."""

    COOKIE = "cicclo_kc_window"

    def __init__(self, keycloak: Keycloak, secret: str) -> None:
        self.keycloak = keycloak
        self.secret = secret
        self.sessions: dict[str, dict[str, Any]] = {}
        self.tag = secrets.token_urlsafe(16)  # in the window's state: its logins come back to it
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="cicclo-kc-window")

    def protected(self, alias: str) -> str:
        return f"{self.base}/{alias}/protected/"

    def login(self, alias: str) -> str:
        """The Keycloak authorization request of the window for ``alias``: Keycloak answers it with a redirect to
        that broker's provider (so the first authorization request the suite sees is Keycloak's)."""
        return f"{self.keycloak.issuer}/protocol/openid-connect/auth?" + urlencode({
            "client_id": "cicclo-app", "response_type": "code", "scope": "openid", "state": f"{alias}.{self.tag}",
            "redirect_uri": self.callback, "kc_idp_hint": alias})

    @property
    def callback(self) -> str:
        return f"{self.base}/callback"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def redeem(self, query: Mapping[str, str]) -> tuple[str, str] | None:
        """(session id, alias) for a callback whose state this window issued and whose code Keycloak redeems."""
        alias, _, tag = query.get("state", "").partition(".")
        if tag != self.tag or not alias or not query.get("code"):
            return None
        answer = httpx.post(f"{self.keycloak.issuer}/protocol/openid-connect/token", timeout=30, data={
            "grant_type": "authorization_code", "code": query["code"], "redirect_uri": self.callback,
            "client_id": "cicclo-app", "client_secret": self.secret})
        if answer.status_code != 200:
            return None
        session = secrets.token_urlsafe(32)
        with self._lock:
            self.sessions[session] = {"alias": alias, "claims": _claims(str(answer.json().get("id_token", "")))}
        return session, alias

    def session(self, cookie_header: str | None, alias: str) -> dict[str, Any] | None:
        for part in (cookie_header or "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == self.COOKIE:
                with self._lock:
                    found = self.sessions.get(value)
                return found if found and found["alias"] == alias else None
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        window = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "cicclo-keycloak-window"

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: str = "", headers: Mapping[str, str] | None = None,
                      content_type: str = "text/html; charset=utf-8") -> None:
                data = body.encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                alias, _, page = parts.path.strip("/").partition("/")
                if parts.path == "/callback":
                    try:
                        redeemed = window.redeem(query)
                    except httpx.HTTPError:
                        redeemed = None
                    if redeemed is None:
                        self._send(401, "<p>connexion refusée par Keycloak</p>")
                        return
                    session, alias = redeemed
                    self._send(302, headers={"Location": window.protected(alias),
                                             "Set-Cookie": f"{window.COOKIE}={session}; Path=/; HttpOnly"})
                elif page == "protected":
                    found = window.session(self.headers.get("Cookie"), alias)
                    if found is None:
                        self._send(302, headers={"Location": window.login(alias)})
                    else:
                        self._send(200, json.dumps(found["claims"], ensure_ascii=False, sort_keys=True),
                                   content_type="application/json")
                else:
                    self._send(404, "<p>inconnu</p>")

        return Handler


def start_builtin(workdir: Path, started_urls: Mapping[str, str]) -> Started:
    """Start the reference provider, Keycloak with the realm (brokers ``proconnect`` and ``proconnect-lab``) and the
    window application."""
    workdir = Path(workdir)
    keycloak = Keycloak(workdir / "keycloak")
    provider = OidcProvider(workdir / "provider")
    lab_port = free_port()
    lab_issuer = f"http://127.0.0.1:{lab_port}"
    ref_secret, lab_secret, app_secret = new_secret(), new_secret(), new_secret()
    provider.add_client("cicclo-keycloak", keycloak.broker_endpoint("proconnect"),
                        keycloak.broker_endpoint("proconnect") + "/logout_response", client_secret=ref_secret,
                        id_token_alg="ES256", userinfo_alg=None)
    window = BrokerWindow(keycloak, app_secret)
    with ExitStack() as started:  # an exception stops what was started, last first
        provider.start()
        started.callback(provider.stop)
        meta = httpx.get(provider.metadata_url, timeout=10).raise_for_status().json()
        brokers = [
            {"ALIAS": "proconnect", "ISSUER": provider.issuer, "CLIENT_ID": "cicclo-keycloak",
             "CLIENT_SECRET": ref_secret, **{k: str(meta[f]) for k, f in DISCOVERY_FIELDS.items()}},
            {"ALIAS": "proconnect-lab", "ISSUER": lab_issuer, "CLIENT_ID": "cicclo-keycloak-lab",
             "CLIENT_SECRET": lab_secret, **{k: lab_issuer + p for k, p in LAB_PATHS.items()}},
        ]
        window.start()
        started.callback(window.stop)
        keycloak.start(realm(window.base, app_secret, brokers))
        started.callback(keycloak.stop)
        stop = started.pop_all().close
    found = {**provider.secrets, "keycloak.admin": keycloak.admin_password, "keycloak.app": app_secret,
             "keycloak.lab_client": lab_secret, "keycloak.ref_client": ref_secret}
    lab = {
        "url": window.protected("proconnect-lab"), "login_url": window.login("proconnect-lab"),
        "redirect_uri": keycloak.broker_endpoint("proconnect-lab"), "provider_port": lab_port,
        "provider_issuer": lab_issuer, "client_id": "cicclo-keycloak-lab", "client_secret": lab_secret,
        "id_token_alg": "ES256", "userinfo_alg": None, "token_endpoint_auth_method": "client_secret_post",
        "pkce_method": "S256", "scope": "openid given_name usual_name email uid siret idp_id",
    }
    services = {
        "proconnect_provider": {"url": keycloak.issuer, "options": {
            "keycloak_startup_seconds": round(keycloak.startup_seconds or 0, 1)}},
        "proconnect_rp": {"url": window.protected("proconnect"), "options": {
            "login_url": window.login("proconnect"), "redirect_uri": keycloak.broker_endpoint("proconnect"),
            "client_id": "cicclo-keycloak", "provider_issuer": provider.issuer, "lab": lab,
        }},
    }
    return Started(services=services, stop=stop, secrets=found)
