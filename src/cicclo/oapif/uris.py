"""URIs of OGC API Features Part 1 (17-069r4) requirements, abstract tests and conformance classes."""

BASE = "http://www.opengis.net/spec/ogcapi-features-1/1.0"
CORE = f"{BASE}/conf/core"
GEOJSON = f"{BASE}/conf/geojson"
GMLSF0 = f"{BASE}/conf/gmlsf0"
GMLSF2 = f"{BASE}/conf/gmlsf2"
HTML = f"{BASE}/conf/html"
OAS30 = f"{BASE}/conf/oas30"


def req(path: str) -> str:
    """Full requirement URI, e.g. req('core/fc-op')."""
    return f"{BASE}/req/{path}"


def ats(path: str) -> str:
    """Full abstract test URI, e.g. ats('core/fc-op')."""
    return f"{BASE}/conf/{path}"
