"""Conformance classes the suites know, keyed by their official URI.

A declaration whose ``applies_to`` is not listed here is rejected at collection time, so that a typo
can never turn into a silent NOT_APPLICABLE.
"""

from __future__ import annotations

from dataclasses import dataclass

OAPIF1 = "http://www.opengis.net/spec/ogcapi-features-1/1.0"
OAPIF1_DRAFT_1_1 = "http://www.opengis.net/spec/ogcapi-features-1/1.1"


@dataclass(frozen=True)
class ConformanceClass:
    uri: str
    suite: str
    code: str
    title_fr: str
    standard: str
    always_applicable: bool = False

    @property
    def informative_uris(self) -> tuple[str, ...]:
        """URIs that also declare this class, for information only (e.g. a 1.1 draft URI)."""
        if self.uri.startswith(OAPIF1 + "/"):
            return (OAPIF1_DRAFT_1_1 + self.uri[len(OAPIF1):],)
        return ()


_PART1 = "OGC API - Features - Part 1: Core 1.0.1 (OGC 17-069r4)"

KNOWN_CLASSES: dict[str, ConformanceClass] = {
    c.uri: c
    for c in (
        ConformanceClass(f"{OAPIF1}/conf/core", "oapif", "CORE", "Cœur (Core)", _PART1, always_applicable=True),
        ConformanceClass(f"{OAPIF1}/conf/geojson", "oapif", "GEOJSON", "Encodage GeoJSON", _PART1),
        ConformanceClass(f"{OAPIF1}/conf/gmlsf0", "oapif", "GMLSF0", "Encodage GML Simple Features niveau 0", _PART1),
        ConformanceClass(f"{OAPIF1}/conf/gmlsf2", "oapif", "GMLSF2", "Encodage GML Simple Features niveau 2", _PART1),
        ConformanceClass(f"{OAPIF1}/conf/html", "oapif", "HTML", "Encodage HTML", _PART1),
        ConformanceClass(f"{OAPIF1}/conf/oas30", "oapif", "OAS30", "Définition OpenAPI 3.0", _PART1),
    )
}

SUITE_TITLES_FR = {"oapif": "OGC API Features – Partie 1 : Cœur"}


def declared_classes(conforms_to: list[str]) -> tuple[set[str], list[str]]:
    """Known classes declared by a ``conformsTo`` list, and notes on informative (draft) URIs used."""
    declared: set[str] = set()
    notes: list[str] = []
    given = set(conforms_to)
    for uri, cls in KNOWN_CLASSES.items():
        if uri in given:
            declared.add(uri)
            continue
        for alt in cls.informative_uris:
            if alt in given:
                declared.add(uri)
                notes.append(f"classe déclarée sous l'URI du projet 1.1 (informatif) : {alt}")
    return declared, notes
