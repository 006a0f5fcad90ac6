"""The ProConnect suite: its rules and test provider in-process, then whole runs against the built-in servers.

* unit tests of :mod:`cicclo.proconnect.profile` and of the lab provider (forged tokens checked with joserfc);
* a run of ``suites/proconnect`` against the built-in ``proconnect`` (real oidc-provider and Apache +
  mod_auth_openidc), compared with ``tests/expectations/local-proconnect.yaml``;
* one run per misconfiguration of :data:`cicclo.reference.proconnect.MISCONFIGS`: the IDs listed in
  ``tests/expectations/proconnect-misconfigs.yaml`` must FAIL (they PASS on the sound configuration);
* every output file of those runs is scanned for secrets, keys and tokens in clear.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OctKey

from cicclo.proconnect import profile
from cicclo.proconnect.context import ProConnectContext
from cicclo.proconnect.lab import Case, LabConfig, LabProvider
from cicclo.reference import free_port
from cicclo.targets import Service
from tests.conftest import ROOT, run_suite, statuses

EXPECTATIONS = ROOT / "tests" / "expectations"
SUITE = "suites/proconnect"
# the lab cases where a session is expected (the others must be refused)
POSITIVE_LAB = [*(f"PC-LAB-00{i}" for i in range(1, 9)), "PC-LAB-033", "PC-LAB-034", "PC-LAB-035", "PC-LAB-039"]

# -- profile rules ---------------------------------------------------------------------------------------

GOOD_META: dict[str, Any] = {
    "issuer": "https://auth.example.gouv.fr/api/v2",
    "authorization_endpoint": "https://auth.example.gouv.fr/api/v2/authorize",
    "token_endpoint": "https://auth.example.gouv.fr/api/v2/token",
    "userinfo_endpoint": "https://auth.example.gouv.fr/api/v2/userinfo",
    "jwks_uri": "https://auth.example.gouv.fr/api/v2/jwks",
    "end_session_endpoint": "https://auth.example.gouv.fr/api/v2/session/end",
    "response_types_supported": ["code"],
    "subject_types_supported": ["public"],
    "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
    "id_token_signing_alg_values_supported": ["HS256", "ES256", "RS256"],
    "userinfo_signing_alg_values_supported": ["HS256", "ES256", "RS256"],
    "acr_values_supported": list(profile.PROCONNECT_ACR),
    "scopes_supported": [*profile.CORE_SCOPES, *profile.OPTIONAL_SCOPES],
    "claims_supported": list(profile.CORE_CLAIMS),
    "claims_parameter_supported": True,
    "code_challenge_methods_supported": ["S256"],
}


def test_profile_accepts_a_proconnect_like_discovery() -> None:
    meta, issuer = GOOD_META, GOOD_META["issuer"]
    assert profile.issuer_problems(meta, issuer) == []
    assert profile.https_problems(meta, issuer) == ([], [])
    assert profile.required_metadata_problems(meta) == []
    assert profile.response_types_problems(meta) == []
    assert profile.token_auth_problems(meta) == []
    assert profile.signing_alg_problems(meta, "id_token_signing_alg_values_supported") == []
    assert profile.acr_problems(meta) == ([], [])
    assert profile.scopes_problems(meta)[0] == []
    assert profile.claims_problems(meta) == []
    assert profile.request_features_problems(meta) == []


def test_profile_flags_discovery_deviations() -> None:
    issuer = GOOD_META["issuer"]
    assert profile.issuer_problems({**GOOD_META, "issuer": issuer + "/"}, issuer)
    bad_http = {**GOOD_META, "token_endpoint": "http://auth.example.gouv.fr/api/v2/token"}
    assert profile.https_problems(bad_http, issuer)[0]
    local = {k: v.replace("https://auth.example.gouv.fr", "http://127.0.0.1:9") if isinstance(v, str) else v
             for k, v in GOOD_META.items()}
    problems, notes = profile.https_problems(local, local["issuer"])
    assert problems == [] and notes  # loopback http: tolerated, noted
    assert "issuer" in notes[0] and "installation de test" in notes[0]


def test_https_issuer_with_an_http_endpoint_fails() -> None:
    """The http tolerance holds only under an http loopback issuer: an https issuer, even on the loopback, with an
    http endpoint (loopback or not) is a downgrade."""
    for issuer in ("https://auth.example.gouv.fr/api/v2", "https://127.0.0.1:8443/api/v2"):
        meta = {k: v.replace("https://auth.example.gouv.fr/api/v2", issuer) if isinstance(v, str) else v
                for k, v in GOOD_META.items()}
        assert profile.https_problems(meta, issuer) == ([], [])
        for endpoint in ("http://127.0.0.1:9/token", "http://localhost/token", "http://auth.example.gouv.fr/t"):
            problems, notes = profile.https_problems({**meta, "token_endpoint": endpoint}, issuer)
            assert len(problems) == 1 and "token_endpoint" in problems[0] and not notes, (issuer, endpoint)
    local = "http://127.0.0.1:9/api/v2"  # a test issuer excuses loopback endpoints only
    problems, _ = profile.https_problems({**GOOD_META, "token_endpoint": "http://auth.example.gouv.fr/t"}, local)
    assert problems == ["token_endpoint n'utilise pas https : http://auth.example.gouv.fr/t"]
    assert profile.response_types_problems({**GOOD_META, "response_types_supported": ["code", "code id_token"]})
    assert profile.token_auth_problems({k: v for k, v in GOOD_META.items()
                                        if k != "token_endpoint_auth_methods_supported"})
    assert profile.token_auth_problems({**GOOD_META, "token_endpoint_auth_methods_supported": [
        "client_secret_basic", "client_secret_post"]})
    assert profile.signing_alg_problems({**GOOD_META, "id_token_signing_alg_values_supported": ["RS256", "none"]},
                                        "id_token_signing_alg_values_supported")
    assert profile.acr_problems({**GOOD_META, "acr_values_supported": ["eidas1"]})[0]
    assert profile.scopes_problems({**GOOD_META, "scopes_supported": [*profile.CORE_SCOPES, "offline_access"]})[0]
    assert profile.request_features_problems({**GOOD_META, "code_challenge_methods_supported": ["plain", "S256"]})


def _b64(n: int) -> str:
    return base64.urlsafe_b64encode(b"\x01" * n).rstrip(b"=").decode()


def test_profile_jwks_rules() -> None:
    ec = {"kty": "EC", "crv": "P-256", "x": _b64(32), "y": _b64(32), "kid": "a", "use": "sig"}
    rsa = {"kty": "RSA", "n": _b64(256), "e": "AQAB", "kid": "b"}
    assert profile.jwks_private_problems([ec, rsa]) == []
    assert profile.jwks_usability_problems([ec, rsa], ["ES256", "RS256", "HS256"]) == []
    assert profile.jwks_private_problems([{**ec, "d": _b64(32)}])  # a private key published
    assert profile.jwks_private_problems([ec, {**rsa, "kid": "a"}])  # duplicate kid
    assert profile.jwks_usability_problems([ec, {**rsa, "n": _b64(128)}], ["RS256"])  # RSA 1024
    assert profile.jwks_usability_problems([{**ec, "crv": "P-384"}, rsa], ["ES256"])
    assert profile.jwks_keys({"keys": []})[1] and profile.jwks_keys([])[1]


def _redirect(**params: str) -> profile.Redirect:
    base = {"response_type": "code", "client_id": "c", "redirect_uri": "https://fs.example/cb",
            "scope": "openid usual_name", "state": "s" * 40, "nonce": "n" * 40}
    query = "&".join(f"{k}={v}" for k, v in {**base, **params}.items())
    return profile.Redirect.parse(f"https://op.example/authorize?{query}")


def test_profile_authorization_request_rules() -> None:
    good = _redirect()
    assert profile.response_type_problems(good) == [] and profile.scope_request_problems(good) == []
    assert profile.response_type_problems(_redirect(response_type="code%20id_token"))
    assert profile.scope_request_problems(_redirect(scope="openid%20profile"))
    assert profile.random_value_problems("state", ["a" * 40, "b" * 40]) == []
    assert profile.random_value_problems("state", ["a" * 27, "b" * 27])  # too short
    assert profile.random_value_problems("state", ["a" * 40, "a" * 40])  # not fresh
    assert profile.random_value_problems("nonce", [None, "a" * 40])
    claims = '{"id_token":{"acr":{"essential":true,"values":["eidas1"]}}}'
    assert profile.acr_request_problems(_redirect(claims=claims), "eidas1") == []
    assert profile.acr_request_problems(_redirect(), "eidas1")
    assert profile.acr_request_problems(_redirect(acr_values="eidas1"), "eidas1") == []
    assert profile.acr_via_claims_problems(_redirect(acr_values="eidas1"))
    challenge = base64.urlsafe_b64encode(hashlib.sha256(b"v").digest()).rstrip(b"=").decode()
    assert profile.pkce_problems(_redirect(code_challenge=challenge, code_challenge_method="S256"), True) == []
    assert profile.pkce_problems(_redirect(code_challenge="x" * 50, code_challenge_method="plain"), False)
    assert profile.pkce_problems(_redirect(), True) and profile.pkce_problems(_redirect(), False) == []
    assert profile.extra_param_problems(_redirect(display="page", foo="bar"))
    assert profile.extra_param_problems(_redirect(idp_hint="x", siret_hint="1" * 14)) == []


# -- the lab provider in-process -------------------------------------------------------------------------

@pytest.fixture()
def lab() -> Iterator[tuple[LabProvider, dict[str, str]]]:
    seen: dict[str, str] = {}
    config = LabConfig(port=free_port(), client_id="fs-test", client_secret=secrets.token_urlsafe(32),
                       redirect_uri="http://127.0.0.1/cb", post_logout_redirect_uri="http://127.0.0.1/bye",
                       id_token_alg="ES256", userinfo_alg="ES256", acr_required="eidas1")
    provider = LabProvider(config, lambda name, value: seen.__setitem__(name, value)).start()
    try:
        yield provider, seen
    finally:
        provider.stop()


def _login(provider: LabProvider, case: Case, client: LabConfig | None = None,
           **extra: str) -> tuple[httpx.Response, dict[str, Any], str]:
    """Authorize + token (client_secret_post, PKCE S256) with the lab as ``client`` (default: the first one);
    (token response, authorize params, nonce)."""
    client = client or provider.config
    verifier = secrets.token_urlsafe(40)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    nonce = secrets.token_urlsafe(32)
    params = {"response_type": "code", "client_id": client.client_id,
              "redirect_uri": client.redirect_uri or "http://127.0.0.1/cb",
              "scope": "openid usual_name", "state": secrets.token_urlsafe(32), "nonce": nonce,
              "code_challenge": challenge, "code_challenge_method": "S256",
              "claims": '{"id_token":{"acr":{"essential":true,"values":["eidas1"]}}}', **extra}
    provider.use(case)
    auth = httpx.get(f"{provider.issuer}/authorize", params=params)
    assert auth.status_code == 302
    back = parse_qs(urlsplit(auth.headers["location"]).query)
    form = {"grant_type": "authorization_code", "code": back["code"][0], "redirect_uri": params["redirect_uri"],
            "code_verifier": verifier, "client_id": client.client_id, "client_secret": client.client_secret or ""}
    token = httpx.post(f"{provider.issuer}/token", data=form)
    return token, {**params, "returned_state": back.get("state", [None])[0], "code": back["code"][0], **form}, nonce


def test_lab_discovery_and_keys(lab: tuple[LabProvider, dict[str, str]]) -> None:
    provider, seen = lab
    meta = httpx.get(f"{provider.issuer}/.well-known/openid-configuration").json()
    assert profile.issuer_problems(meta, provider.issuer) == [] and profile.token_auth_problems(meta) == []
    keys, problems = profile.jwks_keys(httpx.get(meta["jwks_uri"]).json())
    assert problems == [] and profile.jwks_private_problems(keys) == []
    assert profile.jwks_usability_problems(keys, ["ES256", "RS256"]) == []
    assert provider.config.client_secret in seen.values()
    assert any(name.endswith(".d") for name in seen)  # private key members go to redaction


def test_lab_nominal_tokens_verify(lab: tuple[LabProvider, dict[str, str]]) -> None:
    provider, seen = lab
    token, params, nonce = _login(provider, Case("nominal"))
    assert token.status_code == 200, token.text
    body = token.json()
    keys = KeySet.import_key_set(provider.jwks())  # type: ignore[arg-type]
    claims = jwt.decode(body["id_token"], keys, algorithms=["ES256"]).claims
    assert claims["nonce"] == nonce and claims["aud"] == "fs-test" and claims["acr"] == "eidas1"
    assert params["returned_state"] == params["state"]
    info = httpx.get(f"{provider.issuer}/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert info.headers["content-type"] == "application/jwt"
    assert jwt.decode(info.text, keys, algorithms=["ES256"]).claims["sub"] == claims["sub"]
    login = provider.logins[-1]
    assert login.token_requests[0]["auth_method"] == "client_secret_post"
    assert login.userinfo_requests[0]["token_in"] == "header"
    assert {body["id_token"], body["access_token"], params["code"]} <= set(seen.values())


@pytest.mark.parametrize("case", [
    Case("bad", id_token_sig="bad"), Case("none", id_token_sig="none"),
    Case("confusion", id_token_sig="key-confusion"), Case("rs", id_token_alg="RS256", id_token_sig="bad"),
])
def test_lab_forged_signatures_do_not_verify(lab: tuple[LabProvider, dict[str, str]], case: Case) -> None:
    provider, _ = lab
    token, _, _ = _login(provider, case)
    id_token = token.json()["id_token"]
    keys = KeySet.import_key_set(provider.jwks())  # type: ignore[arg-type]
    with pytest.raises((JoseError, ValueError)):
        jwt.decode(id_token, keys, algorithms=["ES256", "RS256"])
    with pytest.raises((JoseError, ValueError)):
        jwt.decode(id_token, OctKey.import_key(provider.config.client_secret or ""), algorithms=["HS256"])


def test_lab_claim_cases_and_hs256(lab: tuple[LabProvider, dict[str, str]]) -> None:
    provider, _ = lab
    token, _, _ = _login(provider, Case("hs", id_token_alg="HS256", id_token_drop=("nonce", "iat"),
                                        id_token_set={"iss": "https://ailleurs.invalid"}, id_token_times={"exp": -60}))
    claims = jwt.decode(token.json()["id_token"], OctKey.import_key(provider.config.client_secret or ""),
                        algorithms=["HS256"]).claims
    assert "nonce" not in claims and "iat" not in claims and claims["iss"] == "https://ailleurs.invalid"
    assert claims["exp"] < int(__import__("time").time())
    _, params, _ = _login(provider, Case("state", state="other"))
    assert params["returned_state"] not in (None, params["state"])


def test_lab_code_reuse_client_auth_and_userinfo_body(lab: tuple[LabProvider, dict[str, str]]) -> None:
    provider, _ = lab
    token, form, _ = _login(provider, Case("once"))
    assert token.status_code == 200
    again = httpx.post(f"{provider.issuer}/token", data={k: form[k] for k in (
        "grant_type", "code", "redirect_uri", "code_verifier", "client_id", "client_secret")})
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert provider.logins[-1].redemptions == 2
    info = httpx.post(f"{provider.issuer}/userinfo", data={"access_token": token.json()["access_token"]})
    assert info.status_code == 200 and provider.logins[-1].userinfo_requests[-1]["token_in"] == "body"
    # client_secret_basic: recorded (accepted so that the rest of the login can be observed)
    provider.use(Case("basic"))
    verifier = secrets.token_urlsafe(40)
    auth = httpx.get(f"{provider.issuer}/authorize", params={
        "response_type": "code", "client_id": "fs-test", "redirect_uri": "http://127.0.0.1/cb", "scope": "openid",
        "state": "x" * 32, "nonce": "y" * 32})
    code = parse_qs(urlsplit(auth.headers["location"]).query)["code"][0]
    basic = httpx.post(f"{provider.issuer}/token", auth=("fs-test", provider.config.client_secret or ""), data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1/cb",
        "code_verifier": verifier})
    assert basic.status_code == 200 and provider.logins[-1].token_requests[0]["auth_method"] == "client_secret_basic"


def test_lab_serves_one_registration_per_client(lab: tuple[LabProvider, dict[str, str]]) -> None:
    """Several relying parties on one lab provider: each login is answered with its client's registration."""
    provider, seen = lab
    port = provider.config.port
    hs = provider.add_client(LabConfig(port=port, client_id="fs-hs256", client_secret=secrets.token_urlsafe(32),
                                       redirect_uri="http://127.0.0.1:1/cb", post_logout_redirect_uri="http://x/c",
                                       id_token_alg="HS256", userinfo_alg=None))
    rs = provider.add_client(LabConfig(port=port, client_id="fs-rs256", client_secret=secrets.token_urlsafe(32),
                                       redirect_uri="http://127.0.0.1:2/cb", id_token_alg="RS256",
                                       userinfo_alg="RS256"))
    assert hs.client_secret in seen.values() and rs.client_secret in seen.values()
    keys = KeySet.import_key_set(provider.jwks())  # type: ignore[arg-type]

    token, _, nonce = _login(provider, Case("hs"), hs)
    assert token.status_code == 200, token.text
    body = token.json()
    claims = jwt.decode(body["id_token"], OctKey.import_key(hs.client_secret or ""), algorithms=["HS256"]).claims
    assert claims["aud"] == "fs-hs256" and claims["nonce"] == nonce
    info = httpx.get(f"{provider.issuer}/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert info.headers["content-type"] == "application/json" and info.json()["sub"] == claims["sub"]

    token, _, _ = _login(provider, Case("rs"), rs)
    body = token.json()
    assert jwt.decode(body["id_token"], keys, algorithms=["RS256"]).claims["aud"] == "fs-rs256"
    info = httpx.get(f"{provider.issuer}/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert info.headers["content-type"] == "application/jwt"
    assert jwt.decode(info.text, keys, algorithms=["RS256"]).claims["aud"] == "fs-rs256"

    # a client's code redeemed with another client's secret, a redirect_uri of another client, an unknown client
    provider.use(Case("cross"))
    auth = httpx.get(f"{provider.issuer}/authorize", params={
        "response_type": "code", "client_id": "fs-hs256", "redirect_uri": "http://127.0.0.1:1/cb", "state": "s" * 32})
    code = parse_qs(urlsplit(auth.headers["location"]).query)["code"][0]
    cross = httpx.post(f"{provider.issuer}/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1:1/cb",
        "client_id": "fs-rs256", "client_secret": rs.client_secret or ""})
    assert cross.status_code == 401
    for client_id, redirect in (("fs-hs256", "http://127.0.0.1:2/cb"), ("inconnu", "http://127.0.0.1:1/cb")):
        assert httpx.get(f"{provider.issuer}/authorize", params={
            "response_type": "code", "client_id": client_id, "redirect_uri": redirect}).status_code == 400
    with pytest.raises(ValueError, match="port"):
        provider.add_client(LabConfig(port=port + 1, client_id="ailleurs"))


def _context(options: dict[str, Any]) -> ProConnectContext:
    rp = Service("proconnect_rp", url="http://127.0.0.1:1/protege/", options=options)
    run = SimpleNamespace(client=None, target=SimpleNamespace(services={"proconnect_rp": rp}))
    return ProConnectContext(run)  # type: ignore[arg-type]


def test_context_picks_the_lab_rp_registered_for_each_case() -> None:
    def rp(client_id: str, alg: str, userinfo: str | None) -> dict[str, Any]:
        return {"url": f"http://127.0.0.1:1/{client_id}/", "provider_port": 9, "client_id": client_id,
                "id_token_alg": alg, "userinfo_alg": userinfo}

    pc = _context({"lab": rp("b", "ES256", "ES256"), "lab_variants": [
        rp("c", "HS256", None), rp("d", "RS256", "RS256"), {"url": "http://incomplet/"}]})
    assert [o.client_id for o in pc.lab_rps] == ["b", "c", "d"]
    assert [o.option for o in pc.lab_rps] == ["lab", "lab_variants[0]", "lab_variants[1]"]
    picks = {"ES256": "b", "HS256": "c", "RS256": "d"}
    assert {alg: getattr(pc.lab_for(id_token_alg=alg), "client_id", None) for alg in picks} == picks
    jwt_rp, json_rp = pc.lab_for(userinfo="jwt"), pc.lab_for(userinfo="json")
    assert jwt_rp is not None and json_rp is not None and (jwt_rp.client_id, json_rp.client_id) == ("b", "c")
    assert pc.lab_for(id_token_alg="RS256", userinfo="json") is None
    single = _context({"lab": rp("b", "ES256", "ES256")})
    assert single.lab_for(id_token_alg="HS256") is None and single.lab_for(userinfo="json") is None
    assert _context({"lab_variants": [rp("c", "HS256", None)]}).lab_rps == []  # variants need a primary lab


def test_lab_refuses_unregistered_redirects(lab: tuple[LabProvider, dict[str, str]]) -> None:
    provider, _ = lab
    auth = httpx.get(f"{provider.issuer}/authorize", params={"response_type": "code", "client_id": "fs-test",
                                                             "redirect_uri": "http://127.0.0.1/cb/"})
    assert auth.status_code == 400
    out = httpx.get(f"{provider.issuer}/session/end", params={"post_logout_redirect_uri": "http://127.0.0.1/x",
                                                              "state": "s" * 32})
    assert out.status_code == 400
    provider.use(Case("lo", logout_state="other"))
    out = httpx.get(f"{provider.issuer}/session/end", params={"post_logout_redirect_uri": "http://127.0.0.1/bye",
                                                              "state": "s" * 32})
    assert out.status_code == 302 and "state=" in out.headers["location"] and "s" * 32 not in out.headers["location"]


# -- whole runs against the built-in servers -----------------------------------------------------------------

def _servers_missing() -> str | None:
    try:
        from cicclo.reference import proconnect as pc
    except ImportError as exc:  # the built-in is being written
        return f"service intégré proconnect absent : {exc}"
    if not Path(pc.APACHE).is_file() or not (pc.APACHE_MODULES / "mod_auth_openidc.so").is_file() or not (
            pc.OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        return "Apache, mod_auth_openidc ou oidc-provider absent : lancer scripts/setup-proconnect.sh"
    return None


needs_servers = pytest.mark.skipif(_servers_missing() is not None, reason=str(_servers_missing()))

JWT_IN_CLEAR = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*")
CODE_IN_CLEAR = re.compile(r"[?&](code|id_token_hint|access_token)=(?!<secret|\*\*\*|%2A)[A-Za-z0-9_%.-]{8,}")
SESSION_IN_CLEAR = re.compile(r"(mod_auth_openidc_state_[A-Za-z0-9_-]+|cicclo_rp_[a-z_]+_session|_session(?:\.sig)?|"
                              r"_interaction(?:_resume)?)=(?!<secret|\*\*\*)[A-Za-z0-9_.%-]{12,}")

PRIVATE_MEMBER = re.compile(r'\\?"(d|p|q|dp|dq|qi)\\?": ?\\?"[A-Za-z0-9_-]{20,}')


def scan_outputs(out: Path, known: list[str]) -> list[str]:
    """Secrets, keys or tokens found in clear in any output file of a run."""
    found = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path.name}: valeur connue en clair" for value in known if value and value in text]
        found += [f"{path.name}: {kind} {m.group(0)[:40]}…" for kind, pattern in (
            ("JWT", JWT_IN_CLEAR), ("paramètre", CODE_IN_CLEAR), ("cookie", SESSION_IN_CLEAR))
            for m in pattern.finditer(text)]
        found += [f"{path.name}: clé privée PEM" for _ in re.finditer("PRIVATE KEY-----", text)]
        found += [f"{path.name}: membre privé de JWK" for _ in PRIVATE_MEMBER.finditer(text)]
    return found


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any], Path, str]:
    missing = _servers_missing()
    if missing:
        pytest.skip(missing)
    tmp = tmp_path_factory.mktemp("proconnect-local")
    target = tmp / "pc-local.yaml"
    target.write_text(yaml.safe_dump({"id": "pc-local", "name": "ProConnect intégré", "services": {
        "proconnect_provider": {"builtin": "proconnect"}, "proconnect_rp": {"builtin": "proconnect"}}}),
        encoding="utf-8")
    out = tmp / "out"
    code, results, output = run_suite(target, out, suite=SUITE, timeout=180)
    assert results is not None, output[-3000:]
    return code, results, out, output


