"""The catalogue is a contract: committed, up to date, and no ID ever disappears or is reused."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cicclo.catalogue import (
    CATALOGUE_PATH,
    CatalogueError,
    build,
    collect_declarations,
    load_committed,
    stale_reason,
)
from cicclo.declare import DeclarationError, conformance
from cicclo.oapif.uris import CORE


def test_committed_catalogue_is_up_to_date() -> None:
    assert stale_reason() is None


def test_every_committed_id_is_still_declared_or_deprecated() -> None:
    declared = {d.test_id for d in collect_declarations()}
    for test_id, entry in load_committed().items():
        assert test_id in declared or entry["status"] in ("deprecated", "withdrawn"), test_id


def test_a_disappearing_id_is_refused() -> None:
    committed = load_committed()
    declarations = [d for d in collect_declarations() if d.test_id != "OAPIF-CORE-017"]
    with pytest.raises(CatalogueError, match="OAPIF-CORE-017"):
        build(declarations, committed)


def test_a_deprecated_id_is_kept_and_never_reused() -> None:
    committed = load_committed()
    committed["OAPIF-CORE-017"] = {**committed["OAPIF-CORE-017"], "status": "deprecated",
                                   "replaced_by": "OAPIF-CORE-099"}
    declarations = [d for d in collect_declarations() if d.test_id != "OAPIF-CORE-017"]
    doc = build(declarations, committed)
    assert any(t["id"] == "OAPIF-CORE-017" and t["status"] == "deprecated" for t in doc["tests"])
    with pytest.raises(CatalogueError, match="jamais réutilisé"):
        build(collect_declarations(), committed)


def test_a_class_typo_is_refused_at_declaration() -> None:
    with pytest.raises(DeclarationError, match="classe de conformité inconnue"):
        conformance("OAPIF-CORE-998", title="t", requirements=["http://x/req"], abstract_test=None,
                    applies_to=CORE + "s")


# Requirements are cited at their publisher's own address: a typo'd or home-made host is refused.
PUBLISHERS = ("http://www.opengis.net/", "http://portal.opengeospatial.org/", "http://inspire.ec.europa.eu/id/",
              "http://inspire.jrc.ec.europa.eu/documents/",
              "https://semiceu.github.io/DCAT-AP/", "https://cnig.gouv.fr/", "https://openid.net/specs/",
              "https://partenaires.proconnect.gouv.fr/docs/", "https://github.com/proconnect-gouv/", "https://datatracker.ietf.org/doc/html/",
              "https://www.rfc-editor.org/rfc/")
ID_PREFIX_BY_SUITE = {"oapif": "OAPIF-", "csw": "CSW-", "records": "OAREC-", "metadata": "MD-", "proconnect": "PC-"}


def test_ids_and_requirements_are_well_formed() -> None:
    for decl in collect_declarations():
        assert all(r.startswith(PUBLISHERS) for r in decl.requirements), (decl.test_id, decl.requirements)
        assert decl.test_id.startswith(ID_PREFIX_BY_SUITE[decl.suite]), decl.test_id
        assert decl.title and decl.since


def test_collection_refuses_undeclared_duplicated_or_parametrised_tests() -> None:
    from cicclo.plugin import declaration_problems

    @conformance("OAPIF-CORE-997", title="t", requirements=["http://x/req"], abstract_test=None, applies_to=CORE)
    def declared() -> None: ...

    def undeclared() -> None: ...

    _, problems = declaration_problems([("a", declared, False), ("b", declared, False), ("c", undeclared, False),
                                        ("d", declared, True)])
    assert any("déjà déclaré" in p for p in problems)
    assert any("sans déclaration" in p for p in problems)
    assert len(problems) == 3


def test_an_id_that_changes_meaning_is_refused() -> None:
    committed = load_committed()
    committed["OAPIF-CORE-017"] = {**committed["OAPIF-CORE-017"],
                                   "requirements": ["http://www.opengis.net/spec/ogcapi-features-1/1.0/req/core/f-op"]}
    with pytest.raises(CatalogueError, match="change de sens"):
        build(collect_declarations(), committed)


def _copy_without(tmp_path: Path, test_id: str) -> Path:
    doc = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    doc["tests"] = [t for t in doc["tests"] if t["id"] != test_id]
    copy = tmp_path / "catalogue.yaml"
    copy.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return copy


def test_a_copy_missing_a_declared_id_is_stale(tmp_path: Path) -> None:
    reason = stale_reason(_copy_without(tmp_path, "OAPIF-CORE-017"))
    assert reason and "n'est plus à jour" in reason


def test_a_missing_catalogue_file_is_reported(tmp_path: Path) -> None:
    reason = stale_reason(tmp_path / "absent.yaml")
    assert reason and "absent" in reason


def test_every_profile_cites_only_catalogue_ids() -> None:
    from cicclo.profiles import load_profiles

    known = set(load_committed())
    for profile in load_profiles().values():
        assert set(profile.tests) <= known, (profile.name, set(profile.tests) - known)
