"""Location reports: validation, quality flags and the daily summary (SPEC §6).

Flags describe a report's quality; they never drop a report and never trigger a sanction by
themselves. All thresholds come from policy parameters. Batches are classified at once (numpy,
shapely 2); nothing here loops over points in Python except to build the answer lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import numpy as np

from amina.domain.calendar import moscow_date
from amina.domain.geo import RegionClassifier, distance_m


class Flag(StrEnum):
    future_time = "future_time"
    too_old = "too_old"
    low_accuracy = "low_accuracy"
    impossible_speed = "impossible_speed"
    mocked = "mocked"
    outside_region = "outside_region"
    near_border = "near_border"
    far_from_address = "far_from_address"


FLAG_ORDER = tuple(Flag)


@dataclass(frozen=True)
class LocationReport:
    client_id: str
    device_time: datetime
    lat: float
    lon: float
    accuracy_m: float
    speed_mps: float | None = None
    altitude_m: float | None = None
    provider: str | None = None
    mocked: bool = False


@dataclass(frozen=True)
class Rejection:
    code: str
    field: str


def rejection(report: LocationReport) -> Rejection | None:
    """Why a report cannot be stored, or None. Out-of-range coordinates are errors, not flags."""
    if not -90.0 <= report.lat <= 90.0 or report.lat != report.lat:
        return Rejection("coordinates_out_of_range", "lat")
    if not -180.0 <= report.lon <= 180.0 or report.lon != report.lon:
        return Rejection("coordinates_out_of_range", "lon")
    if not report.accuracy_m >= 0:
        return Rejection("accuracy_invalid", "accuracy_m")
    if report.device_time.tzinfo is None:
        return Rejection("device_time_without_offset", "device_time")
    return None


@dataclass(frozen=True)
class Thresholds:
    future_tolerance: timedelta
    too_old: timedelta
    low_accuracy_m: float
    impossible_speed_mps: float
    far_from_address_m: float

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Any]) -> Thresholds:
        return cls(
            future_tolerance=timedelta(minutes=parameters["future_tolerance_minutes"]),
            too_old=timedelta(hours=parameters["too_old_hours"]),
            low_accuracy_m=float(parameters["low_accuracy_m"]),
            impossible_speed_mps=float(parameters["impossible_speed_mps"]),
            far_from_address_m=float(parameters["far_from_address_m"]),
        )


@dataclass(frozen=True)
class PreviousFix:
    device_time: datetime
    lat: float
    lon: float


@dataclass(frozen=True)
class Classified:
    region: str | None
    flags: tuple[Flag, ...]
    distance_to_address_m: float | None


def classify_batch(
    reports: Sequence[LocationReport],
    *,
    received_at: datetime,
    thresholds: Thresholds,
    classifier: RegionClassifier,
    address: tuple[float, float] | None,
    previous: PreviousFix | None,
) -> list[Classified]:
    """Classify valid reports of one device, in the order given.

    ``impossible_speed`` compares each report with the one before it in device-time order,
    within the batch and with ``previous`` (the device's latest stored fix before the batch).
    """
    n = len(reports)
    if n == 0:
        return []
    lat = np.fromiter((r.lat for r in reports), dtype=np.float64, count=n)
    lon = np.fromiter((r.lon for r in reports), dtype=np.float64, count=n)
    acc = np.fromiter((r.accuracy_m for r in reports), dtype=np.float64, count=n)
    t = np.fromiter((r.device_time.timestamp() for r in reports), dtype=np.float64, count=n)
    now = received_at.timestamp()

    regions, near = classifier.classify_many(lat, lon)
    future = t > now + thresholds.future_tolerance.total_seconds()
    old = t < now - thresholds.too_old.total_seconds()
    low = acc > thresholds.low_accuracy_m

    if address is not None:
        to_address = distance_m(lat, lon, address[0], address[1])
        far = to_address > thresholds.far_from_address_m
    else:
        to_address = np.full(n, np.nan)
        far = np.zeros(n, dtype=bool)

    # impossible speed: sort by device time, prepend the previous fix, compare neighbours
    order = np.argsort(t, kind="stable")
    s_lat, s_lon, s_t = lat[order], lon[order], t[order]
    if previous is not None:
        s_lat = np.concatenate(([previous.lat], s_lat))
        s_lon = np.concatenate(([previous.lon], s_lon))
        s_t = np.concatenate(([previous.device_time.timestamp()], s_t))
    step = distance_m(s_lat[:-1], s_lon[:-1], s_lat[1:], s_lon[1:])
    elapsed = np.maximum(s_t[1:] - s_t[:-1], 1.0)
    too_fast_sorted = (step / elapsed) > thresholds.impossible_speed_mps
    if previous is None:
        too_fast_sorted = np.concatenate(([False], too_fast_sorted))
    too_fast = np.zeros(n, dtype=bool)
    too_fast[order] = too_fast_sorted

    results: list[Classified] = []
    for i, report in enumerate(reports):
        flags: list[Flag] = []
        if future[i]:
            flags.append(Flag.future_time)
        if old[i]:
            flags.append(Flag.too_old)
        if low[i]:
            flags.append(Flag.low_accuracy)
        if too_fast[i]:
            flags.append(Flag.impossible_speed)
        if report.mocked:
            flags.append(Flag.mocked)
        if regions[i] is None:
            flags.append(Flag.outside_region)
        if near[i]:
            flags.append(Flag.near_border)
        if far[i]:
            flags.append(Flag.far_from_address)
        distance = None if np.isnan(to_address[i]) else float(to_address[i])
        results.append(Classified(regions[i], tuple(flags), distance))
    return results


@dataclass
class DailySummary:
    """What the rules and officers use: one row per person and Moscow calendar day."""

    day: date
    reports: int = 0
    inside_region: int = 0
    near_address: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    flag_counts: dict[str, int] = field(default_factory=dict)

    @property
    def any_inside_region(self) -> bool:
        return self.inside_region > 0

    @property
    def any_near_address(self) -> bool:
        return self.near_address > 0

    def add(self, report: LocationReport, classified: Classified) -> None:
        self.reports += 1
        if classified.region is not None:
            self.inside_region += 1
        if (
            Flag.far_from_address not in classified.flags
            and classified.distance_to_address_m is not None
        ):
            self.near_address += 1
        at = report.device_time
        self.first_at = at if self.first_at is None or at < self.first_at else self.first_at
        self.last_at = at if self.last_at is None or at > self.last_at else self.last_at
        for flag in classified.flags:
            self.flag_counts[flag.value] = self.flag_counts.get(flag.value, 0) + 1


def summarise(
    reports: Sequence[LocationReport], classified: Sequence[Classified]
) -> dict[date, DailySummary]:
    """Per Moscow calendar day of the device time, the summary of these reports."""
    days: dict[date, DailySummary] = {}
    for report, result in zip(reports, classified, strict=True):
        day = moscow_date(report.device_time)
        days.setdefault(day, DailySummary(day)).add(report, result)
    return days
