"""ProConnect relying party seen from outside: the requests it sends to the provider through the browser.

Two logins are started from fresh browsers (GET ``login_url``, redirects followed by hand up to the
authorization request, which is not sent). Logout needs a session: the suite logs in through the provider,
which must log a test agent in by itself (the built-in provider and the suite's lab provider do); otherwise
the logout tests are NOT_TESTED.
"""

from __future__ import annotations

from collections.abc import Callable

from cicclo.classes import PROCONNECT_RP
from cicclo.declare import conformance
from cicclo.errors import NotApplicable, NotTested
from cicclo.proconnect import profile
from cicclo.proconnect.context import ProConnectContext
from cicclo.verdict import Verdict

PC_DOC = "https://partenaires.proconnect.gouv.fr/docs/fournisseur-service/implementation_technique"
PC_SCOPES = "https://partenaires.proconnect.gouv.fr/docs/fournisseur-service/scope-claims"
PC_MFA = "https://partenaires.proconnect.gouv.fr/docs/fournisseur-service/double_authentification"
PC_ACR = "https://partenaires.proconnect.gouv.fr/docs/fournisseur-service/niveaux-acr"
PC_REDIRECT = "https://partenaires.proconnect.gouv.fr/docs/fournisseur-service/redirect-uri-mismatch"
CORE = "https://openid.net/specs/openid-connect-core-1_0.html"
AUTH_REQUEST = f"{CORE}#AuthRequest"
NONCE = f"{CORE}#NonceNotes"
CLAIMS_PARAM = f"{CORE}#ClaimsParameter"
PKCE = "https://www.rfc-editor.org/rfc/rfc7636#section-4.2"
LOGOUT = "https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout"
STATE_CSRF = "https://www.rfc-editor.org/rfc/rfc6749#section-10.12"
PC_HINTS = "https://partenaires.proconnect.gouv.fr/docs/fournisseur-service/login_hint_usage"


def _each(pc: ProConnectContext, verdict: Verdict, problems: Callable[[profile.Redirect], list[str]]) -> None:
    """Record the problems found in each of the two authorization requests (one instance per login)."""
    for i, request in enumerate(pc.authorization_requests(), start=1):
        with verdict.instance(f"connexion {i}") as rec:
            for problem in problems(request):
                rec.fail(problem)


@conformance("PC-RP-001", title="Flux code seulement : response_type=code (PC-AUTHZ-01)",
             requirements=[PC_DOC, AUTH_REQUEST], abstract_test=None, applies_to=PROCONNECT_RP)
def test_response_type(pc: ProConnectContext, verdict: Verdict) -> None:
    _each(pc, verdict, profile.response_type_problems)


@conformance("PC-RP-002", title="scope avec openid, sans profile ni offline_access (PC-AUTHZ-02)",
             requirements=[PC_DOC, PC_SCOPES, AUTH_REQUEST], abstract_test=None, applies_to=PROCONNECT_RP)
def test_scope(pc: ProConnectContext, verdict: Verdict) -> None:
    _each(pc, verdict, profile.scope_request_problems)


@conformance("PC-RP-003", title="redirect_uri identique octet pour octet à la valeur enregistrée (PC-AUTHZ-03)",
             requirements=[PC_DOC, PC_REDIRECT, AUTH_REQUEST], abstract_test=None, applies_to=PROCONNECT_RP)
def test_redirect_uri(pc: ProConnectContext, verdict: Verdict) -> None:
    """Compared with option ``redirect_uri`` (trailing slash and encoding included: error Y030031 otherwise)."""
    registered = pc.rp_options.redirect_uri
    if not registered:
        raise NotTested("option redirect_uri absente : la valeur enregistrée chez ProConnect n'est pas connue")

    def check(req: profile.Redirect) -> list[str]:
        sent = req.one("redirect_uri")
        return [] if sent == registered else [f"redirect_uri envoyé {sent!r}, enregistré {registered!r}"]
    _each(pc, verdict, check)


@conformance("PC-RP-004", title="state aléatoire d'au moins 32 caractères, nouveau à chaque connexion (PC-AUTHZ-04)",
             requirements=[PC_DOC, AUTH_REQUEST, STATE_CSRF], abstract_test=None, applies_to=PROCONNECT_RP)
def test_state(pc: ProConnectContext, verdict: Verdict) -> None:
    requests = pc.authorization_requests()
    with verdict.instance("deux connexions") as rec:
        for problem in profile.random_value_problems("state", [r.one("state") for r in requests]):
            rec.fail(problem)


