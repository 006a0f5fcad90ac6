"""OGC API Features Part 1, OpenAPI 3.0 class: the API definition and what the API really does."""

from __future__ import annotations

from cicclo.declare import conformance
from cicclo.oapif import oas30
from cicclo.oapif.context import OapifContext
from cicclo.oapif.uris import OAS30, ats, req
from cicclo.verdict import Verdict


@conformance(
    "OAPIF-OAS30-001",
    title="La définition OpenAPI décrit les réponses que l'API produit réellement",
    requirements=[req("oas30/completeness")],
    abstract_test=ats("oas30/completeness"),
    applies_to=OAS30,
)
def test_completeness(api: OapifContext, verdict: Verdict) -> None:
    """For each operation, the definition SHALL describe every status code and response object the API
    uses: each real response (success and unknown feature) is validated against the definition.

    Whether an error status code is described at all is OAPIF-OAS30-002's concern.
    """
    oas30.completeness(api, verdict)


@conformance(
    "OAPIF-OAS30-002",
    title="La définition OpenAPI décrit les codes d'erreur que l'API renvoie",
    requirements=[req("oas30/exceptions-codes")],
    abstract_test=ats("oas30/exceptions-codes"),
    applies_to=OAS30,
)
def test_exceptions_codes(api: OapifContext, verdict: Verdict) -> None:
    """For each operation, the definition SHALL describe the HTTP status codes the API may generate: those
    returned for an invalid limit and an unknown feature are each described by a response object."""
    oas30.exceptions_codes(api, verdict)


@conformance(
    "OAPIF-OAS30-003",
    title="La définition OpenAPI 3.0 est liée en JSON (service-desc) et sa version HTML (service-doc)",
    requirements=[req("oas30/oas-definition-1")],
    abstract_test=ats("oas30/oas-definition-1"),
    applies_to=OAS30,
)
def test_oas_definition_1(api: OapifContext, verdict: Verdict) -> None:
    """An OpenAPI 3.0 definition in JSON SHALL be available through rel=service-desc with the media type
    application/vnd.oai.openapi+json;version=3.0, and an HTML version through rel=service-doc (text/html)."""
    oas30.oas_definition_1(api, verdict)


@conformance(
    "OAPIF-OAS30-004",
    title="La définition de l'API en JSON est un document OpenAPI 3.0 valide",
    requirements=[req("oas30/oas-definition-2")],
    abstract_test=ats("oas30/oas-definition-2"),
    applies_to=OAS30,
)
def test_oas_definition_2(api: OapifContext, verdict: Verdict) -> None:
    """The JSON API definition SHALL conform to the OpenAPI Specification 3.0 (validated offline)."""
    oas30.oas_definition_2(api, verdict)


@conformance(
    "OAPIF-OAS30-005",
    title="Chaque chemin de la définition OpenAPI est implémenté comme elle le décrit",
    requirements=[req("oas30/oas-impl")],
    abstract_test=ats("oas30/oas-impl"),
    applies_to=OAS30,
)
def test_oas_impl(api: OapifContext, verdict: Verdict) -> None:
    """Every path of the definition, composed with its first server URL and instantiated with the API's own
    collections and features, SHALL be implemented: GET answers with a success status the definition
    documents for it (a 404 or a server error on a path the definition declares means it is not
    implemented, even when the definition documents that code)."""
    oas30.oas_impl(api, verdict)


@conformance(
    "OAPIF-OAS30-006",
    title="Les mécanismes d'authentification de l'API sont déclarés dans la définition OpenAPI",
    requirements=[req("oas30/security")],
    abstract_test=ats("oas30/security"),
    applies_to=OAS30,
)
def test_security(api: OapifContext, verdict: Verdict) -> None:
    """Every authentication protocol the API supports SHALL be described by a Security Scheme Object and its
    use specified by a Security Requirement Object."""
    oas30.security(api, verdict)
