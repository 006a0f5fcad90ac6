"""Built-in ``proconnect``: a ProConnect-like OpenID provider and Apache + mod_auth_openidc relying parties.

Pieces (installed by ``scripts/setup-proconnect.sh``; nothing is downloaded at run time):

* :class:`OidcProvider`: ``node servers/oidc/provider.mjs CONFIG.json`` (oidc-provider 9.13.3) on a free loopback
  port, issuer ``http://127.0.0.1:PORT``. Keys, client secrets and cookie keys are generated here at each start
  and only written to the (private) working folder. Login is headless: ``/interaction/<uid>`` logs the fixed
  test agent :data:`TEST_AGENT` in at once with the acr the client asked for, so a login is a chain of
  redirects (no form); the logout confirmation is a redirect too.
* :class:`ApacheRelyingParty`: a standalone Apache (``apache2 -f httpd.conf -DFOREGROUND`` in its own process
  group) protecting ``/protected/`` with mod_auth_openidc 2.4.12 (Debian 12), optionally with one deliberate
  misconfiguration from :data:`MISCONFIGS`.

Services given by :func:`start_builtin` (option names agreed with the suite's ProConnect tests)::

    proconnect_provider: url = issuer
      options: account {sub, claims}      the test agent every login returns
               acr_values                 the acr values the provider supports
               client_id, client_secret, redirect_uri, post_logout_redirect_uri, token_endpoint_auth_method,
               id_token_alg, userinfo_alg (None = JSON userinfo)      = the default client, clients["post"]
               clients: {"post": {...}, "hs256": {...}, "private_key_jwt": {... + "private_key": JWK dict}}
                 each with the same fields; nothing listens on their redirect_uri (read the Location header)
    proconnect_rp: url = RP "A" protected page (registered at proconnect_provider: a black box for the suite)
      options: login_url (= url), logout_url, redirect_uri, post_logout_redirect_uri, client_id, acr_required,
               lab: RP "B", configured against the suite's own test provider, which must listen on
                    http://127.0.0.1:<provider_port> with issuer ``provider_issuer`` and serve
                    ``provider_metadata_url`` (fetched lazily at the first login, so it may start later):
                    url, login_url, logout_url, redirect_uri, post_logout_redirect_uri, provider_port,
                    provider_issuer, provider_metadata_url, client_id, client_secret, id_token_alg ("ES256"),
                    userinfo_alg ("ES256": the RP wants a signed userinfo), token_endpoint_auth_method
                    ("client_secret_post"), pkce_method ("S256"), scope, acr_required ("eidas1")
               lab_variants: [RP "C", RP "D"], the same keys, pointed at the same suite provider (same port and
                    issuer, told apart by client_id), one per other registration profile:
                    C: id_token_alg "HS256" (the client secret is the HMAC key), userinfo_alg null (JSON userinfo);
                    D: id_token_alg "RS256", userinfo_alg "RS256" (signed userinfo)

The protected page answers JSON: ``{"remote_user", "claims": {name: value as passed by the module},
"id_token": {payload}, "userinfo": {claims}}``; a failed ``Require claim acr:…`` answers 403. Logout is
``GET logout_url`` (``<redirect_uri>?logout=<post_logout_redirect_uri>``): the module redirects to the
provider's ``end_session_endpoint`` with ``id_token_hint`` and ``post_logout_redirect_uri``, which redirects to
``post_logout_redirect_uri`` (a static page, 200).

What the suite's tests should know (measured with mod_auth_openidc 2.4.12.3 and oidc-provider 9.13.3):

* The RPs send ``claims={"id_token":{"acr":{"essential":true,"values":["eidas1"]}}}``, PKCE S256, a 43-character
  nonce but a **27-character state** (the module's fixed length: shorter than ProConnect's 32), and at logout
  ``id_token_hint`` + ``post_logout_redirect_uri`` but **no state** (the module cannot send one).
* With ``userinfo_alg`` set, the RP only accepts a userinfo JWT signed with that alg (JSON gives an error page);
  the ID token alg is pinned too. The test provider must therefore answer RP B with ES256 userinfo JWTs, RP C
  with HS256 ID tokens and JSON userinfo, RP D with RS256 ID tokens and RS256 userinfo JWTs.
* A login the module refuses ends on its HTML error page **with status 200** (not JSON); a failed
  ``Require claim acr:…`` gives 403.
* RP B re-reads the provider metadata at most every second and re-reads the JWKS on an unknown kid.
* Session cookies: ``cicclo_rp_<a|b|c|d>_session`` (+ ``mod_auth_openidc_state_*``); the provider
  uses ``_session``, ``_interaction``, ``_interaction_resume``. Cookies ignore ports: avoid these names.
* The provider refuses ``client_secret_basic`` (oidc-provider alone accepts it for a client_secret_post client);
  ``acr`` is in the ID token only when asked (claims parameter or acr_values), as with oidc-provider.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from joserfc.jwk import ECKey, RSAKey

from cicclo.reference import REPO_ROOT, free_port
from cicclo.reference.apache import APACHE, APACHE_MODULES, server_preamble
from cicclo.reference.builtins import Started

OIDC_DIR = REPO_ROOT / "servers" / "oidc"
SETUP_HINT = "lancer `bash scripts/setup-proconnect.sh`"

ACR_VALUES = ("eidas0", "eidas0-mfa", "eidas1", "eidas1-mfa", "eidas2", "eidas3",
              "https://proconnect.gouv.fr/assurance/certification-dirigeant")
ACR_REQUIRED = "eidas1"
SCOPE = "openid given_name usual_name email uid siret idp_id"
ALGS = ("ES256", "RS256", "HS256")

TEST_AGENT: dict[str, Any] = {
    "sub": "9f3c2b1e-5d4a-4c7b-8e6f-0a1b2c3d4e5f",
    "claims": {
        "given_name": "Jean",
        "usual_name": "Dupont",
        "email": "jean.dupont@example.gouv.fr",
        "uid": "4242",
        "siret": "21750001600019",
        "siren": "217500016",
        "idp_id": "fia1v2",
        "idp_acr": "eidas1",
        "organization_label": "Commune de test",
        "roles": ["agent_public"],
        "phone_number": "0123456789",
        "organizational_unit": "Direction du numérique",
        "belonging_population": "agent",
        "custom": {},
    },
}


def _claims_param(acr: str) -> str:
    """The ``claims`` authorization parameter asking for ``acr`` as essential, query-encoded."""
    value = json.dumps({"id_token": {"acr": {"essential": True, "values": [acr]}}}, separators=(",", ":"))
    return "claims=" + quote(value, safe="")


METADATA_COPY = "@metadata-copy"

# name -> (directives replacing the defaults of the same name, description in French, ProConnect requirement broken)
# A directive line "-OIDCName" removes that default; "Require …" replaces the access rule of /protected/.
MISCONFIGS: dict[str, tuple[tuple[str, ...], str, str]] = {
    # With the provider's metadata the module silently falls back to a method it advertises, and version 2.4.12
    # refuses http endpoints written in the configuration: this one reads the provider's metadata when the
    # configuration is written and serves itself a copy without token_endpoint_auth_methods_supported.
    "client-secret-basic": (
        (METADATA_COPY, "OIDCProviderTokenEndpointAuth client_secret_basic"),
        "s'authentifie au point de jeton en client_secret_basic (en-tête Authorization) au lieu de "
        "client_secret_post (copie locale des métadonnées du fournisseur)", "PC-TOK-01"),
    "pkce-plain": (
        ("OIDCPKCEMethod plain",),
        "PKCE avec la méthode plain au lieu de S256", "PC-AUTHZ-08"),
    "acr-not-enforced": (
        ("Require valid-user",),
        "demande eidas1 mais ne vérifie pas l'acr reçu : tout utilisateur authentifié entre", "PC-ACR-01"),
    "scope-profile": (
        ('OIDCScope "openid profile email"',),
        "demande le scope profile, qui n'existe pas chez ProConnect", "PC-AUTHZ-02"),
    "userinfo-token-in-body": (
        ("OIDCUserInfoTokenMethod post_param",),
        "présente le jeton d'accès au point userinfo dans le corps d'un POST au lieu de l'en-tête "
        "Authorization: Bearer", "PC-UI-01"),
    "acr-values-instead-of-claims": (
        (f"OIDCAuthRequestParams acr_values={ACR_REQUIRED}",),
        "demande le niveau par acr_values au lieu du paramètre claims", "PC-AUTHZ-07"),
    "response-type-hybrid": (
        ('OIDCResponseType "code id_token"',),
        "utilise le flux hybride (code id_token) au lieu du seul flux code", "PC-AUTHZ-01"),
    "redirect-uri-unregistered": (
        ("OIDCRedirectURI {base}/protected/redirect_uri/",),
        "envoie un redirect_uri qui diffère de la valeur enregistrée (barre oblique finale)", "PC-AUTHZ-03"),
    "id-token-alg-unpinned": (
        ("-OIDCIDTokenSignedResponseAlg",),
        "n'impose pas l'algorithme de signature enregistré pour l'ID token : tout algorithme que le module sait "
        "vérifier est accepté",
        "PC-IDT-01"),
    "iat-slack-huge": (
        ("OIDCIDTokenIatSlack 3600",),
        "tolère un iat de l'ID token décalé d'une heure (le maximum du module ; 10 min par défaut)", "PC-IDT-03"),
    "unknown-auth-param": (
        (f"OIDCAuthRequestParams {_claims_param(ACR_REQUIRED)}&display=page&foo=bar",),
        "ajoute à la demande d'autorisation des paramètres hors de la liste documentée", "PC-AUTHZ-06"),
}

_WHOAMI_CGI = r"""#!/usr/bin/perl
# Page protégée : ce que mod_auth_openidc transmet sur l'utilisateur connecté, en JSON.
use strict;
use warnings;
sub js {
    my ($s) = @_;
    return 'null' unless defined $s;
    $s =~ s/(["\\])/\\$1/g;
    $s =~ s/([\x00-\x1f])/sprintf('\\u%04x', ord($1))/ge;
    return qq("$s");
}
sub raw { my ($s) = @_; return (defined $s && length $s) ? $s : 'null'; }
my @claims = map { js(substr($_, 11)) . ':' . js($ENV{$_}) } sort grep { /^OIDC_CLAIM_/ } keys %ENV;
print "Content-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\n\r\n";
print '{"remote_user":', js($ENV{REMOTE_USER}), ',"claims":{', join(',', @claims), '},"id_token":',
    raw($ENV{OIDC_id_token_payload}), ',"userinfo":', raw($ENV{OIDC_userinfo_json}), "}\n";
"""

_LOGGED_OUT_HTML = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Déconnecté</title></head>
<body><h1>Vous êtes déconnecté.</h1></body></html>
"""


class ProConnectError(RuntimeError):
    pass


def new_secret() -> str:
    """A random client secret of 43 characters (ProConnect wants at least 32: it is also the HS256 key)."""
    return secrets.token_urlsafe(32)


def generate_jwks() -> dict[str, list[dict[str, Any]]]:
    """A fresh private JWKS: one P-256 key for ES256 and one 2048-bit RSA key for RS256."""
    suffix = secrets.token_hex(4)
    ec = ECKey.generate_key("P-256", {"kid": f"es256-{suffix}", "alg": "ES256", "use": "sig"}, private=True)
    rsa = RSAKey.generate_key(2048, {"kid": f"rs256-{suffix}", "alg": "RS256", "use": "sig"}, private=True)
    return {"keys": [ec.as_dict(private=True), rsa.as_dict(private=True)]}


def private_parts(jwk: Mapping[str, Any]) -> dict[str, str]:
    """The private members of a JWK, named for redaction."""
    kid = str(jwk.get("kid", "jwk"))
    return {f"{kid}.{name}": str(jwk[name]) for name in ("d", "p", "q", "dp", "dq", "qi") if name in jwk}


def _stop_group(proc: subprocess.Popen[bytes] | None, timeout: float = 10) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    return False


def _tail(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-2000:] if path.exists() else ""


class OidcProvider:
    """The ProConnect-like provider; register clients with :meth:`add_client` before :meth:`start`."""

    def __init__(self, workdir: Path, port: int | None = None, account: Mapping[str, Any] | None = None,
                 default_acr: str = ACR_REQUIRED, lenient_client_auth: bool = False) -> None:
        self.workdir = Path(workdir)
        self.lenient_client_auth = lenient_client_auth
        self.port = port or free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.metadata_url = f"{self.issuer}/.well-known/openid-configuration"
        self.account = dict(account or TEST_AGENT)
        self.default_acr = default_acr
        self.jwks = generate_jwks()
        self.cookie_keys = [new_secret(), new_secret()]
        self.clients: dict[str, dict[str, Any]] = {}
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def secrets(self) -> dict[str, str]:
        found = {f"proconnect.op.cookie_key.{i}": key for i, key in enumerate(self.cookie_keys)}
        for jwk in self.jwks["keys"]:
            found.update({f"proconnect.op.{name}": value for name, value in private_parts(jwk).items()})
        for client_id, meta in self.clients.items():
            if meta.get("client_secret"):
                found[f"proconnect.{client_id}.client_secret"] = meta["client_secret"]
        return found

    def add_client(self, client_id: str, redirect_uri: str, post_logout_redirect_uri: str, *,
                   client_secret: str | None = None, auth_method: str = "client_secret_post",
                   id_token_alg: str = "ES256", userinfo_alg: str | None = "ES256",
                   public_jwks: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Register a confidential client; returns its oidc-provider metadata."""
        if id_token_alg not in ALGS or (userinfo_alg is not None and userinfo_alg not in ALGS):
            raise ValueError(f"algorithme non pris en charge : {id_token_alg}/{userinfo_alg}")
        meta: dict[str, Any] = {
            "client_id": client_id,
            "redirect_uris": [redirect_uri],
            "post_logout_redirect_uris": [post_logout_redirect_uri],
            "response_types": ["code"],
            "grant_types": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_method": auth_method,
            "id_token_signed_response_alg": id_token_alg,
        }
        if userinfo_alg:
            meta["userinfo_signed_response_alg"] = userinfo_alg
        if auth_method == "private_key_jwt":
            if public_jwks is None:
                raise ValueError("private_key_jwt : clés publiques du client requises")
            meta["jwks"] = dict(public_jwks)
            meta["token_endpoint_auth_signing_alg"] = "ES256"
        if auth_method != "private_key_jwt" or id_token_alg == "HS256" or userinfo_alg == "HS256":
            meta["client_secret"] = client_secret or new_secret()
        self.clients[client_id] = meta
        return meta

    def write_config(self) -> Path:
        config = {
            "issuer": self.issuer,
            "port": self.port,
            "jwks": self.jwks,
            "cookie_keys": self.cookie_keys,
            "clients": list(self.clients.values()),
            "account": self.account,
            "default_acr": self.default_acr,
            "lenient_client_auth": self.lenient_client_auth,
        }
        self.workdir.mkdir(parents=True, exist_ok=True)
        path = self.workdir / "provider.json"
        path.touch(mode=0o600)
        path.write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
        return path

    def start(self, timeout: float = 30.0) -> str:
        """Start node on the chosen port and wait for the discovery document; returns the issuer."""
        node = shutil.which("node")
        if node is None or not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
            raise ProConnectError(f"oidc-provider introuvable dans {OIDC_DIR} : {SETUP_HINT}")
        config = self.write_config()
        log = self.workdir / "provider.log"
        with log.open("wb") as out:
            self._proc = subprocess.Popen(
                [node, str(OIDC_DIR / "provider.mjs"), str(config)], stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True, cwd=OIDC_DIR, env={**os.environ, "NODE_ENV": "production"},
            )
        if not _wait_http(self.metadata_url, self._proc, timeout):
            self.stop()
            raise ProConnectError(f"le fournisseur OpenID ne répond pas sur {self.issuer} :\n{_tail(log)}")
        return self.issuer

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        _stop_group(proc)


class ApacheRelyingParty:
    """Apache + mod_auth_openidc protecting ``/protected/``, optionally with one of :data:`MISCONFIGS`."""

    def __init__(self, workdir: Path, provider_metadata_url: str, client_id: str, client_secret: str,
                 misconfig: str | None = None, *, port: int | None = None, id_token_alg: str = "ES256",
                 userinfo_alg: str | None = "ES256", acr: str = ACR_REQUIRED, scope: str = SCOPE,
                 label: str = "rp", metadata_refresh: int | None = None) -> None:
        if misconfig is not None and misconfig not in MISCONFIGS:
            raise ValueError(f"mauvaise configuration inconnue : {misconfig} (connues : {', '.join(MISCONFIGS)})")
        self.workdir = Path(workdir)
        self.provider_metadata_url = provider_metadata_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.misconfig = misconfig
        self.port = port or free_port()
        self.id_token_alg = id_token_alg
        self.userinfo_alg = userinfo_alg
        self.acr = acr
        self.scope = scope
        self.label = label
        self.metadata_refresh = metadata_refresh
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base_url}/protected/"
        self.registered_redirect_uri = f"{self.base_url}/protected/redirect_uri"
        self.post_logout_redirect_uri = f"{self.base_url}/deconnecte.html"
        self.logout_url = f"{self.registered_redirect_uri}?logout={quote(self.post_logout_redirect_uri, safe='')}"
        self.crypto_passphrase = new_secret()
        self._public: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def secrets(self) -> dict[str, str]:
        return {f"proconnect.{self.label}.client_secret": self.client_secret,
                f"proconnect.{self.label}.crypto_passphrase": self.crypto_passphrase}

    def oidc_directives(self) -> list[str]:
        """The mod_auth_openidc directives and the access rule, misconfiguration applied."""
        directives = {
            "OIDCProviderMetadataURL": self.provider_metadata_url,
            "OIDCClientID": self.client_id,
            "OIDCClientSecret": self.client_secret,
            "OIDCRedirectURI": self.registered_redirect_uri,
            "OIDCCryptoPassphrase": self.crypto_passphrase,
            "OIDCProviderTokenEndpointAuth": "client_secret_post",
            "OIDCResponseType": "code",
            "OIDCScope": f'"{self.scope}"',
            "OIDCPKCEMethod": "S256",
            "OIDCAuthRequestParams": _claims_param(self.acr),
            "OIDCIDTokenSignedResponseAlg": self.id_token_alg,
            "OIDCUserInfoSignedResponseAlg": self.userinfo_alg,
            "OIDCUserInfoTokenMethod": "authz_header",
            "OIDCIDTokenIatSlack": "600",
            "OIDCRemoteUserClaim": "email",
            "OIDCPassIDTokenAs": "claims payload",
            "OIDCPassUserInfoAs": "claims json",
            "OIDCPassClaimsAs": "environment",
            "OIDCCookie": f"cicclo_{self.label.replace('-', '_')}_session",
            "OIDCSessionInactivityTimeout": "3600",
            "OIDCDefaultLoggedOutURL": self.post_logout_redirect_uri,
            "OIDCInfoHook": "iat id_token userinfo remote_user",
            "Require": f"claim acr:{self.acr}",
        }
        if self.metadata_refresh:
            # re-read the provider's metadata this often (the default is a day); JWKS are re-read on a new kid
            directives["OIDCProviderMetadataRefreshInterval"] = str(self.metadata_refresh)
        if self.misconfig:
            for line in MISCONFIGS[self.misconfig][0]:
                name, _, value = line.partition(" ")
                if name == METADATA_COPY:
                    directives["OIDCProviderMetadataURL"] = self._metadata_copy()
                elif name.startswith("-"):
                    directives[name[1:]] = None
                else:
                    directives[name] = value.replace("{base}", self.base_url)
        return [f"{name} {value}" for name, value in directives.items() if value is not None]

    def _metadata_copy(self) -> str:
        """Serve a copy of the provider's metadata without token_endpoint_auth_methods_supported; its URL."""
        try:
            meta = httpx.get(self.provider_metadata_url, timeout=10).raise_for_status().json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ProConnectError(f"{self.misconfig} : le fournisseur doit répondre sur {self.provider_metadata_url} "
                                  f"quand la configuration est écrite : {exc}") from exc
        meta.pop("token_endpoint_auth_methods_supported", None)
        if self._public is None:
            raise ProConnectError("dossier public absent : appeler write_config()")
        (self._public / "htdocs" / "metadonnees-fournisseur.json").write_text(json.dumps(meta), encoding="utf-8")
        return f"{self.base_url}/metadonnees-fournisseur.json"

    def write_config(self) -> Path:
        """Write httpd.conf (in the private workdir) and the pages (in a folder the Apache user can read)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "logs").mkdir(exist_ok=True)
        if self._public is None:
            # The workdir may be private (0700): Apache's children run as www-data when started as root.
            self._public = Path(tempfile.mkdtemp(prefix=f"cicclo-{self.label}-"))
            self._public.chmod(0o755)
        pub = self._public
        for sub in ("htdocs", "cgi", "run"):
            (pub / sub).mkdir(exist_ok=True)
            (pub / sub).chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(pub / "run", "www-data", "www-data")
        cgi = pub / "cgi" / "whoami.cgi"
        cgi.write_text(_WHOAMI_CGI, encoding="utf-8")
        cgi.chmod(0o755)
        (pub / "htdocs" / "deconnecte.html").write_text(_LOGGED_OUT_HTML, encoding="utf-8")
        directives = self.oidc_directives()
        require = next(line for line in directives if line.startswith("Require "))
        oidc = "\n".join(line for line in directives if not line.startswith("Require "))
        mods = ["mpm_event", "authz_core", "authn_core", "authz_user", "alias", "cgid", "mime", "env",
                "auth_openidc"]
        title = self.label + (f", mauvaise configuration : {self.misconfig}" if self.misconfig else "")
        conf = server_preamble(title, self.workdir, self.port, pub / "run", mods,
                               log_level="warn auth_openidc:info") + f"""ScriptSock "{pub / 'run' / 'cgisock'}"
DocumentRoot "{pub / 'htdocs'}"
<Directory "{pub / 'htdocs'}">
  Require all granted
</Directory>
ScriptAliasMatch "^/protected/$" "{cgi}"
<Directory "{pub / 'cgi'}">
  Require all granted
</Directory>
{oidc}
<Location /protected/>
  AuthType openid-connect
  AuthzSendForbiddenOnFailure On
  {require}
</Location>
"""
        path = self.workdir / "httpd.conf"
        path.touch(mode=0o600)
        path.write_text(conf, encoding="utf-8")
        return path

    def check_config(self) -> str:
        """``apache2 -t`` on the written configuration; raises :class:`ProConnectError` when it is refused."""
        self._require_apache()
        conf = self.write_config()
        done = subprocess.run([APACHE, "-f", str(conf), "-t"], capture_output=True, text=True, timeout=30,
                              check=False)
        if done.returncode != 0:
            raise ProConnectError(f"configuration Apache refusée ({self.misconfig}) :\n{done.stderr[-2000:]}")
        return done.stderr.strip() or done.stdout.strip()

    @staticmethod
    def _require_apache() -> None:
        if not Path(APACHE).is_file() or not (APACHE_MODULES / "mod_auth_openidc.so").is_file():
            raise ProConnectError(f"Apache ou mod_auth_openidc introuvable : {SETUP_HINT}")

    def start(self, timeout: float = 30.0) -> str:
        """Start Apache in the foreground in its own process group; returns the protected page URL."""
        self._require_apache()
        conf = self.write_config()
        log = self.workdir / "logs" / "apache.out"
        with log.open("wb") as out:
            self._proc = subprocess.Popen([APACHE, "-f", str(conf), "-DFOREGROUND"], stdout=out,
                                          stderr=subprocess.STDOUT, start_new_session=True, cwd=self.workdir)
        if not _wait_http(self.post_logout_redirect_uri, self._proc, timeout):
            tail = _tail(self.workdir / "logs" / "error.log") + _tail(log)
            self.stop()
            raise ProConnectError(f"Apache ({self.label}) ne répond pas sur {self.base_url} :\n{tail}")
        return self.url

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        _stop_group(proc)
        if self._public is not None:
            shutil.rmtree(self._public, ignore_errors=True)
            self._public = None


def _suite_clients(provider: OidcProvider) -> dict[str, dict[str, Any]]:
    """Clients the suite itself can use against the provider (nothing listens on their redirect_uri)."""
    redirect, logout = "http://127.0.0.1/cicclo/callback", "http://127.0.0.1/cicclo/deconnecte"
    key = ECKey.generate_key("P-256", {"kid": f"client-{secrets.token_hex(4)}", "alg": "ES256", "use": "sig"},
                             private=True)
    specs: dict[str, dict[str, Any]] = {
        "post": {"client_id": "cicclo-suite", "auth_method": "client_secret_post", "id_token_alg": "ES256",
                 "userinfo_alg": "ES256"},
        "hs256": {"client_id": "cicclo-suite-hs256", "auth_method": "client_secret_post", "id_token_alg": "HS256",
                  "userinfo_alg": None},
        "private_key_jwt": {"client_id": "cicclo-suite-pkjwt", "auth_method": "private_key_jwt",
                            "id_token_alg": "RS256", "userinfo_alg": "RS256"},
    }
    out: dict[str, dict[str, Any]] = {}
    for name, spec in specs.items():
        pkjwt = spec["auth_method"] == "private_key_jwt"
        meta = provider.add_client(spec["client_id"], redirect, logout, auth_method=spec["auth_method"],
                                   id_token_alg=spec["id_token_alg"], userinfo_alg=spec["userinfo_alg"],
                                   public_jwks={"keys": [key.as_dict(private=False)]} if pkjwt else None)
        out[name] = {
            "client_id": spec["client_id"], "client_secret": meta.get("client_secret"), "redirect_uri": redirect,
            "post_logout_redirect_uri": logout, "token_endpoint_auth_method": spec["auth_method"],
            "id_token_alg": spec["id_token_alg"], "userinfo_alg": spec["userinfo_alg"],
        }
        if pkjwt:
            out[name]["private_key"] = key.as_dict(private=True)
    return out


# Lab relying parties, one per registration profile: label -> (ID token alg, userinfo alg or None for JSON).
# The first one is ``lab``, the others ``lab_variants``; all use the suite's test provider (same port).
LAB_RPS: dict[str, tuple[str, str | None]] = {
    "rp-b": ("ES256", "ES256"),
    "rp-c": ("HS256", None),
    "rp-d": ("RS256", "RS256"),
}


def _lab_options(rp: ApacheRelyingParty, port: int, issuer: str) -> dict[str, Any]:
    """The ``lab`` options describing a relying party pointed at the suite's test provider."""
    return {
        "url": rp.url, "login_url": rp.url, "logout_url": rp.logout_url,
        "redirect_uri": rp.registered_redirect_uri, "post_logout_redirect_uri": rp.post_logout_redirect_uri,
        "provider_port": port, "provider_issuer": issuer, "provider_metadata_url": rp.provider_metadata_url,
        "client_id": rp.client_id, "client_secret": rp.client_secret, "id_token_alg": rp.id_token_alg,
        "userinfo_alg": rp.userinfo_alg, "token_endpoint_auth_method": "client_secret_post",
        "pkce_method": "S256", "scope": rp.scope, "acr_required": rp.acr,
    }


def start_builtin(workdir: Path, started_urls: Mapping[str, str]) -> Started:
    """Start the provider, RP "A" registered at it and the lab RPs ("B", "C", "D": :data:`LAB_RPS`) pointed at
    the suite's own test provider."""
    workdir = Path(workdir)
    provider = OidcProvider(workdir / "provider")
    lab_port = free_port()
    lab_issuer = f"http://127.0.0.1:{lab_port}"
    rp_a = ApacheRelyingParty(workdir / "rp-a", provider.metadata_url, "cicclo-rp-a", new_secret(), label="rp-a")
    labs = [ApacheRelyingParty(workdir / label, f"{lab_issuer}/.well-known/openid-configuration", f"cicclo-{label}",
                               new_secret(), label=label, metadata_refresh=1, id_token_alg=id_alg,
                               userinfo_alg=userinfo_alg)
            for label, (id_alg, userinfo_alg) in LAB_RPS.items()]
    provider.add_client(rp_a.client_id, rp_a.registered_redirect_uri, rp_a.post_logout_redirect_uri,
                        client_secret=rp_a.client_secret, id_token_alg=rp_a.id_token_alg,
                        userinfo_alg=rp_a.userinfo_alg)
    clients = _suite_clients(provider)
    parts: tuple[OidcProvider | ApacheRelyingParty, ...] = (provider, rp_a, *labs)

    def stop() -> None:
        for part in reversed(parts):
            part.stop()

    try:
        for part in parts:
            part.start()
    except Exception:
        stop()
        raise
    found = {**provider.secrets, **rp_a.secrets}
    for rp in labs:
        found.update(rp.secrets)
    found.update({f"proconnect.client.{k}": v for k, v in private_parts(clients["private_key_jwt"]["private_key"])
                  .items()})
    lab, *variants = (_lab_options(rp, lab_port, lab_issuer) for rp in labs)
    services = {
        "proconnect_provider": {"url": provider.issuer, "options": {
            "account": provider.account, "acr_values": list(ACR_VALUES), **clients["post"], "clients": clients,
        }},
        "proconnect_rp": {"url": rp_a.url, "options": {
            "login_url": rp_a.url, "logout_url": rp_a.logout_url, "redirect_uri": rp_a.registered_redirect_uri,
            "post_logout_redirect_uri": rp_a.post_logout_redirect_uri, "client_id": rp_a.client_id,
            "acr_required": rp_a.acr, "lab": lab, "lab_variants": variants,
        }},
    }
    return Started(services=services, stop=stop, secrets=found)
