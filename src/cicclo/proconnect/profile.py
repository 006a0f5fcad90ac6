"""The ProConnect profile of OpenID Connect as pure checks: each function returns the problems it finds.

Sources: the ProConnect partner documentation (https://partenaires.proconnect.gouv.fr/docs/fournisseur-service/
implementation_technique), the discovery test of the ProConnect federation (quality/cypress/integration/api/
api-discovery.feature in https://github.com/proconnect-gouv/federation), OpenID Connect Discovery 1.0 and Core 1.0,
RFC 7517/7518 (JWK, JWA) and RFC 7636 (PKCE). Nothing here does I/O, so every rule is unit-tested on its own.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

PROCONNECT_ACR = ("eidas0", "eidas0-mfa", "eidas1", "eidas1-mfa", "eidas2", "eidas3",
                  "https://proconnect.gouv.fr/assurance/certification-dirigeant")
# Order used to tell a lower level from the required one (certification dirigeant is above eidas1).
ACR_RANK = {"eidas0": 0, "eidas0-mfa": 1, "eidas1": 2, "eidas1-mfa": 3, "eidas2": 4, "eidas3": 5,
            "https://proconnect.gouv.fr/assurance/certification-dirigeant": 3}
# The multi-factor levels to ask for since 2026-06-04 (double_authentification.md, proconnect-espace-partenaires
# #352); until then the recipe asked for eidas2, eidas3 and the two URIs of LEGACY_MFA_ACR, now withdrawn.
MFA_ACR = ("eidas0-mfa", "eidas1-mfa", "eidas2", "eidas3")
LEGACY_MFA_ACR = ("https://proconnect.gouv.fr/assurance/self-asserted-2fa",
                  "https://proconnect.gouv.fr/assurance/consistency-checked-2fa")
MFA_ALIAS = "mfa"  # a target's acr_required: mfa stands for MFA_ACR
SIGNING_ALGS = ("ES256", "RS256", "HS256")
REQUIRED_ASYMMETRIC_ALGS = ("ES256", "RS256")
TOKEN_AUTH_METHODS = ("client_secret_post", "private_key_jwt")
CORE_SCOPES = ("openid", "given_name", "usual_name", "email", "uid", "siret", "idp_id")
OPTIONAL_SCOPES = ("siren", "phone", "organizational_unit", "belonging_population", "chorusdt",
                   "organization_label", "roles", "custom")
CORE_CLAIMS = ("sub", "given_name", "usual_name", "email", "uid", "siret", "idp_id", "acr")
REQUIRED_METADATA = ("issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri",
                     "end_session_endpoint", "response_types_supported", "subject_types_supported",
                     "id_token_signing_alg_values_supported")
ENDPOINT_FIELDS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri",
                   "end_session_endpoint", "registration_endpoint", "introspection_endpoint", "revocation_endpoint",
                   "pushed_authorization_request_endpoint")
PRIVATE_JWK_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
# Authorization parameters of the documentation (EP §2.2) and of the federation's authorize DTO.
DOCUMENTED_AUTH_PARAMS = frozenset({
    "response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "claims", "prompt", "idp_hint",
    "login_hint", "siret_hint", "acr_values", "code_challenge", "code_challenge_method", "response_mode",
})
MIN_RANDOM_CHARS = 32


def discovery_url(issuer: str) -> str:
    """Where OpenID Connect Discovery 1.0 §4 puts the provider's configuration for ``issuer``."""
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _strings(value: Any) -> list[str] | None:
    """The list of strings a metadata field holds, or None when it is not such a list."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


# -- provider side: discovery ------------------------------------------------------------------------------

def issuer_problems(meta: Mapping[str, Any], issuer: str) -> list[str]:
    """Discovery §4.3: the issuer returned is identical to the one used to build the discovery URL."""
    got = meta.get("issuer")
    if not isinstance(got, str):
        return ["le document de découverte n'a pas de champ issuer (chaîne)"]
    if got != issuer:
        return [f"issuer {got!r} différent de l'issuer de la découverte {issuer!r} (comparaison exacte)"]
    return []


def is_test_issuer(issuer: str) -> bool:
    """An http issuer on the loopback: a provider set up for tests, where there is no certificate to check."""
    return urlsplit(issuer).scheme == "http" and is_loopback(issuer)


def https_problems(meta: Mapping[str, Any], issuer: str) -> tuple[list[str], list[str]]:
    """Discovery §3: issuer and endpoints use https. http is tolerated, with a note, only when the issuer itself is
    an http loopback URL (a test setup) and for loopback endpoints; under an https issuer every http endpoint is a
    downgrade and fails."""
    problems: list[str] = []
    notes: list[str] = []
    test_setup = is_test_issuer(issuer)
    urls = {"issuer": issuer, **{k: meta[k] for k in ENDPOINT_FIELDS if isinstance(meta.get(k), str)}}
    for name, url in urls.items():
        scheme = urlsplit(url).scheme
        if scheme == "https":
            continue
        if scheme == "http" and test_setup and is_loopback(url):
            notes.append(f"{name} en http toléré : l'issuer {issuer} est lui-même en http sur la boucle locale "
                         f"(installation de test) ({url})")
        elif scheme == "http" and is_loopback(url):
            problems.append(f"{name} en http ({url}) alors que l'issuer est en https : la tolérance de la boucle "
                            "locale ne vaut que pour un issuer http de test")
        else:
            problems.append(f"{name} n'utilise pas https : {url}")
    return problems, notes


def required_metadata_problems(meta: Mapping[str, Any]) -> list[str]:
    return [f"champ {name} absent du document de découverte" for name in REQUIRED_METADATA if name not in meta]


def response_types_problems(meta: Mapping[str, Any]) -> list[str]:
    types = _strings(meta.get("response_types_supported"))
    if types is None:
        return ["response_types_supported absent ou pas une liste de chaînes"]
    if types != ["code"]:
        return [f"response_types_supported vaut {types} : ProConnect n'offre que le flux code ([\"code\"])"]
    return []


def token_auth_problems(meta: Mapping[str, Any]) -> list[str]:
    """client_secret_post (and possibly private_key_jwt), never client_secret_basic; absent means basic."""
    if "token_endpoint_auth_methods_supported" not in meta:
        return ["token_endpoint_auth_methods_supported absent : la valeur par défaut de Discovery §3 est "
                "client_secret_basic, que ProConnect n'offre pas"]
    methods = _strings(meta["token_endpoint_auth_methods_supported"])
    if methods is None:
        return ["token_endpoint_auth_methods_supported n'est pas une liste de chaînes"]
    problems = []
    if "client_secret_basic" in methods:
        problems.append("client_secret_basic est proposé (ProConnect : client_secret_post ou private_key_jwt)")
    if "client_secret_post" not in methods:
        problems.append("client_secret_post n'est pas proposé (méthode par défaut de ProConnect)")
    others = sorted(set(methods) - set(TOKEN_AUTH_METHODS) - {"client_secret_basic"})
    if others:
        problems.append(f"méthodes hors du profil ProConnect : {', '.join(others)}")
    return problems


def signing_alg_problems(meta: Mapping[str, Any], name: str) -> list[str]:
    """A signing-alg list within {ES256, RS256, HS256} that includes ES256 and RS256 (and never none)."""
    algs = _strings(meta.get(name))
    if algs is None:
        return [f"{name} absent ou pas une liste de chaînes"]
    problems = []
    if "none" in algs:
        problems.append(f"{name} propose l'algorithme none")
    extra = sorted(set(algs) - set(SIGNING_ALGS) - {"none"})
    if extra:
        problems.append(f"{name} propose des algorithmes hors du profil ProConnect : {', '.join(extra)}")
    missing = [a for a in REQUIRED_ASYMMETRIC_ALGS if a not in algs]
    if missing:
        problems.append(f"{name} ne propose pas {', '.join(missing)}")
    return problems


def acr_problems(meta: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Every ProConnect level is advertised; other values are reported as notes."""
    values = _strings(meta.get("acr_values_supported"))
    if values is None:
        return ["acr_values_supported absent ou pas une liste de chaînes"], []
    missing = [v for v in PROCONNECT_ACR if v not in values]
    legacy = [v for v in values if v in LEGACY_MFA_ACR]
    extra = [v for v in values if v not in PROCONNECT_ACR and v not in LEGACY_MFA_ACR]
    problems = [f"niveaux ProConnect absents de acr_values_supported : {', '.join(missing)}"] if missing else []
    if legacy:
        problems.append(f"valeurs acr retirées le 2026-06-04 encore annoncées : {', '.join(legacy)} (double "
                        f"authentification : {', '.join(MFA_ACR)})")
    notes = [f"valeurs acr hors de la liste ProConnect : {', '.join(extra)}"] if extra else []
    return problems, notes