@needs_servers
def test_local_run_matches_expectations(local_run: tuple[int, dict[str, Any], Path, str]) -> None:
    code, results, _, output = local_run
    expected = yaml.safe_load((EXPECTATIONS / "local-proconnect.yaml").read_text(encoding="utf-8"))
    observed = statuses(results)
    assert set(observed) == set(expected), set(observed) ^ set(expected)
    mismatches = {k: (e["status"], observed.get(k)) for k, e in expected.items() if observed.get(k) != e["status"]}
    assert not mismatches, f"(attendu, observé) : {mismatches}\n{output[-2000:]}"
    assert all(e.get("reason") for e in expected.values() if e["status"] != "PASS")
    assert code == 1  # MUST failures of mod_auth_openidc (see the expectations' reasons)
    # each case that needs a registration was played with the lab RP registered that way (RP C, RP D)
    played = {r["test_id"]: " ".join(r["notes"]) for r in results["results"]}
    for test_id, client_id in (("PC-LAB-002", "cicclo-rp-d"), ("PC-LAB-011", "cicclo-rp-d"),
                               ("PC-LAB-003", "cicclo-rp-c"), ("PC-LAB-005", "cicclo-rp-c"),
                               ("PC-LAB-012", "cicclo-rp-c")):
        assert f"FS de laboratoire {client_id} " in played[test_id], (test_id, played[test_id])
    assert "FS de laboratoire" not in played["PC-LAB-001"] + played["PC-LAB-010"]  # the primary RP B


