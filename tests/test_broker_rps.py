"""The built-in relying parties the platforms really run: Keycloak (the Géoplateforme's broker) and Spring Security
(geOrchestra's gateway), each started once for this module, run through the whole ProConnect suite as a user would
(``--target targets/local-keycloak.yaml`` / ``local-spring.yaml``) and compared with its committed expectations."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from cicclo.reference import keycloak, spring
from cicclo.reference.proconnect import OIDC_DIR
from tests.conftest import ROOT, run_suite, statuses
from tests.test_proconnect_suite import scan_outputs

EXPECTATIONS = ROOT / "tests" / "expectations"
PRODUCTS = {
    "local-keycloak": (keycloak.KEYCLOAK_HOME / "bin" / "kc.sh", keycloak.java_home() is not None,
                       "scripts/setup-keycloak.sh"),
    "local-spring": (spring.SPRING_JAR, shutil.which("java") is not None, "scripts/setup-spring-rp.sh"),
}


def _missing(target: str) -> str | None:
    path, java, setup = PRODUCTS[target]
    if not path.is_file() or not java or not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        return f"{path} ou Java absent : lancer {setup} (et scripts/setup-proconnect.sh)"
    return None


@pytest.fixture(scope="module", params=list(PRODUCTS))
def product_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                ) -> tuple[str, dict[str, Any], Path, str, float]:
    target = str(request.param)
    missing = _missing(target)
    if missing:
        pytest.skip(missing)
    out = tmp_path_factory.mktemp(target) / "out"
    started = time.monotonic()
    _, results, output = run_suite(ROOT / "targets" / f"{target}.yaml", out, suite="suites/proconnect", timeout=900)
    assert results is not None, output[-3000:]
    return target, results, out, output, time.monotonic() - started


def test_run_matches_expectations(product_run: tuple[str, dict[str, Any], Path, str, float]) -> None:
    target, results, _, output, seconds = product_run
    expected = yaml.safe_load((EXPECTATIONS / f"{target}.yaml").read_text(encoding="utf-8"))
    observed = statuses(results)
    assert set(observed) == set(expected), set(observed) ^ set(expected)
    mismatches = {k: (e["status"], observed[k]) for k, e in expected.items() if observed[k] != e["status"]}
    assert not mismatches, f"{target} ({seconds:.0f} s) (attendu, observé) : {mismatches}\n{output[-2000:]}"
    assert all(e.get("reason") for e in expected.values() if e["status"] != "PASS")


def test_run_leaks_nothing(product_run: tuple[str, dict[str, Any], Path, str, float]) -> None:
    target, _, out, output, _ = product_run
    leaks = scan_outputs(out, [])
    assert not leaks, f"{target}: {leaks[:10]}"
    assert not re.search(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ", output), target


def test_realm_file_gives_one_configured_broker_per_provider() -> None:
    """The committed realm, filled: every placeholder replaced, one OIDC identity provider per ProConnect brokered,
    each as a platform configures it (code flow with PKCE S256, client_secret_post, signature checked on the JWKS,
    ProConnect scopes without profile, usual_name mapped to lastName)."""
    brokers = [{"ALIAS": alias, "ISSUER": f"http://127.0.0.1:{port}", "CLIENT_ID": f"c-{alias}",
                "CLIENT_SECRET": f"s-{alias}",
                **{k: f"http://127.0.0.1:{port}{path}" for k, path in keycloak.LAB_PATHS.items()}}
               for alias, port in (("proconnect", 1), ("proconnect-lab", 2))]
    doc = keycloak.realm("http://127.0.0.1:3", "app-secret", brokers)
    assert "@" not in str(doc).replace("@example", "")
    idps = {idp["alias"]: idp["config"] for idp in doc["identityProviders"]}
    assert set(idps) == {"proconnect", "proconnect-lab"}
    for alias, config in idps.items():
        assert config["issuer"] == ("http://127.0.0.1:1" if alias == "proconnect" else "http://127.0.0.1:2")
        assert config["clientAuthMethod"] == "client_secret_post" and config["pkceMethod"] == "S256"
        assert config["validateSignature"] == "true" and config["useJwksUrl"] == "true"
        assert "profile" not in config["defaultScope"].split() and "usual_name" in config["defaultScope"].split()
    mappers = {(m["identityProviderAlias"], m["config"]["claim"], m["config"]["user.attribute"])
               for m in doc["identityProviderMappers"]}
    assert mappers == {("proconnect", "usual_name", "lastName"), ("proconnect-lab", "usual_name", "lastName")}
