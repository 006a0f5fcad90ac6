"""The catalogue's HTML page is citable: one anchor per ID, no raw Markdown, requirement links, level, status,
version introduced and, for a deprecated ID, its replacement linked to its own anchor."""

from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser

from cicclo.catalogue import load_committed
from tests.conftest import ROOT


class _Rows(HTMLParser):
    """The anchors of the page and, per table row with an id, its text and links."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.rows: dict[str, dict[str, list[str]]] = {}
        self._row: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if attr.get("id"):
            self.ids.append(str(attr["id"]))
        if tag == "tr" and attr.get("id"):
            self._row = str(attr["id"])
            self.rows[self._row] = {"text": [], "links": []}
        elif tag == "a" and self._row and attr.get("href"):
            self.rows[self._row]["links"].append(str(attr["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._row:
            self.rows[self._row]["text"].append(data)


def _page() -> tuple[str, _Rows]:
    html = subprocess.run([sys.executable, "-m", "cicclo", "catalogue", "--format", "html"], cwd=ROOT,
                          capture_output=True, text=True, check=True, timeout=120).stdout
    parser = _Rows()
    parser.feed(html)
    return html, parser


def test_one_anchor_per_id_with_its_requirements_level_since_and_status() -> None:
    html, page = _page()
    entries = load_committed()
    assert sorted(i for i in page.ids if i in entries) == sorted(entries)
    assert len(page.ids) == len(set(page.ids))
    for test_id, entry in entries.items():
        row = page.rows[test_id]
        assert f"#{test_id}" in row["links"]
        assert set(entry["requirements"]) <= set(row["links"]), test_id
        text = " ".join(row["text"])
        assert entry["title"] in text and entry["level_fr"] in text and entry["since"] in text, test_id
    assert "`" not in html and "**" not in html  # no raw Markdown


def test_a_deprecated_id_links_to_its_replacement() -> None:
    _, page = _page()
    row = page.rows["MD-SDSI-004"]
    assert "déprécié depuis 0.3.0, remplacé par MD-SDSI-006" in " ".join("".join(row["text"]).split())
    assert "#MD-SDSI-006" in row["links"] and "MD-SDSI-006" in page.ids
