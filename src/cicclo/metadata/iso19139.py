"""Offline XML Schema validation of ISO 19139 records (INSPIRE TG requirement C.1).

Two schema sets are accepted, as by the INSPIRE validator: the CSW ISO AP 1.0.0 set (ISO 19139 2006-05-04, GML
3.2.0) and the ISO/TS 19139:2007 set (OGC copy 2007-04-17, GML 3.2.1). A record is valid when one set accepts it.
The schemas are compiled once per process from the local copies; nothing is fetched.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from lxml import etree

from cicclo.metadata.codelists import EXTERNAL

WRAPPERS = EXTERNAL / "iso19139" / "wrappers"
SCHEMA_SETS = {
    "ISO 19139 2007-04-17 + GML 3.2.1": WRAPPERS / "iso19139-2007.xsd",
    "CSW ISO AP 1.0.0 (ISO 19139 2006-05-04)": WRAPPERS / "iso19139-2006-apiso.xsd",
}
MAX_ERRORS = 5
_LOCK = threading.Lock()


@dataclass
class SchemaReport:
    valid: bool
    accepted_by: str | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    def messages(self) -> list[str]:
        """French failure messages (empty when valid)."""
        if self.valid:
            return []
        out = []
        for name, errs in self.errors.items():
            shown = "; ".join(errs[:MAX_ERRORS]) or "erreur inconnue"
            more = f" (+{len(errs) - MAX_ERRORS} autres)" if len(errs) > MAX_ERRORS else ""
            out.append(f"invalide selon le jeu de schémas {name} : {shown}{more}")
        return out


@cache
def _schemas() -> dict[str, etree.XMLSchema]:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    return {name: etree.XMLSchema(etree.parse(str(path), parser)) for name, path in SCHEMA_SETS.items()}


def compiled() -> dict[str, Any]:
    """The compiled schema sets (compiled on first use, then cached for the process)."""
    with _LOCK:
        return _schemas()


def _describe(err: Any) -> str:
    message = str(err.message).replace("{http://www.isotc211.org/2005/gmd}", "gmd:")
    message = message.replace("{http://www.isotc211.org/2005/gco}", "gco:").replace(
        "{http://www.isotc211.org/2005/srv}", "srv:")
    return f"ligne {err.line} : {message}"


def validate(root: Any) -> SchemaReport:
    """Validate a parsed record (an lxml element) against each accepted schema set."""
    report = SchemaReport(valid=False)
    doc = etree.ElementTree(root) if root.getparent() is None else etree.ElementTree(_copy(root))
    schemas = compiled()
    with _LOCK:  # an lxml schema object is not meant to be shared between threads while validating
        for name, schema in schemas.items():
            if schema.validate(doc):
                return SchemaReport(valid=True, accepted_by=name)
            report.errors[name] = [_describe(e) for e in schema.error_log]
    return report


def _copy(element: Any) -> Any:
    return etree.fromstring(etree.tostring(element))
