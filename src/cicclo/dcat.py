"""DCAT-AP 3.0.1 validation of a target's DCAT catalogue document, offline, with pySHACL.

The shapes are the official SEMIC files shipped in ``schemas/external/dcat-ap-3.0.1`` (never downloaded).
Offline, the class-membership constraints of ``range.ttl`` cannot know the ``rdf:type`` of concepts defined
in external vocabularies (EU authority tables, IANA media types...): a class violation whose value is not
described at all in the document is therefore set aside and counted in a note, not reported as a failure.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from pyshacl import validate
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.term import Node

from cicclo.declare import Declaration
from cicclo.errors import CheckFailed, NotTested
from cicclo.http import Exchange, attach_evidence
from cicclo.parsing import json_document
from cicclo.targets import REPO_ROOT

if TYPE_CHECKING:
    from cicclo.plugin import RunContext

SHAPES_DIR = REPO_ROOT / "schemas" / "external" / "dcat-ap-3.0.1"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SH = Namespace("http://www.w3.org/ns/shacl#")
ACCEPT_RDF = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8"
RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
}
CHECKED_CLASSES = (DCAT.Catalog, DCAT.Dataset, DCAT.Distribution, DCAT.DataService, DCAT.DatasetSeries)
# Sub-class facts of the vocabularies DCAT-AP reuses (vCard, FOAF, DCAT), so that e.g. a vcard:Organization
# is accepted where a vcard:Kind is required; the vocabularies themselves are not shipped.
BACKGROUND_TURTLE = """
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
vcard:Individual rdfs:subClassOf vcard:Kind . vcard:Organization rdfs:subClassOf vcard:Kind .
vcard:Group rdfs:subClassOf vcard:Kind . vcard:Location rdfs:subClassOf vcard:Kind .
foaf:Person rdfs:subClassOf foaf:Agent . foaf:Organization rdfs:subClassOf foaf:Agent .
foaf:Group rdfs:subClassOf foaf:Agent .
dcat:Dataset rdfs:subClassOf dcat:Resource . dcat:DataService rdfs:subClassOf dcat:Resource .
"""


# JSON-LD contexts the suite knows, keyed by URL, shipped with it (none yet): any other remote context is refused
SHIPPED_CONTEXTS: dict[str, Any] = {}
XML_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)


def remote_contexts(doc: Any) -> list[str]:
    """The URLs of every remote JSON-LD context a document names (``@context`` strings, ``@import``)."""
    found: list[str] = []
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, value in item.items():
                if key == "@context":
                    for ctx in value if isinstance(value, list) else [value]:
                        if isinstance(ctx, str):
                            found.append(ctx)
                        elif isinstance(ctx, dict):
                            if isinstance(ctx.get("@import"), str):
                                found.append(ctx["@import"])
                            stack.append(ctx)
                elif isinstance(value, dict | list):
                    stack.append(value)
    return found


def _inline_contexts(doc: Any) -> Any:
    """The document with each shipped context (by URL) replaced by its content."""
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            ctx = item.get("@context")
            if isinstance(ctx, str):
                item["@context"] = SHIPPED_CONTEXTS[ctx]
            elif isinstance(ctx, list):
                item["@context"] = [SHIPPED_CONTEXTS[c] if isinstance(c, str) else c for c in ctx]
            stack.extend(v for k, v in item.items() if k != "@context" and isinstance(v, dict | list))
    return doc


def parse_rdf(body: bytes, fmt: str) -> Graph:
    """An RDF document parsed offline: JSON-LD contexts only from the shipped copies (an unknown remote
    context is refused with its URL, nothing is fetched, no local file is read), XML entity declarations
    refused (no expansion, no external entity), JSON depth bounded. Raises CheckFailed "contenu invalide"."""
    data: Any = body
    if fmt == "json-ld":
        doc = json_document(body, "document DCAT JSON-LD")
        unknown = sorted({c for c in remote_contexts(doc) if c not in SHIPPED_CONTEXTS})
        if unknown:
            raise CheckFailed(f"document DCAT JSON-LD : contexte distant non fourni avec la suite, non téléchargé : "
                              f"{', '.join(unknown)} (la suite ne déréférence rien ; intégrer le contexte au "
                              "document)")
        data = json.dumps(_inline_contexts(doc))
    elif fmt == "xml" and XML_ENTITY_DECLARATION.search(body):
        raise CheckFailed("document DCAT RDF/XML : contenu invalide : déclaration d'entité XML (<!ENTITY) refusée "
                          "(ni expansion ni entité externe)")
    try:
        return Graph().parse(data=data, format=fmt)
    except RecursionError:
        raise CheckFailed(f"document DCAT ({fmt}) : contenu invalide : imbrication trop profonde") from None
    except Exception as exc:  # rdflib raises many parser-specific exception types
        raise CheckFailed(f"document DCAT illisible ({fmt}) : contenu invalide : {exc}") from None


@cache
def background() -> Graph:
    return Graph().parse(data=BACKGROUND_TURTLE, format="turtle")


@cache
def shapes(*names: str) -> Graph:
    """The union of the named shape files, parsed once per process."""
    graph = Graph()
    for name in names:
        graph.parse(SHAPES_DIR / name, format="turtle")
    return graph


@dataclass
class Violation:
    focus: str
    path: str
    message: str
    severity: str


@dataclass
class ShaclReport:
    conforms: bool
    by_focus: dict[str, list[Violation]] = field(default_factory=dict)
    set_aside: int = 0


def _label(graph: Graph, node: Node | None) -> str:
    if node is None:
        return "(sans chemin)"
    if isinstance(node, URIRef):
        return graph.namespace_manager.normalizeUri(node)
    return str(node)


def shacl_report(data: Graph, shape_files: tuple[str, ...]) -> ShaclReport:
    """Validate ``data`` against the shape files; violations grouped by focus node."""
    conforms, results, _ = validate(data, shacl_graph=shapes(*shape_files), ont_graph=background(), inference="rdfs",
                                    allow_warnings=True, meta_shacl=False, advanced=True)
    report = ShaclReport(conforms=bool(conforms))
    grouped: dict[str, list[Violation]] = defaultdict(list)
    for result in results.subjects(RDF.type, SH.ValidationResult):
        component = results.value(result, SH.sourceConstraintComponent)
        value = results.value(result, SH.value)
        if component == SH.ClassConstraintComponent and value is not None and (value, None, None) not in data:
            report.set_aside += 1  # a concept of an external vocabulary: its type is unknown offline
            continue
        focus = results.value(result, SH.focusNode)
        grouped[_label(data, focus)].append(Violation(
            focus=_label(data, focus),
            path=_label(data, results.value(result, SH.resultPath)),
            message=str(results.value(result, SH.resultMessage) or component),
            severity=_label(data, results.value(result, SH.resultSeverity)),
        ))
    report.by_focus = dict(grouped)
    return report


class DcatContext:
    """The target's DCAT document (service ``dcat``), fetched once through the run's HTTP client."""

    def __init__(self, run: RunContext) -> None:
        self.run = run
        self.service = run.target.services.get("dcat")
        self._exchange: Exchange | None = None

    def check_applicable(self, decl: Declaration) -> None:
        if self.service is None:
            raise NotTested("la cible ne déclare pas de catalogue DCAT (service dcat)")
        if not self.service.documented or not self.service.url:
            raise NotTested(f"aucun catalogue DCAT documenté : {self.service.note}")

    def exchange(self) -> Exchange:
        """The document's exchange, fetched once; every test that uses it keeps it as evidence."""
        if self._exchange is None:
            assert self.service is not None and self.service.url
            self._exchange = self.run.client.get(self.service.url, accept=ACCEPT_RDF)
        else:
            attach_evidence([self._exchange.ref])
        return self._exchange

    def rdf_format(self, ex: Exchange) -> str | None:
        return RDF_FORMATS.get(ex.media_type)

    @staticmethod
    def parse(body: bytes, fmt: str) -> Graph:
        """Parse an RDF document without dereferencing anything; raises CheckFailed naming the problem."""
        return parse_rdf(body, fmt)

    def graph(self) -> Graph:
        """The parsed document; NOT_TESTED when it is unusable (MD-DCAT-001 reports why)."""
        ex = self.exchange()
        fmt = self.rdf_format(ex)
        if ex.status != 200 or fmt is None:
            raise NotTested(f"document DCAT inutilisable ({ex.describe()}) : précondition non remplie")
        try:
            return self.parse(ex.body, fmt)
        except CheckFailed as exc:
            raise NotTested(str(exc)) from None

    @staticmethod
    def resources(graph: Graph) -> list[tuple[str, str]]:
        """(label, class) of every catalogue, data set, distribution, data service and series described."""
        found: list[tuple[str, str]] = []
        for cls in CHECKED_CLASSES:
            for node in sorted(set(graph.subjects(RDF.type, cls)), key=str):
                found.append((_label(graph, node), _label(graph, cls)))
        return found
