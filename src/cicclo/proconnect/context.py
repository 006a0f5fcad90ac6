"""The ProConnect suite context: target options, applicability, and the logins several tests share.

Options of ``services.proconnect_rp.options`` (``schemas/target.schema.json#/$defs/proconnect_rp_options``):
``login_url`` (default: the service URL), ``logout_url``, ``redirect_uri`` and ``post_logout_redirect_uri`` (the
registered values), ``client_id``, ``acr_required`` (a level, a list of accepted levels, or ``mfa`` for the 2026
multi-factor levels), ``pkce_required``, and ``lab`` for a relying party that the suite may point at its own test
provider: ``url`` (protected page), ``login_url``, ``logout_url``, ``redirect_uri``, ``post_logout_redirect_uri``,
``provider_port``, ``provider_issuer``, ``client_id``, ``client_secret`` (built-ins only) or ``client_secret_env``
(name of an environment variable), ``id_token_alg``, ``userinfo_alg`` (null: JSON UserInfo), ``acr_required``,
``pkce_method``, ``token_endpoint_auth_method``, ``scope``, ``claims_url`` (a page that shows the logged-in
agent's attributes; default: ``url``); and ``lab_variants``, a list of more lab relying parties with the same
keys, one per registration profile (ID token alg, UserInfo as JWT or JSON). A case that needs a given registration
uses the first lab RP registered that way (``lab`` first); lab RPs sharing a ``provider_port`` share one lab
provider, keyed by ``client_id``.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cicclo.classes import PROCONNECT_OP, PROCONNECT_RP, PROCONNECT_RP_LAB
from cicclo.declare import Declaration
from cicclo.errors import NotApplicable, NotTested, TransportError
from cicclo.http import Exchange, remembered
from cicclo.proconnect.browser import Browser, Journey, is_authorization_request, is_logout_request
from cicclo.proconnect.lab import NOMINAL, Case, LabConfig, LabProvider, Login
from cicclo.proconnect.profile import Redirect, discovery_url, required_levels
from cicclo.targets import Service

if TYPE_CHECKING:
    from cicclo.plugin import RunContext

MIN_SECRET = 8


@dataclass(frozen=True)
class RpOptions:
    login_url: str
    logout_url: str | None = None
    redirect_uri: str | None = None
    post_logout_redirect_uri: str | None = None
    client_id: str | None = None
    acr_required: tuple[str, ...] = ()  # profile.required_levels: any of them grants access
    pkce_required: bool = False


@dataclass(frozen=True)
class LabOptions:
    url: str
    login_url: str
    provider_port: int
    client_id: str
    logout_url: str | None = None
    redirect_uri: str | None = None
    post_logout_redirect_uri: str | None = None
    provider_issuer: str | None = None
    client_secret: str | None = None
    id_token_alg: str = "ES256"
    userinfo_alg: str | None = None
    acr_required: tuple[str, ...] = ()
    claims_url: str | None = None  # a page showing the logged-in agent's attributes (default: url)
    option: str = "lab"  # where the target declares it: lab or lab_variants[i]

    @property
    def label(self) -> str:
        """How reports name this relying party (in French)."""
        userinfo = f"UserInfo JWT {self.userinfo_alg}" if self.userinfo_alg else "UserInfo JSON"
        return f"FS de laboratoire {self.client_id} ({self.option} : ID token {self.id_token_alg}, {userinfo})"

    def config(self) -> LabConfig:
        return LabConfig(port=self.provider_port, client_id=self.client_id, client_secret=self.client_secret,
                         redirect_uri=self.redirect_uri, post_logout_redirect_uri=self.post_logout_redirect_uri,
                         id_token_alg=self.id_token_alg, userinfo_alg=self.userinfo_alg,
                         acr_required=self.acr_required[0] if self.acr_required else None,
                         issuer=self.provider_issuer)


def _lab_options(lab: Any, option: str) -> LabOptions | None:
    """One lab relying party from the target's options (None when incomplete)."""
    if not isinstance(lab, dict) or not lab.get("url") or not lab.get("provider_port") or not lab.get("client_id"):
        return None
    secret = lab.get("client_secret")
    if not secret and lab.get("client_secret_env"):
        secret = os.environ.get(str(lab["client_secret_env"])) or None
    return LabOptions(
        url=str(lab["url"]), login_url=str(lab.get("login_url") or lab["url"]),
        provider_port=int(lab["provider_port"]), client_id=str(lab["client_id"]),
        logout_url=lab.get("logout_url"), redirect_uri=lab.get("redirect_uri"),
        post_logout_redirect_uri=lab.get("post_logout_redirect_uri"), provider_issuer=lab.get("provider_issuer"),
        client_secret=secret, id_token_alg=str(lab.get("id_token_alg") or "ES256"),
        userinfo_alg=lab.get("userinfo_alg") or None, acr_required=required_levels(lab.get("acr_required")),
        claims_url=lab.get("claims_url") or None, option=option,
    )


