"""The matrix, the diff, profiles, the citable catalogue and the EARL export, from committed example runs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cicclo.catalogue import catalogue_sha256, load_committed
from cicclo.diff import campaigns_of, diff
from cicclo.matrix import MatrixError, build, load_run, write
from cicclo.model import Status
from cicclo.profiles import Profile, profile_state
from cicclo.reporters.earl import to_earl
from cicclo.reporters.matrix_html import render
from tests.conftest import ROOT

EXAMPLES = ROOT / "tests" / "examples"
ALIGNED = ["exemple-a", "exemple-b", "exemple-incomplet"]


def runs(*names: str):  # type: ignore[no-untyped-def]
    return [load_run(EXAMPLES / n) for n in names]


def test_examples_are_aligned_on_the_committed_catalogue() -> None:
    """Regenerate them (scripts/make_examples.py) whenever the catalogue changes."""
    for name in [*ALIGNED, "exemple-b-regression"]:
        assert load_run(EXAMPLES / name).catalogue == catalogue_sha256(), name


def test_cells_and_summaries() -> None:
    matrix = build(runs(*ALIGNED))
    assert [t["column"] for t in matrix["targets"]] == ["exemple-a", "exemple-b", "exemple-d"]
    assert len(matrix["tests"]) == len([e for e in load_committed().values() if e.get("status") == "stable"])
    cell = matrix["cells"]["OAPIF-CORE-022"]
    assert cell["exemple-a"]["status"] == "FAIL" and cell["exemple-b"]["status"] == "PASS"
    assert cell["exemple-a"]["evidence"] and cell["exemple-a"]["evidence"][0]["curl"].startswith("curl ")
    assert matrix["summary"]["per_target"]["exemple-b"]["FAIL"] == 0
    assert matrix["summary"]["per_test_passing"]["OAPIF-CORE-022"] == 1
    geojson = matrix["summary"]["per_class"]["http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"]
    assert geojson["targets_passing"] == 1 and geojson["targets_failing"] == 2 and geojson["targets"] == 3
    assert [t["complete"] for t in matrix["targets"]] == [True, True, False]


def test_a_class_nobody_declares_is_no_success() -> None:
    matrix = build(runs(*ALIGNED))
    gml = matrix["summary"]["per_class"]["http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/gmlsf0"]
    assert gml["targets_passing"] == 0 and gml["targets_undeclared"] == 3
    assert set(gml["per_target"].values()) == {"non déclarée"}
    page = render(matrix)
    row = page.split("Encodage GML Simple Features niveau 0", 1)[1].split("</tr>", 1)[0]
    assert "sur 3 cibles : 3 ne la déclarent pas" in row and "réussi" not in row


def test_no_pass_cell_hides_an_instance() -> None:
    """A PASS cell counts its instances itself; the ones it did not check are listed with their reason."""
    matrix = build(runs(*ALIGNED))
    for test_id, row in matrix["cells"].items():
        for column, cell in row.items():
            if cell["status"] == "PASS":
                assert cell["score"][0] == cell["score"][1] >= 1, (test_id, column, cell["score"])
                assert cell["score"][0] + len(cell["skipped"]) == cell["instances"], (test_id, column)
                assert all(k["reason"] for k in cell["skipped"])
    skipped = matrix["cells"]["MD-C-014"]["exemple-a"]["skipped"]
    assert skipped and skipped[0]["reason"] == "aucune étendue temporelle déclarée"


def test_the_per_target_table_is_in_french() -> None:
    page = render(build(runs(*ALIGNED)))
    table = page.split('<table id="targets">', 1)[1].split("</table>", 1)[0]
    assert "Non applicable" in table and "Taux de réussite (tests décidés)" in table
    assert "NOT_APPLICABLE" not in table and "0." not in table and " %" in table


def test_one_column_per_target_id_the_latest_campaign_or_the_chosen_one() -> None:
    matrix = build(runs("exemple-a", "exemple-b", "exemple-b-regression"))
    assert [t["column"] for t in matrix["targets"]] == ["exemple-a", "exemple-b"]
    assert matrix["targets"][1]["run_date"] == "2026-11-15T11:00:00+00:00"
    assert matrix["set_aside"][0]["run_date"] == "2026-11-01T11:00:00+00:00"
    chosen = build(runs("exemple-b", "exemple-b-regression"), chosen={"exemple-b": "2026-11-01T11:00:00+00:00"})
    assert chosen["targets"][0]["run_date"] == "2026-11-01T11:00:00+00:00"
    with pytest.raises(MatrixError, match="campagne choisie introuvable"):
        build(runs("exemple-b"), chosen={"exemple-b": "2020-01-01"})


def test_runs_of_another_catalogue_are_refused_or_reduced_to_shared_ids() -> None:
    with pytest.raises(MatrixError, match="exemple-autre-catalogue"):
        build(runs("exemple-a", "exemple-autre-catalogue"))
    matrix = build(runs("exemple-a", "exemple-autre-catalogue"), shared_only=True)
    assert matrix["shared_only"] and len(matrix["catalogue_sha256"]) == 2


def test_outputs_are_written_and_self_contained(tmp_path: Path) -> None:
    files = write(build(runs(*ALIGNED)), tmp_path)
    assert sorted(p.name for p in files) == ["index.html", "matrix.csv", "matrix.json"]
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<script src" not in page and "<link" not in page
    assert (tmp_path / "matrix.csv").read_text(encoding="utf-8").splitlines()[0].startswith("test_id,titre")
    assert json.loads((tmp_path / "matrix.json").read_text(encoding="utf-8"))["format"] == "cicclo/matrix"


def test_page_filters_and_opens_a_cell_in_headless_chromium(tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("chromium absent (installé par scripts/setup.sh)")
    matrix = build(runs(*ALIGNED))
    write(matrix, tmp_path)
    failing = sum(any(c["status"] == "FAIL" for c in matrix["cells"][t["test_id"]].values()) for t in matrix["tests"])
    url = (tmp_path / "index.html").as_uri() + "#status=FAIL&open=OAPIF-CORE-022%7Cexemple-a"
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", f"--user-data-dir={tmp_path / 'p'}",
         "--virtual-time-budget=3000", "--dump-dom", url],
        capture_output=True, text=True, timeout=120, check=False).stdout
    assert f"{failing} identifiants affichés sur {len(matrix['tests'])}" in dom  # the status filter filtered
    assert 'data-test="OAPIF-CORE-017"' not in dom and 'data-test="OAPIF-CORE-022"' in dom
    assert "OAPIF-CORE-022 — exemple-a : FAIL" in dom and "Rejouer avec" in dom  # the cell's evidence
    assert ">Échec 0/1<" in dom and ">Réussi 1/1<" in dom and "PASS 0/1" not in dom  # cells in French
    assert '<option value="NOT_APPLICABLE">Non applicable</option>' in dom


def test_diff_reports_the_regression_and_the_cli_fails_on_it(tmp_path: Path) -> None:
    result = diff(campaigns_of(EXAMPLES / "exemple-b"), campaigns_of(EXAMPLES / "exemple-b-regression"))
    assert result["targets"]["exemple-b"]["regressed"] == ["OAPIF-CORE-019"]
    proc = subprocess.run([sys.executable, "-m", "cicclo", "diff", str(EXAMPLES / "exemple-b"),
                           str(EXAMPLES / "exemple-b-regression"), "--json", str(tmp_path / "diff.json")],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 1 and "RÉGRESSION exemple-b OAPIF-CORE-019 : PASS → FAIL" in proc.stdout
    assert json.loads((tmp_path / "diff.json").read_text(encoding="utf-8"))["regressions"] == 1
    with pytest.raises(MatrixError, match="aucune cible commune.*exemple-a.*exemple-b"):
        diff(campaigns_of(EXAMPLES / "exemple-a"), campaigns_of(EXAMPLES / "exemple-b"))
    improved = diff(campaigns_of(EXAMPLES / "exemple-a"), campaigns_of(EXAMPLES / "exemple-b"), other_target=True)
    assert improved["regressions"] == 0 and "exemple-a → exemple-b" in improved["targets"]


def test_diff_of_two_matrices(tmp_path: Path) -> None:
    write(build(runs("exemple-a", "exemple-b")), tmp_path / "avant")
    write(build(runs("exemple-a", "exemple-b-regression")), tmp_path / "apres")
    result = diff(campaigns_of(tmp_path / "avant"), campaigns_of(tmp_path / "apres"))
    assert result["regressions"] == 1
    previous = tmp_path / "precedente.json"  # as the CI templates name the previous publication
    previous.write_bytes((tmp_path / "avant" / "matrix.json").read_bytes())
    assert diff(campaigns_of(previous), campaigns_of(tmp_path / "apres" / "matrix.json"))["regressions"] == 1


def test_catalogue_for_people_lists_every_id_with_title_and_citations() -> None:
    proc = subprocess.run([sys.executable, "-m", "cicclo", "catalogue", "--format", "md"], capture_output=True,
                          text=True, cwd=ROOT, check=True)
    for entry in load_run(EXAMPLES / "exemple-a").doc["results"]:
        assert f"| {entry['test_id']} | {entry['title']} |" in proc.stdout
        assert entry["requirements"][0] in proc.stdout
    assert "Clausier pour CCTP" in proc.stdout and "oapif-socle" in proc.stdout


def test_earl_export_maps_every_status() -> None:
    doc = to_earl(load_run(EXAMPLES / "exemple-a").doc)
    outcomes = {a["earl:result"]["earl:outcome"]["@id"] for a in doc["@graph"] if a.get("@type") == "earl:Assertion"}
    assert outcomes == {"earl:passed", "earl:failed", "earl:inapplicable", "earl:untested"}


@pytest.mark.parametrize(("statuses", "state"), [
    ({"A": Status.PASS, "B": Status.NOT_APPLICABLE}, "ATTEINT"),
    ({"A": Status.PASS, "B": Status.NOT_TESTED}, "INCOMPLET"),
    ({"A": Status.PASS}, "INCOMPLET"),                            # B deselected
    ({"A": Status.FAIL, "B": Status.NOT_TESTED}, "NON ATTEINT, INCOMPLET"),
    ({"A": Status.ERROR, "B": Status.PASS}, "NON ATTEINT"),
])
def test_profile_state(statuses: dict[str, Status], state: str) -> None:
    verdict = Profile("p", "1.0", "profil", ("A", "B")).verdict({k: s.value for k, s in statuses.items()}, {}, {})
    assert profile_state(verdict) == state
