"""Target files: every shipped file is valid; a wrong one is refused naming file, line and field."""

from __future__ import annotations

import time
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


SERVICES = "id: x\nname: x\nservices:\n  oapif:\n    url: http://h/\n"
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))


@pytest.mark.parametrize(("text", "line", "expected"), [
    (SERVICES + "notes: " + "[" * 3000 + "]" * 3000 + "\n", 6, "imbriqué à plus de 100 niveaux"),
    (SERVICES + ALIAS_BOMB, None, "expansion refusée"),
    ("id: x\nname: x\nservices:\n  oapif:\n    url: http:///path\n", 5, "champ services.oapif.url : URL sans hôte"),
    ("id: x\nname: x\nservices:\n  oapif:\n    url: http://h:port/\n", 5, "champ services.oapif.url : port invalide"),
], ids=["deep", "alias-bomb", "no-host", "bad-port"])
def test_hostile_target_files_are_refused_with_their_position(tmp_path: Path, text: str, line: int | None,
                                                              expected: str) -> None:
    path = _write(tmp_path, text)
    started = time.monotonic()
    with pytest.raises(ConfigurationError) as err:
        load_target(path)
    assert time.monotonic() - started < 5
    assert expected in str(err.value)
    assert str(err.value).startswith(f"{path}:{line}:" if line else path)


def test_a_file_that_is_not_utf8_is_refused_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "cible.yaml"
    path.write_bytes(b"id: x\nname: caf\xe9\nservices: {}\n")
    with pytest.raises(ConfigurationError, match=r"cible\.yaml:2: le fichier n'est pas en UTF-8 \(octet 0xe9 en "
                                                 r"colonne 10\)"):
        load_target(str(path))


def test_hosts_include_the_port(tmp_path: Path) -> None:
    path = _write(tmp_path, "id: x\nname: x\nservices:\n  oapif:\n    url: http://h:8080/\n"
                            "    extra_hosts: [cdn.example, 'tiles.example:8443']\n")
    assert load_target(path).hosts() == {"h:8080", "cdn.example", "tiles.example:8443"}


def test_credentials_written_in_clear_are_warned_about(tmp_path: Path) -> None:
    from cicclo.targets import literal_credentials

    path = _write(tmp_path, "id: x\nname: x\nservices:\n  oapif:\n    url: https://moi:secret@h/\n"
                            "  csw:\n    url: https://h/csw?SERVICE=CSW&apikey=abc123\n")
    warnings = literal_credentials(load_target(path))
    assert [w.split(": ")[0] for w in warnings] == [f"{path}:5", f"{path}:7"]
    assert not literal_credentials(load_target(_write(tmp_path, SERVICES)))
