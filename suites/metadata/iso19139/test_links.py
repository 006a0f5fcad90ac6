"""Do the URLs given by the records answer? Resource locators, linked GetCapabilities, coupled resources.

Only the target's hosts are contacted; each test checks at most ``budgets.max_links`` URLs.
"""

from __future__ import annotations

from cicclo.declare import conformance
from cicclo.metadata import links
from cicclo.metadata.harvest import MetadataContext
from cicclo.metadata.uris import COMMON, LINKED, SDS, ats, req
from cicclo.verdict import Verdict


@conformance(
    "MD-LINK-001",
    title="Les localisateurs de ressource des fiches répondent (HEAD puis GET, statut < 400)",
    requirements=[req("datasets-and-series/resource-locator"), req("sds/resource-locator")],
    abstract_test=ats("datasets-and-series/resource-locator"),
    applies_to=COMMON,
)
def test_locators_answer(suite_context: MetadataContext, verdict: Verdict) -> None:
    """Each resource locator of a record SHALL lead to the resource: HEAD (GET when HEAD is refused) must not
    answer with an error status."""
    links.check_locators(verdict, suite_context.records(verdict), suite_context.run.client,
                         suite_context.run.budgets.max_links)


@conformance(
    "MD-LINK-002",
    title="Un lien vers les capacités d'un service renvoie bien les capacités de ce service",
    requirements=[req("linked-service-metadata/view-linkage"), req("linked-service-metadata/download-linkage")],
    abstract_test=ats("ds-linked-service/ds-md-resource-locator"),
    applies_to=LINKED,
)
def test_capabilities_are_what_they_claim(suite_context: MetadataContext, verdict: Verdict) -> None:
    """A locator that claims a service (request=GetCapabilities&service=X, or an OGC protocol) SHALL return
    that service's capabilities document (root element of the right service, not an exception report); an
    OGC API protocol SHALL lead to a JSON landing page with links."""
    links.check_capabilities(verdict, suite_context.records(verdict), suite_context.run.client,
                             suite_context.run.budgets.max_links)


@conformance(
    "MD-LINK-003",
    title="Les ressources couplées d'un service renvoient la fiche ISO 19139 du jeu de données",
    requirements=[req("sds/coupled-resource")],
    abstract_test=ats("sds/coupled-resource"),
    applies_to=SDS,
)
def test_coupled_resources_answer(suite_context: MetadataContext, verdict: Verdict) -> None:
    """Each srv:operatesOn/@xlink:href SHALL return the coupled data set's gmd:MD_Metadata (same identifier as
    the uuidref, when given)."""
    links.check_coupled_resources(verdict, suite_context.records(verdict), suite_context.run.client,
                                  suite_context.run.budgets.max_links)
