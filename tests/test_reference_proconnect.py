"""The built-in ``proconnect``: the ProConnect-like provider, Apache RPs A and B, and the misconfigured RPs."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey

from cicclo.reference import proconnect as pc
from cicclo.reference.builtins import Started

pytestmark = pytest.mark.skipif(
    not Path(pc.APACHE).is_file() or not (pc.APACHE_MODULES / "mod_auth_openidc.so").is_file()
    or not (pc.OIDC_DIR / "node_modules" / "oidc-provider").is_dir(),
    reason="Apache, mod_auth_openidc ou oidc-provider absent : lancer scripts/setup-proconnect.sh",
)


def follow(client: httpx.Client, url: str, max_hops: int = 15) -> tuple[httpx.Response, list[str]]:
    """GET ``url`` and follow redirects by hand; returns the last response and every URL visited."""
    visited = [url]
    for _ in range(max_hops):
        response = client.get(url)
        if response.status_code not in (301, 302, 303, 307, 308):
            return response, visited
        url = str(response.url.join(response.headers["location"]))
        visited.append(url)
    raise AssertionError(f"trop de redirections : {visited}")


def processes_mentioning(text: str) -> list[str]:
    """Command lines of the live processes whose arguments contain ``text``."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in args:
            found.append(args)
    return found


@pytest.fixture(scope="module")
def builtin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Started, Path]]:
    workdir = tmp_path_factory.mktemp("proconnect")
    started = pc.start_builtin(workdir, {})
    try:
        yield started, workdir
    finally:
        started.stop()


def test_services_and_secrets(builtin: tuple[Started, Path]) -> None:
    started, _ = builtin
    provider, rp = started.services["proconnect_provider"], started.services["proconnect_rp"]
    assert provider["url"].startswith("http://127.0.0.1:")
    options = rp["options"]
    assert options["login_url"] == rp["url"] and options["acr_required"] == "eidas1"
    assert options["logout_url"].startswith(options["redirect_uri"] + "?logout=")
    lab = options["lab"]
    assert lab["provider_metadata_url"] == f"http://127.0.0.1:{lab['provider_port']}/.well-known/openid-configuration"
    assert {lab["id_token_alg"], lab["token_endpoint_auth_method"], lab["pkce_method"]} == {
        "ES256", "client_secret_post", "S256"}
    values = set(started.secrets.values())
    assert lab["client_secret"] in values
    assert all(c["client_secret"] in values for c in provider["options"]["clients"].values() if c["client_secret"])
    assert provider["options"]["clients"]["private_key_jwt"]["private_key"]["d"] in values


def test_discovery_is_proconnect_like(builtin: tuple[Started, Path]) -> None:
    issuer = builtin[0].services["proconnect_provider"]["url"]
    meta = httpx.get(f"{issuer}/.well-known/openid-configuration").json()
    assert meta["issuer"] == issuer
    assert meta["response_types_supported"] == ["code"]
    assert set(meta["token_endpoint_auth_methods_supported"]) == {"client_secret_post", "private_key_jwt"}
    assert set(meta["id_token_signing_alg_values_supported"]) == {"HS256", "ES256", "RS256"}
    assert set(meta["userinfo_signing_alg_values_supported"]) == {"HS256", "ES256", "RS256"}
    assert meta["acr_values_supported"] == list(pc.ACR_VALUES)
    assert meta["claims_parameter_supported"] is True
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert "offline_access" not in meta["scopes_supported"] and "profile" not in meta["scopes_supported"]
    assert {"given_name", "usual_name", "email", "uid", "siret", "idp_id"} <= set(meta["scopes_supported"])


