"""Requirement and abstract-test URIs of the INSPIRE metadata TG (2.2.1, identifiers metadata/2.0) and CNIG guide."""

from __future__ import annotations

from cicclo.classes import CNIG_MD, INSPIRE_MD

REQ_BASE = "http://inspire.ec.europa.eu/id/spec/metadata/2.0/req"
COMMON = f"{INSPIRE_MD}/common"
DATASETS = f"{INSPIRE_MD}/datasets-and-series"
ISDSS = f"{INSPIRE_MD}/isdss"
SDS = f"{INSPIRE_MD}/sds"
NS = f"{INSPIRE_MD}/ns"
NS_MONITORING = f"{INSPIRE_MD}/ns-monitoring"
SDS_INVOCABLE = f"{INSPIRE_MD}/sds-invocable"
LINKED = f"{INSPIRE_MD}/linked-service-metadata"
CNIG = CNIG_MD


def req(path: str) -> str:
    """A TG requirement URI, e.g. req("common/xml-schema")."""
    return f"{REQ_BASE}/{path}"


def ats(path: str) -> str:
    """An abstract test URI of the INSPIRE metadata ATS, e.g. ats("common/xml-schema")."""
    return f"{INSPIRE_MD}/{path}"


def cnig(anchor: str) -> str:
    """A CNIG guide rule, cited as the guide's URL with a fragment naming the chapter."""
    return f"{CNIG_MD}#{anchor}"
