"""National recommendations of the CNIG metadata guide v2.0 (2019) that a program can check.

Rules already covered by an INSPIRE check (resource language code, limitations on public access...) are not
repeated here. All are recommendations (DEVRAIT).
"""

from __future__ import annotations

from cicclo.declare import conformance
from cicclo.metadata.harvest import MetadataContext
from cicclo.metadata.uris import CNIG, cnig
from cicclo.verdict import Verdict


@conformance(
    "MD-CNIG-001",
    title="Un seul thème INSPIRE par ressource",
    requirements=[cnig("mots-cles-theme-inspire")],
    abstract_test=None,
    level="SHOULD",
    applies_to=CNIG,
)
def test_one_theme(suite_context: MetadataContext, verdict: Verdict) -> None:
    """CNIG: link a resource to one INSPIRE theme only."""
    suite_context.run_check(verdict, "MD-CNIG-001")


@conformance(
    "MD-CNIG-002",
    title="Mot-clé « données ouvertes » pour une ressource sous licence ouverte",
    requirements=[cnig("mots-cles-libres")],
    abstract_test=None,
    level="SHOULD",
    applies_to=CNIG,
)
def test_open_data_keyword(suite_context: MetadataContext, verdict: Verdict) -> None:
    """CNIG: add the free keyword "données ouvertes" to resources published under an open licence."""
    suite_context.run_check(verdict, "MD-CNIG-002")


@conformance(
    "MD-CNIG-003",
    title="Système de référence identifié par une URI du registre EPSG (gmx:Anchor)",
    requirements=[cnig("systeme-de-reference")],
    abstract_test=None,
    level="SHOULD",
    applies_to=CNIG,
)
def test_crs_epsg_uri(suite_context: MetadataContext, verdict: Verdict) -> None:
    """CNIG: the reference form of a CRS identifier is a gmx:Anchor to http://www.opengis.net/def/crs/EPSG/0/<code>."""
    suite_context.run_check(verdict, "MD-CNIG-003")


@conformance(
    "MD-CNIG-004",
    title="Les liens vers des services portent un protocole, un profil applicatif et une description",
    requirements=[cnig("localisateur-de-la-ressource")],
    abstract_test=None,
    level="SHOULD",
    applies_to=CNIG,
)
def test_service_links_complete(suite_context: MetadataContext, verdict: Verdict) -> None:
    """CNIG: a link to a service (GetCapabilities URL or application profile) gives its protocol, its
    application profile (INSPIRE service type) and a description."""
    suite_context.run_check(verdict, "MD-CNIG-004")


@conformance(
    "MD-CNIG-005",
    title="Les conditions d'accès et d'utilisation sont connues (pas « conditions inconnues »)",
    requirements=[cnig("contraintes")],
    abstract_test=None,
    level="SHOULD",
    applies_to=CNIG,
)
def test_conditions_known(suite_context: MetadataContext, verdict: Verdict) -> None:
    """CNIG: "conditions inconnues" should be avoided; state the conditions (e.g. Licence Ouverte)."""
    suite_context.run_check(verdict, "MD-CNIG-005")


@conformance(
    "MD-CNIG-006",
    title="Le thème INSPIRE est libellé dans la langue des métadonnées",
    requirements=[cnig("mots-cles-theme-inspire")],
    abstract_test=None,
    level="SHOULD",
    applies_to=CNIG,
)
def test_theme_label_language(suite_context: MetadataContext, verdict: Verdict) -> None:
    """CNIG: the theme label is given in the language of the metadata (official label of the theme register)."""
    suite_context.run_check(verdict, "MD-CNIG-006")
