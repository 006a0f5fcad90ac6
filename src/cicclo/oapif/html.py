"""OGC API Features Part 1, HTML class: the checks of the HTML encoding of every resource (declared in
suites/oapif/test_html.py, reused by the Records suite on record collections)."""

from __future__ import annotations

import html5lib

from cicclo.errors import NotTested
from cicclo.http import Exchange
from cicclo.oapif.checks import html5_doctype_problems
from cicclo.oapif.context import HTML, OapifContext
from cicclo.verdict import Verdict


def _html_resources(api: OapifContext, verdict: Verdict) -> list[tuple[str, str]]:
    """Every kind of resource of the API, for one collection and one of its features."""
    resources = [("page d'accueil", api.root), ("/conformance", api.url("conformance")),
                 ("/collections", api.url("collections"))]
    coll = api.collections(verdict)[0]
    resources += [(f"/collections/{coll.id}", api.url(f"collections/{coll.id}")),
                  (f"/collections/{coll.id}/items", api.url(f"collections/{coll.id}/items"))]
    for fid in api.sample_feature_ids(coll)[:1]:
        resources.append((f"/collections/{coll.id}/items/{{featureId}}", api.feature_url(coll, fid)))
    return resources


def _get_html(api: OapifContext, url: str) -> Exchange:
    return api.client.get(url, accept="text/html")


def html_definition(api: OapifContext, verdict: Verdict) -> None:
    """Every 200-response of the server, when HTML is requested (Accept: text/html), SHALL use text/html."""
    for name, url in _html_resources(api, verdict):
        with verdict.instance(name) as rec:
            ex = _get_html(api, url)
            if ex.status != 200:
                raise NotTested(f"{ex.describe()} : pas de réponse 200 à vérifier")
            rec.check(ex.media_type == HTML, f"{ex.describe()} : text/html attendu")


def html_content(api: OapifContext, verdict: Verdict) -> None:
    """HTML responses SHALL be HTML5 documents carrying the content of the resource. A machine checks that
    they parse, have a title and links; whether they show all the content of the JSON schema is to be
    checked by hand."""
    verdict.note("à vérifier à la main : chaque page HTML présente tout le contenu décrit par le schéma "
                 "de la ressource (liens, propriétés des entités)")
    for name, url in _html_resources(api, verdict):
        with verdict.instance(name) as rec:
            ex = _get_html(api, url)
            if ex.status != 200 or ex.media_type != HTML:
                raise NotTested(f"{ex.describe()} : pas de page HTML à lire (vérifié par OAPIF-HTML-001)")
            parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
            tree = parser.parse(ex.body)
            fatal = [e for e in parser.errors if "eof" in str(e[1])]
            rec.check(not fatal, f"{ex.url} : document HTML tronqué ({fatal[:2]})")
            for problem in html5_doctype_problems(ex.text()):
                rec.fail(f"{ex.url} : {problem}")
            title = tree.find(".//title")
            rec.check(title is not None and (title.text or "").strip(), f"{ex.url} : élément <title> absent ou vide")
            rec.check(tree.find(".//a") is not None, f"{ex.url} : aucun lien <a>")
