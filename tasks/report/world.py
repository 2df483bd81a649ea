"""A world outline for the report's map: country borders as one SVG path, equirectangular.

The shapes are the GeoJSON the `countryinfo` package (already a dependency, MIT) ships per country:
johan/world.geo.json, from Natural Earth's 1:110m countries (public domain). 173 countries have one;
small islands do not and show only as their event points. Coordinates are rounded to 0.1 degree and
repeated points dropped, which keeps the path ~60 KB.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

# The map shows latitudes 84N..58S (no Antarctica): events there are rare, and the page stays wide.
NORTH, SOUTH = 84.0, -58.0


def project(lon: float, lat: float, width: float) -> tuple[float, float]:
    """Equirectangular: x grows east from 180W, y grows south from NORTH; 1 degree = width/360."""
    k = width / 360.0
    return (lon + 180.0) * k, (NORTH - lat) * k


def height(width: float) -> float:
    return (NORTH - SOUTH) * width / 360.0


def _rings(geometry: dict):
    if geometry.get("type") == "Polygon":
        yield from geometry["coordinates"]
    elif geometry.get("type") == "MultiPolygon":
        for polygon in geometry["coordinates"]:
            yield from polygon


@lru_cache(maxsize=4)
def outline_path(width: float) -> str:
    """The `d` of one SVG path with every country's rings at this width."""
    parts = []
    for entry in sorted(resources.files("countryinfo").joinpath("data").iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".json"):
            continue
        shape = json.loads(entry.read_text(encoding="utf-8")).get("geoJSON") or {}
        for feature in shape.get("features") or []:
            for ring in _rings(feature.get("geometry") or {}):
                points, last = [], None
                for lon, lat, *_ in ring:
                    x, y = project(lon, max(min(lat, NORTH), SOUTH), width)
                    p = (round(x, 1), round(y, 1))
                    if p != last:
                        points.append(p)
                        last = p
                if len(points) >= 3:
                    parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in points) + "Z")
    return "".join(parts)
