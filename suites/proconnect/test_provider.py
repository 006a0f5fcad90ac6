"""ProConnect provider side: the discovery document and the published keys against the ProConnect profile.

An http loopback issuer (a local test provider) may use http loopback endpoints: tolerated with a note by
PC-OP-002; under an https issuer every http endpoint fails, loopback or not.
"""

from __future__ import annotations

from cicclo.classes import PROCONNECT_OP
from cicclo.declare import conformance
from cicclo.proconnect import profile
from cicclo.proconnect.context import ProConnectContext
from cicclo.verdict import Verdict

DISC = "https://openid.net/specs/openid-connect-discovery-1_0.html"
PROVIDER_METADATA = f"{DISC}#ProviderMetadata"
CONFIG_RESPONSE = f"{DISC}#ProviderConfigurationResponse"
CONFIG_VALIDATION = f"{DISC}#ProviderConfigurationValidation"
PC_DOC = "https://partenaires.proconnect.gouv.fr/docs/fournisseur-service/implementation_technique"
PC_DISCOVERY_TEST = ("https://github.com/proconnect-gouv/federation/blob/main/quality/cypress/integration/api/"
                     "api-discovery.feature")
PC_SCOPES = "https://partenaires.proconnect.gouv.fr/docs/fournisseur-service/scope-claims"
PC_ACR = "https://partenaires.proconnect.gouv.fr/docs/fournisseur-service/niveaux-acr"
RFC7517_KID = "https://www.rfc-editor.org/rfc/rfc7517#section-4.5"
RFC7517_SET = "https://www.rfc-editor.org/rfc/rfc7517#section-5"
RFC7518_RS = "https://www.rfc-editor.org/rfc/rfc7518#section-3.3"
RFC7518_ES = "https://www.rfc-editor.org/rfc/rfc7518#section-3.4"
RFC7518_PRIVATE = "https://www.rfc-editor.org/rfc/rfc7518#section-6.2.2"
RFC6265_SET_COOKIE = "https://www.rfc-editor.org/rfc/rfc6265#section-4.1"


@conformance("PC-OP-001", title="Document de découverte publié, JSON, issuer identique à celui de l'URL (PC-OP-01)",
             requirements=[CONFIG_RESPONSE, CONFIG_VALIDATION, PC_DOC], abstract_test=None,
             applies_to=PROCONNECT_OP)
def test_discovery_issuer(pc: ProConnectContext, verdict: Verdict) -> None:
    """Discovery §4.2–4.3: 200, application/json, ``issuer`` exactly the issuer the URL was built from."""
    with verdict.instance(profile.discovery_url(pc.issuer)) as rec:
        ex, body = pc.discovery()
        rec.require(ex.status == 200, f"{ex.describe()} : le document de découverte doit répondre 200")
        rec.check(ex.media_type == "application/json", f"Content-Type {ex.content_type!r} (application/json attendu)")
        rec.require(isinstance(body, dict), "le document de découverte n'est pas un objet JSON")
        for problem in profile.issuer_problems(body, pc.issuer):
            rec.fail(problem)


@conformance("PC-OP-002", title="Issuer et points d'accès en https (http toléré seulement sous un issuer http de "
             "test sur la boucle locale)",
             requirements=[PROVIDER_METADATA, PC_DOC], abstract_test=None, applies_to=PROCONNECT_OP)
def test_https_endpoints(pc: ProConnectContext, verdict: Verdict) -> None:
    """Discovery §3: issuer, authorization, token, userinfo, jwks_uri… use https. Only when the issuer itself is an
    http loopback URL (a test setup, no certificate to check on 127.0.0.1) are http loopback endpoints tolerated,
    and noted; an https issuer with an http endpoint (a downgrade) fails."""
    with verdict.instance("points d'accès") as rec:
        problems, notes = profile.https_problems(pc.metadata(), pc.issuer)
        for problem in problems:
            rec.fail(problem)
        for note in notes:
            rec.note(note)


@conformance("PC-OP-003", title="Métadonnées requises présentes (dont userinfo et end_session)",
             requirements=[PROVIDER_METADATA, PC_DOC], abstract_test=None, applies_to=PROCONNECT_OP)
def test_required_metadata(pc: ProConnectContext, verdict: Verdict) -> None:
    """Discovery §3 REQUIRED fields, plus userinfo_endpoint and end_session_endpoint that ProConnect relying
    parties use (UserInfo call, RP-initiated logout)."""
    with verdict.instance("métadonnées") as rec:
        for problem in profile.required_metadata_problems(pc.metadata()):
            rec.fail(problem)


