"""INSPIRE TG metadata 2.0, common requirements C.3 to C.22 (every record: data sets, series, services)."""

from __future__ import annotations

from cicclo.declare import conformance
from cicclo.metadata.harvest import MetadataContext
from cicclo.metadata.uris import COMMON, ats, req
from cicclo.verdict import Verdict


@conformance(
    "MD-C-003",
    title="Les valeurs des listes de codes appartiennent à leur liste (codeList/codeListValue)",
    requirements=[req("common/code-list-value")],
    abstract_test=ats("common/code-list-value"),
    applies_to=COMMON,
)
def test_code_list_values(suite_context: MetadataContext, verdict: Verdict) -> None:
    """TG Requirement C.3: the codeListValue SHALL be the identifier of a value of the code list (ISO 19139
    gmxCodelists and srv lists; languages are C.5/1.6). The codeList URL is "purely informative" (TG): not checked."""
    suite_context.run_check(verdict, "MD-C-003")


@conformance(
    "MD-C-004",
    title="Les textes libres sont renseignés (gco:CharacterString, gmx:Anchor, traductions déclarées)",
    requirements=[req("common/free-text")],
    abstract_test=ats("common/free-text"),
    applies_to=COMMON,
)
def test_free_text(suite_context: MetadataContext, verdict: Verdict) -> None:
    """Free text SHALL be encoded as non-empty gco:CharacterString or gmx:Anchor (with xlink:href); translations SHALL
    use a declared locale."""
    suite_context.run_check(verdict, "MD-C-004")


@conformance(
    "MD-C-005",
    title="La langue des métadonnées est un gmd:LanguageCode ISO 639-2/B d'une langue officielle de l'UE",
    requirements=[req("common/metadata-language-code")],
    abstract_test=ats("common/metadata-language-code"),
    applies_to=COMMON,
)
def test_metadata_language(suite_context: MetadataContext, verdict: Verdict) -> None:
    """The metadata language SHALL be given as gmd:LanguageCode (ISO 639-2/B list, official EU language)."""
    suite_context.run_check(verdict, "MD-C-005")


@conformance(
    "MD-C-006",
    title="Le point de contact des métadonnées a une organisation, un courriel et le rôle pointOfContact",
    requirements=[req("common/md-point-of-contact")],
    abstract_test=ats("common/md-point-of-contact"),
    applies_to=COMMON,
)
def test_md_point_of_contact(suite_context: MetadataContext, verdict: Verdict) -> None:
    """The metadata point of contact SHALL have an organisation name, an e-mail address and the role pointOfContact."""
    suite_context.run_check(verdict, "MD-C-006")


@conformance(
    "MD-C-007",
    title="La date des métadonnées (dateStamp) est une date ISO 8601",
    requirements=[req("common/md-date")],
    abstract_test=ats("common/md-date"),
    applies_to=COMMON,
)
def test_md_date(suite_context: MetadataContext, verdict: Verdict) -> None:
    """The metadata date SHALL be given as gmd:dateStamp (gco:Date or gco:DateTime)."""
    suite_context.run_check(verdict, "MD-C-007")


@conformance(
    "MD-C-008",
    title="La ressource a un intitulé",
    requirements=[req("common/resource-title")],
    abstract_test=ats("common/resource-title"),
    applies_to=COMMON,
)
def test_resource_title(suite_context: MetadataContext, verdict: Verdict) -> None:
    """The resource title SHALL be given (citation/title)."""
    suite_context.run_check(verdict, "MD-C-008")


@conformance(
    "MD-C-009",
    title="La ressource a un résumé",
    requirements=[req("common/resource-abstract")],
    abstract_test=ats("common/resource-abstract"),
    applies_to=COMMON,
)
def test_resource_abstract(suite_context: MetadataContext, verdict: Verdict) -> None:
    """The resource abstract SHALL be given (gmd:abstract)."""
    suite_context.run_check(verdict, "MD-C-009")


@conformance(
    "MD-C-010",
    title="Chaque partie responsable de la ressource a une organisation, un courriel et un rôle",
    requirements=[req("common/responsible-organisation")],
    abstract_test=ats("common/responsible-organisation"),
    applies_to=COMMON,
)
def test_responsible_organisation(suite_context: MetadataContext, verdict: Verdict) -> None:
    """Each responsible party SHALL have an organisation name, an e-mail address and a role."""
    suite_context.run_check(verdict, "MD-C-010")


@conformance(
    "MD-C-011",
    title="La ressource a une référence temporelle (étendue ou date de création, publication, révision)",
    requirements=[req("common/temporal-reference")],
    abstract_test=ats("common/temporal-reference"),
    applies_to=COMMON,
)
def test_temporal_reference(suite_context: MetadataContext, verdict: Verdict) -> None:
    """At least one temporal reference SHALL be given; citation dates SHALL be valid with a known date type."""
    suite_context.run_check(verdict, "MD-C-011")


@conformance(
    "MD-C-012",
    title="La ressource a au plus une date de création",
    requirements=[req("common/max-1-date-of-creation")],
    abstract_test=ats("common/max-1-date-of-creation"),
    applies_to=COMMON,
)
def test_max_one_creation_date(suite_context: MetadataContext, verdict: Verdict) -> None:
    """There SHALL NOT be more than one date of creation."""
    suite_context.run_check(verdict, "MD-C-012")


