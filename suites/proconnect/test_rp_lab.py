"""ProConnect relying party against the suite's own provider: does it refuse what it must refuse?

The target declares a relying party configured against the suite's lab provider (``proconnect_rp.options.lab``)
and possibly more, one per registration profile (``lab_variants``: ID token alg, UserInfo as JWT or JSON). A case
that needs a registration (a positive case per alg or UserInfo format, a bad signature per alg, a signed UserInfo)
uses the first lab relying party registered that way, ``lab`` first; the others use ``lab``.
For each case the lab provider forges the answer (ID token, UserInfo, state…), the suite logs in headless with
a fresh cookie jar, then asks the protected page again: 200 means the relying party granted a session. A
negative case is only judged when the nominal login through the same relying party succeeds (otherwise
NOT_TESTED) and when the forged item really reached the relying party (e.g. its token request was answered).

Case names follow the OpenID Foundation RP tests where one exists (conformance-suite, ``profile = rptest``).
"""

from __future__ import annotations

import re
import secrets
import time

from cicclo.classes import PROCONNECT_RP_LAB
from cicclo.declare import conformance
from cicclo.errors import NotApplicable, NotTested
from cicclo.proconnect.browser import is_authorization_request, same_page
from cicclo.proconnect.context import LabOptions, LabOutcome, ProConnectContext
from cicclo.proconnect.lab import LAB_AGENT, NOMINAL, Case
from cicclo.proconnect.profile import ACR_RANK, MFA_ACR, TOKEN_AUTH_METHODS, Redirect, asked_levels, asks_for_mfa
from cicclo.verdict import Verdict

PC_DOC = "https://partenaires.proconnect.gouv.fr/docs/fournisseur-service/implementation_technique"
PC_MFA = "https://partenaires.proconnect.gouv.fr/docs/fournisseur-service/double_authentification"
CORE = "https://openid.net/specs/openid-connect-core-1_0.html"
ID_TOKEN_VALIDATION = f"{CORE}#IDTokenValidation"
CODE_ID_TOKEN_VALIDATION = f"{CORE}#CodeIDTValidation"
USERINFO_RESPONSE = f"{CORE}#UserInfoResponse"
USERINFO_REQUEST = f"{CORE}#UserInfoRequest"
CLIENT_AUTH = f"{CORE}#ClientAuthentication"
TOKEN_REQUEST = f"{CORE}#TokenRequest"
AUTH_RESPONSE_VALIDATION = f"{CORE}#AuthResponseValidation"
STATE_CSRF = "https://www.rfc-editor.org/rfc/rfc6749#section-10.12"
CODE_ONCE = "https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2"
BEARER_HEADER = "https://www.rfc-editor.org/rfc/rfc6750#section-2.1"
JWS_NONE = "https://www.rfc-editor.org/rfc/rfc8725#section-3.1"
KEY_CONFUSION = "https://www.rfc-editor.org/rfc/rfc8725#section-2.1"
LOGOUT_RETURN = "https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RedirectionAfterLogout"
AUTH_ERROR = f"{CORE}#AuthError"
ROTATION = f"{CORE}#RotateSigKeys"
JWS_KID = "https://www.rfc-editor.org/rfc/rfc7515#section-4.1.4"
DISCOVERY_VALIDATION = "https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation"
PC_SSO = "https://partenaires.proconnect.gouv.fr/docs/fournisseur-service/sso"
PC_DATA = "https://partenaires.proconnect.gouv.fr/docs/fournisseur-service/donnees_fournies"

FAR_ISSUER = "https://faux-fournisseur.cicclo.invalid/api/v2"
DISCOVERY_SETTLE = 2.5  # seconds
ROTATION_SETTLE = 11.0  # seconds: rotation "between two logins", past a JWKS re-read rate limit


# -- helpers ---------------------------------------------------------------------------------------------

def _registered(pc: ProConnectContext) -> tuple[str, str | None]:
    opts = pc.lab_options
    assert opts is not None
    return opts.id_token_alg, opts.userinfo_alg


def _registered_algs(pc: ProConnectContext, what: str) -> str:
    """The algs the declared lab RPs registered for ``what`` (id_token or userinfo), for a reason."""
    algs = [o.id_token_alg if what == "id_token" else o.userinfo_alg for o in pc.lab_rps]
    return ", ".join(dict.fromkeys(a for a in algs if a)) or "aucun"


def _which(verdict: Verdict, opts: LabOptions) -> None:
    """Say in the verdict which lab RP played the case, when it is not the primary one."""
    if opts.option != "lab":
        verdict.note(f"joué avec le {opts.label}")


def _positive(pc: ProConnectContext, verdict: Verdict, outcome: LabOutcome, what: str) -> None:
    with verdict.instance(outcome.case.key) as rec:
        rec.check(outcome.granted, f"aucune session après {what} ({outcome.describe()})")
        if outcome.granted and outcome.confirm is not None:
            body = outcome.confirm.text()
            shown = [v for v in (LAB_AGENT["email"], LAB_AGENT["sub"], LAB_AGENT["usual_name"]) if v in body]
            rec.note("la page protégée montre l'agent de test (" + ", ".join(shown) + ")" if shown else
                     "la page protégée ne montre ni le sub ni l'adresse de l'agent de test")