def scopes_problems(meta: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    scopes = _strings(meta.get("scopes_supported"))
    if scopes is None:
        return ["scopes_supported absent ou pas une liste de chaînes"], []
    problems = []
    missing = [s for s in CORE_SCOPES if s not in scopes]
    if missing:
        problems.append(f"scopes ProConnect absents : {', '.join(missing)}")
    if "offline_access" in scopes:
        problems.append("offline_access est proposé (absent chez ProConnect)")
    notes = []
    if "profile" in scopes:
        notes.append("le scope profile est proposé alors que ProConnect n'en a pas")
    absent_optional = [s for s in OPTIONAL_SCOPES if s not in scopes]
    if absent_optional:
        notes.append(f"scopes facultatifs non annoncés : {', '.join(absent_optional)}")
    return problems, notes


def claims_problems(meta: Mapping[str, Any]) -> list[str]:
    claims = _strings(meta.get("claims_supported"))
    if claims is None:
        return ["claims_supported absent ou pas une liste de chaînes"]
    missing = [c for c in CORE_CLAIMS if c not in claims]
    return [f"claims ProConnect absents de claims_supported : {', '.join(missing)}"] if missing else []


def request_features_problems(meta: Mapping[str, Any]) -> list[str]:
    """The claims parameter (used to ask for acr) is supported; PKCE, when advertised, is S256 only."""
    problems = []
    if meta.get("claims_parameter_supported") is not True:
        problems.append("claims_parameter_supported n'est pas true : le niveau acr ne peut être demandé par claims")
    methods = meta.get("code_challenge_methods_supported")
    if methods is not None:
        listed = _strings(methods) or []
        if "S256" not in listed:
            problems.append(f"code_challenge_methods_supported sans S256 : {methods}")
        if "plain" in listed:
            problems.append("code_challenge_methods_supported propose plain (ProConnect : S256 seulement)")
    return problems


# -- provider side: keys -----------------------------------------------------------------------------------

def _b64_len(value: Any) -> int:
    """Size in bytes of a base64url member (0 when unreadable)."""
    if not isinstance(value, str):
        return 0
    try:
        return len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, TypeError):
        return 0


