"""Redaction of secrets before anything is written: headers, query strings, userinfo, JSON and known values.

Redaction is by construction: every text that reaches an output goes through ``Redactor.text``, which masks
known secret values in every encoding they are sent in (raw, percent-encoded, form-encoded, HTML-escaped,
JSON-escaped, base64), the userinfo of any URL and the value of any credential query parameter, in raw and
percent-encoded URLs alike.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

MASK = "***"

SENSITIVE_NAME = re.compile(
    r"(authorization|cookie|token|secret|password|passwd|pwd|api[-_]?key|apikey|access[-_]?key|"
    r"client[-_]?assertion|session|credential|signature|^sig$|^auth$|\bkey\b|^key$|_key$|-key$)",
    re.IGNORECASE,
)
# query parameters that carry credentials, masked wherever a URL appears in a text (case-insensitive)
CREDENTIAL_PARAMS = ("apikey", "api_key", "api-key", "key", "token", "access_token", "id_token", "refresh_token",
                     "password", "passwd", "pwd", "secret", "client_secret", "signature", "sig", "auth",
                     "x-amz-signature", "x-goog-signature", "code_verifier", "session", "sessionid", "jwt")
BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}")
# a compact JWS/JWE (JSON header base64url-encoded, so starting with "eyJ"): tokens are never kept in clear
JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_.-]*")
# "scheme://user:password@host" in any text, raw or percent-encoded ("%3A%2F%2F", "%40")
USERINFO = re.compile(r"(?i)((?:https?|ftp)(?::|%3A)(?://|%2F%2F))[^\s/?#\"'<>]+(@|%40)")
# what every pattern above and the credential parameters need to match at all: a text without any of these
# (most strings of a JSON document) is returned as it is, without running the patterns
MAY_HOLD_CREDENTIALS = re.compile(r"[@?&;%]|eyJ|bearer|basic", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def is_sensitive_name(name: str) -> bool:
    return bool(SENSITIVE_NAME.search(name))


def encodings(value: str) -> set[str]:
    """The forms a value takes once sent or written: raw, percent- and form-encoded, HTML- and JSON-escaped,
    base64 (Basic authentication)."""
    forms = {value, quote(value, safe=""), quote(value), quote_plus(value), quote(value, safe="/:@"),
             json.dumps(value)[1:-1], base64.b64encode(value.encode()).decode().rstrip("=")}
    forms |= {html.escape(f) for f in forms} | {html.escape(f, quote=False) for f in forms}
    return {f for f in forms if f}


class Redactor:
    """Masks secrets: by the name of a header, query parameter or JSON key, and by known secret values.

    Known values are those of the environment variables a target names; they are replaced wherever they
    appear, in every encoding, so a server that echoes an API key in its links does not leak it either.
    """

    def __init__(self, secrets: Mapping[str, str] | None = None, credential_params: Iterable[str] = ()) -> None:
        # env var name -> value; very short values would mask innocent text, so they are refused upstream
        # secrets met during the run (session cookies, codes) are added to this dict by the families
        self.secrets = {name: value for name, value in (secrets or {}).items() if value}
        self._known: re.Pattern[str] | None = None
        self._form_names: dict[str, str] = {}
        self._compiled_for = -1
        names = sorted({*CREDENTIAL_PARAMS, *(n.lower() for n in credential_params)}, key=len, reverse=True)
        alternatives = "|".join(re.escape(n) for n in names)
        # a parameter is preceded by ? & ; (raw, percent-encoded or HTML-escaped) and followed by = or %3D
        self._param = re.compile(
            rf"(?i)((?:[?&;]|%3F|%26|&amp;|%253F|%2526)(?:{alternatives})(?:=|%3D|%253D))(?!\$\{{|<secret:|\*\*\*)[^&#\s\"'<>]*")
        self._param_names = set(names)

    def _known_values(self) -> re.Pattern[str] | None:
        """One pattern for every form of every known secret, rebuilt when secrets were added."""
        if self._compiled_for != len(self.secrets):
            forms = sorted(((form, name) for name, value in self.secrets.items() if value
                            for form in encodings(value)), key=lambda p: -len(p[0]))
            self._form_names = {form.lower(): name for form, name in reversed(forms)}
            self._known = re.compile("|".join(re.escape(f) for f, _ in forms), re.IGNORECASE) if forms else None
            self._compiled_for = len(self.secrets)
        return self._known

    def text(self, text: str) -> str:
        known = self._known_values()
        if known is not None:
            text = known.sub(lambda m: f"<secret:{self._form_names.get(m.group(0).lower(), '?')}>", text)
        if not MAY_HOLD_CREDENTIALS.search(text):
            return text
        text = USERINFO.sub(lambda m: f"{m.group(1)}{MASK}{m.group(2)}", text)
        text = self._param.sub(lambda m: f"{m.group(1)}{MASK}", text)
        text = JWT.sub("<jeton JWT masqué>", text)
        return BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)

    def is_credential_param(self, name: str) -> bool:
        return name.lower() in self._param_names or is_sensitive_name(name)

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            if any(self.is_credential_param(k) for k, _ in pairs):
                query = urlencode([(k, MASK if self.is_credential_param(k) else v) for k, v in pairs],
                                  safe=",:/*")
        return self.text(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))

    def headers(self, headers: Mapping[str, str] | list[tuple[str, str]]) -> list[tuple[str, str]]:
        items = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
        return [(k, MASK if is_sensitive_name(k) else self.text(v)) for k, v in items]

    def json(self, value: Any) -> Any:
        """A redacted copy of a JSON value, built iteratively (any depth)."""
        root: list[Any] = [None]
        stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]  # (source, container to fill, key in it)
        while stack:
            source, container, key = stack.pop()
            if isinstance(source, dict):
                copy: dict[Any, Any] = {}
                container[key] = copy
                for k, v in source.items():
                    if is_sensitive_name(str(k)):
                        copy[k] = MASK
                    else:
                        copy[k] = None
                        stack.append((v, copy, k))
            elif isinstance(source, list):
                items: list[Any] = [None] * len(source)
                container[key] = items
                stack.extend((v, items, i) for i, v in enumerate(source))
            elif isinstance(source, str):
                container[key] = self.text(source)
            else:
                container[key] = source
        return root[0]

    def for_shell(self, text: str) -> str:
        """Replace known secret values by a shell reference to their environment variable."""
        for name, value in self.secrets.items():
            text = text.replace(value, "${" + name + "}")
        return text
