"""The checks that failed real public records which follow the INSPIRE guidelines, on those records.

For each corrected check: a real record of ``tests/fixtures/records-corpus/`` (see its PROVENANCE.md) that meets
the requirement passes it, and one small edit of that record that breaks the requirement's text makes it fail.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from cicclo.errors import NotApplicable
from cicclo.metadata import inspire
from cicclo.metadata.harvest import Record, parse_record
from tests.conftest import ROOT
from tests.faults.record_mutations import HREF, LEGAL, NS, one, set_code, set_text, to_text

CORPUS = ROOT / "tests" / "fixtures" / "records-corpus"
VIEW_PROTOCOL = ("gmd:distributionInfo//gmd:CI_OnlineResource[gmd:applicationProfile/*[contains(@xlink:href, "
                 "'SpatialDataServiceType/view')]]/gmd:protocol/gmx:Anchor")
DOWNLOAD_PROTOCOL = VIEW_PROTOCOL.replace("/view", "/download")
LIMITATIONS = f"{LEGAL}[gmd:otherConstraints/gmx:Anchor[contains(@xlink:href, 'LimitationsOnPublicAccess')]]"
CONDITIONS = f"{LEGAL}[gmd:otherConstraints/gmx:Anchor[contains(@xlink:href, 'ConditionsApplyingToAccessAndUse')]]"
CRS_CODE = ("gmd:referenceSystemInfo/gmd:MD_ReferenceSystem/gmd:referenceSystemIdentifier/gmd:RS_Identifier"
            "/gmd:code")


def record(path: str) -> Record:
    parsed = parse_record((CORPUS / path).read_bytes(), path)
    assert parsed.root is not None, parsed.error
    return parsed


def _off_list_protocol(path: str) -> Callable[[Any], None]:
    def edit(root: Any) -> None:
        one(root, path).set(HREF, "http://www.opengis.net/def/serviceType/ogc/inconnu")
    return edit


def _second_limitations_block(root: Any) -> None:
    block = one(root, LIMITATIONS).getparent()
    block.addnext(copy.deepcopy(block))


def _conditions_without_text(root: Any) -> None:
    for other in one(root, CONDITIONS).xpath("gmd:otherConstraints", namespaces=NS):
        other.getparent().remove(other)


def _urn_crs(root: Any) -> None:
    set_text(root, f"{CRS_CODE}/gco:CharacterString", "urn:ogc:def:crs:EPSG::3035")


def _plain_crs_code(root: Any) -> None:
    set_text(root, f"{CRS_CODE}/gco:CharacterString", "3035")


def _relative_locator(root: Any) -> None:
    set_text(root, "(gmd:distributionInfo//gmd:onLine/*/gmd:linkage/gmd:URL)[1]", "donnees.zip")


THEME = ("gmd:identificationInfo/*/gmd:descriptiveKeywords/gmd:MD_Keywords[gmd:thesaurusName/*/gmd:title/*"
         "='GEMET - INSPIRE themes, version 1.0']/gmd:keyword")


def dutch(root: Any) -> None:
    """The record as a Dutch catalogue writes it: metadata language dut, theme as the GEMET Dutch term."""
    one(root, "gmd:language/gmd:LanguageCode").set("codeListValue", "dut")
    to_text(root, f"{THEME}/gmx:Anchor", "Bodemgebruik")


def _theme_not_a_term(root: Any) -> None:
    set_text(root, f"{THEME}/gco:CharacterString", "Grondgebruik")


def _code_off_list(root: Any) -> None:
    set_code(root, "gmd:contact/gmd:CI_ResponsibleParty/gmd:role/gmd:CI_RoleCode", "gestionnaire")


# (test ID, check, real record, requirement broken by the edit, edit) — see the check's docstring for the TG text
CASES = [
    ("MD-LS-001", inspire.ls01_view_linkage, "semic/basic_dataset.xml", "8.1 D ProtocolValue",
     _off_list_protocol(VIEW_PROTOCOL)),
    ("MD-LS-002", inspire.ls02_download_linkage, "semic/basic_dataset.xml", "8.2 D ProtocolValue",
     _off_list_protocol(DOWNLOAD_PROTOCOL)),
    ("MD-C-017", inspire.c17_limitations_on_public_access, "cnig/IGNF_BDTOPOr_3.xml", "C.17 exactly one",
     _second_limitations_block),
    ("MD-C-017", inspire.c17_limitations_on_public_access,
     "inspire-validator/Metadata_datasets_series_cc2.xml", "C.17 exactly one", _second_limitations_block),
    ("MD-C-118", inspire.c118_conditions_for_access_and_use, "cnig/IGNF_BDTOPOr_3.xml", "C.18 otherConstraints",
     _conditions_without_text),
    ("MD-C-118", inspire.c118_conditions_for_access_and_use,
     "inspire-validator/Metadata_datasets_series_cc2.xml", "C.18 otherConstraints", _conditions_without_text),
    ("MD-DS-108", inspire.ds108_resource_locator, "semic/basic_dataset.xml", "1.8 gmd:URL", _relative_locator),
    ("MD-C-003", inspire.c03_code_list_values, "inspire-validator/Metadata_datasets_series_cc2.xml",
     "C.3 value of the list", _code_off_list),
    ("MD-IOP-002", inspire.iop02_crs_id, "inspire-validator/Metadata_datasets_series_cc2.xml", "2.1 codeSpace",
     _plain_crs_code),
]


@pytest.mark.parametrize("test_id, check, path, broken, edit", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_real_record_passes_and_its_mutation_fails(test_id: str, check: Callable[[Any], list[str]], path: str,
                                                   broken: str, edit: Callable[[Any], None]) -> None:
    rec = record(path)
    assert check(rec.root) == [], f"{test_id} ne doit pas échouer sur {path}, qui respecte l'exigence"
    edit(rec.root)
    assert check(rec.root), f"{test_id} doit échouer sur {path} modifiée ({broken})"


def test_crs_urn_form_is_accepted() -> None:
    """urn:ogc:def:crs:EPSG:: identifies a CRS uniquely by itself (TG Req 2.1), as the reference validator accepts."""
    rec = record("inspire-validator/Metadata_datasets_series_cc2.xml")
    _urn_crs(rec.root)
    assert inspire.iop02_crs_id(rec.root) == []


def test_theme_in_another_eu_language() -> None:
    """TG 1.4: the exact GEMET term in the metadata language (here Dutch 'Bodemgebruik' = lu) is a theme keyword;
    a Dutch word that is not the term is not."""
    rec = record("semic/basic_dataset.xml")
    dutch(rec.root)
    assert inspire.ds04_inspire_theme_keyword(rec.root) == []
    _theme_not_a_term(rec.root)
    assert any("Grondgebruik" in m for m in inspire.ds04_inspire_theme_keyword(rec.root))


def test_themes_in_23_languages() -> None:
    from cicclo.metadata import codelists

    concepts = codelists.inspire()["inspire_themes"]["concepts"]
    assert len(concepts) == 34 and all(len(c["labels"]) == 21 for c in concepts)
    assert codelists.theme_lookup()[codelists.label_key("Condiţii atmosferice")].endswith("/ac")
    assert codelists.theme_lookup()[codelists.label_key("Hidrografija")].endswith("/hy")


def test_theme_in_croatian() -> None:
    """TG 1.4: a Croatian record names its theme by the GEMET Croatian term ('Korištenje zemljišta' = lu)."""
    rec = record("semic/basic_dataset.xml")
    one(rec.root, "gmd:language/gmd:LanguageCode").set("codeListValue", "hrv")
    to_text(rec.root, f"{THEME}/gmx:Anchor", "Korištenje zemljišta")
    assert inspire.ds04_inspire_theme_keyword(rec.root) == []


def test_record_without_locator_is_not_applicable() -> None:
    """TG 1.8: multiplicity 0..n, a locator only "if such online access is available" (SEMIC's test record)."""
    with pytest.raises(NotApplicable):
        inspire.ds108_resource_locator(record("semic/distributorinfo-multiple.xml").root)


def test_code_list_url_is_informative() -> None:
    """The validator's own template points CI_OnLineFunctionCode at #CI_RoleCode: C.3 calls the URL informative."""
    rec = record("inspire-validator/Metadata_datasets_series_cc2.xml")
    assert rec.root.xpath("//gmd:CI_OnLineFunctionCode[contains(@codeList, '#CI_RoleCode')]", namespaces=NS)
    assert inspire.c03_code_list_values(rec.root) == []