def test_rp_a_login_and_logout(builtin: tuple[Started, Path]) -> None:
    started, _ = builtin
    rp = started.services["proconnect_rp"]
    issuer = started.services["proconnect_provider"]["url"]
    with httpx.Client(follow_redirects=False, timeout=10) as client:
        page, visited = follow(client, rp["url"])
        assert page.status_code == 200, page.text[:500]
        shown = page.json()
        assert shown["remote_user"] == "jean.dupont@example.gouv.fr"
        assert shown["claims"]["usual_name"] == "Dupont" and shown["claims"]["siret"] == "21750001600019"
        assert shown["id_token"]["acr"] == "eidas1" and shown["id_token"]["iss"] == issuer
        assert shown["userinfo"]["given_name"] == "Jean"
        auth = parse_qs(urlsplit(next(u for u in visited if u.startswith(f"{issuer}/auth?"))).query)
        assert auth["scope"] == [pc.SCOPE] and auth["code_challenge_method"] == ["S256"]
        assert json.loads(auth["claims"][0]) == {"id_token": {"acr": {"essential": True, "values": ["eidas1"]}}}
        assert not any("/interaction/" in u and u == visited[-1] for u in visited)  # no form to fill

        assert client.get(rp["url"]).status_code == 200  # the session cookie is enough now
        done, visited = follow(client, rp["options"]["logout_url"])
        assert done.status_code == 200 and visited[-1] == rp["options"]["post_logout_redirect_uri"]
        assert any(u.startswith(f"{issuer}/session/end?") and "id_token_hint=" in u for u in visited)
        again = client.get(rp["url"])
        assert again.status_code == 302 and again.headers["location"].startswith(f"{issuer}/auth?")
        _, visited = follow(client, again.headers["location"])
        assert any("/interaction/" in u for u in visited)  # the provider's session is gone too


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _code(client: httpx.Client, issuer: str, suite: dict[str, Any], challenge: str, **extra: str) -> str:
    params = {"response_type": "code", "client_id": suite["client_id"], "redirect_uri": suite["redirect_uri"],
              "scope": pc.SCOPE, "state": secrets.token_urlsafe(32), "nonce": secrets.token_urlsafe(32),
              "code_challenge": challenge, "code_challenge_method": "S256", **extra}
    response = client.get(f"{issuer}/auth", params=params)
    for _ in range(5):
        location = response.headers["location"]
        if location.startswith(suite["redirect_uri"]):
            return parse_qs(urlsplit(location).query)["code"][0]
        response = client.get(str(response.url.join(location)))
    raise AssertionError("pas de code")