def jwks_keys(doc: Any) -> tuple[list[dict[str, Any]], list[str]]:
    if not isinstance(doc, dict) or not isinstance(doc.get("keys"), list):
        return [], ["le JWKS n'est pas un objet avec un tableau keys (RFC 7517 §5)"]
    keys = [k for k in doc["keys"] if isinstance(k, dict)]
    problems = [] if len(keys) == len(doc["keys"]) else ["le tableau keys contient autre chose que des objets"]
    if not keys:
        problems.append("le JWKS ne publie aucune clé")
    return keys, problems


def jwks_private_problems(keys: Iterable[Mapping[str, Any]]) -> list[str]:
    """No private member and no symmetric key in a published JWKS; kid present and unique."""
    problems = []
    seen: dict[str, int] = {}
    for i, key in enumerate(keys):
        label = f"clé {key.get('kid', f'n°{i + 1}')}"
        leaked = [m for m in PRIVATE_JWK_MEMBERS if m in key]
        if leaked:
            problems.append(f"{label} : membres privés publiés ({', '.join(leaked)}) — la clé est compromise")
        if key.get("kty") == "oct":
            problems.append(f"{label} : clé symétrique (oct) publiée")
        kid = key.get("kid")
        if not isinstance(kid, str) or not kid:
            problems.append(f"{label} : pas de kid (plusieurs clés : le kid désigne la clé de vérification)")
        else:
            seen[kid] = seen.get(kid, 0) + 1
    problems += [f"kid {kid!r} porté par {n} clés" for kid, n in seen.items() if n > 1]
    return problems


def key_fits(key: Mapping[str, Any], alg: str) -> str | None:
    """Why ``key`` cannot verify ``alg`` signatures (None when it can)."""
    if key.get("use") not in (None, "sig"):
        return f"use={key.get('use')}"
    if key.get("alg") not in (None, alg):
        return f"alg={key.get('alg')}"
    if alg == "ES256":
        if key.get("kty") != "EC" or key.get("crv") != "P-256":
            return "pas une clé EC P-256"
        if _b64_len(key.get("x")) != 32 or _b64_len(key.get("y")) != 32:
            return "coordonnées x/y de P-256 invalides"
        return None
    if alg == "RS256":
        if key.get("kty") != "RSA":
            return "pas une clé RSA"
        bits = _b64_len(key.get("n")) * 8
        if bits < 2048:
            return f"module RSA de {bits} bits (au moins 2048, RFC 7518 §3.3)"
        if not _b64_len(key.get("e")):
            return "exposant e absent"
        return None
    return f"algorithme {alg} non vérifiable par une clé publiée"