@conformance("PC-RP-005", title="nonce aléatoire d'au moins 32 caractères, nouveau à chaque connexion (PC-AUTHZ-05)",
             requirements=[PC_DOC, AUTH_REQUEST, NONCE], abstract_test=None, applies_to=PROCONNECT_RP)
def test_nonce(pc: ProConnectContext, verdict: Verdict) -> None:
    requests = pc.authorization_requests()
    with verdict.instance("deux connexions") as rec:
        for problem in profile.random_value_problems("nonce", [r.one("nonce") for r in requests]):
            rec.fail(problem)


@conformance("PC-RP-006", title="Le niveau acr requis est demandé (essential) quand le service en exige un (PC-ACR-01)",
             requirements=[PC_MFA, PC_ACR, CLAIMS_PARAM], abstract_test=None, applies_to=PROCONNECT_RP)
def test_acr_requested(pc: ProConnectContext, verdict: Verdict) -> None:
    """Option ``acr_required``: the level(s) the service needs (``mfa``: eidas0-mfa, eidas1-mfa, eidas2, eidas3,
    the values of ProConnect's 2026 multi-factor recipe; the withdrawn 2FA URIs fail)."""
    acr = pc.rp_options.acr_required
    if not acr:
        raise NotApplicable("la cible ne déclare pas de niveau acr requis (option acr_required)")
    _each(pc, verdict, lambda req: profile.acr_request_problems(req, acr))


@conformance("PC-RP-007", title="Niveau demandé par le paramètre claims plutôt que par acr_values (PC-AUTHZ-07)",
             requirements=[PC_MFA, PC_ACR, CLAIMS_PARAM], abstract_test=None, level="SHOULD",
             applies_to=PROCONNECT_RP)
def test_acr_via_claims(pc: ProConnectContext, verdict: Verdict) -> None:
    _each(pc, verdict, profile.acr_via_claims_problems)