@conformance("PC-OP-004", title="response_types_supported vaut [\"code\"] (PC-AUTHZ-01)",
             requirements=[PROVIDER_METADATA, PC_DOC], abstract_test=None, applies_to=PROCONNECT_OP)
def test_response_types(pc: ProConnectContext, verdict: Verdict) -> None:
    """ProConnect offers the Authorization Code flow only."""
    with verdict.instance("response_types_supported") as rec:
        for problem in profile.response_types_problems(pc.metadata()):
            rec.fail(problem)


@conformance("PC-OP-005", title="Authentification au point de jeton : client_secret_post ou private_key_jwt, "
             "jamais client_secret_basic (PC-TOK-01)",
             requirements=[PROVIDER_METADATA, PC_DOC], abstract_test=None, applies_to=PROCONNECT_OP)
def test_token_auth_methods(pc: ProConnectContext, verdict: Verdict) -> None:
    """token_endpoint_auth_methods_supported ⊆ {client_secret_post, private_key_jwt} and has client_secret_post;
    when absent, Discovery §3 makes client_secret_basic the default, which ProConnect does not offer."""
    with verdict.instance("token_endpoint_auth_methods_supported") as rec:
        for problem in profile.token_auth_problems(pc.metadata()):
            rec.fail(problem)


@conformance("PC-OP-006", title="Algorithmes de l'ID token dans {ES256, RS256, HS256}, dont ES256 et RS256 "
             "(PC-OP-01, PC-IDT-01)",
             requirements=[PROVIDER_METADATA, PC_DOC, PC_DISCOVERY_TEST], abstract_test=None, applies_to=PROCONNECT_OP)
def test_id_token_algs(pc: ProConnectContext, verdict: Verdict) -> None:
    with verdict.instance("id_token_signing_alg_values_supported") as rec:
        for problem in profile.signing_alg_problems(pc.metadata(), "id_token_signing_alg_values_supported"):
            rec.fail(problem)


@conformance("PC-OP-007", title="Algorithmes de UserInfo signé dans {ES256, RS256, HS256}, dont ES256 et RS256 "
             "(PC-OP-01, PC-UI-02)",
             requirements=[PROVIDER_METADATA, PC_DOC, PC_DISCOVERY_TEST], abstract_test=None, applies_to=PROCONNECT_OP)
def test_userinfo_algs(pc: ProConnectContext, verdict: Verdict) -> None:
    with verdict.instance("userinfo_signing_alg_values_supported") as rec:
        for problem in profile.signing_alg_problems(pc.metadata(), "userinfo_signing_alg_values_supported"):
            rec.fail(problem)


@conformance("PC-OP-008", title="Niveaux acr ProConnect annoncés (eidas0 … certification dirigeant) (PC-OP-01)",
             requirements=[PROVIDER_METADATA, PC_ACR, PC_DISCOVERY_TEST], abstract_test=None, level="SHOULD",
             applies_to=PROCONNECT_OP)
def test_acr_values(pc: ProConnectContext, verdict: Verdict) -> None:
    """acr_values_supported lists the seven ProConnect levels; other values are noted (the federation's own
    discovery test asserts the exact list: a recommendation here, since it comes from code, not docs)."""
    with verdict.instance("acr_values_supported") as rec:
        problems, notes = profile.acr_problems(pc.metadata())
        for problem in problems:
            rec.fail(problem)
        for note in notes:
            rec.note(note)


@conformance("PC-OP-009", title="Scopes ProConnect annoncés (usual_name, siret, idp_id…), sans offline_access "
             "(PC-OP-01)",
             requirements=[PROVIDER_METADATA, PC_SCOPES, PC_DISCOVERY_TEST], abstract_test=None, level="SHOULD",
             applies_to=PROCONNECT_OP)
def test_scopes(pc: ProConnectContext, verdict: Verdict) -> None:
    with verdict.instance("scopes_supported") as rec:
        problems, notes = profile.scopes_problems(pc.metadata())
        for problem in problems:
            rec.fail(problem)
        for note in notes:
            rec.note(note)


@conformance("PC-OP-010", title="Claims ProConnect annoncés (sub, usual_name, siret, idp_id, acr…)",
             requirements=[PROVIDER_METADATA, PC_SCOPES, PC_DISCOVERY_TEST], abstract_test=None, level="SHOULD",
             applies_to=PROCONNECT_OP)
