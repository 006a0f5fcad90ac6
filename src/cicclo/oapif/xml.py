"""Safe XML parsing of documents from targets: no network, no DTD, no entity expansion, bounded size."""

from __future__ import annotations

from typing import Any

from lxml import etree

MAX_XML_BYTES = 20 * 1024 * 1024


class XmlError(ValueError):
    pass


def parse_xml(body: bytes) -> Any:
    """Parse untrusted XML (no XXE, no billion laughs, no download); raises XmlError."""
    if len(body) > MAX_XML_BYTES:
        raise XmlError(f"document XML de plus de {MAX_XML_BYTES // (1024 * 1024)} Mo")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             dtd_validation=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise XmlError(str(exc)) from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise XmlError("DTD interne refusée")
    return root
