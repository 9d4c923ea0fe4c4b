"""Where a point lies: RU-MOW, RU-MOS or outside, and how sure we are (SPEC §6).

The boundary outlines are simplified (about 1–2 km between vertices), so within
``border_margin_m`` of a border the answer is flagged ``near_border``: reported as uncertain,
never decided silently. Works on whole arrays at once (shapely 2 + numpy); one point (a phone's
single report) has its own scalar forms, :meth:`RegionClassifier.classify_one` and
:func:`distance_one_m`, which give exactly the same answers without building arrays
(tests/unit/test_report_paths.py proves it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

EARTH_RADIUS_M = 6_371_008.8
#: Local metric projection centred on Moscow (equirectangular; error < 0.5% within the oblast).
_LAT0 = 55.75
_M_PER_DEG_LAT = 111_132.0
_M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(_LAT0))


def _project(
    lon: NDArray[np.float64], lat: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    return lon * _M_PER_DEG_LON, lat * _M_PER_DEG_LAT


def _project_geometry(geometry: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geometry, lambda xy: np.column_stack(_project(xy[:, 0], xy[:, 1])))


@dataclass(frozen=True)
class RegionAnswer:
    region: str | None  # "RU-MOW", "RU-MOS" or None (outside both)
    near_border: bool
    border_distance_m: float


class RegionClassifier:
    """Classifies points against region polygons given in WGS 84 (lon, lat).

    A point is ``near_border`` when it lies within ``border_margin_m`` of any region's outline:
    inside the outline grown by the margin and not inside the outline shrunk by it. Both tests are
    vectorised point-in-polygon checks on prepared polygons (millions of points a second).
    """

    def __init__(self, regions: Mapping[str, BaseGeometry], border_margin_m: float = 1000.0):
        self._codes = list(regions)
        self._shapes = [regions[c] for c in self._codes]
        projected = [_project_geometry(shape) for shape in self._shapes]
        self._grown = [shape.buffer(border_margin_m) for shape in projected]
        self._shrunk = [shape.buffer(-border_margin_m) for shape in projected]
        self._borders = [shape.boundary for shape in projected]
        for geometry in (*self._shapes, *self._grown, *self._shrunk, *self._borders):
            shapely.prepare(geometry)
        self.border_margin_m = border_margin_m

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self._codes)

    def classify_many(
        self,
        lats: Sequence[float] | NDArray[np.float64],
        lons: Sequence[float] | NDArray[np.float64],
    ) -> tuple[list[str | None], NDArray[np.bool_]]:
        """Region code (or None) and the near-border flag, per point."""
        lat = np.asarray(lats, dtype=np.float64)
        lon = np.asarray(lons, dtype=np.float64)
        regions: list[str | None] = [None] * len(lat)
        near = np.zeros(len(lat), dtype=bool)
        if len(lat) == 0:
            return regions, near
        px, py = _project(lon, lat)
        for code, shape, grown, shrunk in zip(
            self._codes, self._shapes, self._grown, self._shrunk, strict=True
        ):
            for index in np.flatnonzero(shapely.contains_xy(shape, lon, lat)):
                regions[index] = code
            near |= shapely.contains_xy(grown, px, py) & ~shapely.contains_xy(shrunk, px, py)
        return regions, near

    def classify_one(self, lat: float, lon: float) -> tuple[str | None, bool]:
        """:meth:`classify_many` for one point, without arrays: the same GEOS predicates on the
        same prepared polygons, one scalar call each (``shapely.lib.contains_xy``: the public
        ``shapely.contains_xy`` only adds a check that costs as much as the test itself), and
        only the calls that can still change the answer — the last region containing the point
        wins, as in :meth:`classify_many`, and ``near_border`` is settled by the first region
        whose margin holds it."""
        region: str | None = None
        for code, shape in zip(reversed(self._codes), reversed(self._shapes), strict=True):
            if _contains_xy(shape, lon, lat):
                region = code
                break
        px, py = lon * _M_PER_DEG_LON, lat * _M_PER_DEG_LAT
        near = False
        for grown, shrunk in zip(self._grown, self._shrunk, strict=True):
            if _contains_xy(grown, px, py) and not _contains_xy(shrunk, px, py):
                near = True
                break
        return region, near

    def classify(self, lat: float, lon: float) -> RegionAnswer:
        regions, near = self.classify_many([lat], [lon])
        point = shapely.points(*_project(np.array([lon]), np.array([lat])))
        distance = min(float(shapely.distance(b, point)[0]) for b in self._borders)
        return RegionAnswer(regions[0], bool(near[0]), distance)


def _contains_xy(geometry: BaseGeometry, x: float, y: float) -> bool:
    return bool(shapely.lib.contains_xy(geometry, x, y))


def distance_m(
    lat1: NDArray[np.float64] | float,
    lon1: NDArray[np.float64] | float,
    lat2: NDArray[np.float64] | float,
    lon2: NDArray[np.float64] | float,
) -> NDArray[np.float64]:
    """Great-circle distance in metres (haversine), element-wise."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a)), dtype=np.float64)


def distance_one_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """:func:`distance_m` for one pair of points, without arrays, to the last bit: the same
    operations in the same order, the elementary functions through numpy's ufuncs on plain
    floats (fast for one number, and the same code as for an array: ``math.asin`` differs from
    ``np.arcsin`` in the last bit for ~9 % of inputs on an AVX-512 machine)."""
    p1, p2 = float(np.radians(lat1)), float(np.radians(lat2))
    dphi = p2 - p1
    dlmb = float(np.radians(lon2 - lon1))
    half_phi = float(np.sin(dphi / 2))
    half_lmb = float(np.sin(dlmb / 2))
    a = half_phi * half_phi + float(np.cos(p1)) * float(np.cos(p2)) * (half_lmb * half_lmb)
    return 2 * EARTH_RADIUS_M * float(np.arcsin(np.sqrt(a)))
