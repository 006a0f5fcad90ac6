"""Redaction of secrets before anything is written: headers, query strings, JSON and known values."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"

SENSITIVE_NAME = re.compile(
    r"(authorization|cookie|token|secret|password|passwd|api[-_]?key|apikey|access[-_]?key|"
    r"client[-_]?assertion|session|credential|signature|\bkey\b|^key$|_key$|-key$)",
    re.IGNORECASE,
)
BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}")
# a compact JWS/JWE (JSON header base64url-encoded, so starting with "eyJ"): tokens are never kept in clear
JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_.-]*")


def is_sensitive_name(name: str) -> bool:
    return bool(SENSITIVE_NAME.search(name))


class Redactor:
    """Masks secrets: by the name of a header, query parameter or JSON key, and by known secret values.

    Known values are those of the environment variables a target names; they are replaced wherever they
    appear, so a server that echoes an API key in its links does not leak it either.
    """

    def __init__(self, secrets: Mapping[str, str] | None = None) -> None:
        # env var name -> value; very short values would mask innocent text, so they are refused upstream
        self.secrets = {name: value for name, value in (secrets or {}).items() if value}

    def text(self, text: str) -> str:
        for name, value in self.secrets.items():
            if value in text:
                text = text.replace(value, f"<secret:{name}>")
        text = JWT.sub("<jeton JWT masqué>", text)
        return BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            if any(is_sensitive_name(k) for k, _ in pairs):
                query = urlencode([(k, MASK if is_sensitive_name(k) else v) for k, v in pairs], safe=",:/")
        return self.text(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))

    def headers(self, headers: Mapping[str, str] | list[tuple[str, str]]) -> list[tuple[str, str]]:
        items = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
        return [(k, MASK if is_sensitive_name(k) else self.text(v)) for k, v in items]

    def json(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: MASK if is_sensitive_name(str(k)) else self.json(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def for_shell(self, text: str) -> str:
        """Replace known secret values by a shell reference to their environment variable."""
        for name, value in self.secrets.items():
            text = text.replace(value, "${" + name + "}")
        return text
