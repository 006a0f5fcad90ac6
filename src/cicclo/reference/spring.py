"""Built-in ``spring``: Spring Security's OAuth2 client as ProConnect relying party (how geOrchestra's gateway does it).

Pieces (built by ``scripts/setup-spring-rp.sh``; nothing is downloaded at run time):

* :class:`SpringRelyingParty`: ``java -jar servers/spring-rp/target/cicclo-spring-rp.jar`` (Spring Boot 3.5,
  ``spring-boot-starter-webflux`` + ``spring-boot-starter-oauth2-client``, the gateway's stack) on a free loopback
  port, configured by ``servers/spring-rp/src/main/resources/application.yaml`` as geOrchestra documents ProConnect
  (``issuer-uri``, ``client_secret_post``, scopes ``openid,siret,given_name,usual_name,email,uid,custom``), with two
  registrations: ``proconnect`` (the reference oidc-provider, black box) and ``proconnect-lab`` (the suite's test
  provider). Ports, client ids and secrets come through the environment only.
* Spring reads each ``issuer-uri`` discovery document once, at start: the suite's test provider does not run yet,
  so a stand-in :class:`cicclo.proconnect.lab.LabProvider` answers on the lab port while Spring starts, then stops
  (the suite's own starts later on the same port and issuer; Spring fetches the JWKS when it first needs it).

``/protected/`` answers the claims Spring kept (JSON) with a session, else redirects to Spring's login page; the
login URL of each registration is ``/oauth2/authorization/<registration>``. Logout is not declared (the gateway's
logout is its own configuration, not Spring's OIDC client).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path

import httpx

from cicclo.proconnect.lab import LabConfig, LabProvider
from cicclo.reference import REPO_ROOT, free_port
from cicclo.reference.builtins import Started
from cicclo.reference.proconnect import OidcProvider, ProConnectError, _stop_group, _tail, new_secret

SPRING_JAR = REPO_ROOT / "servers" / "spring-rp" / "target" / "cicclo-spring-rp.jar"
SETUP_HINT = "lancer `bash scripts/setup-spring-rp.sh`"
START_TIMEOUT = 180.0
SCOPE = "openid siret given_name usual_name email uid custom"


class SpringRelyingParty:
    """The Spring Boot relying party; :meth:`start` waits until it answers."""

    def __init__(self, workdir: Path, env: Mapping[str, str]) -> None:
        self.workdir = Path(workdir)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(env)
        self.startup_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    def redirect_uri(self, registration: str) -> str:
        return f"{self.base}/login/oauth2/code/{registration}"

    def login_url(self, registration: str) -> str:
        return f"{self.base}/oauth2/authorization/{registration}"

    @property
    def url(self) -> str:
        return f"{self.base}/protected/"

    def start(self, timeout: float = START_TIMEOUT) -> None:
        java = shutil.which("java")
        if not SPRING_JAR.is_file() or java is None:
            raise ProConnectError(f"application Spring introuvable ({SPRING_JAR}) ou java absent : {SETUP_HINT}")
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = self.workdir / "spring.log"
        started = time.monotonic()
        with log.open("wb") as out:
            self._proc = subprocess.Popen(
                [java, "-Xmx256m", "-jar", str(SPRING_JAR)], stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True, cwd=self.workdir,
                env={**os.environ, **self.env, "CICCLO_SPRING_PORT": str(self.port)})
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise ProConnectError(f"l'application Spring ne répond pas sur {self.base} :\n{_tail(log)}")
            time.sleep(0.5)
        self.startup_seconds = time.monotonic() - started

    def _answers(self) -> bool:
        try:
            return httpx.get(self.url, timeout=5).status_code in (200, 302, 401)
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        _stop_group(proc, timeout=20)


def start_builtin(workdir: Path, started_urls: Mapping[str, str]) -> Started:
    """Start the reference provider, then the Spring relying party with its two registrations."""
    workdir = Path(workdir)
    provider = OidcProvider(workdir / "provider")
    lab_port = free_port()
    lab_issuer = f"http://127.0.0.1:{lab_port}"
    ref_secret, lab_secret = new_secret(), new_secret()
    spring = SpringRelyingParty(workdir / "spring", {
        "CICCLO_SPRING_CLIENT_ID": "cicclo-spring", "CICCLO_SPRING_CLIENT_SECRET": ref_secret,
        "CICCLO_SPRING_ISSUER": provider.issuer, "CICCLO_SPRING_LAB_CLIENT_ID": "cicclo-spring-lab",
        "CICCLO_SPRING_LAB_CLIENT_SECRET": lab_secret, "CICCLO_SPRING_LAB_ISSUER": lab_issuer})
    provider.add_client("cicclo-spring", spring.redirect_uri("proconnect"), f"{spring.base}/",
                        client_secret=ref_secret, id_token_alg="RS256", userinfo_alg=None)  # Spring's default alg
    with ExitStack() as started:  # an exception stops what was started, last first
        provider.start()
        started.callback(provider.stop)
        with LabProvider(LabConfig(port=lab_port, client_id="cicclo-spring-lab")):  # discovery while Spring starts
            spring.start()
        started.callback(spring.stop)
        stop = started.pop_all().close
    lab = {
        "url": spring.url, "login_url": spring.login_url("proconnect-lab"),
        "redirect_uri": spring.redirect_uri("proconnect-lab"), "provider_port": lab_port,
        "provider_issuer": lab_issuer, "client_id": "cicclo-spring-lab", "client_secret": lab_secret,
        "id_token_alg": "RS256", "userinfo_alg": None, "token_endpoint_auth_method": "client_secret_post",
        "scope": SCOPE,
    }
    services = {
        "proconnect_rp": {"url": spring.url, "options": {
            "login_url": spring.login_url("proconnect"), "redirect_uri": spring.redirect_uri("proconnect"),
            "client_id": "cicclo-spring", "provider_issuer": provider.issuer, "lab": lab,
        }},
    }
    found = {**provider.secrets, "spring.ref_client": ref_secret, "spring.lab_client": lab_secret}
    return Started(services=services, stop=stop, secrets=found)