def test_suite_client_code_flow(builtin: tuple[Started, Path]) -> None:
    options = builtin[0].services["proconnect_provider"]["options"]
    issuer = builtin[0].services["proconnect_provider"]["url"]
    keys = KeySet.import_key_set(httpx.get(f"{issuer}/jwks").json())
    suite = options["clients"]["post"]
    with httpx.Client(timeout=10) as client:
        verifier, challenge = _pkce()
        claims = json.dumps({"id_token": {"acr": {"essential": True, "values": ["eidas2"]}}})
        code = _code(client, issuer, suite, challenge, claims=claims)
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": suite["redirect_uri"],
                "code_verifier": verifier, "client_id": suite["client_id"], "client_secret": suite["client_secret"]}
        tokens = client.post(f"{issuer}/token", data=form).json()
        id_token = jwt.decode(tokens["id_token"], keys, algorithms=["ES256"])
        assert id_token.header["alg"] == "ES256" and id_token.claims["acr"] == "eidas2"
        info = client.get(f"{issuer}/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert info.headers["content-type"].startswith("application/jwt")
        assert jwt.decode(info.text, keys, algorithms=["ES256"]).claims["usual_name"] == "Dupont"

        # client_secret_basic is refused, as ProConnect documents
        verifier, challenge = _pkce()
        code = _code(client, issuer, suite, challenge)
        basic = client.post(f"{issuer}/token", auth=(suite["client_id"], suite["client_secret"]), data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": suite["redirect_uri"],
            "code_verifier": verifier})
        assert basic.status_code == 401 and basic.json()["error"] == "invalid_client"

    hs = options["clients"]["hs256"]
    with httpx.Client(timeout=10) as client:  # a new browser: no provider session, so a new login
        verifier, challenge = _pkce()
        code = _code(client, issuer, hs, challenge, claims=json.dumps({"id_token": {"acr": None}}))
        tokens = client.post(f"{issuer}/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": hs["redirect_uri"],
            "code_verifier": verifier, "client_id": hs["client_id"], "client_secret": hs["client_secret"]}).json()
        secret_key = OctKey.import_key(hs["client_secret"])
        assert jwt.decode(tokens["id_token"], secret_key, algorithms=["HS256"]).claims["acr"] == "eidas1"
        info = client.get(f"{issuer}/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert info.headers["content-type"].startswith("application/json") and info.json()["siret"]


def test_rp_b_uses_the_lab_provider_started_later(builtin: tuple[Started, Path]) -> None:
    started, workdir = builtin
    lab = started.services["proconnect_rp"]["options"]["lab"]
    with httpx.Client(follow_redirects=False, timeout=10) as client:
        assert client.get(lab["url"]).status_code != 200  # nothing listens on the lab port yet
        stand_in = pc.OidcProvider(workdir / "lab-provider", port=lab["provider_port"])
        stand_in.add_client(lab["client_id"], lab["redirect_uri"], lab["post_logout_redirect_uri"],
                            client_secret=lab["client_secret"], id_token_alg=lab["id_token_alg"],
                            userinfo_alg=lab["userinfo_alg"])
        stand_in.start()
        try:
            assert stand_in.issuer == lab["provider_issuer"]
            page, _ = follow(client, lab["url"])
            assert page.status_code == 200 and page.json()["id_token"]["iss"] == lab["provider_issuer"]
            done, visited = follow(client, lab["logout_url"])
            assert done.status_code == 200 and visited[-1] == lab["post_logout_redirect_uri"]
        finally:
            stand_in.stop()


@pytest.mark.parametrize("name", sorted(pc.MISCONFIGS))
def test_misconfigurations_are_valid_apache(name: str, builtin: tuple[Started, Path], tmp_path: Path) -> None:
    directives, description, requirement = pc.MISCONFIGS[name]
    assert description and requirement.startswith("PC-")
    metadata_url = builtin[0].services["proconnect_provider"]["url"] + "/.well-known/openid-configuration"
    good = pc.ApacheRelyingParty(tmp_path / "ok", metadata_url, "c", "s" * 43, port=8080)
    bad = pc.ApacheRelyingParty(tmp_path / "bad", metadata_url, "c", "s" * 43, misconfig=name, port=8080)
    try:
        assert "Syntax OK" in bad.check_config()
        good.write_config()
        assert bad.oidc_directives() != good.oidc_directives()
    finally:
        good.stop()
        bad.stop()


def test_unknown_misconfiguration_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="inconnue"):
        pc.ApacheRelyingParty(tmp_path, "http://127.0.0.1:1/", "c", "s", misconfig="nope")


def test_a_misconfigured_rp_fails_against_the_provider(builtin: tuple[Started, Path], tmp_path: Path) -> None:
    provider = pc.OidcProvider(tmp_path / "op")
    rp = pc.ApacheRelyingParty(tmp_path / "rp", provider.metadata_url, "rp-basic", pc.new_secret(),
                               misconfig="client-secret-basic", label="rp-basic")
    provider.add_client(rp.client_id, rp.registered_redirect_uri, rp.post_logout_redirect_uri,
                        client_secret=rp.client_secret)
    provider.start()
    try:
        rp.start()
        with httpx.Client(follow_redirects=False, timeout=10) as client:
            page, visited = follow(client, rp.url)
        assert "/protected/redirect_uri?code=" in visited[-1]  # the code came back but could not be redeemed
        assert not page.headers.get("content-type", "").startswith("application/json")
    finally:
        rp.stop()
        provider.stop()


def test_stop_leaves_no_process(tmp_path: Path) -> None:
    started = pc.start_builtin(tmp_path, {})
    assert len(processes_mentioning(str(tmp_path))) >= 3
    started.stop()
    deadline = time.monotonic() + 5
    while processes_mentioning(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_mentioning(str(tmp_path)) == []