def test_claims(pc: ProConnectContext, verdict: Verdict) -> None:
    with verdict.instance("claims_supported") as rec:
        for problem in profile.claims_problems(pc.metadata()):
            rec.fail(problem)


@conformance("PC-OP-011", title="Paramètre claims accepté ; PKCE en S256 seulement (PC-AUTHZ-07, PC-AUTHZ-08)",
             requirements=[PROVIDER_METADATA, PC_ACR, "https://www.rfc-editor.org/rfc/rfc8414#section-2"],
             abstract_test=None, applies_to=PROCONNECT_OP)
def test_request_features(pc: ProConnectContext, verdict: Verdict) -> None:
    """claims_parameter_supported is true (acr is requested through ``claims``); when
    code_challenge_methods_supported (RFC 8414 §2) is given, it has S256 and not plain."""
    with verdict.instance("claims_parameter_supported, code_challenge_methods_supported") as rec:
        for problem in profile.request_features_problems(pc.metadata()):
            rec.fail(problem)


@conformance("PC-OP-012", title="JWKS publié : clés publiques seulement, kid présents et uniques",
             requirements=[RFC7517_SET, RFC7517_KID, RFC7518_PRIVATE, PROVIDER_METADATA], abstract_test=None,
             applies_to=PROCONNECT_OP)
def test_jwks_public_only(pc: ProConnectContext, verdict: Verdict) -> None:
    """A published private member (d, p, q…) or symmetric key compromises every token of the provider."""
    with verdict.instance("jwks_uri") as rec:
        ex, body = pc.jwks()
        rec.require(ex.status == 200, f"{ex.describe()} : le JWKS doit répondre 200")
        keys, problems = profile.jwks_keys(body)
        for problem in problems + profile.jwks_private_problems(keys):
            rec.fail(problem)
        rec.note(f"{len(keys)} clé(s) publiée(s) : " + ", ".join(
            f"{k.get('kid', '?')} ({k.get('kty', '?')}{'/' + str(k['crv']) if 'crv' in k else ''})" for k in keys))


@conformance("PC-OP-013", title="Clés utilisables pour les algorithmes annoncés (EC P-256 pour ES256, RSA ≥ 2048 "
             "pour RS256)",
             requirements=[RFC7518_ES, RFC7518_RS, PROVIDER_METADATA], abstract_test=None, applies_to=PROCONNECT_OP)
def test_jwks_usable(pc: ProConnectContext, verdict: Verdict) -> None:
    """Every asymmetric alg of id_token/userinfo_signing_alg_values_supported has a published key that can verify
    it; HS256 uses the client secret and needs no published key."""
    meta = pc.metadata()
    algs: list[str] = []
    for name in ("id_token_signing_alg_values_supported", "userinfo_signing_alg_values_supported"):
        value = meta.get(name)
        algs += [a for a in value if isinstance(a, str) and a not in algs] if isinstance(value, list) else []
    with verdict.instance("jwks_uri") as rec:
        ex, body = pc.jwks()
        rec.require(ex.status == 200, f"{ex.describe()} : le JWKS doit répondre 200")
        keys, problems = profile.jwks_keys(body)
        rec.require(not problems, "; ".join(problems))
        for problem in profile.jwks_usability_problems(keys, algs):
            rec.fail(problem)


@conformance("PC-OP-014", title="La découverte et le JWKS ne posent aucun cookie (PC-OP-01)",
             requirements=[PC_DISCOVERY_TEST, RFC6265_SET_COOKIE], abstract_test=None, level="SHOULD",
             applies_to=PROCONNECT_OP)
def test_no_cookies(pc: ProConnectContext, verdict: Verdict) -> None:
    """The ProConnect federation's discovery test asserts that no cookie is set; the JWKS is checked likewise."""
    with verdict.instance("découverte") as rec:
        ex, _ = pc.discovery()
        cookies = ex.headers.get_list("set-cookie")
        rec.check(not cookies, f"la découverte pose {len(cookies)} cookie(s) : "
                  + ", ".join(c.split("=", 1)[0] for c in cookies))
    with verdict.instance("jwks") as rec:
        ex, _ = pc.jwks()
        cookies = ex.headers.get_list("set-cookie")
        rec.check(not cookies, f"le JWKS pose {len(cookies)} cookie(s) : "
                  + ", ".join(c.split("=", 1)[0] for c in cookies))
