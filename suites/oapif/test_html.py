"""OGC API Features Part 1, HTML class: the HTML encoding of every resource."""

from __future__ import annotations

from cicclo.declare import conformance
from cicclo.oapif import html
from cicclo.oapif.context import OapifContext
from cicclo.oapif.uris import HTML, ats, req
from cicclo.verdict import Verdict


@conformance(
    "OAPIF-HTML-001",
    title="Chaque ressource demandée en HTML est servie en text/html",
    requirements=[req("html/definition")],
    abstract_test=ats("html/definition"),
    applies_to=HTML,
)
def test_html_definition(api: OapifContext, verdict: Verdict) -> None:
    """Every 200-response of the server, when HTML is requested (Accept: text/html), SHALL use text/html."""
    html.html_definition(api, verdict)


@conformance(
    "OAPIF-HTML-002",
    title="Les pages HTML sont des documents HTML5 lisibles, avec titre et liens",
    requirements=[req("html/content")],
    abstract_test=ats("html/content"),
    applies_to=HTML,
)
def test_html_content(api: OapifContext, verdict: Verdict) -> None:
    """HTML responses SHALL be HTML5 documents carrying the content of the resource. A machine checks that
    they parse, have a title and links; whether they show all the content of the JSON schema is to be
    checked by hand."""
    html.html_content(api, verdict)
