"""OGC API Features Part 1, Core: HTTP, landing page, API definition and conformance declaration."""

from __future__ import annotations

from cicclo.declare import conformance
from cicclo.oapif.context import OapifContext
from cicclo.oapif.uris import CORE, ats, req
from cicclo.verdict import Verdict


@conformance(
    "OAPIF-CORE-003",
    title="La page d'accueil répond à GET {racine}/ par 200",
    requirements=[req("core/root-op")],
    abstract_test=ats("core/root-op"),
    applies_to=CORE,
)
def test_root_op(api: OapifContext, verdict: Verdict) -> None:
    """The server SHALL support HTTP GET at the path / (the landing page)."""
    with verdict.instance("page d'accueil") as rec:
        ex = api.landing()
        rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")


@conformance(
    "OAPIF-CORE-007",
    title="La déclaration de conformité répond à GET {racine}/conformance par 200",
    requirements=[req("core/conformance-op")],
    abstract_test=ats("core/conformance-op"),
    applies_to=CORE,
)
def test_conformance_op(api: OapifContext, verdict: Verdict) -> None:
    """The API SHALL support GET at /conformance, and every `conformance` link of the landing page SHALL
    resolve (200)."""
    with verdict.instance("/conformance") as rec:
        ex = api.client.get(api.url("conformance"), accept="application/json")
        rec.require(ex.status == 200, f"{ex.describe()} : 200 attendu")