def jwks_usability_problems(keys: list[dict[str, Any]], algs: Iterable[str]) -> list[str]:
    """Each advertised asymmetric alg (ES256, RS256) has at least one published key able to verify it."""
    problems = []
    for alg in algs:
        if alg not in REQUIRED_ASYMMETRIC_ALGS:
            continue
        reasons = [key_fits(k, alg) for k in keys]
        if not any(r is None for r in reasons):
            why = "; ".join(r for r in reasons if r) or "aucune clé"
            problems.append(f"aucune clé publiée ne vérifie {alg} ({why})")
    return problems


# -- relying party side: authorization and logout requests ---------------------------------------------------

@dataclass
class Redirect:
    """A redirect to the provider as the relying party built it."""

    url: str
    endpoint: str
    params: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, url: str) -> Redirect:
        parts = urlsplit(url)
        endpoint = f"{parts.scheme}://{parts.netloc}{parts.path}"
        return cls(url, endpoint, parse_qs(parts.query, keep_blank_values=True))

    @classmethod
    def of(cls, endpoint: str, params: Mapping[str, str]) -> Redirect:
        """The request a provider received as ``params`` (one value each)."""
        return cls(f"{endpoint}?{urlencode(params)}", endpoint, {k: [v] for k, v in params.items()})

    def one(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[0] if values else None

    def duplicated(self) -> list[str]:
        return sorted(k for k, v in self.params.items() if len(v) > 1)


def response_type_problems(req: Redirect) -> list[str]:
    value = req.one("response_type")
    if value is None:
        return ["response_type absent"]
    return [] if value == "code" else [f"response_type={value!r} (ProConnect : code seulement)"]


def scope_request_problems(req: Redirect) -> list[str]:
    scope = req.one("scope")
    if scope is None:
        return ["scope absent"]
    scopes = scope.split()
    problems = []
    if "openid" not in scopes:
        problems.append(f"le scope ne contient pas openid : {scope!r}")
    if "profile" in scopes:
        problems.append("le scope contient profile, qui n'existe pas chez ProConnect")
    if "offline_access" in scopes:
        problems.append("le scope contient offline_access, que ProConnect ne propose pas")
    return problems


def random_value_problems(name: str, values: list[str | None]) -> list[str]:
    """``name`` present in every login, at least 32 characters, and never the same twice."""
    problems = []
    present = [v for v in values if v is not None]
    if len(present) < len(values):
        problems.append(f"{name} absent d'une demande d'autorisation")
    short = [v for v in present if len(v) < MIN_RANDOM_CHARS]
    if short:
        problems.append(f"{name} de {min(len(v) for v in short)} caractères (au moins {MIN_RANDOM_CHARS})")
    if len(set(present)) < len(present):
        problems.append(f"{name} identique d'une connexion à l'autre : il n'est pas aléatoire")
    return problems


def requested_acr(req: Redirect) -> tuple[list[str], bool, list[str]]:
    """(acr values asked through claims, essential?, problems reading the claims parameter)."""
    raw = req.one("claims")
    if raw is None:
        return [], False, []
    try:
        claims = json.loads(raw)
    except ValueError:
        return [], False, [f"paramètre claims illisible (JSON attendu) : {raw[:120]!r}"]
    acr = claims.get("id_token", {}).get("acr") if isinstance(claims, dict) and isinstance(
        claims.get("id_token"), dict) else None
    if not isinstance(acr, dict):
        return [], False, []
    listed = acr.get("values")
    values: list[Any] = list(listed) if isinstance(listed, list) else []
    if isinstance(acr.get("value"), str):
        values = [*values, acr["value"]]
    return [v for v in values if isinstance(v, str)], acr.get("essential") is True, []


def required_levels(value: Any) -> tuple[str, ...]:
    """The acr levels a target's ``acr_required`` option stands for: one level, a list of levels (any of them
    grants access), or ``mfa`` for the 2026 multi-factor levels (:data:`MFA_ACR`)."""
    if value == MFA_ALIAS:
        return MFA_ACR
    if isinstance(value, str) and value:
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str) and v)
    return ()


def asked_levels(req: Redirect) -> list[str]:
    """The acr values a request asks for, through claims then acr_values."""
    return requested_acr(req)[0] + (req.one("acr_values") or "").split()


