"""Secrets never reach an output: by name (headers, query, JSON) and by known value."""

from __future__ import annotations

import shlex

from cicclo.http import EvidenceStore, Exchange
from cicclo.redact import MASK, Redactor

SECRET = "s3cr3t-valeur-XYZ"


def test_sensitive_headers_are_masked() -> None:
    red = Redactor()
    masked = dict(red.headers({"Authorization": "Bearer abc", "Cookie": "a=b", "X-Api-Key": "k",
                               "Accept": "application/json"}))
    assert masked["Authorization"] == masked["Cookie"] == masked["X-Api-Key"] == MASK
    assert masked["Accept"] == "application/json"


def test_query_strings_and_userinfo_are_masked() -> None:
    url = Redactor().url("https://user:pw@h.example/items?apikey=abc&token=def&limit=10")
    assert "abc" not in url and "def" not in url and "pw" not in url and "limit=10" in url


def test_nested_json_keys_are_masked() -> None:
    doc = Redactor().json({"a": [{"access_token": "t1", "client_secret": "t2", "name": "ok"}]})
    assert doc == {"a": [{"access_token": MASK, "client_secret": MASK, "name": "ok"}]}


def test_known_secret_values_are_masked_anywhere() -> None:
    red = Redactor({"CIBLE_CLE": SECRET})
    assert SECRET not in red.text(f'{{"href": "https://h/x?k={SECRET}"}}')
    assert SECRET not in red.url(f"https://h/x?q={SECRET}")


def test_curl_line_refers_to_the_variable_not_the_secret() -> None:
    red = Redactor({"CIBLE_CLE": SECRET})
    ex = Exchange(ref="evidence/000001.json", method="GET", url=f"https://h/x?apikey={SECRET}",
                  request_headers=[("Authorization", f"Bearer {SECRET}")])
    line = EvidenceStore(None, red).curl(ex)
    assert SECRET not in line
    assert "${CIBLE_CLE}" in line
    assert shlex.split(line)[0] == "curl"