@dataclass
class LabOutcome:
    """One login through the lab relying party and what the lab provider saw of it."""

    case: Case
    journey: Journey
    confirm: Exchange | None
    logins: list[Login]
    granted: bool
    jar: Any = None

    @property
    def login(self) -> Login | None:
        return self.logins[0] if self.logins else None

    def callback_url(self, redirect_uri: str | None) -> str | None:
        for ex in self.journey.hops:
            if redirect_uri and ex.url.split("?")[0] == redirect_uri.split("?")[0] and "code=" in ex.url:
                return ex.url
        return None

    def describe(self) -> str:
        last = self.confirm or self.journey.last
        return f"{last.method} {last.url} → {last.status}"


class ProConnectContext:
    def __init__(self, run: RunContext) -> None:
        self.run = run
        self.client = run.client
        self.provider: Service | None = run.target.services.get("proconnect_provider")
        self.rp: Service | None = run.target.services.get("proconnect_rp")
        self._cache: dict[str, tuple[Any, list[str]]] = {}  # see cicclo.http.remembered
        self._labs: dict[int, LabProvider] = {}
        self._browsers = 0

    # -- secrets ----------------------------------------------------------------------------------------

    def secret(self, name: str, value: str) -> None:
        """Add a value seen during the run (cookie, code, token, key) to the run's redactor, under a name that is
        also a valid shell variable (the evidence's curl lines refer to secrets as ``${NAME}``)."""
        if value and len(value) >= MIN_SECRET and value not in self.run.redactor.secrets.values():
            self.run.redactor.secrets.setdefault(re.sub(r"[^A-Za-z0-9_]", "_", name).upper(), value)

    def browser(self, label: str) -> Browser:
        self._browsers += 1
        return Browser(self.client, f"{label}-{self._browsers}", self.secret)

    # -- applicability ----------------------------------------------------------------------------------

    def check_applicable(self, decl: Declaration) -> None:
        if decl.applies_to == PROCONNECT_OP:
            self._service_ready(self.provider, "fournisseur d'identité ProConnect (proconnect_provider)")
        elif decl.applies_to == PROCONNECT_RP:
            self._service_ready(self.rp, "fournisseur de service ProConnect (proconnect_rp)")
        elif decl.applies_to == PROCONNECT_RP_LAB:
            self._service_ready(self.rp, "fournisseur de service ProConnect (proconnect_rp)")
            if self.lab_options is None:
                raise NotApplicable("la cible ne déclare pas de fournisseur de service de laboratoire "
                                    "(options.lab de proconnect_rp) pointant vers le fournisseur de test de la suite")

    @staticmethod
    def _service_ready(service: Service | None, what: str) -> None:
        if service is None:
            raise NotApplicable(f"la cible ne déclare pas de {what}")
        if not service.documented or not service.url:
            raise NotTested(f"aucun point d'accès documenté pour le {what} : {service.note}")

    # -- options ----------------------------------------------------------------------------------------

    @property
    def issuer(self) -> str:
        assert self.provider is not None and self.provider.url
        return self.provider.url

    @property
    def rp_options(self) -> RpOptions:
        assert self.rp is not None and self.rp.url
        opts = self.rp.options
        return RpOptions(
            login_url=str(opts.get("login_url") or self.rp.url), logout_url=opts.get("logout_url"),
            redirect_uri=opts.get("redirect_uri"), post_logout_redirect_uri=opts.get("post_logout_redirect_uri"),
            client_id=opts.get("client_id"), acr_required=required_levels(opts.get("acr_required")),
            pkce_required=bool(opts.get("pkce_required", False)),
        )

    @property
    def lab_options(self) -> LabOptions | None:
        """The primary lab relying party (option ``lab``)."""
        return _lab_options(self.rp.options.get("lab") if self.rp is not None else None, "lab")

    @property
    def lab_rps(self) -> list[LabOptions]:
        """Every declared lab relying party: ``lab`` first, then ``lab_variants`` (only when ``lab`` is usable)."""
        primary = self.lab_options
        if primary is None or self.rp is None:
            return []
        variants = self.rp.options.get("lab_variants") or []
        found = [primary]
        for i, raw in enumerate(variants if isinstance(variants, list) else []):
            opts = _lab_options(raw, f"lab_variants[{i}]")
            if opts is not None and all(o.client_id != opts.client_id or o.url != opts.url for o in found):
                found.append(opts)
        return found

    def lab_for(self, id_token_alg: str | None = None, userinfo: str | None = None) -> LabOptions | None:
        """The first lab relying party registered for ``id_token_alg`` and a UserInfo answered as ``userinfo``
        (``"jwt"``: a signing alg registered, ``"json"``: none); None when no declared one is."""
        for opts in self.lab_rps:
            if id_token_alg is not None and opts.id_token_alg != id_token_alg:
                continue
            if (userinfo == "jwt" and not opts.userinfo_alg) or (userinfo == "json" and opts.userinfo_alg):
                continue
            return opts
        return None

    def _lab_or_primary(self, opts: LabOptions | None) -> LabOptions:
        chosen = opts or self.lab_options
        assert chosen is not None
        return chosen

    # -- provider side ----------------------------------------------------------------------------------

    def discovery(self) -> tuple[Exchange, Any]:
        """The provider's discovery exchange and its JSON body (None when not JSON)."""
        return remembered(self._cache, "discovery", lambda: self._json_document(discovery_url(self.issuer)))

    def metadata(self) -> dict[str, Any]:
        """The discovery document, or NOT_TESTED when it cannot be read (PC-OP-001 says why)."""
        ex, body = self.discovery()
        if not isinstance(body, dict):
            raise NotTested(f"document de découverte illisible ({ex.describe()}) : voir PC-OP-001")
        return body

    def jwks(self) -> tuple[Exchange, Any]:
        uri = self.metadata().get("jwks_uri")
        if not isinstance(uri, str):
            raise NotTested("jwks_uri absent du document de découverte")
        return remembered(self._cache, "jwks", lambda: self._json_document(uri))

    def rp_provider_metadata(self) -> dict[str, Any] | None:
        """The discovery document of the provider the relying party is registered at: option
        ``provider_issuer`` of proconnect_rp (a broker that is itself the platform's provider), else the declared
        proconnect_provider; None when neither is known or the document is unreadable."""
        issuer = self.rp.options.get("provider_issuer") if self.rp is not None else None
        if isinstance(issuer, str) and issuer:
            _, body = remembered(self._cache, "rp-discovery", lambda: self._json_document(discovery_url(issuer)))
        elif self.provider is not None and self.provider.url:
            _, body = self.discovery()
        else:
            return None
        return body if isinstance(body, dict) else None

    def _json_document(self, url: str) -> tuple[Exchange, Any]:
        ex = self.client.get(url, accept="application/json")
        try:
            body = ex.json() if ex.status == 200 else None
        except AssertionError:
            body = None
        return ex, body

    # -- relying party, black box -----------------------------------------------------------------------

    def authorization_requests(self) -> list[Redirect]:
        """The redirects to the provider of two logins started from fresh browsers (not followed further)."""
        def two_logins() -> list[Redirect]:
            self._lab_if_declared()
            found: list[Redirect] = []
            login_url = self.rp_options.login_url
            for _ in range(2):
                journey = self.browser("connexion").navigate(login_url, stop=is_authorization_request)
                if journey.pending is None or not is_authorization_request(journey.pending):
                    raise NotTested(f"GET {login_url} ne redirige pas vers un point d'autorisation OpenID Connect "
                                    f"(dernier échange : {journey.last.describe()})")
                found.append(Redirect.parse(journey.pending))
            return found

        return remembered(self._cache, "auth", two_logins)

    def logout_request(self) -> Redirect | None:
        """Log in through the RP (the provider must log in by itself), then start its logout; the redirect to
        the provider's end_session endpoint (None when the RP does not redirect to one)."""
        return self._logout()[0]

    def logout_journey(self) -> Journey:
        return self._logout()[1]

    def _logout(self) -> tuple[Redirect | None, Journey]:
        return remembered(self._cache, "logout", self._login_then_logout)

    def _login_then_logout(self) -> tuple[Redirect | None, Journey]:
        opts = self.rp_options
        if not opts.logout_url:
            raise NotTested("option logout_url absente : la déconnexion n'est pas testée")
        self._lab_if_declared()
        browser = self.browser("deconnexion")
        try:
            login = browser.navigate(opts.login_url)
        except TransportError as exc:
            raise NotTested(f"connexion automatique impossible : {exc}") from None
        went_out = any(is_authorization_request(h.url) for h in login.hops)
        if login.pending is not None or login.last.status != 200 or not went_out:
            raise NotTested("la connexion ne s'est pas faite sans interaction (le fournisseur doit connecter "
                            f"seul un agent de test) : {login.last.describe()}")
        journey = browser.navigate(opts.logout_url, stop=is_logout_request)
        pending = journey.pending
        request = Redirect.parse(pending) if pending and is_logout_request(pending) else None
        if request is not None:
            with contextlib.suppress(TransportError):
                browser.navigate(request.url)
        return request, journey

    def _lab_if_declared(self) -> None:
        """The black-box RP may be the lab RP itself (a misconfigured RP under test): its provider must answer."""
        if self.lab_options is not None:
            self.lab_provider().use(NOMINAL)

    # -- relying party against the lab provider --------------------------------------------------------

    def lab_provider(self, opts: LabOptions | None = None) -> LabProvider:
        """The lab provider listening for ``opts`` (default: the primary lab RP), started at first use with
        every declared lab RP of the same port registered."""
        opts = self._lab_or_primary(opts)
        lab = self._labs.get(opts.provider_port)
        if lab is None:
            try:
                lab = LabProvider(opts.config(), self.secret).start()
            except OSError as exc:
                raise TransportError(f"fournisseur de test : écoute impossible sur 127.0.0.1:{opts.provider_port} "
                                     f"({exc})") from None
            self._labs[opts.provider_port] = lab
            for other in self.lab_rps:
                if other.provider_port == opts.provider_port and other.client_id not in lab.clients:
                    with contextlib.suppress(ValueError):  # another issuer on the same port: see below
                        lab.add_client(other.config())
        if opts.client_id not in lab.clients:
            try:
                lab.add_client(opts.config())
            except ValueError as exc:
                raise NotTested(f"{opts.label} : {exc}") from None
        elif lab.clients[opts.client_id].redirect_uri != opts.redirect_uri:
            raise NotTested(f"{opts.label} : un autre FS de laboratoire utilise déjà ce client_id sur le port "
                            f"{opts.provider_port}")
        return lab

    def lab_login(self, case: Case, label: str | None = None, opts: LabOptions | None = None,
                  claims_page: bool = False) -> LabOutcome:
        """A login through a lab RP (default: the primary one) with a fresh browser while the lab provider answers
        with ``case``; then the protected page (``claims_page``: the page showing the agent's attributes) is
        asked again."""
        opts = self._lab_or_primary(opts)
        lab = self.lab_provider(opts)
        start = lab.use(case)
        browser = self.browser(label or case.key)
        try:
            seen: list[str] = []

            def second_login(url: str) -> bool:
                if is_authorization_request(url):
                    seen.append(url)
                return len(seen) > 1  # the RP starts a new login: it did not keep a session

            journey = browser.navigate(opts.login_url, stop=second_login)
            confirm = browser.step(opts.claims_url if claims_page and opts.claims_url else opts.url)
        finally:
            lab.use(NOMINAL)
        granted = confirm.status == 200
        return LabOutcome(case, journey, confirm, lab.logins_since(start), granted, browser.jar)

    def lab_baseline(self, opts: LabOptions | None = None) -> LabOutcome:
        """The nominal login through a lab RP (cached per RP): the page is protected, and a correct login opens a
        session."""
        opts = self._lab_or_primary(opts)
        key = f"baseline:{opts.client_id}:{opts.url}"
        def baseline() -> LabOutcome | NotTested:
            first = self.browser("sans-session").step(opts.url)
            if first.status == 200:
                return NotTested(f"la page protégée {opts.url} répond 200 sans session : "
                                 "aucune connexion n'est requise")
            return self.lab_login(NOMINAL, "nominal", opts)

        value = remembered(self._cache, key, baseline)
        if isinstance(value, NotTested):
            raise value
        return value

    def require_baseline(self, opts: LabOptions | None = None) -> LabOutcome:
        """The nominal login through a lab RP, or NOT_TESTED: a refusal proves nothing when a correct login fails
        too."""
        outcome = self.lab_baseline(opts)
        if not outcome.granted:
            who = f" ({opts.label})" if opts is not None and opts.option != "lab" else ""
            raise NotTested(f"la connexion nominale échoue déjà{who} (voir PC-LAB-001 à 005) : un refus ne "
                            f"prouverait rien ({outcome.describe()})")
        return outcome

    def lab_logout(self, case: Case, label: str, opts: LabOptions | None = None,
                   ) -> tuple[LabOutcome, dict[str, Any] | None, Journey | None]:
        """Log in (nominal), then log out through a lab RP (default: the primary one) while the lab provider
        answers with ``case``: (login, end_session parameters the provider received, the journey of the logout)."""
        opts = self._lab_or_primary(opts)
        assert opts.logout_url
        lab = self.lab_provider(opts)
        outcome = self.lab_login(NOMINAL, label, opts)
        if not outcome.granted:
            return outcome, None, None
        browser = self.browser(f"{label}-sortie")
        browser.jar = outcome.jar
        before = len(lab.logouts)
        lab.use(case)
        try:
            journey = browser.navigate(opts.logout_url)
        finally:
            lab.use(NOMINAL)
        received = lab.logouts[before]["params"] if len(lab.logouts) > before else None
        return outcome, received, journey

    def close(self) -> None:
        while self._labs:
            self._labs.popitem()[1].stop()
