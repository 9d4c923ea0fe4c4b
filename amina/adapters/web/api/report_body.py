"""Reading the body of ``POST /api/v1/reports`` (decoded JSON) into the ingest's typed input.

Shapes and types only: a report item becomes a :class:`~amina.domain.reports.LocationReport`
(or :class:`~amina.services.reports.ingest.Unreadable` with the first wrong field), the status
a :class:`~amina.services.reports.ingest.DeviceStatus`. Whether the values can be stored
(ranges, lengths, plausible times) is the domain's rule (``amina.domain.reports.rejection``),
applied by the use case. Unknown fields are ignored (newer apps may send more). Written out
field by field: this runs for every report the system receives (BENCHMARKS.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from amina.domain.reports import APP_VERSION_MAX_LENGTH, PROVIDER_MAX_LENGTH, LocationReport
from amina.i18n import N_
from amina.services.errors import AminaError, ErrorKind
from amina.services.reports.ingest import (
    MAX_BATCH,
    Batch,
    DeviceStatus,
    ItemError,
    ReportItem,
    Unreadable,
)


def batch_invalid() -> AminaError:
    return AminaError(
        "batch_invalid",
        ErrorKind.invalid,
        N_("Reports not understood"),
        N_('Send one report, or an object with a list "reports" (and, if you like, a "status").'),
    )


def batch_too_large(count: int) -> AminaError:
    return AminaError(
        "batch_too_large",
        ErrorKind.too_large,
        N_("Too many reports in one request"),
        N_(
            "At most %(limit)s reports per request; this one has %(count)s. Send the rest in "
            "another request."
        ),
        params={"limit": MAX_BATCH, "count": count},
    )


def read_batch(payload: Any) -> Batch:
    """One report object, or ``{"reports": [...], "status": {...}}`` (either part optional,
    not both absent). Raises ``batch_invalid`` (422) or ``batch_too_large`` (413)."""
    if type(payload) is not dict:
        raise batch_invalid()
    if "reports" not in payload and "status" not in payload:
        return Batch([read_report(payload)])
    items = payload.get("reports", [])
    if type(items) is not list:
        raise batch_invalid()
    if len(items) > MAX_BATCH:
        raise batch_too_large(len(items))
    status = payload.get("status")
    if not items and status is None:
        raise batch_invalid()
    return Batch(
        [read_report(item) for item in items], None if status is None else read_status(status)
    )


def _time(value: Any, name: str) -> datetime | ItemError:
    if value is None:
        return ItemError("field_missing", name, {"field": name})
    if type(value) is not str:
        return ItemError("device_time_invalid", name)
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return ItemError("device_time_invalid", name)


def _not_a_number(name: str, value: Any) -> ItemError:
    if value is None:
        return ItemError("field_missing", name, {"field": name})
    return ItemError("number_invalid", name, {"field": name})


def _flag(raw: Mapping[str, Any], name: str) -> bool | ItemError | None:
    value = raw.get(name)
    if value is None or type(value) is bool:
        return value
    return ItemError("boolean_invalid", name, {"field": name})


def _not_text(name: str, limit: int) -> ItemError:
    return ItemError("text_invalid", name, {"field": name, "limit": limit})


def read_report(raw: Any) -> ReportItem:  # noqa: PLR0912 (one branch per field of the report)
    """One report item → a :class:`LocationReport` (its values not yet judged), or
    :class:`Unreadable` with the first field of the wrong type."""
    if type(raw) is not dict:
        return Unreadable(ItemError("report_invalid"))
    get = raw.get
    client_id = get("client_id")
    if type(client_id) is not str:
        return Unreadable(ItemError("client_id_invalid", "client_id"))
    device_time = _time(get("device_time"), "device_time")
    if isinstance(device_time, ItemError):
        return Unreadable(device_time, client_id)
    lat = get("lat")
    if type(lat) is not float:
        if type(lat) is not int:
            return Unreadable(_not_a_number("lat", lat), client_id)
        lat = float(lat)
    lon = get("lon")
    if type(lon) is not float:
        if type(lon) is not int:
            return Unreadable(_not_a_number("lon", lon), client_id)
        lon = float(lon)
    accuracy = get("accuracy_m")
    if type(accuracy) is not float:
        if type(accuracy) is not int:
            return Unreadable(_not_a_number("accuracy_m", accuracy), client_id)
        accuracy = float(accuracy)
    speed = get("speed_mps")
    if speed is not None and type(speed) is not float:
        if type(speed) is not int:
            return Unreadable(
                ItemError("number_invalid", "speed_mps", {"field": "speed_mps"}), client_id
            )
        speed = float(speed)
    altitude = get("altitude_m")
    if altitude is not None and type(altitude) is not float:
        if type(altitude) is not int:
            return Unreadable(
                ItemError("number_invalid", "altitude_m", {"field": "altitude_m"}), client_id
            )
        altitude = float(altitude)
    provider = get("provider")
    if provider is not None and type(provider) is not str:
        return Unreadable(_not_text("provider", PROVIDER_MAX_LENGTH), client_id)
    mocked = get("mocked")
    if mocked is None:
        mocked = False
    elif type(mocked) is not bool:
        return Unreadable(ItemError("boolean_invalid", "mocked", {"field": "mocked"}), client_id)
    return LocationReport(
        client_id,
        device_time,
        lat,
        lon,
        accuracy,
        speed,
        altitude,
        provider,
        mocked,
    )


def read_status(raw: Any) -> DeviceStatus | Unreadable:
    """The device status object: ``at`` (the phone's time; absent: the arrival time),
    ``location_permission``, ``location_services``, ``battery_saver`` (booleans or null) and
    ``app_version``."""
    if type(raw) is not dict:
        return Unreadable(ItemError("status_invalid", "status"))
    at: datetime | ItemError | None = None
    if raw.get("at") is not None:
        at = _time(raw["at"], "status.at")
    permission = _flag(raw, "location_permission")
    services = _flag(raw, "location_services")
    saver = _flag(raw, "battery_saver")
    version: str | ItemError | None = raw.get("app_version")
    if version is not None and type(version) is not str:
        version = _not_text("app_version", APP_VERSION_MAX_LENGTH)
    for value in (at, permission, services, saver, version):
        if isinstance(value, ItemError):
            return Unreadable(value)
    return DeviceStatus(
        at=at,  # type: ignore[arg-type]
        location_permission=permission,  # type: ignore[arg-type]
        location_services=services,  # type: ignore[arg-type]
        battery_saver=saver,  # type: ignore[arg-type]
        app_version=version,  # type: ignore[arg-type]
    )