def _refused(pc: ProConnectContext, verdict: Verdict, case: Case, about: str, reach: str = "token",
             opts: LabOptions | None = None) -> LabOutcome:
    """Run ``case`` through ``opts`` (default: the primary lab RP) and FAIL when the RP grants a session.
    ``reach``: what the RP must have received for the case to prove anything (authorize: the callback; token:
    the forged ID token; userinfo: the forged UserInfo)."""
    pc.require_baseline(opts)
    outcome = pc.lab_login(case, opts=opts)
    with verdict.instance(case.key) as rec:
        login = outcome.login
        if login is None:
            raise NotTested(f"le FS n'a pas envoyé de demande d'autorisation ({outcome.describe()})")
        if reach in ("token", "userinfo") and login.access_token is None:
            raise NotTested("le FS n'a pas obtenu de réponse du point de jeton : le jeton forgé ne lui est pas "
                            f"parvenu ({outcome.describe()})")
        if reach == "userinfo" and not login.userinfo_requests:
            raise NotTested("le FS n'a pas appelé userinfo : la réponse forgée ne lui est pas parvenue")
        rec.check(not outcome.granted, f"session accordée malgré {about} ({outcome.describe()})")
    return outcome


def _alg_case(pc: ProConnectContext, verdict: Verdict, alg: str) -> LabOptions:
    """The lab RP registered for ``alg`` ID tokens, or NOT_APPLICABLE when none is declared."""
    opts = pc.lab_for(id_token_alg=alg)
    if opts is None:
        raise NotApplicable(f"le FS a enregistré {_registered_algs(pc, 'id_token')} pour l'ID token : un jeton "
                            f"{alg} doit être refusé (voir PC-LAB-015)")
    if alg == "HS256" and not opts.client_secret:
        raise NotTested("secret client du FS inconnu de la suite : un jeton HS256 ne peut être forgé")
    _which(verdict, opts)
    return opts


# -- positive cases --------------------------------------------------------------------------------------