@needs_servers
def test_each_negative_lab_case_has_its_own_id(local_run: tuple[int, dict[str, Any], Path, str]) -> None:
    _, results, _, _ = local_run
    lab = [r for r in results["results"] if r["test_id"].startswith("PC-LAB-")]
    negatives = [r for r in lab if r["test_id"] not in POSITIVE_LAB]
    keys = [i["instance"] for r in negatives for i in r["instances"]]
    assert len(keys) == len(set(keys)), "deux identifiants jouent le même cas"
    assert len(negatives) >= 20 and all(len(r["instances"]) == 1 for r in negatives)


@needs_servers
def test_local_run_leaks_nothing(local_run: tuple[int, dict[str, Any], Path, str]) -> None:
    _, _, out, output = local_run
    leaks = scan_outputs(out, [])
    assert not leaks, leaks[:10]
    assert not JWT_IN_CLEAR.search(output)


@pytest.fixture(scope="module")
def misconfig_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Any], Path, list[str]]]:
    """One misconfigured Apache RP per misconfiguration, pointed at the suite's lab provider; one suite run each."""
    missing = _servers_missing()
    if missing:
        pytest.skip(missing)
    from cicclo.reference import proconnect as pc

    runs: dict[str, tuple[dict[str, Any], Path, list[str]]] = {}
    for name in pc.MISCONFIGS:
        tmp = tmp_path_factory.mktemp(f"pc-{name}")
        port = free_port()
        secret = pc.new_secret()
        metadata_url = f"http://127.0.0.1:{port}/.well-known/openid-configuration"
        rp = pc.ApacheRelyingParty(tmp / "rp", metadata_url, f"cicclo-{name}", secret, misconfig=name,
                                   label=f"mal-{name}")
        stand_in = LabProvider(LabConfig(port=port, client_id=rp.client_id, client_secret=secret)).start()
        try:  # some misconfigurations copy the provider's metadata when Apache's configuration is written
            rp.start()
        finally:
            stand_in.stop()
        try:
            lab = {"url": rp.url, "logout_url": rp.logout_url, "redirect_uri": rp.registered_redirect_uri,
                   "post_logout_redirect_uri": rp.post_logout_redirect_uri, "provider_port": port,
                   "client_id": rp.client_id, "client_secret_env": "CICCLO_PC_LAB_SECRET", "id_token_alg": "ES256",
                   "userinfo_alg": "ES256", "acr_required": "eidas1"}
            options = {"login_url": rp.url, "logout_url": rp.logout_url, "redirect_uri": rp.registered_redirect_uri,
                       "post_logout_redirect_uri": rp.post_logout_redirect_uri, "client_id": rp.client_id,
                       "acr_required": "eidas1", "lab": lab}
            target = tmp / "target.yaml"
            target.write_text(yaml.safe_dump({"id": f"pc-{name}", "name": f"FS mal configuré : {name}",
                                              "services": {"proconnect_rp": {"url": rp.url, "options": options}}}),
                              encoding="utf-8")
            env = {**os.environ, "CICCLO_PC_LAB_SECRET": secret}
            out = tmp / "out"
            _, results, output = run_suite(target, out, suite=SUITE, timeout=120, env=env)
            assert results is not None, f"{name}: {output[-3000:]}"
            runs[name] = (results, out, list(rp.secrets.values()))
        finally:
            rp.stop()
    return runs


