"""Loads the region boundaries shipped in amina/data (OSM, ODbL — see amina/data/README.md)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from shapely.geometry import shape

from amina.domain.geo import RegionClassifier

BOUNDARIES = Path(__file__).resolve().parents[2] / "data" / "moscow-region.geojson"


@cache
def region_classifier(border_margin_m: float = 1000.0) -> RegionClassifier:
    document = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    regions = {f["properties"]["iso3166_2"]: shape(f["geometry"]) for f in document["features"]}
    return RegionClassifier(regions, border_margin_m=border_margin_m)