@conformance("PC-RP-008", title="PKCE en S256 s'il est utilisé, et présent si la cible le déclare requis "
             "(PC-AUTHZ-08)",
             requirements=[PKCE, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP)
def test_pkce(pc: ProConnectContext, verdict: Verdict) -> None:
    """ProConnect accepts S256 only; option ``pkce_required`` makes PKCE mandatory for this target."""
    required = pc.rp_options.pkce_required
    _each(pc, verdict, lambda req: profile.pkce_problems(req, required))


@conformance("PC-RP-009", title="Aucun paramètre d'autorisation hors de la liste documentée (PC-AUTHZ-06)",
             requirements=[PC_DOC], abstract_test=None, level="SHOULD", applies_to=PROCONNECT_RP)
def test_documented_params(pc: ProConnectContext, verdict: Verdict) -> None:
    """The documentation answers Y000400 to any other parameter; the federation's code seems to ignore them, so
    this is a recommendation. Accepted: the documented set plus the authorize DTO's (PKCE, acr_values,
    response_mode)."""
    _each(pc, verdict, profile.extra_param_problems)


@conformance("PC-RP-010", title="client_id identique à l'identifiant enregistré ; point d'autorisation du "
             "fournisseur découvert (PC-DISC-01, PC-DISC-02)",
             requirements=[PC_DOC, AUTH_REQUEST], abstract_test=None, applies_to=PROCONNECT_RP)
def test_client_and_endpoint(pc: ProConnectContext, verdict: Verdict) -> None:
    """client_id against option ``client_id``; the endpoint against the discovery of the provider the RP is
    registered at (option ``provider_issuer``, else the declared ``proconnect_provider``)."""
    client_id = pc.rp_options.client_id
    meta = pc.rp_provider_metadata()
    endpoint = meta.get("authorization_endpoint") if meta is not None else None
    if not client_id and not endpoint:
        raise NotTested("ni option client_id ni fournisseur déclaré : rien à comparer")

    def check(req: profile.Redirect) -> list[str]:
        problems = []
        if client_id and req.one("client_id") != client_id:
            problems.append(f"client_id envoyé {req.one('client_id')!r}, enregistré {client_id!r}")
        if endpoint and not profile.same_endpoint(req.url, endpoint):
            problems.append(f"redirection vers {req.endpoint}, point d'autorisation découvert {endpoint}")
        return problems
    if not endpoint:
        verdict.note("fournisseur non déclaré par la cible : le point d'autorisation n'est pas comparé")
    _each(pc, verdict, check)


def _logout(pc: ProConnectContext) -> profile.Redirect:
    request = pc.logout_request()
    if request is None:
        journey = pc.logout_journey()
        raise NotTested(f"GET {pc.rp_options.logout_url} ne redirige pas vers le point end_session du fournisseur "
                        f"(dernier échange : {journey.last.describe()}) : voir PC-RP-011")
    return request


@conformance("PC-RP-011", title="Déconnexion par redirection du navigateur vers end_session_endpoint (PC-LO-01)",
             requirements=[LOGOUT, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP)
def test_logout_redirect(pc: ProConnectContext, verdict: Verdict) -> None:
    with verdict.instance("déconnexion") as rec:
        request = pc.logout_request()
        journey = pc.logout_journey()
        rec.require(request is not None, f"GET {pc.rp_options.logout_url} ne redirige pas vers un point "
                    f"end_session (dernier échange : {journey.last.describe()})")
        assert request is not None
        meta = pc.rp_provider_metadata()
        if meta is not None:
            endpoint = meta.get("end_session_endpoint")
            if isinstance(endpoint, str):
                rec.check(profile.same_endpoint(request.url, endpoint),
                          f"redirection vers {request.endpoint}, end_session_endpoint découvert {endpoint}")


@conformance("PC-RP-012", title="Déconnexion avec id_token_hint (ou client_id à défaut) (PC-LO-02)",
             requirements=[LOGOUT, PC_DOC], abstract_test=None, level="SHOULD", applies_to=PROCONNECT_RP)
def test_logout_hint(pc: ProConnectContext, verdict: Verdict) -> None:
    request = _logout(pc)
    with verdict.instance("déconnexion") as rec:
        if request.one("id_token_hint") is None and request.one("client_id") is not None:
            rec.note("client_id envoyé à la place de id_token_hint (admis par ProConnect)")
        else:
            rec.check(request.one("id_token_hint"), "id_token_hint absent de la demande de déconnexion")


@conformance("PC-RP-013", title="Déconnexion avec un state aléatoire d'au moins 32 caractères (PC-LO-03)",
             requirements=[LOGOUT, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP)
def test_logout_state(pc: ProConnectContext, verdict: Verdict) -> None:
    request = _logout(pc)
    with verdict.instance("déconnexion") as rec:
        state = request.one("state")
        rec.require(state is not None, "state absent de la demande de déconnexion (exigé par ProConnect)")
        assert state is not None
        rec.check(len(state) >= profile.MIN_RANDOM_CHARS, f"state de {len(state)} caractères (au moins 32)")


@conformance("PC-RP-014", title="post_logout_redirect_uri identique à la valeur enregistrée (PC-LO-03)",
             requirements=[LOGOUT, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP)
def test_logout_redirect_uri(pc: ProConnectContext, verdict: Verdict) -> None:
    """Compared with option ``post_logout_redirect_uri`` (error Y030111 otherwise)."""
    request = _logout(pc)
    registered = pc.rp_options.post_logout_redirect_uri
    with verdict.instance("déconnexion") as rec:
        sent = request.one("post_logout_redirect_uri")
        rec.require(sent is not None, "post_logout_redirect_uri absent de la demande de déconnexion")
        if registered:
            rec.check(sent == registered, f"post_logout_redirect_uri envoyé {sent!r}, enregistré {registered!r}")
        else:
            rec.note("option post_logout_redirect_uri absente : seule la présence est vérifiée")


@conformance("PC-RP-015", title="Indices facultatifs idp_hint, login_hint, siret_hint bien formés quand ils sont "
             "envoyés (PC-AUTHZ-06)",
             requirements=[PC_DOC, PC_HINTS], abstract_test=None, applies_to=PROCONNECT_RP)
def test_hints(pc: ProConnectContext, verdict: Verdict) -> None:
    """None is mandatory; when sent, login_hint is an e-mail address, siret_hint a 14-digit SIRET and idp_hint an
    idp_id (authorize DTO of the federation). NOT_APPLICABLE when the RP sends none."""
    requests = pc.authorization_requests()
    if not any(r.one(name) is not None for r in requests for name in profile.HINTS):
        raise NotApplicable("le FS n'envoie aucun indice (idp_hint, login_hint, siret_hint), tous facultatifs")
    _each(pc, verdict, profile.hint_problems)
