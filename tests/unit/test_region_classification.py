"""Region classification against the shipped boundaries (the checked places in amina/data)."""

from __future__ import annotations

import numpy as np
import pytest

from amina.adapters.external.boundaries import region_classifier
from amina.domain.geo import distance_m

CHECKED_POINTS = {
    "Kremlin": (55.7520, 37.6175, "RU-MOW"),
    "Zelenograd": (55.9825, 37.1814, "RU-MOW"),
    "Troitsk": (55.4850, 37.3070, "RU-MOW"),
    "Kommunarka": (55.5690, 37.4890, "RU-MOW"),
    "Vnukovo": (55.6040, 37.2860, "RU-MOW"),
    "Sakharovo": (55.3650, 37.0550, "RU-MOW"),
    "Podolsk": (55.4311, 37.5447, "RU-MOS"),
    "Khimki": (55.8970, 37.4297, "RU-MOS"),
    "Balashikha": (55.7963, 37.9382, "RU-MOS"),
    "Tver": (56.8587, 35.9176, None),
    "Kaluga": (54.5138, 36.2612, None),
}


@pytest.mark.parametrize("place", sorted(CHECKED_POINTS))
def test_the_checked_places_fall_in_the_documented_region(place: str) -> None:
    lat, lon, expected = CHECKED_POINTS[place]
    assert region_classifier().classify(lat, lon).region == expected


def test_a_whole_batch_is_classified_at_once_with_the_same_answers() -> None:
    lats = [v[0] for v in CHECKED_POINTS.values()]
    lons = [v[1] for v in CHECKED_POINTS.values()]
    regions, _near = region_classifier().classify_many(lats, lons)
    assert regions == [v[2] for v in CHECKED_POINTS.values()]


def test_a_point_a_few_hundred_metres_from_the_border_is_flagged_uncertain() -> None:
    classifier = region_classifier()
    kremlin = classifier.classify(55.7520, 37.6175)
    assert not kremlin.near_border
    # Walk east from the Kremlin until the region changes: the points around the change are
    # within the data's precision and must be flagged, never decided silently.
    lons = np.linspace(37.6175, 38.2, 3000)
    regions, near = classifier.classify_many(np.full_like(lons, 55.7520), lons)
    change = next(i for i in range(1, len(regions)) if regions[i] != regions[i - 1])
    assert near[change - 1]
    assert near[change]


def test_distance_between_the_kremlin_and_sakharovo_is_about_56_km() -> None:
    d = float(distance_m(55.7520, 37.6175, 55.3650, 37.0550))
    assert 55_000 < d < 58_000
