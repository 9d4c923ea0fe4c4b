"""``GET /api/v1/regions/outline``: a simplified outline of Moscow and Moscow Oblast, for the
picture the person's app draws of where their reports fell (no map tiles from the internet).

Built once per process from the boundary data in ``amina/data`` (© OpenStreetMap contributors,
ODbL), simplified to about 500 m and rounded to 4 decimal places: some 15 KB, public, cacheable.
The classification itself always uses the full boundaries (amina.domain.geo).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from shapely.geometry import MultiPolygon, Polygon, shape

from amina.adapters.external.boundaries import BOUNDARIES
from amina.adapters.web.context import translator_for
from amina.i18n import N_

router = APIRouter(prefix="/api/v1/regions", tags=["regions"])

#: Degrees: ~0.005° is 550 m north–south and 300 m east–west at Moscow's latitude — finer than
#: anything a phone screen shows of a 300 km wide region.
TOLERANCE_DEGREES = 0.005
DECIMALS = 4
REGION_NAMES = {"RU-MOW": N_("Moscow"), "RU-MOS": N_("Moscow Oblast")}

Ring = list[list[float]]


class RegionOut(BaseModel):
    code: str = Field(examples=["RU-MOW"])
    name: str = Field(description="In the caller's language")
    polygons: list[list[Ring]] = Field(
        description="Each polygon: its outer ring, then its holes; each ring a list of "
        "[longitude, latitude]"
    )


class OutlineOut(BaseModel):
    regions: list[RegionOut]
    bounds: list[float] = Field(description="[west, south, east, north] of both regions")
    attribution: str


def _ring(coordinates: Any) -> Ring:
    return [[round(lon, DECIMALS), round(lat, DECIMALS)] for lon, lat in coordinates]


def _polygons(geometry: Polygon | MultiPolygon) -> list[list[Ring]]:
    parts = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
    return [
        [_ring(part.exterior.coords), *(_ring(hole.coords) for hole in part.interiors)]
        for part in parts
    ]


@cache
def outline() -> tuple[tuple[str, list[list[Ring]]], ...]:
    """(region code, polygons) for each region in the boundary data, simplified."""
    document = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    found = []
    for feature in document["features"]:
        geometry = shape(feature["geometry"]).simplify(TOLERANCE_DEGREES, preserve_topology=True)
        found.append((str(feature["properties"]["iso3166_2"]), _polygons(geometry)))
    return tuple(found)


def _bounds(regions: tuple[tuple[str, list[list[Ring]]], ...]) -> list[float]:
    points = [point for _code, polygons in regions for polygon in polygons for point in polygon[0]]
    lons = [point[0] for point in points]
    lats = [point[1] for point in points]
    return [min(lons), min(lats), max(lons), max(lats)]


@router.get("/outline", response_model=OutlineOut)
def region_outline(request: Request) -> Response:
    """The outline of Moscow (RU-MOW) and Moscow Oblast (RU-MOS), simplified for drawing."""
    t = translator_for(request)
    regions = outline()
    body = OutlineOut(
        regions=[
            RegionOut(code=code, name=t.gettext(REGION_NAMES.get(code, code)), polygons=polygons)
            for code, polygons in regions
        ],
        bounds=_bounds(regions),
        attribution="© OpenStreetMap contributors, ODbL 1.0",
    )
    return Response(
        body.model_dump_json(),
        media_type="application/json",
        headers={"Cache-Control": "public, max-age=86400", "Vary": "Accept-Language"},
    )
