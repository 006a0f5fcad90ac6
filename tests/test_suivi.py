"""Deployment tracking from the committed example publications (tests/examples/suivi/, made by
scripts/make_examples.py): figures per date and family, history per platform, JSON against its schema,
CSV, and the page's inline-SVG time series in headless Chromium with no network."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from cicclo.matrix import MatrixError
from cicclo.suivi import build, load_publication, to_csv, write
from tests.conftest import ROOT

PUBLICATIONS = sorted((ROOT / "tests" / "examples" / "suivi").iterdir())
DATES = ["2025-03-25", "2025-07-09", "2025-12-01"]


def _suivi() -> dict:  # type: ignore[type-arg]
    return build([load_publication(p) for p in reversed(PUBLICATIONS)])  # any order: sorted by date


def test_figures_per_publication_and_family() -> None:
    suivi = _suivi()
    assert [p["date"] for p in suivi["publications"]] == DATES
    figures = {(p["date"], k): (p["platforms"], f["declared"], f["deployed"], f["profile_met"])
               for p in suivi["publications"] for k, f in p["families"].items()}
    assert [figures[(d, "oapif")] for d in DATES] == [(2, 2, 2, 1), (3, 3, 2, 1), (3, 3, 3, 2)]
    assert [figures[(d, "proconnect")] for d in DATES] == [(2, 0, 0, 0), (3, 2, 2, 1), (3, 2, 2, 1)]


def test_history_per_platform_says_deployed_and_the_profile_state() -> None:
    platforms = _suivi()["platforms"]
    e = [h["families"]["oapif"] for h in platforms["exemple-e"]["history"]]
    assert [h["state"] for h in e] == ["déclaré, sans réponse", "déployé"]  # declared, silent, then answering
    b = [h["families"]["oapif"] for h in platforms["exemple-b"]["history"]]
    assert [h["profile_met"] for h in b] == [True, True, False]
    assert b[2]["profile_state"] == "NON ATTEINT"  # it stopped declaring GeoJSON
    a = [h["families"]["proconnect"] for h in platforms["exemple-a"]["history"]]
    assert [h["state"] for h in a] == ["non déclaré", "déployé", "déployé"]


def test_json_validates_against_its_schema_and_csv_has_the_aggregates(tmp_path: Path) -> None:
    suivi = _suivi()
    write(suivi, tmp_path)
    schema = json.loads((ROOT / "schemas" / "suivi.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(json.loads((tmp_path / "suivi.json").read_text("utf-8")))
    rows = list(csv.DictReader(io.StringIO(to_csv(suivi))))
    assert len(rows) == 3 * 3
    last = next(r for r in rows if r["date"] == "2025-12-01" and r["famille"] == "oapif")
    assert (last["deployant"], last["atteignant_le_profil"], last["profil"]) == ("3", "2", "oapif-socle")


def test_undated_or_same_date_publications_are_refused(tmp_path: Path) -> None:
    doc = json.loads((PUBLICATIONS[0] / "matrix.json").read_text(encoding="utf-8"))
    del doc["published_at"]
    (tmp_path / "matrix.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(MatrixError, match="non datée"):
        load_publication(tmp_path)
    with pytest.raises(MatrixError, match="même date"):
        build([load_publication(PUBLICATIONS[0]), load_publication(PUBLICATIONS[0])])


def test_cli_writes_the_three_outputs(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "cicclo", "suivi", *map(str, PUBLICATIONS), "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "2025-12-01 : 3 plateformes — 3 déploient OGC API Features (2 atteignent oapif-socle)" in proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["suivi.csv", "suivi.html", "suivi.json"]


def test_page_shows_the_time_series_in_headless_chromium_without_network(tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("chromium absent (installé par scripts/setup.sh)")
    write(_suivi(), tmp_path)
    page = (tmp_path / "suivi.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<link" not in page and "http" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")  # self-contained: nothing to fetch
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", f"--user-data-dir={tmp_path / 'p'}",
         "--proxy-server=127.0.0.1:9", "--virtual-time-budget=3000", "--dump-dom", (tmp_path / "suivi.html").as_uri()],
        capture_output=True, text=True, timeout=120, check=False).stdout
    assert "3 plateforme(s) sur 3 déploient OGC API Features, 2 atteignent le profil oapif-socle" in dom
    assert "2 plateforme(s) sur 3 déploient ProConnect, 1 atteignent le profil proconnect-fournisseur-service" in dom
    chart = re.search(r'<svg[^>]*id="graphique-oapif".*?</svg>', dom, re.S)
    assert chart, dom[:2000]
    for serie in ("deployed", "profile_met"):
        points = re.search(rf'class="serie-{serie}"[^>]*points="([^"]+)"', chart.group(0))
        assert points and len(points.group(1).split()) == 3  # one point per publication
    assert all(d in chart.group(0) for d in DATES)
    assert 'data-plateforme="exemple-e"' in dom and "déclaré, sans réponse" in dom
