"""INSPIRE discovery service (TG Discovery Services 3.1, ATS csw-iso-ap): extended capabilities, languages."""

from __future__ import annotations

import re
from typing import Any

from cicclo.classes import INSPIRE_DISCOVERY
from cicclo.csw.context import CSW_NS, CswContext, exception_codes
from cicclo.csw.uris import NS, ats, tg
from cicclo.declare import conformance
from cicclo.errors import NotTested
from cicclo.verdict import Verdict

# ISO 639-2 codes whose bibliographic (B) form differs from the terminology (T) form: the T form is refused.
TERMINOLOGY_ONLY = {"ces", "deu", "ell", "fra", "nld", "ron", "slk", "sqi", "hye", "eus", "mya", "zho", "kat",
                    "isl", "mkd", "mri", "msa", "fas", "bod", "cym"}
ALPHA3 = re.compile(r"^[a-z]{3}$")
SCENARIO_2 = ("ResourceType", "TemporalReference", "Conformity", "MetadataPointOfContact", "MetadataDate",
              "SpatialDataServiceType", "MandatoryKeyword")
INVALID_LANGUAGE = "xxx"


def _extended(csw: CswContext, language: str | None = None) -> Any:
    """The ExtendedCapabilities of a GetCapabilities response (with LANGUAGE when given)."""
    if language is None:
        return csw.extended_capabilities(csw.capabilities())
    ex = csw.capabilities_exchange({"language": language})
    root = csw.parse(ex)
    if root is None or root.tag != f"{{{CSW_NS}}}Capabilities":
        codes = exception_codes(root)
        return f"{ex.describe()} : " + (f"exception {codes}" if codes is not None else "pas de csw:Capabilities")
    return csw.extended_capabilities(root)


def _languages(ext: Any, path: str) -> list[str]:
    return [(e.text or "").strip() for e in ext.iterfind(path, NS)]


def _require_extended(csw: CswContext) -> Any:
    ext = _extended(csw)
    if ext is None:
        raise NotTested("pas de inspire_ds:ExtendedCapabilities (vérifié par CSW-INSPIRE-001)")
    return ext


@conformance(
    "CSW-INSPIRE-001",
    title="Les capacités portent les métadonnées INSPIRE étendues (inspire_ds:ExtendedCapabilities)",
    requirements=[tg(7)],
    abstract_test=ats("at-07-extended-capabilities"),
    applies_to=INSPIRE_DISCOVERY,
)
def test_extended_capabilities(csw: CswContext, verdict: Verdict) -> None:
    """ows:OperationsMetadata SHALL hold exactly one inspire_ds:ExtendedCapabilities with either a
    MetadataUrl (an http(s) URL) or the mandatory service metadata elements, plus the supported and response
    languages."""
    with verdict.instance("GetCapabilities") as rec:
        caps = csw.capabilities()
        found = caps.findall("ows:OperationsMetadata/inspire_ds:ExtendedCapabilities", NS)
        rec.require(found, "aucun inspire_ds:ExtendedCapabilities dans ows:OperationsMetadata")
        rec.check(len(found) == 1, f"{len(found)} éléments inspire_ds:ExtendedCapabilities, un seul attendu")
        ext = found[0]
        url = ext.find("inspire_common:MetadataUrl/inspire_common:URL", NS)
        if url is not None:
            rec.check(re.match(r"^https?://\S+$", (url.text or "").strip()),
                      f"MetadataUrl/URL {url.text!r} n'est pas une URL http(s)")
        else:
            for name in SCENARIO_2:
                rec.check(ext.find(f"inspire_common:{name}", NS) is not None,
                          f"sans MetadataUrl, l'élément inspire_common:{name} est obligatoire")
        for name in ("SupportedLanguages", "ResponseLanguage"):
            rec.check(ext.find(f"inspire_common:{name}", NS) is not None, f"inspire_common:{name} absent")


@conformance(
    "CSW-INSPIRE-002",
    title="Exactement une langue par défaut est déclarée",
    requirements=[tg(28)],
    abstract_test=ats("at-28-language-supported-default-cardinality"),
    applies_to=INSPIRE_DISCOVERY,
)
def test_default_language_cardinality(csw: CswContext, verdict: Verdict) -> None:
    """SupportedLanguages SHALL hold exactly one DefaultLanguage/Language (and zero or more SupportedLanguage)."""
    with verdict.instance("GetCapabilities") as rec:
        ext = _require_extended(csw)
        defaults = _languages(ext, "inspire_common:SupportedLanguages/inspire_common:DefaultLanguage/"
                                   "inspire_common:Language")
        rec.check(len(defaults) == 1, f"{len(defaults)} langues par défaut {defaults}, exactement une attendue")


@conformance(
    "CSW-INSPIRE-003",
    title="Les langues déclarées sont des codes ISO 639-2/B à trois lettres",
    requirements=[tg(25)],
    abstract_test=ats("at-25-language-parameter-iso-valid"),
    applies_to=INSPIRE_DISCOVERY,
)
def test_language_codes(csw: CswContext, verdict: Verdict) -> None:
    """DefaultLanguage, SupportedLanguage and ResponseLanguage values SHALL be ISO 639-2/B alpha-3 codes
    (e.g. 'fre', not 'fra', 'fr' or 'FR')."""
    with verdict.instance("GetCapabilities") as rec:
        ext = _require_extended(csw)
        codes = _languages(ext, ".//inspire_common:Language")
        rec.require(codes, "aucune langue déclarée")
        for code in codes:
            rec.check(ALPHA3.match(code), f"langue {code!r} : code ISO 639-2 à trois lettres minuscules attendu")
            rec.check(code not in TERMINOLOGY_ONLY, f"langue {code!r} : forme ISO 639-2/T, forme /B attendue")


@conformance(
    "CSW-INSPIRE-004",
    title="Le paramètre LANGUAGE choisit la langue de réponse (langue par défaut sinon)",
    requirements=[tg(27)],
    abstract_test=ats("at-27-language-response-value"),
    applies_to=INSPIRE_DISCOVERY,
)
def test_language_parameter(csw: CswContext, verdict: Verdict) -> None:
    """GetCapabilities with LANGUAGE=<default or a supported language> SHALL answer with that ResponseLanguage;
    with an unsupported LANGUAGE value it SHALL answer in the default language."""
    ext = _require_extended(csw)
    default = _languages(ext, "inspire_common:SupportedLanguages/inspire_common:DefaultLanguage/"
                              "inspire_common:Language")
    supported = _languages(ext, "inspire_common:SupportedLanguages/inspire_common:SupportedLanguage/"
                                "inspire_common:Language")
    if len(default) != 1:
        raise NotTested("langue par défaut indéterminée (vérifié par CSW-INSPIRE-002)")
    wanted = {lang: lang for lang in dict.fromkeys([default[0], *supported])}
    wanted[INVALID_LANGUAGE] = default[0]
    for asked, expected in wanted.items():
        with verdict.instance(f"LANGUAGE={asked}") as rec:
            answer = _extended(csw, asked)
            rec.require(not isinstance(answer, str), f"LANGUAGE={asked} : {answer}")
            rec.require(answer is not None, f"LANGUAGE={asked} : pas de inspire_ds:ExtendedCapabilities")
            got = _languages(answer, "inspire_common:ResponseLanguage/inspire_common:Language")
            rec.check(got == [expected], f"LANGUAGE={asked} : ResponseLanguage {got}, {expected!r} attendu")
