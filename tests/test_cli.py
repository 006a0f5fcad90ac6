"""The command line: exit statuses, messages and listings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def cicclo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cicclo", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)


def test_bad_target_file_exits_2_naming_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "mauvaise.yaml"
    bad.write_text("id: mauvaise\nname: x\nservices:\n  oapif:\n    url: 12\n", encoding="utf-8")
    proc = cicclo("run", "--target", str(bad))
    assert proc.returncode == 2
    assert f"{bad}:5: champ services.oapif.url" in proc.stderr


def test_unknown_target_or_suite_exits_2() -> None:
    proc = cicclo("run", "--target", "inexistante")
    assert proc.returncode == 2 and "cible inconnue" in proc.stderr
    proc = cicclo("run", "--suite", "wms")
    assert proc.returncode == 2 and "suite inconnue" in proc.stderr


def test_targets_lists_and_validates_every_file() -> None:
    proc = cicclo("targets")
    assert proc.returncode == 0, proc.stderr
    for name in ("local", "geoplateforme", "georchestra", "onegeo-suite", "prodige"):
        assert name in proc.stdout
    assert "non documenté" in proc.stdout


def test_run_reports_not_tested_for_an_undocumented_service(tmp_path: Path) -> None:
    proc = cicclo("run", "--target", "prodige", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert str(tmp_path / "report.html") in proc.stdout
    import json

    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert {r["status"] for r in results["results"]} == {"NOT_TESTED"}


def test_catalogue_lists_every_id_with_its_requirements() -> None:
    proc = cicclo("catalogue")
    assert proc.returncode == 0
    assert "OAPIF-CORE-017" in proc.stdout
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/req/core/fc-op" in proc.stdout
