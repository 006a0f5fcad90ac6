"""Profiles cannot be met by declaring less: a required class that the target stops declaring fails the profile,
and ``cicclo diff`` calls it a regression — proven on the reference pygeoapi behind a proxy that hides GeoJSON."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cicclo.diff import Campaign, diff, render_text
from cicclo.profiles import UNDECLARED_FR, Profile, load_profiles, profile_state, verdict_lines
from cicclo.reference import ReferencePlatform
from tests.conftest import ROOT, write_target
from tests.faults.proxy import Defect, Exchange, FaultProxy

OAPIF = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
GEOJSON = OAPIF + "geojson"
HTML = OAPIF + "html"


def _hide_geojson(ex: Exchange) -> None:
    if ex.path == "conformance" and ex.status == 200 and ex.is_json:
        doc = ex.json()
        doc["conformsTo"] = [c for c in doc["conformsTo"] if not c.endswith("/conf/geojson")]
        ex.set_json(doc)


def test_a_required_class_not_declared_fails_the_profile_whatever_the_tests_say() -> None:
    profile = Profile("p", "1.0", "profil", ("A", "B"), (OAPIF + "core", GEOJSON), {"max_features": 20})
    statuses = {"A": "PASS", "B": "NOT_APPLICABLE"}
    declared = profile.verdict(statuses, {OAPIF + "core": True, GEOJSON: True}, {"max_features": 20})
    hidden = profile.verdict(statuses, {OAPIF + "core": True, GEOJSON: False}, {"max_features": 20})
    assert profile_state(declared) == "ATTEINT"
    assert profile_state(hidden) == "NON ATTEINT" and hidden["undeclared"] == [GEOJSON]
    assert f"{UNDECLARED_FR} : {GEOJSON}" in verdict_lines(hidden)
    unchecked = profile.verdict(statuses, {OAPIF + "core": True}, {"max_features": 20})
    assert profile_state(unchecked) == "INCOMPLET" and unchecked["unverified"] == [GEOJSON]


def test_a_run_with_other_budgets_is_no_profile_run() -> None:
    profile = Profile("p", "1.0", "profil", ("A",), (), {"max_features": 20, "max_pages": None})
    verdict = profile.verdict({"A": "PASS"}, {}, {"max_features": 3, "max_pages": None})
    assert not verdict["profile_run"] and verdict["budget_differences"] == ["max_features : 3 au lieu de 20"]
    assert profile_state(verdict) == "ATTEINT (campagne hors profil : autres budgets)"


def test_every_class_of_a_profile_test_is_required_by_the_profile() -> None:
    """Otherwise the profile could be met by not declaring that class."""
    import yaml

    catalogue = {t["id"]: t for t in yaml.safe_load((ROOT / "suites" / "catalogue.yaml").read_text())["tests"]}
    for profile in load_profiles().values():
        classes = {catalogue[t]["conformance_class"] for t in profile.tests}
        assert classes == set(profile.classes), (profile.name, classes ^ set(profile.classes))


def _campaign(statuses: dict[str, str], classes: dict[str, bool | None], date: str) -> Campaign:
    test_classes = {"OAPIF-GEOJSON-001": GEOJSON, "OAPIF-HTML-001": HTML}
    return Campaign("cible", date, "results.json", "", statuses, test_classes, classes)


def test_declaring_less_is_a_regression_of_every_profile_requiring_the_class() -> None:
    before = _campaign({"OAPIF-GEOJSON-001": "FAIL", "OAPIF-HTML-001": "FAIL"}, {GEOJSON: True, HTML: True}, "1")
    after = _campaign({"OAPIF-GEOJSON-001": "NOT_APPLICABLE", "OAPIF-HTML-001": "NOT_APPLICABLE"},
                      {GEOJSON: False, HTML: False}, "2")
    result = diff({"cible": before}, {"cible": after})
    target = result["targets"]["cible"]
    assert target["regressed"] == ["OAPIF-GEOJSON-001"] and target["improved"] == []
    assert target["classes_lost"][0] == {"class": GEOJSON, "profiles": ["oapif-socle", "oapif-donnees"]}
    assert result["regressions"] == 2  # the class, and its test turned NOT_APPLICABLE
    text = render_text(result)
    assert f"la classe requise {GEOJSON} n'est plus déclarée (profils oapif-socle, oapif-donnees)" in text
    assert f"retrait cible : la classe {HTML} n'est plus déclarée" in text  # no profile requires HTML
    assert (f"RÉGRESSION cible OAPIF-GEOJSON-001 : FAIL → NOT_APPLICABLE (classe {GEOJSON}, requise par les "
            "profils oapif-socle, oapif-donnees)") in text
    assert "changement cible OAPIF-HTML-001 : FAIL → NOT_APPLICABLE" in text


@pytest.fixture(scope="module")
def hiding_proxy(reference: ReferencePlatform) -> Iterator[FaultProxy]:
    assert reference.url
    proxy = FaultProxy(reference.url, {"none": Defect("none"), "sans-geojson": Defect("sans-geojson",
                                                                                        after=_hide_geojson)})
    proxy.start()
    yield proxy
    proxy.stop()


def _profile_run(proxy: FaultProxy, defect: str, tmp: Path) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    (tmp / "cibles" / defect).mkdir(parents=True)
    target = write_target(tmp / "cibles" / defect, "plateforme", proxy.base(defect))
    proc = subprocess.run([sys.executable, "-m", "cicclo", "run", "--target", str(target), "--suite", "oapif",
                           "--profile", "oapif-socle", "--out", str(tmp / defect)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    results = json.loads((tmp / defect / "results.json").read_text(encoding="utf-8"))
    return proc.returncode, results, proc.stdout + proc.stderr


def test_a_server_hiding_geojson_fails_the_profile_and_diff_names_the_class(hiding_proxy: FaultProxy,
                                                                             tmp_path: Path) -> None:
    _, before, _ = _profile_run(hiding_proxy, "none", tmp_path)
    _, after, output = _profile_run(hiding_proxy, "sans-geojson", tmp_path)
    assert before["run"]["classes"][GEOJSON]["declared"] is True
    assert after["run"]["classes"][GEOJSON] == {"declared": False,
                                                "reason": f"la cible ne déclare pas {GEOJSON} dans /conformance"}
    assert after["run"]["profile"]["undeclared"] == [GEOJSON] and not after["run"]["profile"]["met"]
    assert after["run"]["profile"]["profile_run"]  # the profile's own budgets were used
    assert f"{UNDECLARED_FR} : {GEOJSON}" in output
    statuses = {r["test_id"]: r["status"] for r in after["results"]}
    assert statuses["OAPIF-GEOJSON-001"] == "NOT_APPLICABLE"
    # the same target, before and after it stopped declaring GeoJSON
    proc = subprocess.run([sys.executable, "-m", "cicclo", "diff", str(tmp_path / "none"),
                           str(tmp_path / "sans-geojson")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"la classe requise {GEOJSON} n'est plus déclarée" in proc.stdout
    assert "comparé : plateforme, campagne du " in proc.stdout


def test_a_profile_run_with_other_budgets_is_marked_as_no_profile_run(hiding_proxy: FaultProxy,
                                                                       tmp_path: Path) -> None:
    target = write_target(tmp_path, "plateforme", hiding_proxy.base("none"))
    proc = subprocess.run([sys.executable, "-m", "cicclo", "run", "--target", str(target), "--suite", "oapif",
                           "--profile", "oapif-socle", "--max-features", "3", "-k", "test_root_op",
                           "--out", str(tmp_path / "out")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    profile = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))["run"]["profile"]
    assert not profile["profile_run"] and profile["budget_differences"] == ["max_features : 3 au lieu de 20"]
    assert "(campagne hors profil : autres budgets)" in proc.stdout
    assert "budgets différents de ceux du profil : max_features : 3 au lieu de 20" in proc.stdout
