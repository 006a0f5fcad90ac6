"""Geometry checks of RFC 7946 that JSON Schemas cannot express."""

from __future__ import annotations

from typing import Any


def _is_position(p: Any) -> bool:
    return isinstance(p, list) and 2 <= len(p) <= 3 and all(
        isinstance(c, int | float) and not isinstance(c, bool) for c in p)


def _ring_problems(ring: Any, where: str) -> list[str]:
    if not isinstance(ring, list) or not all(_is_position(p) for p in ring):
        return [f"{where} : anneau mal formé"]
    problems = []
    if len(ring) < 4:
        problems.append(f"{where} : anneau de {len(ring)} positions (4 au moins)")
    elif ring[0] != ring[-1]:
        problems.append(f"{where} : anneau non fermé (première et dernière positions différentes)")
    return problems


def geometry_problems(geom: Any, where: str = "géométrie") -> list[str]:
    """Problems of a GeoJSON geometry (RFC 7946 §3.1); [] for a valid or null geometry."""
    if geom is None:
        return []
    if not isinstance(geom, dict):
        return [f"{where} : pas un objet"]
    kind, coords = geom.get("type"), geom.get("coordinates")
    if kind == "GeometryCollection":
        parts = geom.get("geometries")
        if not isinstance(parts, list):
            return [f"{where} : « geometries » absent"]
        return [p for i, g in enumerate(parts) for p in geometry_problems(g, f"{where}[{i}]")]
    if kind == "Point":
        return [] if _is_position(coords) else [f"{where} : Point aux coordonnées invalides {coords!r}"]
    if kind in ("MultiPoint", "LineString"):
        if not isinstance(coords, list) or not all(_is_position(p) for p in coords):
            return [f"{where} : {kind} aux positions invalides"]
        return [f"{where} : LineString de moins de 2 positions"] if kind == "LineString" and len(coords) < 2 else []
    if kind == "MultiLineString":
        if not isinstance(coords, list):
            return [f"{where} : coordonnées absentes"]
        return [p for i, line in enumerate(coords)
                for p in geometry_problems({"type": "LineString", "coordinates": line}, f"{where}[{i}]")]
    if kind == "Polygon":
        if not isinstance(coords, list) or not coords:
            return [f"{where} : Polygon sans anneau"]
        return [p for i, ring in enumerate(coords) for p in _ring_problems(ring, f"{where} anneau {i}")]
    if kind == "MultiPolygon":
        if not isinstance(coords, list):
            return [f"{where} : coordonnées absentes"]
        return [p for i, poly in enumerate(coords)
                for p in geometry_problems({"type": "Polygon", "coordinates": poly}, f"{where}[{i}]")]
    return [f"{where} : type de géométrie inconnu {kind!r}"]
