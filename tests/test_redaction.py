"""Secrets never reach an output: by name (headers, query, JSON) and by known value."""

from __future__ import annotations

import json
import shlex

import pytest

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


AWKWARD = "a/b+c=d&e f%g-0123"


def test_a_secret_is_masked_in_every_encoding_it_is_sent_in() -> None:
    from urllib.parse import quote, quote_plus

    import httpx

    red = Redactor({"CIBLE_CLE": AWKWARD})
    sent = str(httpx.URL("https://h/x").copy_merge_params({"k": AWKWARD}))
    for form in (AWKWARD, quote(AWKWARD, safe=""), quote_plus(AWKWARD), sent, sent.replace("&", "&amp;"),
                 quote(sent, safe="")):
        masked = red.text(f"voir {form} ici")
        assert AWKWARD not in masked and quote(AWKWARD, safe="") not in masked and quote_plus(AWKWARD) not in masked
        assert quote(AWKWARD, safe="").lower() not in masked.lower(), (form, masked)


@pytest.mark.parametrize("url", [
    "https://h.example/items?apikey=VALEUR&limit=10",
    "https://h.example/items?limit=10&API_KEY=VALEUR",
    "https://h.example/items?Token=VALEUR",
    "https://h.example/items?sig=VALEUR&x=1",
    "https://h.example/items?access_token=VALEUR",
    "https://h.example/items?X-Amz-Signature=VALEUR",
    "https://h.example/items?password=VALEUR",
    "https://h.example/items?monparam=VALEUR",
    "https://moi:VALEUR@h.example/items",
])
def test_credentials_written_in_a_url_are_masked_in_any_text(url: str) -> None:
    from urllib.parse import quote

    red = Redactor(credential_params=["monparam"])
    for text in (url, quote(url, safe=""), url.replace("&", "&amp;"), f'curl -sS "{url}"', json.dumps({"u": url})):
        assert "VALEUR" not in red.text(text), text
    assert "VALEUR" not in red.url(url)
    assert "limit=10" in red.text(url) if "limit" in url else True


def test_innocent_parameters_are_kept() -> None:
    text = "https://h.example/items?limit=10&bbox=1,2,3,4&keywords=eau&monkey=1"
    assert Redactor().text(text) == text


def test_deep_json_is_redacted_without_recursion() -> None:
    deep: object = {"token": "t"}
    for _ in range(100_000):
        deep = [deep]
    out = Redactor().json(deep)
    for _ in range(100_000):
        out = out[0]  # type: ignore[index]
    assert out == {"token": MASK}


def test_secrets_added_during_the_run_are_masked() -> None:
    red = Redactor({"CIBLE_CLE": SECRET})
    assert red.text("cookie=valeur-de-session-99") == "cookie=valeur-de-session-99"
    red.secrets.setdefault("COOKIE", "valeur-de-session-99")
    assert "valeur-de-session-99" not in red.text("cookie=valeur-de-session-99")
    assert SECRET not in red.text(SECRET)