@conformance("PC-LAB-001", title="Connexion acceptée avec un ID token ES256 valide (oidcc-client-test)",
             requirements=[ID_TOKEN_VALIDATION, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_es256(pc: ProConnectContext, verdict: Verdict) -> None:
    """OIDF oidcc-client-test with an ES256 ID token (ProConnect's default alg); only when ES256 is the alg the RP
    registered (option lab.id_token_alg, or that of one of lab_variants)."""
    opts = _alg_case(pc, verdict, "ES256")
    _positive(pc, verdict, pc.lab_baseline(opts), "un ID token ES256 valide")


@conformance("PC-LAB-002", title="Connexion acceptée avec un ID token RS256 valide "
             "(oidcc-client-test-idtoken-sig-rs256)",
             requirements=[ID_TOKEN_VALIDATION, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_rs256(pc: ProConnectContext, verdict: Verdict) -> None:
    opts = _alg_case(pc, verdict, "RS256")
    _positive(pc, verdict, pc.lab_baseline(opts), "un ID token RS256 valide")


@conformance("PC-LAB-003", title="Connexion acceptée avec un ID token HS256 valide (clé : secret client)",
             requirements=[ID_TOKEN_VALIDATION, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_hs256(pc: ProConnectContext, verdict: Verdict) -> None:
    opts = _alg_case(pc, verdict, "HS256")
    _positive(pc, verdict, pc.lab_baseline(opts), "un ID token HS256 valide")


@conformance("PC-LAB-004", title="UserInfo en JWT signé accepté (oidcc-client-test-userinfo-signed) (PC-UI-02)",
             requirements=[USERINFO_RESPONSE, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_userinfo_jwt(pc: ProConnectContext, verdict: Verdict) -> None:
    """Applies when a lab RP registered a UserInfo signing alg (option userinfo_alg): ProConnect then answers
    application/jwt."""
    opts = pc.lab_for(userinfo="jwt")
    if opts is None:
        raise NotApplicable("le FS n'a pas enregistré d'algorithme UserInfo : ProConnect lui répond en JSON")
    _which(verdict, opts)
    outcome = pc.lab_login(Case("userinfo-jwt", userinfo="jwt"), opts=opts)
    _positive(pc, verdict, outcome, f"une réponse UserInfo JWT {opts.userinfo_alg}")


@conformance("PC-LAB-005", title="UserInfo en JSON accepté (PC-UI-02)",
             requirements=[USERINFO_RESPONSE, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_userinfo_json(pc: ProConnectContext, verdict: Verdict) -> None:
    """Applies when a lab RP registered no UserInfo signing alg: ProConnect then answers application/json."""
    opts = pc.lab_for(userinfo="json")
    if opts is None:
        raise NotApplicable(f"le FS a enregistré {_registered_algs(pc, 'userinfo')} pour UserInfo : ProConnect "
                            "lui répond en JWT")
    _which(verdict, opts)
    outcome = pc.lab_login(Case("userinfo-json", userinfo="json"), opts=opts)
    _positive(pc, verdict, outcome, "une réponse UserInfo JSON")


@conformance("PC-LAB-006", title="Authentification au point de jeton en client_secret_post ou private_key_jwt "
             "(PC-TOK-01)",
             requirements=[CLIENT_AUTH, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_token_client_auth(pc: ProConnectContext, verdict: Verdict) -> None:
    """Seen by the lab token endpoint during the nominal login; client_secret_basic is not offered by ProConnect
    (OIDF oidcc-client-test-client-secret-basic tests the opposite method)."""
    login = pc.lab_baseline().login
    with verdict.instance("point de jeton") as rec:
        if login is None or not login.token_requests:
            raise NotTested("le FS n'a pas appelé le point de jeton pendant la connexion nominale")
        method = login.token_requests[0]["auth_method"]
        rec.check(method in TOKEN_AUTH_METHODS, f"authentification {method} (attendu : client_secret_post ou "
                  "private_key_jwt)")
        rec.note(f"méthode vue : {method}")


@conformance("PC-LAB-007", title="Même redirect_uri dans la demande de jeton (PC-TOK-02)",
             requirements=[TOKEN_REQUEST, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_token_redirect_uri(pc: ProConnectContext, verdict: Verdict) -> None:
    login = pc.lab_baseline().login
    with verdict.instance("point de jeton") as rec:
        if login is None or not login.token_requests:
            raise NotTested("le FS n'a pas appelé le point de jeton pendant la connexion nominale")
        sent = login.token_requests[0]["redirect_uri"]
        rec.check(sent == login.params.get("redirect_uri"),
                  f"redirect_uri {sent!r} au point de jeton, {login.params.get('redirect_uri')!r} à l'autorisation")


@conformance("PC-LAB-008", title="UserInfo appelé avec l'en-tête Authorization: Bearer "
             "(oidcc-client-test-userinfo-bearer-header) (PC-UI-01)",
             requirements=[USERINFO_REQUEST, BEARER_HEADER, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_userinfo_bearer(pc: ProConnectContext, verdict: Verdict) -> None:
    login = pc.lab_baseline().login
    with verdict.instance("userinfo") as rec:
        if login is None or not login.userinfo_requests:
            raise NotTested("le FS n'a pas appelé userinfo pendant la connexion nominale")
        seen = login.userinfo_requests[0]
        rec.check(seen["token_in"] == "header",
                  f"jeton d'accès présenté dans : {seen['token_in']} ({seen['method']}) au lieu de l'en-tête Bearer")


# -- ID token signature ------------------------------------------------------------------------------------

def _bad_signature(pc: ProConnectContext, verdict: Verdict, alg: str) -> None:
    """Played with the lab RP registered for ``alg`` (the primary one when none is)."""
    opts = pc.lab_for(id_token_alg=alg) or pc.lab_options
    assert opts is not None
    if alg == "HS256" and not opts.client_secret:
        raise NotTested("secret client du FS inconnu de la suite : un jeton HS256 ne peut être forgé")
    if alg != opts.id_token_alg:
        verdict.note(f"le FS a enregistré {opts.id_token_alg} : ce jeton {alg} doit être refusé de toute façon")
    _which(verdict, opts)
    _refused(pc, verdict, Case(f"invalid-sig-{alg.lower()}", id_token_alg=alg, id_token_sig="bad"),
             f"une signature {alg} invalide", opts=opts)


@conformance("PC-LAB-010", title="ID token ES256 à signature invalide refusé (oidcc-client-test-invalid-sig-es256) "
             "(PC-IDT-01)",
             requirements=[ID_TOKEN_VALIDATION, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_invalid_sig_es256(pc: ProConnectContext, verdict: Verdict) -> None:
    """OIDF oidcc-client-test-invalid-sig-es256. OIDC Core allows TLS-only validation of a token-endpoint ID token,
    ProConnect does not: the signature must be checked."""
    _bad_signature(pc, verdict, "ES256")


@conformance("PC-LAB-011", title="ID token RS256 à signature invalide refusé (oidcc-client-test-invalid-sig-rs256) "
             "(PC-IDT-01)",
             requirements=[ID_TOKEN_VALIDATION, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_invalid_sig_rs256(pc: ProConnectContext, verdict: Verdict) -> None:
    """OIDF oidcc-client-test-invalid-sig-rs256 (rp-id_token-bad-sig-rs256)."""
    _bad_signature(pc, verdict, "RS256")


@conformance("PC-LAB-012", title="ID token HS256 à signature invalide refusé (oidcc-client-test-invalid-sig-hs256) "
             "(PC-IDT-01)",
             requirements=[ID_TOKEN_VALIDATION, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_invalid_sig_hs256(pc: ProConnectContext, verdict: Verdict) -> None:
    """OIDF oidcc-client-test-invalid-sig-hs256."""
    _bad_signature(pc, verdict, "HS256")


@conformance("PC-LAB-013", title="ID token non signé (alg none) refusé (oidcc-client-test-idtoken-sig-none) "
             "(PC-IDT-01)",
             requirements=[ID_TOKEN_VALIDATION, JWS_NONE, PC_DOC], abstract_test=None,
             applies_to=PROCONNECT_RP_LAB)
def test_alg_none(pc: ProConnectContext, verdict: Verdict) -> None:
    """OIDF oidcc-client-test-idtoken-sig-none lets an RP accept ``none`` from the token endpoint; ProConnect
    requires the registered alg, so accepting it fails here."""
    _refused(pc, verdict, Case("idtoken-sig-none", id_token_sig="none"), "un ID token alg none")


@conformance("PC-LAB-014", title="Confusion d'algorithme refusée : HS256 signé avec la clé publique RSA du "
             "fournisseur (PC-IDT-01)",
             requirements=[ID_TOKEN_VALIDATION, KEY_CONFUSION, PC_DOC], abstract_test=None,
             applies_to=PROCONNECT_RP_LAB)
def test_key_confusion(pc: ProConnectContext, verdict: Verdict) -> None:
    """The RS256 public key (PEM) used as HMAC secret: an RP choosing the verification from the token's own alg
    header accepts it (RFC 8725 §2.1)."""
    _refused(pc, verdict, Case("alg-switched", id_token_sig="key-confusion"),
             "un ID token HS256 dont la clé est la clé publique RSA du fournisseur")


@conformance("PC-LAB-015", title="ID token correctement signé avec un autre algorithme que celui enregistré refusé "
             "(PC-IDT-01)",
             requirements=[ID_TOKEN_VALIDATION, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_unregistered_alg(pc: ProConnectContext, verdict: Verdict) -> None:
    """HS256 with the client secret when the RP registered ES256/RS256 (another asymmetric alg when the secret is
    unknown or HS256 is registered): ProConnect requires checking that the alg is the registered one."""
    registered, _ = _registered(pc)
    has_secret = bool(pc.lab_options and pc.lab_options.client_secret)
    alg = "HS256" if registered != "HS256" and has_secret else ("RS256" if registered == "ES256" else "ES256")
    _refused(pc, verdict, Case(f"unregistered-alg-{alg.lower()}", id_token_alg=alg),
             f"un ID token {alg} alors que {registered} est enregistré")


# -- ID token claims -----------------------------------------------------------------------------------------

@conformance("PC-LAB-016", title="ID token d'un autre émetteur (iss) refusé (oidcc-client-test-invalid-iss) "
             "(PC-IDT-03)",
             requirements=[ID_TOKEN_VALIDATION], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_invalid_iss(pc: ProConnectContext, verdict: Verdict) -> None:
    _refused(pc, verdict, Case("invalid-iss", id_token_set={"iss": FAR_ISSUER}), f"iss={FAR_ISSUER}")


@conformance("PC-LAB-017", title="ID token pour un autre client (aud) refusé (oidcc-client-test-invalid-aud) "
             "(PC-IDT-03)",
             requirements=[ID_TOKEN_VALIDATION], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_invalid_aud(pc: ProConnectContext, verdict: Verdict) -> None:
    _refused(pc, verdict, Case("invalid-aud", id_token_set={"aud": "autre-client-cicclo"}), "aud=autre-client-cicclo")


@conformance("PC-LAB-018", title="ID token expiré (exp passé) refusé (PC-IDT-03)",
             requirements=[ID_TOKEN_VALIDATION], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_expired(pc: ProConnectContext, verdict: Verdict) -> None:
    """OIDC Core §3.1.3.7 item 9: the current time must be before exp (here: exp two minutes ago)."""
    _refused(pc, verdict, Case("expired", id_token_times={"exp": -120, "iat": -300, "auth_time": -310}),
             "un exp dépassé de deux minutes")


@conformance("PC-LAB-019", title="ID token sans iat refusé (oidcc-client-test-missing-iat) (PC-IDT-03)",
             requirements=[ID_TOKEN_VALIDATION, f"{CORE}#IDToken"], abstract_test=None,
             applies_to=PROCONNECT_RP_LAB)
def test_missing_iat(pc: ProConnectContext, verdict: Verdict) -> None:
    _refused(pc, verdict, Case("missing-iat", id_token_drop=("iat",)), "l'absence de iat")


@conformance("PC-LAB-020", title="ID token au nonce faux refusé (oidcc-client-test-nonce-invalid) (PC-IDT-02)",
             requirements=[ID_TOKEN_VALIDATION, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_nonce_invalid(pc: ProConnectContext, verdict: Verdict) -> None:
    _refused(pc, verdict, Case("nonce-invalid", id_token_set={"nonce": secrets.token_urlsafe(32)}), "un nonce faux")


@conformance("PC-LAB-021", title="ID token sans nonce refusé (PC-IDT-02)",
             requirements=[ID_TOKEN_VALIDATION, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_nonce_missing(pc: ProConnectContext, verdict: Verdict) -> None:
    """A nonce was sent (PC-AUTHZ-05), so OIDC Core §3.1.3.7 item 11 requires it in the ID token."""
    baseline = pc.require_baseline()
    if baseline.login is None or "nonce" not in baseline.login.params:
        raise NotTested("le FS n'envoie pas de nonce (voir PC-RP-005) : rien à vérifier au retour")
    _refused(pc, verdict, Case("nonce-missing", id_token_drop=("nonce",)), "l'absence de nonce")


@conformance("PC-LAB-022", title="ID token sans sub refusé (oidcc-client-test-missing-sub)",
             requirements=[f"{CORE}#IDToken"], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_missing_sub(pc: ProConnectContext, verdict: Verdict) -> None:
    _refused(pc, verdict, Case("missing-sub", id_token_drop=("sub",)), "l'absence de sub")


@conformance("PC-LAB-023", title="ID token au niveau acr inférieur au niveau requis refusé (PC-ACR-01)",
             requirements=[PC_MFA, ID_TOKEN_VALIDATION], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_acr_lower(pc: ProConnectContext, verdict: Verdict) -> None:
    """The RP asked for a level (option lab.acr_required): the returned acr is checked server-side."""
    opts = pc.lab_options
    required = opts.acr_required if opts else ()
    if not required:
        raise NotApplicable("la cible ne déclare pas de niveau acr requis pour ce FS (option lab.acr_required)")
    top = max(ACR_RANK.get(level, 0) for level in required)
    lower = [v for v, rank in ACR_RANK.items() if v not in required and rank < top]
    if len(required) > 1 and "eidas1" in lower:
        lower = ["eidas1"]  # what a login without a second factor gets
    if not lower:
        raise NotApplicable(f"aucun niveau ProConnect inférieur à {', '.join(required)}")
    _refused(pc, verdict, Case("acr-lower", id_token_set={"acr": lower[0]}),
             f"acr={lower[0]} alors que {', '.join(required)} est requis")


@conformance("PC-LAB-024", title="ID token émis il y a 30 minutes (iat ancien, exp valide) refusé (PC-IDT-03)",
             requirements=[ID_TOKEN_VALIDATION], abstract_test=None, level="SHOULD", applies_to=PROCONNECT_RP_LAB)
def test_stale_iat(pc: ProConnectContext, verdict: Verdict) -> None:
    """OIDC Core §3.1.3.7 item 10: iat can reject tokens issued too far from now; a token-endpoint answer is
    fresh, so a 30-minute-old iat means a replayed or forged token."""
    _refused(pc, verdict, Case("stale-iat", id_token_times={"iat": -1800, "auth_time": -1810, "exp": 600}),
             "un iat vieux de 30 minutes")


# -- UserInfo --------------------------------------------------------------------------------------------

def _signed_userinfo(pc: ProConnectContext, verdict: Verdict) -> LabOptions:
    """The lab RP that registered a UserInfo signing alg (the primary one first), or NOT_APPLICABLE."""
    opts = pc.lab_for(userinfo="jwt")
    if opts is None:
        raise NotApplicable("le FS n'a pas enregistré d'algorithme UserInfo : il reçoit du JSON")
    _which(verdict, opts)
    return opts


@conformance("PC-LAB-025", title="UserInfo d'un autre sujet que l'ID token refusé "
             "(oidcc-client-test-userinfo-invalid-sub) (PC-UI-03)",
             requirements=[USERINFO_RESPONSE], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_userinfo_invalid_sub(pc: ProConnectContext, verdict: Verdict) -> None:
    _refused(pc, verdict, Case("userinfo-invalid-sub", userinfo_set={"sub": "autre-agent-cicclo-0000"}),
             "un sub UserInfo différent de celui de l'ID token", reach="userinfo")


@conformance("PC-LAB-026", title="UserInfo JWT non signé (alg none) refusé (PC-UI-02)",
             requirements=[USERINFO_RESPONSE, JWS_NONE, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_userinfo_unsigned(pc: ProConnectContext, verdict: Verdict) -> None:
    """No OIDF counterpart: the OIDF suite has no negative signed-UserInfo test."""
    opts = _signed_userinfo(pc, verdict)
    _refused(pc, verdict, Case("userinfo-sig-none", userinfo="none"), "une réponse UserInfo alg none",
             reach="userinfo", opts=opts)


@conformance("PC-LAB-027", title="UserInfo JWT à signature invalide refusé (PC-UI-02)",
             requirements=[USERINFO_RESPONSE, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_userinfo_bad_sig(pc: ProConnectContext, verdict: Verdict) -> None:
    opts = _signed_userinfo(pc, verdict)
    _refused(pc, verdict, Case("userinfo-invalid-sig", userinfo="bad"),
             f"une réponse UserInfo {opts.userinfo_alg} mal signée", reach="userinfo", opts=opts)


# -- state, code -------------------------------------------------------------------------------------------

@conformance("PC-LAB-028", title="Retour d'autorisation avec un autre state refusé (PC-CB-01)",
             requirements=[AUTH_RESPONSE_VALIDATION, STATE_CSRF, PC_DOC], abstract_test=None,
             applies_to=PROCONNECT_RP_LAB)
def test_state_other(pc: ProConnectContext, verdict: Verdict) -> None:
    _refused(pc, verdict, Case("state-invalid", state="other"), "un state différent de celui envoyé",
             reach="authorize")


@conformance("PC-LAB-029", title="Retour d'autorisation rejoué dans un autre navigateur refusé (PC-CB-01)",
             requirements=[STATE_CSRF, AUTH_RESPONSE_VALIDATION, PC_DOC], abstract_test=None,
             applies_to=PROCONNECT_RP_LAB)
def test_state_replayed(pc: ProConnectContext, verdict: Verdict) -> None:
    """A callback (code + state) of browser A is replayed in browser B that started its own login: the state is
    bound to A's session. The lab accepts the code a second time, so only the state check can refuse."""
    pc.require_baseline()
    opts = pc.lab_options
    assert opts is not None
    source = pc.lab_login(Case("state-replay-source", allow_code_reuse=True), "rejeu-source")
    callback = source.callback_url(opts.redirect_uri)
    with verdict.instance("rejeu") as rec:
        if not source.granted or callback is None:
            raise NotTested(f"connexion source non aboutie ou retour introuvable ({source.describe()})")
        browser = pc.browser("rejeu-cible")
        journey = browser.navigate(opts.login_url, stop=is_authorization_request)
        if journey.pending is None:
            raise NotTested("le navigateur B n'a pas été redirigé vers le fournisseur")
        replay = browser.navigate(callback, stop=is_authorization_request)
        confirm = browser.step(opts.url)
        rec.check(confirm.status != 200, "session accordée au navigateur B avec le retour (code, state) du "
                  f"navigateur A ({replay.last.describe()}, puis {confirm.describe()})")


@conformance("PC-LAB-030", title="Le code n'est présenté qu'une fois au point de jeton (PC-CB-03)",
             requirements=[CODE_ONCE, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_code_once(pc: ProConnectContext, verdict: Verdict) -> None:
    """After a successful login the callback URL is visited again in the same browser: the RP must not redeem
    the code a second time (the lab token endpoint counts redemptions)."""
    pc.require_baseline()
    opts = pc.lab_options
    assert opts is not None
    outcome = pc.lab_login(Case("code-reuse"), "code-rejoue")
    callback = outcome.callback_url(opts.redirect_uri)
    with verdict.instance("code rejoué") as rec:
        if not outcome.granted or callback is None or outcome.login is None:
            raise NotTested(f"connexion non aboutie ou retour introuvable ({outcome.describe()})")
        browser = pc.browser("code-rejoue-2")
        browser.jar = outcome.jar
        browser.navigate(callback, stop=is_authorization_request)
        rec.check(outcome.login.redemptions <= 1,
                  f"le même code a été présenté {outcome.login.redemptions} fois au point de jeton")


# -- logout ------------------------------------------------------------------------------------------------

_SALT = re.compile(r"[A-Za-z0-9_-]{16,}")


def _logout_case(pc: ProConnectContext, verdict: Verdict, case: Case, what: str) -> None:
    """Compare the RP's answer to a logout return with ``case``'s state to its answer with the right state."""
    opts = pc.lab_options
    assert opts is not None
    if not opts.logout_url:
        raise NotTested("option lab.logout_url absente : la déconnexion n'est pas testée")
    pc.require_baseline()
    _, sent, good = pc.lab_logout(NOMINAL, "deconnexion-reference")
    _, sent_bad, bad = pc.lab_logout(case, case.key)
    with verdict.instance(case.key) as rec:
        if sent is None or good is None or bad is None or sent_bad is None:
            raise NotTested("le FS n'a pas redirigé vers end_session : voir PC-RP-011")
        if "state" not in sent:
            rec.fail("le FS n'envoie pas de state à la déconnexion : il ne peut pas vérifier le retour (PC-LO-03)")
            return
        a, b = good.last, bad.last
        same = (a.status, a.url.split("?")[0]) == (b.status, b.url.split("?")[0]) and (
            _SALT.sub("", a.text()) == _SALT.sub("", b.text()))
        rec.check(not same, f"le FS traite le retour de déconnexion avec {what} comme un retour normal "
                  f"({b.describe()})")


@conformance("PC-LAB-031", title="Retour de déconnexion avec un autre state refusé "
             "(oidcc-client-test-rp-init-logout-other-state) (PC-LO-04)",
             requirements=[LOGOUT_RETURN, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_logout_other_state(pc: ProConnectContext, verdict: Verdict) -> None:
    _logout_case(pc, verdict, Case("rp-init-logout-other-state", logout_state="other"), "un autre state")


@conformance("PC-LAB-032", title="Retour de déconnexion sans state refusé (oidcc-client-test-rp-init-logout-no-state) "
             "(PC-LO-04)",
             requirements=[LOGOUT_RETURN, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_logout_no_state(pc: ProConnectContext, verdict: Verdict) -> None:
    _logout_case(pc, verdict, Case("rp-init-logout-no-state", logout_state="drop"), "aucun state")


# -- multi-factor levels (2026) ------------------------------------------------------------------------------

@conformance("PC-LAB-033", title="Chaque niveau acr de double authentification de 2026 (eidas0-mfa, eidas1-mfa, "
             "eidas2, eidas3) accepté par un FS qui demande la double authentification (PC-ACR-01)",
             requirements=[PC_MFA, ID_TOKEN_VALIDATION], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_mfa_levels_accepted(pc: ProConnectContext, verdict: Verdict) -> None:
    """Since 2026-06-04 the 2FA recipe asks for eidas0-mfa, eidas1-mfa, eidas2 and eidas3; an RP (a broker) that
    still accepts only the withdrawn …/self-asserted-2fa and …/consistency-checked-2fa refuses ProConnect's e-mail
    OTP result (eidas1-mfa). Applies when the lab RP's authorization request asks for MFA."""
    baseline = pc.lab_baseline()
    login = baseline.login
    if login is None:
        raise NotTested(f"le FS n'a pas envoyé de demande d'autorisation ({baseline.describe()})")
    asked = asked_levels(Redirect.of("authorize", login.params))
    if not asks_for_mfa(asked):
        raise NotApplicable("le FS ne demande pas la double authentification (ni eidas0-mfa, ni eidas1-mfa, ni les "
                            f"anciennes valeurs 2FA) : demandé {', '.join(asked) or 'aucun niveau'}")
    for level in MFA_ACR:
        outcome = pc.lab_login(Case(f"acr-{level}", id_token_set={"acr": level}))
        with verdict.instance(f"acr={level}") as rec:
            if outcome.login is None or outcome.login.access_token is None:
                raise NotTested(f"le jeton acr={level} n'est pas parvenu au FS ({outcome.describe()})")
            rec.check(outcome.granted, f"aucune session avec acr={level}, un niveau de double authentification "
                      f"documenté depuis le 2026-06-04 ({outcome.describe()})")


# -- keys: kid, rotation --------------------------------------------------------------------------------------

@conformance("PC-LAB-034", title="ID token sans kid, une seule clé publiée : accepté "
             "(oidcc-client-test-kid-absent-single-jwks)",
             requirements=[JWS_KID, ID_TOKEN_VALIDATION], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_kid_absent_single_jwks(pc: ProConnectContext, verdict: Verdict) -> None:
    """OIDF rp-id_token-kid-absent-single-jwks: the kid is OPTIONAL (RFC 7515 §4.1.4); with a single key published
    the RP uses it. (The multiple-key variant has no failing outcome: refusing and trying each key both pass.)"""
    opts = pc.lab_options
    assert opts is not None
    if opts.id_token_alg == "HS256":
        raise NotApplicable("ID token HS256 : aucune clé publiée, le kid ne sert pas")
    pc.require_baseline()
    outcome = pc.lab_login(Case("kid-absent-single-jwks", kid=False, jwks="single"))
    _positive(pc, verdict, outcome, f"un ID token {opts.id_token_alg} sans kid, une seule clé au JWKS")


@conformance("PC-LAB-035", title="Rotation de la clé de signature du fournisseur entre deux connexions "
             "(oidcc-client-test-signing-key-rotation)",
             requirements=[ROTATION, ID_TOKEN_VALIDATION], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_key_rotation(pc: ProConnectContext, verdict: Verdict) -> None:
    """OIDF rp-key-rotation-op-sign-key: after a first login the provider signs with a new key (new kid) and
    publishes only it, from then on (the later cases use the new keys); the RP re-reads jwks_uri on the unknown kid
    (OIDC Core §10.1.1) and accepts. The suite waits ROTATION_SETTLE seconds after the previous login, so that a
    rate limit on JWKS re-reads does not decide."""
    opts = pc.lab_options
    assert opts is not None
    if opts.id_token_alg == "HS256":
        raise NotApplicable("ID token HS256 : aucune clé publiée à faire tourner")
    pc.require_baseline()
    lab = pc.lab_provider()
    time.sleep(ROTATION_SETTLE)  # an RP may rate-limit JWKS re-reads (Keycloak: once per 10 s at most)
    lab.rotate_keys()
    mark = lab.fetch_mark()
    outcome = pc.lab_login(Case("signing-key-rotation"))
    _positive(pc, verdict, outcome, f"la rotation de la clé {opts.id_token_alg} (nouveau kid, ancienne clé "
              f"retirée ; JWKS relu {lab.fetched_since(mark, 'jwks')} fois)")


# -- discovery -------------------------------------------------------------------------------------------------

@conformance("PC-LAB-036", title="Document de découverte dont l'issuer n'est pas celui configuré refusé "
             "(oidcc-client-test-discovery-issuer-mismatch)",
             requirements=[DISCOVERY_VALIDATION, ID_TOKEN_VALIDATION], abstract_test=None,
             applies_to=PROCONNECT_RP_LAB)
def test_discovery_issuer_mismatch(pc: ProConnectContext, verdict: Verdict) -> None:
    """OIDF rp-discovery-issuer-not-matching-config: during the login the discovery document (and the ID token)
    name another issuer; Discovery §4.3 requires it to be identical to the issuer the RP was configured with.
    Judged only when the RP read the discovery document during that login (the suite waits DISCOVERY_SETTLE
    seconds first, so that a short discovery cache expires; an RP caching it longer is NOT_TESTED)."""
    pc.require_baseline()
    lab = pc.lab_provider()
    time.sleep(DISCOVERY_SETTLE)  # an RP caching discovery briefly (OIDCProviderMetadataRefreshInterval) re-reads it
    mark = lab.fetch_mark()
    case = Case("discovery-issuer-mismatch", discovery_issuer=FAR_ISSUER)
    try:
        outcome = _judged_login(pc, case)
    finally:
        time.sleep(DISCOVERY_SETTLE)  # let an RP that adopted the other issuer re-read the right document
    with verdict.instance(case.key) as rec:
        if not lab.fetched_since(mark, "discovery"):
            raise NotTested("le FS n'a pas relu le document de découverte pendant la connexion : l'issuer "
                            "différent ne lui est pas parvenu")
        rec.check(not outcome.granted, f"session accordée malgré un document de découverte d'issuer {FAR_ISSUER} "
                  f"({outcome.describe()})")


def _judged_login(pc: ProConnectContext, case: Case) -> LabOutcome:
    outcome = pc.lab_login(case)
    if outcome.login is None:
        raise NotTested(f"le FS n'a pas envoyé de demande d'autorisation ({outcome.describe()})")
    return outcome


# -- error callbacks ---------------------------------------------------------------------------------------------

def _error_callback(pc: ProConnectContext, verdict: Verdict, error: str) -> None:
    """The provider answers ``error`` (with the state sent) instead of a code: no session, and the callback is
    handled (a login or error page, a redirect), not a server error."""
    pc.require_baseline()
    opts = pc.lab_options
    assert opts is not None and opts.redirect_uri
    case = Case(f"error-{error.replace('_', '-')}", error=error)
    outcome = _judged_login(pc, case)
    with verdict.instance(case.key) as rec:
        callback = next((i for i, ex in enumerate(outcome.journey.hops)
                         if same_page(ex.url, opts.redirect_uri) and "error=" in ex.url), None)
        if callback is None:
            raise NotTested(f"le retour error={error} n'a pas atteint le redirect_uri ({outcome.describe()})")
        answers = outcome.journey.hops[callback:]
        broken = [ex for ex in answers if (ex.status or 0) >= 500]
        rec.check(not outcome.granted, f"session accordée après un retour error={error} ({outcome.describe()})")
        rec.check(not broken, f"le FS répond {broken[0].describe() if broken else ''} au retour error={error} : "
                  "l'erreur n'est pas traitée (page de connexion ou d'erreur attendue)")
        rec.note(f"réponse au retour d'erreur : {answers[-1].describe()}")


@conformance("PC-LAB-037", title="Retour error=login_required traité : pas de session, page de connexion ou "
             "d'erreur (PC-CB-02)",
             requirements=[AUTH_ERROR, PC_SSO], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_error_login_required(pc: ProConnectContext, verdict: Verdict) -> None:
    """ProConnect answers error=login_required to prompt=none without a session (EP sso.md): the RP shows its
    login page. No OIDF counterpart."""
    _error_callback(pc, verdict, "login_required")


@conformance("PC-LAB-038", title="Retour error=access_denied traité : pas de session, page de connexion ou "
             "d'erreur (PC-CB-02)",
             requirements=[AUTH_ERROR, PC_DOC], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_error_access_denied(pc: ProConnectContext, verdict: Verdict) -> None:
    """OIDC Core §3.1.2.6: the agent refused or the provider denied the login."""
    _error_callback(pc, verdict, "access_denied")


# -- claims mapping ----------------------------------------------------------------------------------------------

@conformance("PC-LAB-039", title="usual_name (nom d'usage ProConnect, au lieu de family_name) repris par le FS "
             "(PC-CLAIMS)",
             requirements=[PC_DATA, USERINFO_RESPONSE], abstract_test=None, applies_to=PROCONNECT_RP_LAB)
def test_usual_name_mapped(pc: ProConnectContext, verdict: Verdict) -> None:
    """ProConnect has no family_name: the surname is usual_name. UserInfo sends a given_name and a usual_name that
    appear nowhere else; the page the RP shows after login (option lab.claims_url, default the protected page)
    must show the usual_name when it shows the given_name. NOT_TESTED when it shows neither."""
    opts = pc.lab_options
    assert opts is not None
    pc.require_baseline()
    given, usual = f"Prénom{secrets.token_hex(3)}", f"Nomusage{secrets.token_hex(3)}"
    case = Case("usual-name-mapping", userinfo_set={"given_name": given, "usual_name": usual})
    outcome = pc.lab_login(case, claims_page=True)
    with verdict.instance(case.key) as rec:
        if not outcome.granted or outcome.confirm is None:
            raise NotTested(f"connexion non aboutie ({outcome.describe()})")
        page = outcome.confirm.text()
        if given not in page and usual not in page:
            raise NotTested(f"la page {outcome.confirm.url} ne montre pas les attributs de l'agent : "
                            "option lab.claims_url pour désigner une page qui les montre")
        rec.check(usual in page, f"la page montre given_name mais pas usual_name ({outcome.confirm.url}) : le nom "
                  "d'usage ProConnect n'est pas repris (family_name attendu à sa place ?)")
