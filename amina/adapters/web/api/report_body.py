"""Reading the body of ``POST /api/v1/reports`` (decoded JSON) into the ingest's input: the
report items that can be stored, column by column as the store takes them
(:class:`~amina.adapters.db.reports.store.ReportColumns`), and an error for each of the others.

One pass per item, field by field in the order they are read — ``client_id``, ``device_time``,
``lat``, ``lon``, ``accuracy_m``, ``speed_mps``, ``altitude_m``, ``provider``, ``mocked`` —
each field's type and then its own rules, then the number ranges: the first thing wrong is the
item's error (a later field's wrong type never hides an earlier field's wrong value). The rules
about values are the domain's (``amina.domain.reports``: ``client_id_valid``,
``time_rejection``, ``text_fits``, ``number_rejection``), applied here where each value is read;
nothing is defined twice. Unknown fields are ignored (newer apps may send more). Written out
field by field, no object per report: this runs for every report the system receives
(BENCHMARKS.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from amina.adapters.db.reports.store import ReportColumns
from amina.domain.reports import (
    APP_VERSION_MAX_LENGTH,
    PROVIDER_MAX_LENGTH,
    Rejection,
    client_id_valid,
    number_rejection,
    numbers_valid,
    text_fits,
    text_rejection,
    time_rejection,
)
from amina.i18n import N_
from amina.services.errors import AminaError, ErrorKind
from amina.services.reports.ingest import (
    MAX_BATCH,
    Batch,
    DeviceStatus,
    ItemError,
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
        return read_reports([payload])
    items = payload.get("reports", [])
    if type(items) is not list:
        raise batch_invalid()
    if len(items) > MAX_BATCH:
        raise batch_too_large(len(items))
    status = payload.get("status")
    if not items and status is None:
        raise batch_invalid()
    return read_reports(items, None if status is None else read_status(status))


def _time(value: Any, name: str) -> datetime | ItemError:
    if value is None:
        return ItemError("field_missing", name, {"field": name})
    if type(value) is not str:
        return ItemError("device_time_invalid", name)
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return ItemError("device_time_invalid", name)
    refused = time_rejection(at, name)
    return at if refused is None else _refused(refused)


_DEVICE_TIME_INVALID = ItemError("device_time_invalid", "device_time")


def _not_a_time(value: Any) -> ItemError:
    if value is None:
        return ItemError("field_missing", "device_time", {"field": "device_time"})
    return _DEVICE_TIME_INVALID


def _refused(refused: Rejection) -> ItemError:
    return ItemError(refused.code, refused.field, refused.params)


def _flag(raw: Mapping[str, Any], name: str) -> bool | ItemError | None:
    value = raw.get(name)
    if value is None or type(value) is bool:
        return value
    return ItemError("boolean_invalid", name, {"field": name})


def _wrong_number(name: str, value: Any) -> ItemError:
    if value is None:
        return ItemError("field_missing", name, {"field": name})
    return ItemError("number_invalid", name, {"field": name})


_CLIENT_ID_INVALID = ItemError("client_id_invalid", "client_id")
_REPORT_INVALID = ItemError("report_invalid")
_PROVIDER_INVALID = _refused(text_rejection("provider", PROVIDER_MAX_LENGTH))
_MOCKED_INVALID = ItemError("boolean_invalid", "mocked", {"field": "mocked"})


def read_reports(  # noqa: PLR0912, PLR0915 (one branch per field: written out, see above)
    items: list[Any], status: DeviceStatus | Unreadable | None = None
) -> Batch:
    """The report items (decoded JSON, in the order sent) read and judged in one pass: those
    that can be stored go into the columns, each of the others gets its error."""
    columns = ReportColumns([], [], [], [], [], [], [], [], [])
    client_ids = columns.client_id.append
    device_times = columns.device_time.append
    lats = columns.lat.append
    lons = columns.lon.append
    accuracies = columns.accuracy_m.append
    speeds = columns.speed_mps.append
    altitudes = columns.altitude_m.append
    providers = columns.provider.append
    mocks = columns.mocked.append
    positions: list[int] = []
    rejected: list[tuple[int, str | None, ItemError]] = []
    error: ItemError
    for position, raw in enumerate(items):
        if type(raw) is not dict:
            rejected.append((position, None, _REPORT_INVALID))
            continue
        get = raw.get
        client_id = get("client_id")
        if type(client_id) is not str:
            rejected.append((position, None, _CLIENT_ID_INVALID))
            continue
        if not client_id_valid(client_id):
            rejected.append((position, client_id, _CLIENT_ID_INVALID))
            continue
        value = get("device_time")
        if type(value) is not str:
            rejected.append((position, client_id, _not_a_time(value)))
            continue
        try:
            device_time = datetime.fromisoformat(value)
        except ValueError:
            rejected.append((position, client_id, _DEVICE_TIME_INVALID))
            continue
        refused = time_rejection(device_time, "device_time")
        if refused is not None:
            rejected.append((position, client_id, _refused(refused)))
            continue
        lat = get("lat")
        if type(lat) is not float:
            if type(lat) is not int:
                rejected.append((position, client_id, _wrong_number("lat", lat)))
                continue
            lat = float(lat)
        lon = get("lon")
        if type(lon) is not float:
            if type(lon) is not int:
                rejected.append((position, client_id, _wrong_number("lon", lon)))
                continue
            lon = float(lon)
        accuracy = get("accuracy_m")
        if type(accuracy) is not float:
            if type(accuracy) is not int:
                rejected.append((position, client_id, _wrong_number("accuracy_m", accuracy)))
                continue
            accuracy = float(accuracy)
        speed = get("speed_mps")
        if speed is not None and type(speed) is not float:
            if type(speed) is not int:
                error = ItemError("number_invalid", "speed_mps", {"field": "speed_mps"})
                rejected.append((position, client_id, error))
                continue
            speed = float(speed)
        altitude = get("altitude_m")
        if altitude is not None and type(altitude) is not float:
            if type(altitude) is not int:
                error = ItemError("number_invalid", "altitude_m", {"field": "altitude_m"})
                rejected.append((position, client_id, error))
                continue
            altitude = float(altitude)
        provider = get("provider")
        if provider is not None and (
            type(provider) is not str or not text_fits(provider, PROVIDER_MAX_LENGTH)
        ):
            rejected.append((position, client_id, _PROVIDER_INVALID))
            continue
        mocked = get("mocked")
        if mocked is None:
            mocked = False
        elif type(mocked) is not bool:
            rejected.append((position, client_id, _MOCKED_INVALID))
            continue
        positions.append(position)
        client_ids(client_id)
        device_times(device_time)
        lats(lat)
        lons(lon)
        accuracies(accuracy)
        speeds(speed)
        altitudes(altitude)
        providers(provider)
        mocks(mocked)
    # the number ranges, last: for all the items read at once (a few: one by one)
    if len(positions) > _FEW:
        valid = numbers_valid(
            np.array(columns.lat),
            np.array(columns.lon),
            np.array(columns.accuracy_m),
            np.array(columns.speed_mps, dtype=np.float64),
            np.array(columns.altitude_m, dtype=np.float64),
        )
        if not valid.all():
            columns, positions = _refuse_numbers(columns, positions, valid, rejected)
    elif positions:
        valid = np.array([_numbers_refused(columns, i) is None for i in range(len(positions))])
        if not valid.all():
            columns, positions = _refuse_numbers(columns, positions, valid, rejected)
    return Batch(len(items), columns, positions, rejected, status)


#: Up to this many items, the number ranges are checked item by item (numpy's arrays cost more
#: than they save for so few).
_FEW = 4


def _numbers_refused(columns: ReportColumns, i: int) -> Rejection | None:
    return number_rejection(
        columns.lat[i],
        columns.lon[i],
        columns.accuracy_m[i],
        columns.speed_mps[i],
        columns.altitude_m[i],
    )


def _refuse_numbers(
    columns: ReportColumns,
    positions: list[int],
    valid: NDArray[np.bool_],
    rejected: list[tuple[int, str | None, ItemError]],
) -> tuple[ReportColumns, list[int]]:
    """The columns without the items whose numbers are out of range; each of those goes to
    ``rejected`` with its error, and ``rejected`` is put back in the body's order."""
    keep = np.flatnonzero(valid).tolist()
    for i in np.flatnonzero(~valid).tolist():
        refused = _numbers_refused(columns, i)
        assert refused is not None
        rejected.append((positions[i], columns.client_id[i], _refused(refused)))
    rejected.sort(key=lambda item: item[0])
    kept = ReportColumns(
        *([column[i] for i in keep] for column in dataclasses.astuple(columns)[:9])
    )
    return kept, [positions[i] for i in keep]


def read_status(raw: Any) -> DeviceStatus | Unreadable:
    """The device status object: ``at`` (the phone's time; absent: the arrival time),
    ``location_permission``, ``location_services``, ``battery_saver`` (booleans or null) and
    ``app_version`` — read and judged like a report item, the first wrong field wins."""
    if type(raw) is not dict:
        return Unreadable(ItemError("status_invalid", "status"))
    at: datetime | ItemError | None = None
    if raw.get("at") is not None:
        at = _time(raw["at"], "status.at")
    permission = _flag(raw, "location_permission")
    services = _flag(raw, "location_services")
    saver = _flag(raw, "battery_saver")
    version: str | ItemError | None = raw.get("app_version")
    if version is not None and (
        type(version) is not str or not text_fits(version, APP_VERSION_MAX_LENGTH)
    ):
        version = _refused(text_rejection("app_version", APP_VERSION_MAX_LENGTH))
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
