"""DCAT-AP 3.0.1: the target's DCAT catalogue document against the official SHACL shapes."""

from __future__ import annotations

from typing import Any

from cicclo.classes import DCAT_AP3
from cicclo.dcat import DcatContext, shacl_report
from cicclo.declare import conformance

RELEASE = "https://semiceu.github.io/DCAT-AP/releases/3.0.1/"
SHAPES = RELEASE + "html/shacl/shapes.ttl"
RANGES = RELEASE + "html/shacl/range.ttl"
RECOMMENDED = RELEASE + "html/shacl/shapes_recommended.ttl"


@conformance(
    "MD-DCAT-001",
    title="Le catalogue DCAT répond en RDF lisible et décrit un dcat:Catalog",
    requirements=[RELEASE + "#Catalogue"],
    abstract_test=None,
    applies_to=DCAT_AP3,
)
def test_document_is_a_dcat_catalogue(suite_context: DcatContext, verdict: Any) -> None:
    """The DCAT document answers 200 in an RDF media type, parses, and describes at least one catalogue."""
    ctx = suite_context
    with verdict.instance("document") as rec:
        ex = ctx.exchange()
        rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")
        fmt = ctx.rdf_format(ex)
        rec.require(fmt is not None,
                    f"type de média {ex.media_type or '(absent)'} : Turtle, RDF/XML ou JSON-LD attendu")
        assert fmt is not None
        graph = ctx.parse(ex.body, fmt)
        kinds = [cls for _, cls in ctx.resources(graph)]
        rec.check("dcat:Catalog" in kinds, "aucune ressource de type dcat:Catalog dans le document")
        rec.note(f"{len(graph)} triplets ; " + ", ".join(f"{kinds.count(k)} {k}" for k in sorted(set(kinds))))


def _shacl_instances(ctx: DcatContext, verdict: Any, shape_files: tuple[str, ...]) -> None:
    graph = ctx.graph()
    report = shacl_report(graph, shape_files)
    described = ctx.resources(graph)
    keys = [label for label, _ in described]
    keys += sorted(k for k in report.by_focus if k not in keys)  # agents, periods... with violations
    for key in keys:
        with verdict.instance(key) as rec:
            for v in report.by_focus.get(key, []):
                rec.fail(f"{v.path} : {v.message} (forme {v.severity})")
    if report.set_aside:
        verdict.note(f"{report.set_aside} contrainte(s) de classe sur des concepts de vocabulaires externes "
                     "non vérifiées hors ligne (le type de ces concepts n'est pas dans le document)")


@conformance(
    "MD-DCAT-002",
    title="Les ressources DCAT respectent les formes SHACL obligatoires de DCAT-AP 3.0.1",
    requirements=[SHAPES, RANGES],
    abstract_test=None,
    applies_to=DCAT_AP3,
)
def test_mandatory_shapes(suite_context: DcatContext, verdict: Any) -> None:
    """Every catalogue, data set, distribution, data service and series satisfies shapes.ttl and range.ttl;
    each violation is reported with its focus node and path."""
    _shacl_instances(suite_context, verdict, ("shapes.ttl", "range.ttl"))


@conformance(
    "MD-DCAT-003",
    title="Les ressources DCAT portent les propriétés recommandées par DCAT-AP 3.0.1",
    requirements=[RECOMMENDED],
    abstract_test=None,
    level="SHOULD",
    applies_to=DCAT_AP3,
)
def test_recommended_shapes(suite_context: DcatContext, verdict: Any) -> None:
    """The recommended properties of shapes_recommended.ttl are present (a warning otherwise)."""
    _shacl_instances(suite_context, verdict, ("shapes_recommended.ttl",))