@conformance(
    "MD-C-013",
    title="La ressource a au plus une date de dernière révision",
    requirements=[req("common/max-1-date-of-last-revision")],
    abstract_test=ats("common/max-1-date-of-last-revision"),
    applies_to=COMMON,
)
def test_max_one_revision_date(suite_context: MetadataContext, verdict: Verdict) -> None:
    """There SHALL NOT be more than one date of last revision."""
    suite_context.run_check(verdict, "MD-C-013")


@conformance(
    "MD-C-014",
    title="L'étendue temporelle est une période ou un instant GML aux dates ISO 8601",
    requirements=[req("common/temporal-extent")],
    abstract_test=ats("common/temporal-extent"),
    applies_to=COMMON,
)
def test_temporal_extent(suite_context: MetadataContext, verdict: Verdict) -> None:
    """A temporal extent SHALL be encoded as gml:TimePeriod or gml:TimeInstant with ISO 8601 values."""
    suite_context.run_check(verdict, "MD-C-014")


@conformance(
    "MD-C-015",
    title="Chaque thésaurus de mots-clés est cité par un titre et une date",
    requirements=[req("common/keyword-originating-cv")],
    abstract_test=ats("common/keyword-originating-cv"),
    applies_to=COMMON,
)
def test_keyword_originating_cv(suite_context: MetadataContext, verdict: Verdict) -> None:
    """A controlled vocabulary SHALL be cited with its title and exactly one reference date."""
    suite_context.run_check(verdict, "MD-C-015")


@conformance(
    "MD-C-016",
    title="Les mots-clés d'un même thésaurus sont regroupés dans un seul bloc",
    requirements=[req("common/group-keywords-by-cv")],
    abstract_test=ats("common/group-keywords-by-cv"),
    applies_to=COMMON,
)
def test_group_keywords_by_cv(suite_context: MetadataContext, verdict: Verdict) -> None:
    """Keywords of one controlled vocabulary SHALL be grouped in one gmd:MD_Keywords."""
    suite_context.run_check(verdict, "MD-C-016")


@conformance(
    "MD-C-017",
    title="Les limitations d'accès public sont déclarées avec la liste INSPIRE LimitationsOnPublicAccess",
    requirements=[req("common/limitations-on-public-access")],
    abstract_test=ats("common/limitations-on-public-access"),
    applies_to=COMMON,
)
def test_limitations_on_public_access(suite_context: MetadataContext, verdict: Verdict) -> None:
    """TG Requirement C.17: exactly one MD_LegalConstraints SHALL give accessConstraints=otherRestrictions and an
    otherConstraints gmx:Anchor into the LimitationsOnPublicAccess code list; only the blocks with such Anchors are
    counted (a separate conditions block may also use accessConstraints, C.18)."""
    suite_context.run_check(verdict, "MD-C-017")


@conformance(
    "MD-C-118",
    title="Les conditions d'accès et d'utilisation sont déclarées (accessConstraints ou useConstraints = "
          "otherRestrictions, bloc distinct des limitations)",
    requirements=[req("common/conditions-for-access-and-use")],
    abstract_test=ats("common/conditions-for-access-and-use"),
    applies_to=COMMON,
)
def test_conditions_for_access_and_use(suite_context: MetadataContext, verdict: Verdict) -> None:
    """TG Requirement C.18: conditions SHALL be given in one MD_LegalConstraints, not the limitations block, with
    "either gmd:accessConstraints or gmd:useConstraints" = otherRestrictions and at least one otherConstraints.
    Replaces MD-C-018, which accepted only useConstraints (the CNIG guide recommends accessConstraints)."""
    suite_context.run_check(verdict, "MD-C-118")


@conformance(
    "MD-C-019",
    title="Le rectangle de délimitation géographique est présent et valide",
    requirements=[req("common/bounding-box")],
    abstract_test=ats("common/bounding-box"),
    applies_to=COMMON,
)
def test_bounding_box(suite_context: MetadataContext, verdict: Verdict) -> None:
    """A geographic bounding box SHALL be given for data sets and series (optional for services), with valid WGS 84
    decimal degrees."""
    suite_context.run_check(verdict, "MD-C-019")


@conformance(
    "MD-C-020",
    title="La fiche déclare au moins un degré de conformité",
    requirements=[req("common/conformity")],
    abstract_test=ats("common/conformity"),
    applies_to=COMMON,
)
def test_conformity(suite_context: MetadataContext, verdict: Verdict) -> None:
    """At least one conformity statement (DQ_ConformanceResult) SHALL be given."""
    suite_context.run_check(verdict, "MD-C-020")


@conformance(
    "MD-C-021",
    title="Chaque spécification de conformité est citée par un titre et une date",
    requirements=[req("common/conformity-specification")],
    abstract_test=ats("common/conformity-specification"),
    applies_to=COMMON,
)
def test_conformity_specification(suite_context: MetadataContext, verdict: Verdict) -> None:
    """The specification of a conformity statement SHALL be cited with a title and a reference date."""
    suite_context.run_check(verdict, "MD-C-021")


@conformance(
    "MD-C-022",
    title="Chaque degré de conformité est un booléen ou « non évalué »",
    requirements=[req("common/conformity-degree")],
    abstract_test=ats("common/conformity-degree"),
    applies_to=COMMON,
)
def test_conformity_degree(suite_context: MetadataContext, verdict: Verdict) -> None:
    """The degree SHALL be gmd:pass as gco:Boolean, or nilReason="unknown" when not evaluated."""
    suite_context.run_check(verdict, "MD-C-022")
