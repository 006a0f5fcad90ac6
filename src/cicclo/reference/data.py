"""Deterministic data of the reference platform: French-flavoured points, lines and polygons.

Everything derives from a fixed seed; nothing is downloaded. Geometries lie in metropolitan France.
Lines are horizontal or vertical and parcels are axis-aligned rectangles, so that the envelope-based bbox
filtering of pygeoapi's TinyDB provider is exact and the reference stays a conformant baseline for bbox.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

SEED = 20261128
LON = (-4.5, 8.0)
LAT = (42.5, 50.5)
BORNES_COUNT = 12_000
COMMUNES = ["Rennes", "Lyon", "Lille", "Nantes", "Bordeaux", "Toulouse", "Strasbourg", "Dijon", "Orléans", "Caen"]
NATURES = ["route départementale", "voie communale", "chemin rural", "route nationale"]
USAGES = ["terre arable", "prairie", "forêt", "vigne", "verger", "bâti"]


def _point(rng: random.Random) -> tuple[float, float]:
    return round(rng.uniform(*LON), 5), round(rng.uniform(*LAT), 5)


def _date(rng: random.Random, start: dt.date, days: int) -> str:
    return (start + dt.timedelta(days=rng.randrange(days))).isoformat()


def bornes() -> list[dict[str, Any]]:
    """12,000 survey markers (points, no temporal information)."""
    rng = random.Random(SEED)
    feats = []
    for i in range(1, BORNES_COUNT + 1):
        x, y = _point(rng)
        feats.append({
            "type": "Feature",
            "id": f"borne-{i:05d}",
            "geometry": {"type": "Point", "coordinates": [x, y]},
            "properties": {"numero": i, "commune": rng.choice(COMMUNES), "altitude_m": rng.randint(0, 2500)},
        })
    return feats


def stations() -> list[dict[str, Any]]:
    """Air-quality stations (points) with a measurement date-time."""
    rng = random.Random(SEED + 1)
    feats = []
    for i in range(1, 241):
        x, y = _point(rng)
        when = dt.datetime(2023, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=rng.randrange(2 * 365 * 24))
        feats.append({
            "type": "Feature",
            "id": f"station-{i:03d}",
            "geometry": {"type": "Point", "coordinates": [x, y]},
            "properties": {
                "nom": f"Station {rng.choice(COMMUNES)} {i}",
                "polluant": rng.choice(["NO2", "O3", "PM10", "PM2.5"]),
                "valeur": round(rng.uniform(2, 80), 1),
                "date_mesure": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        })
    return feats


def troncons() -> list[dict[str, Any]]:
    """Road sections (straight horizontal or vertical lines) with an update date."""
    rng = random.Random(SEED + 2)
    feats = []
    for i in range(1, 181):
        x, y = _point(rng)
        length = round(rng.uniform(0.01, 0.2), 5)
        end = [round(x + length, 5), y] if i % 2 else [x, round(y + length, 5)]
        mid = [round((x + end[0]) / 2, 5), round((y + end[1]) / 2, 5)]
        feats.append({
            "type": "Feature",
            "id": f"troncon-{i:03d}",
            "geometry": {"type": "LineString", "coordinates": [[x, y], mid, end]},
            "properties": {
                "nature": rng.choice(NATURES),
                "largeur_m": round(rng.uniform(3, 12), 1),
                "date_maj": _date(rng, dt.date(2019, 1, 1), 5 * 365),
            },
        })
    return feats


def parcelles() -> list[dict[str, Any]]:
    """Land parcels (axis-aligned rectangles) with a creation date."""
    rng = random.Random(SEED + 3)
    feats = []
    for i in range(1, 151):
        x, y = _point(rng)
        w, h = round(rng.uniform(0.002, 0.05), 5), round(rng.uniform(0.002, 0.05), 5)
        ring = [[x, y], [round(x + w, 5), y], [round(x + w, 5), round(y + h, 5)], [x, round(y + h, 5)], [x, y]]
        feats.append({
            "type": "Feature",
            "id": f"parcelle-{i:03d}",
            "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {
                "section": f"{rng.choice('ABCDEFGH')}{rng.choice('ABCDEFGH')}",
                "usage": rng.choice(USAGES),
                "surface_m2": rng.randint(200, 90_000),
                "date_creation": _date(rng, dt.date(2015, 1, 1), 9 * 365),
            },
        })
    return feats


def extent_of(features: list[dict[str, Any]]) -> list[float]:
    xs: list[float] = []
    ys: list[float] = []

    def walk(c: Any) -> None:
        if c and isinstance(c[0], int | float):
            xs.append(c[0])
            ys.append(c[1])
        else:
            for sub in c:
                walk(sub)

    for f in features:
        walk(f["geometry"]["coordinates"])
    return [min(xs), min(ys), max(xs), max(ys)]


def write_geojson(path: Path, features: list[dict[str, Any]]) -> None:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")


def write_tinydb(path: Path, features: list[dict[str, Any]]) -> None:
    """A TinyDB JSON file (table ``_default``) holding the features as documents."""
    table = {str(i): f for i, f in enumerate(features, start=1)}
    path.write_text(json.dumps({"_default": table}, ensure_ascii=False), encoding="utf-8")
