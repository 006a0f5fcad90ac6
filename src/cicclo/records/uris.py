"""URIs of OGC API – Records – Part 1 1.0 (OGC 20-004r1): requirements, abstract tests, classes."""

from __future__ import annotations

from cicclo.classes import OAREC1

BASE = OAREC1
RECORD_CORE = f"{BASE}/conf/record-core"
RECORD_COLLECTION = f"{BASE}/conf/record-collection"
QUERY_PARAMETERS = f"{BASE}/conf/record-core-query-parameters"
RECORDS_API = f"{BASE}/conf/records-api"
SORTING = f"{BASE}/conf/sorting"
JSON = f"{BASE}/conf/json"
HTML = f"{BASE}/conf/html"
OAS30 = f"{BASE}/conf/oas30"
SEARCHABLE = f"{BASE}/conf/searchable-catalog"
AUTODISCOVERY = f"{BASE}/conf/autodiscovery"

# Other spellings that declare a class (the 1.0 document itself is inconsistent, see the research notes
# metadata.md §3.1); the pre-1.0 "core" class covered the record, the collection, the API and its query
# parameters, and is still what pygeoapi 0.21 declares: it is accepted with a note.
ALIASES: dict[str, tuple[str, ...]] = {
    f"{BASE}/conf/record-api": (RECORDS_API,),
    f"{BASE}/conf/searchable-catalog-sorting": (SORTING,),
    f"{BASE}/conf/searchable-catalog/sorting": (SORTING,),
    f"{BASE}/conf/local-resources-catalog-sorting": (SORTING,),
    f"{BASE}/conf/local-resources-catalog/sorting": (SORTING,),
}
DRAFT_CORE = f"{BASE}/conf/core"
DRAFT_CORE_CLASSES = (RECORD_CORE, RECORD_COLLECTION, RECORDS_API, QUERY_PARAMETERS)


def req(path: str) -> str:
    """Full requirement URI, e.g. req('record-core/mandatory-properties-record')."""
    return f"{BASE}/req/{path}"


def ats(path: str) -> str:
    """Full abstract test URI, e.g. ats('record-core/mandatory-properties-record')."""
    return f"{BASE}/conf/{path}"
