"""The command line: exit statuses, messages and listings."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cicclo import __version__ as cicclo_version
from cicclo import cli
from cicclo.catalogue import CATALOGUE_PATH
from tests.conftest import ROOT, write_target
from tests.servers import free_port_with_nothing_listening, serve
from tests.test_report_html import fake_ogc_api

DISCOVERY = ("-k", "test_core_discovery")  # the discovery tests only: fast and enough to decide a status


def cicclo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cicclo", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180, check=False)


@pytest.fixture(scope="module")
def failing_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A target on the fake OGC API server, whose landing page lacks a link (a MUST-level FAIL)."""
    with serve(fake_ogc_api) as (url, _):
        yield write_target(tmp_path_factory.mktemp("fausse"), "fausse-api", url)


@pytest.fixture(scope="module")
def silent_target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A target where nothing listens: every decided test is ERROR, none FAIL."""
    url = f"http://127.0.0.1:{free_port_with_nothing_listening()}/"
    return write_target(tmp_path_factory.mktemp("muette"), "muette", url)


# -- configuration errors: exit status 2, before anything runs -------------------------------------------

def test_bad_target_file_exits_4_naming_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "mauvaise.yaml"
    bad.write_text("id: mauvaise\nname: x\nservices:\n  oapif:\n    url: 12\n", encoding="utf-8")
    proc = cicclo("run", "--target", "local", "--target", str(bad))
    assert proc.returncode == 4
    assert f"{bad}:5: champ services.oapif.url" in proc.stderr
    assert "== cible" not in proc.stdout  # validated before the first target ran


def test_unknown_target_or_suite_exits_4() -> None:
    proc = cicclo("run", "--target", "inexistante")
    assert proc.returncode == 4 and "cible inconnue" in proc.stderr
    proc = cicclo("run", "--suite", "wms")
    assert proc.returncode == 4 and "suite inconnue : wms" in proc.stderr


@pytest.mark.parametrize(("names", "folders"), [
    ([], ["suites/oapif", "suites/metadata", "suites/proconnect"]),
    (["metadata"], ["suites/metadata"]),  # the four parts of the metadata suite
    (["csw", "dcat"], ["suites/metadata/csw", "suites/metadata/dcat"]),
    (["csw", "metadata", "csw"], ["suites/metadata"]),  # a part asked with its whole suite runs once
])
def test_suite_names_select_folders(names: list[str], folders: list[str], tmp_path: Path) -> None:
    args = cli._parser().parse_args(["run", *(f"--suite={n}" for n in names)])
    command = cli._pytest_command(args, "local", tmp_path)
    assert command[command.index("no:cacheprovider") + 1:command.index("--target")] == [
        str(cli.SUITES_DIR.parent / f) for f in folders]


def test_missing_secret_exits_4_before_running(tmp_path: Path) -> None:
    target = write_target(tmp_path, "secrete", "http://127.0.0.1:9/",
                          auth={"type": "bearer", "env": "CICCLO_TEST_ABSENT_TOKEN"})
    proc = cicclo("run", "--target", str(target))
    assert proc.returncode == 4 and "CICCLO_TEST_ABSENT_TOKEN" in proc.stderr
    assert "== cible" not in proc.stdout


def test_bad_budget_is_a_usage_error() -> None:
    proc = cicclo("run", "--max-pages", "0")
    assert proc.returncode == 4 and "entier positif attendu" in proc.stderr


def test_pytest_usage_error_keeps_pytest_status_4(failing_target: Path, tmp_path: Path) -> None:
    proc = cicclo("run", "--target", str(failing_target), "--out", str(tmp_path), "-k", "(")
    assert proc.returncode == 4


def test_nothing_selected_keeps_pytest_status_5(failing_target: Path, tmp_path: Path) -> None:
    proc = cicclo("run", "--target", str(failing_target), "--out", str(tmp_path), "-k", "aucun_test_ainsi")
    assert proc.returncode == 5 and "aucun test sélectionné" in proc.stderr


# -- run: statuses, progress and report paths ------------------------------------------------------------

def test_run_with_a_must_failure_exits_1_and_prints_report_paths(failing_target: Path, tmp_path: Path) -> None:
    proc = cicclo("run", "--target", str(failing_target), "--out", str(tmp_path), *DISCOVERY)
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert "test_root_success OAPIF-CORE-004 FAIL" in proc.stdout  # progress names each ID and status
    for name in ("results.json", "junit.xml", "report.html"):
        assert f"  {tmp_path / name}\n" in proc.stdout
        assert (tmp_path / name).is_file()


def test_profile_run_says_whether_the_profile_is_met(failing_target: Path, tmp_path: Path) -> None:
    proc = cicclo("run", "--target", str(failing_target), "--out", str(tmp_path), "--profile", "oapif-socle")
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert "Profil oapif-socle version 2.0 : NON ATTEINT" in proc.stdout
    profile = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["run"]["profile"]
    assert profile["name"] == "oapif-socle" and not profile["met"] and "OAPIF-CORE-004" in profile["failing"]


def test_run_with_errors_only_exits_6(silent_target: Path, tmp_path: Path) -> None:
    proc = cicclo("run", "--target", str(silent_target), "--out", str(tmp_path), *DISCOVERY)
    assert proc.returncode == 6, proc.stdout[-2000:]
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert "ERROR" in {r["status"] for r in results["results"]}


def test_run_reports_not_tested_for_an_undocumented_service(tmp_path: Path) -> None:
    proc = cicclo("run", "--target", "prodige", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert str(tmp_path / "report.html") in proc.stdout
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    # undocumented services are NOT_TESTED; the identity-provider checks do not apply to a platform that
    # declares no identity provider of its own
    by_status = {r["status"] for r in results["results"] if not r["test_id"].startswith("PC-OP-")}
    assert by_status == {"NOT_TESTED"}
    assert {r["status"] for r in results["results"] if r["test_id"].startswith("PC-OP-")} == {"NOT_APPLICABLE"}


def test_several_targets_each_get_a_folder_and_the_worst_status_wins(
        failing_target: Path, silent_target: Path, tmp_path: Path) -> None:
    proc = cicclo("run", "--target", str(silent_target), "--target", "prodige", "--out", str(tmp_path), *DISCOVERY)
    assert proc.returncode == 6
    assert (tmp_path / "muette" / "results.json").is_file() and (tmp_path / "prodige" / "results.json").is_file()
    proc = cicclo("run", "--target", str(silent_target), "--target", str(failing_target), "--out", str(tmp_path),
                  *DISCOVERY)
    assert proc.returncode == 1


def test_worst_status_order() -> None:
    assert max([0, 6, 1], key=lambda s: cli.SEVERITY[s]) == 1
    assert max([0, 6], key=lambda s: cli.SEVERITY[s]) == 6
    assert max([1, 4], key=lambda s: cli.SEVERITY[s]) == 4
    assert max([4, 3], key=lambda s: cli.SEVERITY[s]) == 3


def test_default_output_folder_and_latest_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the default folder is under the user's current folder
    first = cli._out_dir(None, "cible", several=False)
    assert first.parent == tmp_path / "reports" / "cible" and first.name.endswith("Z")
    for run in ("20250101T000000Z", "20250102T000000Z"):
        (first.parent / run).mkdir(parents=True)
        cli._link_latest(first.parent / run, "cible")
    assert (tmp_path / "reports" / "cible" / "latest").resolve() == first.parent / "20250102T000000Z"
    outside = tmp_path / "ailleurs"
    cli._link_latest(outside, "autre")
    assert not (tmp_path / "reports" / "autre" / "latest").exists()


# -- targets ---------------------------------------------------------------------------------------------

def test_targets_lists_and_validates_every_file() -> None:
    proc = cicclo("targets")
    assert proc.returncode == 0, proc.stderr
    for path in sorted((ROOT / "targets").glob("*.yaml")):
        assert path.stem in proc.stdout
    assert "intégré (reference)" in proc.stdout
    assert "non documenté" in proc.stdout


def test_targets_reports_an_invalid_file_with_status_2(tmp_path: Path) -> None:
    bad = tmp_path / "mauvaise.yaml"
    bad.write_text("id: mauvaise\nname: x\nservices:\n  oapif:\n    adresse: http://x/\n", encoding="utf-8")
    proc = cicclo("targets", "local", str(bad))
    assert proc.returncode == 4
    assert f"{bad}:5: champ services.oapif.adresse" in proc.stderr
    assert "local" in proc.stdout


# -- catalogue -------------------------------------------------------------------------------------------

def test_catalogue_lists_one_line_per_id_with_level_class_and_requirements() -> None:
    proc = cicclo("catalogue")
    assert proc.returncode == 0
    line = next(x for x in proc.stdout.splitlines() if x.startswith("OAPIF-CORE-017 "))
    assert " DOIT " in line and " CORE " in line
    assert line.endswith("http://www.opengis.net/spec/ogcapi-features-1/1.0/req/core/fc-op")


def test_catalogue_check_accepts_the_committed_file() -> None:
    proc = cicclo("catalogue", "--check")
    assert proc.returncode == 0, proc.stderr


def test_catalogue_check_detects_a_stale_copy(tmp_path: Path) -> None:
    copy = tmp_path / "catalogue.yaml"
    copy.write_text(CATALOGUE_PATH.read_text(encoding="utf-8") + "# modifié à la main\n", encoding="utf-8")
    proc = cicclo("catalogue", "--check", "--file", str(copy))
    assert proc.returncode == 1 and "n'est plus à jour" in proc.stderr


def test_catalogue_check_detects_a_disappeared_id(tmp_path: Path) -> None:
    import yaml

    doc = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    ghost = {**doc["tests"][0], "id": "OAPIF-CORE-990"}
    doc["tests"].append(ghost)
    copy = tmp_path / "catalogue.yaml"
    copy.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    proc = cicclo("catalogue", "--check", "--file", str(copy))
    assert proc.returncode == 1 and "OAPIF-CORE-990" in proc.stderr


def test_catalogue_write_then_check_on_a_new_file(tmp_path: Path) -> None:
    copy = tmp_path / "catalogue.yaml"
    assert cicclo("catalogue", "--check", "--file", str(copy)).returncode == 1
    assert cicclo("catalogue", "--write", "--file", str(copy)).returncode == 0
    assert cicclo("catalogue", "--check", "--file", str(copy)).returncode == 0


# -- the command line itself: version, French help and errors, defaults ----------------------------------

def test_version_is_the_package_version() -> None:
    proc = cicclo("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"cicclo {cicclo_version}"


def test_help_is_in_french_and_shows_defaults() -> None:
    text = cicclo("--help").stdout + cicclo("run", "--help").stdout + cicclo("catalogue", "--help").stdout
    for english in ("usage:", "positional arguments", "show this help", "default:", "show program"):
        assert english not in text
    assert text.startswith("usage : cicclo") and "Statuts de sortie" in text
    assert "(défaut : text)" in text  # catalogue --format


def test_argument_errors_are_in_french_with_the_usage_status() -> None:
    proc = cicclo("run", "--inconnue")
    assert proc.returncode == 4 and "cicclo : erreur : arguments non reconnus : --inconnue" in proc.stderr
    proc = cicclo("catalogue", "--format", "pdf")
    assert proc.returncode == 4 and "choix invalide : 'pdf'" in proc.stderr
    assert "usage : cicclo catalogue" in proc.stderr
    proc = cicclo("nimporte")
    assert proc.returncode == 4 and "choix invalide" in proc.stderr and "invalid choice" not in proc.stderr