@needs_servers
def test_every_misconfiguration_has_expected_failures() -> None:
    from cicclo.reference import proconnect as pc

    mapping = yaml.safe_load((EXPECTATIONS / "proconnect-misconfigs.yaml").read_text(encoding="utf-8"))
    assert set(mapping) == set(pc.MISCONFIGS)
    local = yaml.safe_load((EXPECTATIONS / "local-proconnect.yaml").read_text(encoding="utf-8"))
    for name, ids in mapping.items():
        assert ids and all(local[i]["status"] == "PASS" for i in ids), name  # detected because of the misconfig


@needs_servers
def test_misconfigurations_are_detected(misconfig_runs: dict[str, tuple[dict[str, Any], Path, list[str]]]) -> None:
    mapping = yaml.safe_load((EXPECTATIONS / "proconnect-misconfigs.yaml").read_text(encoding="utf-8"))
    missed = {}
    for name, ids in mapping.items():
        observed = statuses(misconfig_runs[name][0])
        wrong = {i: observed.get(i) for i in ids if observed.get(i) != "FAIL"}
        if wrong:
            missed[name] = wrong
    assert not missed, f"mauvaises configurations non détectées : {missed}"


@needs_servers
def test_misconfiguration_runs_leak_nothing(
        misconfig_runs: dict[str, tuple[dict[str, Any], Path, list[str]]]) -> None:
    for name, (_, out, known) in misconfig_runs.items():
        leaks = scan_outputs(out, known)
        assert not leaks, f"{name}: {leaks[:10]}"