def asks_for_mfa(values: Iterable[str]) -> bool:
    """A request for multi-factor authentication: an -mfa level or a withdrawn 2FA URI among the asked values."""
    return any(v in ("eidas0-mfa", "eidas1-mfa") or v in LEGACY_MFA_ACR for v in values)


def acr_request_problems(req: Redirect, acr_required: str | tuple[str, ...]) -> list[str]:
    """Every required level is asked for (claims with essential, or acr_values); no withdrawn 2FA value is asked
    for (since 2026-06-04 a broker asking for them never gets ProConnect's e-mail OTP level eidas1-mfa)."""
    required = (acr_required,) if isinstance(acr_required, str) else acr_required
    values, essential, problems = requested_acr(req)
    via_values = (req.one("acr_values") or "").split()
    asked = values or via_values
    legacy = [v for v in asked if v in LEGACY_MFA_ACR]
    if legacy:
        problems.append(f"valeurs acr retirées le 2026-06-04 demandées : {', '.join(legacy)} (à demander pour la "
                        f"double authentification : {', '.join(MFA_ACR)})")
    missing = [level for level in required if level not in values and level not in via_values]
    if missing:
        problems.append(f"niveau(x) requis non demandé(s) : {', '.join(missing)}"
                        + (f" (demandé : {', '.join(asked)})" if asked else " (ni claims ni acr_values)"))
    elif any(level in values for level in required) and not essential:
        problems.append("acr demandé par claims sans essential: true")
    return problems


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def hint_problems(req: Redirect) -> list[str]:
    """The optional hints, when sent, are what ProConnect reads (authorize DTO of the federation, EP
    idp_hint_usage / login_hint_usage / siret_hint_usage): login_hint an e-mail address, siret_hint a SIRET of
    14 digits, idp_hint an idp_id (a non-empty ASCII string without spaces)."""
    problems = []
    login_hint, siret_hint, idp_hint = req.one("login_hint"), req.one("siret_hint"), req.one("idp_hint")
    if login_hint is not None and not _EMAIL.match(login_hint):
        problems.append(f"login_hint {login_hint!r} n'est pas une adresse électronique")
    if siret_hint is not None and not re.fullmatch(r"[0-9]{14}", siret_hint):
        problems.append(f"siret_hint {siret_hint!r} n'est pas un SIRET de 14 chiffres")
    if idp_hint is not None and not re.fullmatch(r"[\x21-\x7e]+", idp_hint):
        problems.append(f"idp_hint {idp_hint!r} n'est pas un idp_id (chaîne ASCII non vide, sans espace)")
    return problems


HINTS = ("idp_hint", "login_hint", "siret_hint")


def acr_via_claims_problems(req: Redirect) -> list[str]:
    if req.one("acr_values") is not None:
        return [f"niveau demandé par acr_values={req.one('acr_values')!r} plutôt que par le paramètre claims"]
    return []


def pkce_problems(req: Redirect, required: bool) -> list[str]:
    challenge = req.one("code_challenge")
    method = req.one("code_challenge_method")
    if challenge is None:
        if method is not None:
            return ["code_challenge_method sans code_challenge"]
        return ["PKCE absent alors que la cible le déclare requis (option pkce_required)"] if required else []
    problems = []
    if method != "S256":
        problems.append(f"code_challenge_method={method!r} (ProConnect : S256 seulement ; absent veut dire plain)")
    if not 43 <= len(challenge) <= 128 or _b64_len(challenge) != 32:
        problems.append(f"code_challenge de {len(challenge)} caractères : pas un SHA-256 en base64url (RFC 7636 §4.2)")
    return problems


def extra_param_problems(req: Redirect) -> list[str]:
    extra = sorted(set(req.params) - DOCUMENTED_AUTH_PARAMS)
    problems = [f"paramètres hors de la liste documentée : {', '.join(extra)}"] if extra else []
    dup = req.duplicated()
    if dup:
        problems.append(f"paramètres répétés : {', '.join(dup)}")
    return problems


def same_endpoint(url: str, endpoint: str) -> bool:
    """True when ``url`` (query ignored) is ``endpoint`` (scheme and host compared case-insensitively)."""
    a, b = urlsplit(url), urlsplit(endpoint)
    return (a.scheme.lower(), (a.netloc or "").lower(), a.path) == (b.scheme.lower(), (b.netloc or "").lower(), b.path)
