"""The committed table of OGC API Features Part 1 requirements and probes is complete and up to date."""

from __future__ import annotations

from cicclo.catalogue import collect_declarations
from cicclo.oapif.coverage import COVERAGE, PART1, render_markdown
from tests.conftest import ROOT

TABLE = ROOT / "suites" / "oapif" / "EXIGENCES.md"


def test_table_is_up_to_date() -> None:
    assert TABLE.read_text(encoding="utf-8") == render_markdown(), \
        "suites/oapif/EXIGENCES.md n'est plus à jour : le régénérer avec cicclo.oapif.coverage.render_markdown()"


def test_every_part1_requirement_cited_by_the_suite_has_its_probes() -> None:
    cited = {r for d in collect_declarations() if d.test_id.startswith("OAPIF-") for r in d.requirements
             if r.startswith(PART1)}
    assert not cited - set(COVERAGE), f"exigences sans sondes : {sorted(cited - set(COVERAGE))}"


def test_each_row_names_tests_that_cite_its_requirement() -> None:
    requirements = {d.test_id: set(d.requirements) for d in collect_declarations()}
    for uri, rows in COVERAGE.items():
        for row in rows:
            unknown = [t for t in row.tests if t not in requirements]
            assert not unknown, f"{uri} : identifiants inconnus {unknown}"
            assert any(uri in requirements[t] for t in row.tests), f"{uri} « {row.clause} » : aucun test ne la cite"
