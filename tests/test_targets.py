"""Target files: every shipped file is valid; a wrong one is refused naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from cicclo.errors import ConfigurationError
from cicclo.targets import all_target_paths, load_target


@pytest.mark.parametrize("path", all_target_paths(), ids=lambda p: p.stem)
def test_shipped_targets_are_valid(path: Path) -> None:
    target = load_target(str(path))
    assert target.id == path.stem
    for svc in target.services.values():
        assert svc.url or svc.builtin or (not svc.documented and svc.note)


def test_undocumented_services_say_so_instead_of_inventing_a_url() -> None:
    for name in ("geoplateforme", "onegeo-suite", "prodige"):
        oapif = load_target(name).services["oapif"]
        assert oapif.url is None and not oapif.documented and oapif.note


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "cible.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("text", "line", "field"), [
    ("id: x\nname: x\nservices:\n  oapif:\n    url: 12\n", 5, "services.oapif.url"),
    ("id: x\nname: x\nservices:\n  oapif:\n    url: http://h/\n    colour: bleu\n", 6, "services.oapif.colour"),
    ("id: x\nname: x\nservices:\n  oapif:\n    note: rien\n", 5, "services.oapif"),
    ("id: x\nservices:\n  oapif:\n    url: http://h/\n", 1, "(racine)"),
    ("id: x\nname: x\nservices:\n  oapif:\n    url: http://h/\nlimits:\n  concurrency: 0\n", 7,
     "limits.concurrency"),
])
def test_errors_name_file_line_and_field(tmp_path: Path, text: str, line: int, field: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigurationError) as err:
        load_target(path)
    assert f"{path}:{line}:" in str(err.value)
    assert f"champ {field}" in str(err.value)


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "id: x\nname: [x\nservices: {}\n")
    with pytest.raises(ConfigurationError, match=r"cible\.yaml:\d+: YAML invalide"):
        load_target(path)


def test_secrets_come_from_the_environment_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "id: x\nname: x\nservices:\n  oapif:\n    url: http://h/\n"
                            "auth:\n  type: query\n  name: apikey\n  env: CIBLE_CLE\n")
    monkeypatch.delenv("CIBLE_CLE", raising=False)
    with pytest.raises(ConfigurationError, match="CIBLE_CLE"):
        load_target(path).secrets()
    monkeypatch.setenv("CIBLE_CLE", "valeur-secrete")
    assert load_target(path).auth_parts() == ({}, {"apikey": "valeur-secrete"})
