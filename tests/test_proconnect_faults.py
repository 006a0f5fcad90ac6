"""Each relying-party check of the ProConnect suite FAILs against a relying party broken in that exact way.

The broken relying party is :class:`tests.faults.credulous_rp.CredulousRP`, pointed at the suite's own lab
provider (``proconnect_rp.options.lab``, the provider started by the suite on ``provider_port``):

* as is, it validates nothing (signature, alg, iss, aud, exp, iat, nonce, sub, acr, UserInfo, state, code):
  every negative lab case (PC-LAB-010 and after) must FAIL, each under its own ID, while the positive and
  observation checks (PC-LAB-001 to 008) and the black-box checks (PC-RP-*) PASS;
* with one named flaw more (:data:`FLAW_IDS`), the IDs that check what this flaw breaks FAIL, and no other ID
  of the run does.

No built-in server is needed (the lab provider is the suite's own, the relying party runs in this process),
so these tests always run; the suite runs in subprocesses, several at a time.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from cicclo.proconnect.profile import MFA_ACR
from cicclo.reference import free_port
from tests.conftest import ROOT, run_suite, statuses
from tests.faults.credulous_rp import FLAWS, CredulousRP
from tests.test_proconnect_suite import POSITIVE_LAB, scan_outputs

SECRET_ENV = "CICCLO_CREDULE_SECRET"
BLACKBOX = "suites/proconnect/test_rp_blackbox.py"
LAB = "suites/proconnect/test_rp_lab.py"
POSITIVE_TESTS = ("test_es256 or test_rs256 or test_hs256 or test_userinfo_jwt or test_userinfo_json or "
                  "test_token_client_auth or test_token_redirect_uri or test_userinfo_bearer or "
                  "test_mfa_levels_accepted or test_kid_absent_single_jwks or test_key_rotation or "
                  "test_usual_name_mapped")
# the credulous RP asks for eidas1, not for MFA: the MFA case is played by the acr-legacy-mfa-check flaw only
NOT_APPLICABLE_AS_IS = ("PC-LAB-033",)
MFA_FLAWS = ("acr-legacy-mfa-request", "acr-legacy-mfa-check")

# lab relying parties, one per registration profile (as the built-in): ID token alg, UserInfo alg (None: JSON)
PROFILES = {"b": ("ES256", "ES256"), "c": ("HS256", None), "d": ("RS256", "RS256")}

# every case a validating relying party must refuse: the credulous one grants a session (or redeems the code twice,
# or treats a forged logout return as a normal one)
NEGATIVE_LAB = [*(f"PC-LAB-{i:03d}" for i in range(10, 33)), "PC-LAB-036", "PC-LAB-037", "PC-LAB-038"]
ERROR_CASES = ("PC-LAB-037", "PC-LAB-038")
LOGOUT_CASES = ("PC-LAB-031", "PC-LAB-032")

# flaw -> (what is run, the IDs that must FAIL); no other ID of that run may FAIL
FLAW_IDS: dict[str, tuple[str, list[str]]] = {
    "response-type-hybrid": (BLACKBOX, ["PC-RP-001"]),
    "scope-profile": (BLACKBOX, ["PC-RP-002"]),
    "redirect-uri-unregistered": (BLACKBOX, ["PC-RP-003"]),
    "short-state": (BLACKBOX, ["PC-RP-004"]),
    "no-nonce": (BLACKBOX, ["PC-RP-005"]),
    "acr-not-requested": (BLACKBOX, ["PC-RP-006"]),
    "acr-values": (BLACKBOX, ["PC-RP-007"]),
    "pkce-plain": (BLACKBOX, ["PC-RP-008"]),
    "unknown-auth-param": (BLACKBOX, ["PC-RP-009"]),
    "other-client-id": (BLACKBOX, ["PC-RP-010"]),
    "local-logout": (BLACKBOX, ["PC-RP-011"]),
    "logout-no-hint": (BLACKBOX, ["PC-RP-012"]),
    "logout-short-state": (BLACKBOX, ["PC-RP-013"]),
    "logout-redirect-unregistered": (BLACKBOX, ["PC-RP-014"]),
    "client-secret-basic": (LAB, ["PC-LAB-006"]),
    "token-redirect-uri": (LAB, ["PC-LAB-007"]),
    "userinfo-token-in-body": (LAB, ["PC-LAB-008"]),
    "never-logs-in": (LAB, ["PC-LAB-001", "PC-LAB-002", "PC-LAB-003", "PC-LAB-004", "PC-LAB-005"]),
    "acr-legacy-mfa-request": (BLACKBOX, ["PC-RP-006"]),
    "acr-legacy-mfa-check": (LAB, ["PC-LAB-033"]),
    "requires-kid": (LAB, ["PC-LAB-034"]),
    "pinned-jwks": (LAB, ["PC-LAB-035"]),
    "family-name-only": (LAB, ["PC-LAB-039"]),
    "malformed-hints": (BLACKBOX, ["PC-RP-015"]),
}
AS_IS = "as-is"


@dataclass
class Stand:
    """The credulous relying parties of one run (one per registration profile), their lab port and secret."""

    name: str
    flaws: tuple[str, ...]
    port: int
    secret: str
    rps: dict[str, CredulousRP]

    @property
    def acr(self) -> str:
        """The level the target declares: the 2026 MFA levels for the MFA flaws, eidas1 otherwise."""
        return "mfa" if set(self.flaws) & set(MFA_FLAWS) else "eidas1"

    def target(self, directory: Path) -> Path:
        def lab(label: str) -> dict[str, Any]:
            rp, (id_alg, userinfo_alg) = self.rps[label], PROFILES[label]
            return {"url": rp.url, "login_url": rp.login_url, "logout_url": rp.logout_url,
                    "redirect_uri": rp.redirect_uri, "post_logout_redirect_uri": rp.post_logout_redirect_uri,
                    "provider_port": self.port, "provider_metadata_url": rp.metadata_url,
                    "client_id": rp.client_id, "client_secret_env": SECRET_ENV, "id_token_alg": id_alg,
                    "userinfo_alg": userinfo_alg, "token_endpoint_auth_method": "client_secret_post",
                    "scope": rp.scope, "acr_required": self.acr}

        b = self.rps["b"]
        options = {"login_url": b.login_url, "logout_url": b.logout_url, "redirect_uri": b.redirect_uri,
                   "post_logout_redirect_uri": b.post_logout_redirect_uri, "client_id": b.client_id,
                   "acr_required": self.acr, "lab": lab("b"), "lab_variants": [lab("c"), lab("d")]}
        path = directory / f"credule-{self.name}.yaml"
        path.write_text(yaml.safe_dump({"id": f"credule-{self.name}", "name": f"FS crédule ({self.name})",
                                        "services": {"proconnect_rp": {"url": b.url, "options": options}}},
                                       allow_unicode=True), encoding="utf-8")
        return path


@pytest.fixture(scope="session")
def credulous_stands() -> Iterator[dict[str, Stand]]:
    """The credulous relying parties, as is and with each flaw of :data:`FLAW_IDS` (each its own lab port)."""
    stands: dict[str, Stand] = {}
    ports: set[int] = set()
    try:
        for name in (AS_IS, *FLAW_IDS):
            port = free_port()
            while port in ports:
                port = free_port()
            ports.add(port)
            flaws = () if name == AS_IS else (name,)
            secret = secrets.token_urlsafe(32)
            metadata_url = f"http://127.0.0.1:{port}/.well-known/openid-configuration"
            acr: str | list[str] = list(MFA_ACR) if name in MFA_FLAWS else "eidas1"
            rps = {label: CredulousRP(metadata_url, f"credule-{name}-{label}", secret, flaws=flaws, acr=acr).start()
                   for label in PROFILES}
            stands[name] = Stand(name, flaws, port, secret, rps)
        yield stands
    finally:
        for stand in stands.values():
            for rp in stand.rps.values():
                rp.stop()


Run = tuple[dict[str, Any], Path, str]


@pytest.fixture(scope="module")
def credulous_runs(credulous_stands: dict[str, Stand], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """One suite run per stand, a few at a time: the whole suite as is, the relevant part with each flaw."""
    def one(stand: Stand) -> tuple[str, Run]:
        tmp = tmp_path_factory.mktemp(f"credule-{stand.name}")
        out = tmp / "out"
        env = {**os.environ, SECRET_ENV: stand.secret}
        if stand.name == AS_IS:
            _, results, output = run_suite(stand.target(tmp), out, suite="suites/proconnect", env=env, timeout=120)
        else:
            suite = FLAW_IDS[stand.name][0]
            extra = ("-k", POSITIVE_TESTS) if suite == LAB else ()
            _, results, output = run_suite(stand.target(tmp), out, *extra, suite=suite, env=env, timeout=120)
        assert results is not None, f"{stand.name}: {output[-3000:]}"
        return stand.name, (results, out, output)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(one, credulous_stands.values()))


def _messages(results: dict[str, Any]) -> dict[str, str]:
    return {r["test_id"]: r.get("message") or "" for r in results["results"]}


def test_flaws_are_known_and_cover_every_relying_party_check() -> None:
    assert set(FLAW_IDS) <= set(FLAWS) and set(FLAWS) <= set(FLAW_IDS)
    local = yaml.safe_load((ROOT / "tests" / "expectations" / "local-proconnect.yaml").read_text(encoding="utf-8"))
    rp_side = {i for i in local if i.startswith(("PC-RP-", "PC-LAB-"))}
    proven = set(NEGATIVE_LAB) | {i for _, ids in FLAW_IDS.values() for i in ids}
    assert rp_side == proven, f"sans panne qui les fasse échouer : {sorted(rp_side - proven)}"
    # every lab case is either positive (a session expected) or negative (a refusal expected)
    assert {i for i in rp_side if i.startswith("PC-LAB-")} == set(POSITIVE_LAB) | set(NEGATIVE_LAB)
    assert not set(POSITIVE_LAB) & set(NEGATIVE_LAB)


def test_every_negative_lab_case_fails_against_the_credulous_rp(credulous_runs: dict[str, Run]) -> None:
    results, _, output = credulous_runs[AS_IS]
    observed, messages = statuses(results), _messages(results)
    wrong = {i: observed.get(i) for i in NEGATIVE_LAB if observed.get(i) != "FAIL"}
    assert not wrong, f"cas négatifs non détectés : {wrong}\n{output[-2000:]}"
    # each fails for the reason its case is about, under its own ID (one instance, its own case key)
    for test_id in NEGATIVE_LAB:
        expected = {"PC-LAB-030": "présenté 2 fois"}.get(test_id, "session accordée")
        if test_id in LOGOUT_CASES:
            expected = "comme un retour normal"
        if test_id in ERROR_CASES:  # no session, but a 502 on the error callback
            expected = "l'erreur n'est pas traitée"
        assert expected in messages[test_id], (test_id, messages[test_id])
    keys = [inst["instance"] for r in results["results"] if r["test_id"] in NEGATIVE_LAB for inst in r["instances"]]
    assert len(keys) == len(NEGATIVE_LAB) == len(set(keys))


def test_positive_and_black_box_checks_pass_against_the_credulous_rp(credulous_runs: dict[str, Run]) -> None:
    """Without a named flaw, only the validations are missing: what the flaw runs make FAIL PASSes here."""
    results, _, _ = credulous_runs[AS_IS]
    observed = statuses(results)
    rp_ids = [i for i in observed if i.startswith("PC-RP-")]
    assert len(rp_ids) == 15
    wrong = {i: observed[i] for i in [*POSITIVE_LAB, *rp_ids] if observed[i] != "PASS"}
    assert wrong == dict.fromkeys(NOT_APPLICABLE_AS_IS, "NOT_APPLICABLE"), wrong
    notes = " ".join(n for r in results["results"] if r["test_id"] in ("PC-LAB-002", "PC-LAB-003")
                     for n in r["notes"])
    assert "credule-as-is-d" in notes and "credule-as-is-c" in notes  # each registration profile was played


@pytest.mark.parametrize("flaw", list(FLAW_IDS))
def test_each_flaw_fails_its_own_ids(credulous_runs: dict[str, Run], flaw: str) -> None:
    results, _, output = credulous_runs[flaw]
    observed = statuses(results)
    expected = FLAW_IDS[flaw][1]
    wrong = {i: observed.get(i) for i in expected if observed.get(i) != "FAIL"}
    assert not wrong, f"{flaw} : {wrong}\n{output[-2000:]}"
    others = sorted(i for i, status in observed.items() if status == "FAIL" and i not in expected)
    assert not others, f"{flaw} fait aussi échouer {others}"


def test_credulous_runs_leak_nothing(credulous_runs: dict[str, Run], credulous_stands: dict[str, Stand]) -> None:
    for name, (_, out, output) in credulous_runs.items():
        leaks = scan_outputs(out, [credulous_stands[name].secret])
        assert not leaks, f"{name}: {leaks[:10]}"
        assert not re.search(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ", output), name