def test_scanner_finds_a_token(tmp_path: Path) -> None:
    header = base64.urlsafe_b64encode(json.dumps({"alg": "ES256"}).encode()).rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps({"sub": "agent-0001"}).encode()).rstrip(b"=").decode()
    (tmp_path / "x.json").write_text(f'{{"url": "http://x/cb?code=abcdefghijkl", "t": "{header}.{body}.sig"}}')
    found = scan_outputs(tmp_path, ["abcdefghijkl"])
    assert any("JWT" in f for f in found) and any("paramètre" in f for f in found)


def test_profile_2026_acr_and_hints() -> None:
    assert profile.required_levels("mfa") == profile.MFA_ACR
    assert profile.required_levels("eidas1") == ("eidas1",) and profile.required_levels(None) == ()
    assert profile.required_levels(["eidas2", "eidas3"]) == ("eidas2", "eidas3")
    new = json.dumps({"id_token": {"acr": {"essential": True, "values": list(profile.MFA_ACR)}}})
    old = json.dumps({"id_token": {"acr": {"essential": True,
                                           "values": ["eidas2", "eidas3", *profile.LEGACY_MFA_ACR]}}})
    assert profile.acr_request_problems(_redirect(claims=new), profile.MFA_ACR) == []
    problems = profile.acr_request_problems(_redirect(claims=old), profile.MFA_ACR)
    assert any("retirées" in p for p in problems) and any("eidas0-mfa" in p for p in problems)
    assert profile.asks_for_mfa(profile.MFA_ACR) and profile.asks_for_mfa(profile.LEGACY_MFA_ACR)
    assert not profile.asks_for_mfa(["eidas1"]) and not profile.asks_for_mfa(["eidas2", "eidas3"])
    assert profile.acr_problems({**GOOD_META, "acr_values_supported": [
        *profile.PROCONNECT_ACR, profile.LEGACY_MFA_ACR[0]]})[0]  # a withdrawn value still advertised
    good = _redirect(login_hint="agent%40example.gouv.fr", siret_hint="13002526500013", idp_hint="fia1v2")
    assert profile.hint_problems(good) == [] and profile.hint_problems(_redirect()) == []
    assert len(profile.hint_problems(_redirect(login_hint="agent", siret_hint="1300252650", idp_hint=""))) == 3
