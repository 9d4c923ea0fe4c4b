"""The case file's timeline picture: one column per Moscow day across the silence window.

Computes the geometry; ``templates/console/case_timeline.svg.html`` draws it as inline SVG (no
script, no external image: the console's Content-Security-Policy stays strict and the picture
prints). Per day: the reports received as a bar (inside Moscow/Moscow Oblast below, outside
above it, in another colour and pattern), a marker when the phone reported a problem
(location permission off, location services off, battery saver on), days off shaded; lines
mark the start of the silence, the day of the notice, its deadline, the day the case opened
and today.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from amina.domain.calendar import moscow_date
from amina.i18n import N_
from amina.services.compliance.cases import CaseFile, StatusReading, TimelineDay

#: Columns share about this much width, each between the narrowest and widest below.
PLOT_WIDTH = 920
NARROWEST = 24
WIDEST = 44
LEFT = 40
RIGHT = 12
TOP = 78  # room for the marker labels (three rows) and the problem markers
PLOT = 120
AXIS = 46
#: Bars grow with the square root of the count, so one report is visible next to a hundred.
MIN_BAR = 3
#: The room a marker's label takes (the longest, Russian «уведомление», fits).
LABEL_WIDTH = 84

PROBLEMS = {
    "permission_off": N_("location permission off"),
    "location_services_off": N_("location services off"),
    "battery_saver": N_("battery saver on"),
    "problem": N_("the phone reported a problem"),
}

MARKERS = {
    "silence": N_("silence from"),
    "notice": N_("notice"),
    "deadline": N_("deadline"),
    "case": N_("case opened"),
    "today": N_("today"),
}


@dataclass(frozen=True)
class DayColumn:
    day: date
    x: float
    working: bool
    reports: int
    inside: int
    outside: int
    inside_height: float
    outside_height: float
    problems: tuple[str, ...]  # message ids of PROBLEMS
    month_start: bool
    width: int
    #: A day of the silence (after its start): no report there is what the case is about.
    silent: bool

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Marker:
    key: str
    label: str  # message id
    day: date
    x: float
    row: int  # 0, 1, 2: label rows from the top, so labels of near days do not overlap
    #: Near the right edge the label goes to the left of its line.
    anchor_end: bool = False


@dataclass(frozen=True)
class TimelinePicture:
    columns: tuple[DayColumn, ...]
    markers: tuple[Marker, ...]
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    max_reports: int
    column_width: int

    @property
    def scale_ticks(self) -> tuple[tuple[int, float], ...]:
        """(count, y) for the scale on the left: 0 and the largest count."""
        ticks = [(0, float(self.plot_bottom))]
        if self.max_reports:
            ticks.append((self.max_reports, float(self.plot_top)))
        return tuple(ticks)


def _problems(reading: StatusReading) -> list[str]:
    found = []
    if reading.location_permission is False:
        found.append("permission_off")
    if reading.location_services is False:
        found.append("location_services_off")
    if reading.battery_saver:
        found.append("battery_saver")
    return found


def _problems_by_day(readings: Sequence[StatusReading]) -> dict[date, list[str]]:
    by_day: dict[date, list[str]] = defaultdict(list)
    for reading in readings:
        for problem in _problems(reading):
            day = moscow_date(reading.reported_at)
            if problem not in by_day[day]:
                by_day[day].append(problem)
    return by_day


def _height(count: int, largest: int) -> float:
    if count <= 0 or largest <= 0:
        return 0.0
    return max(MIN_BAR, PLOT * math.sqrt(count) / math.sqrt(largest))


def timeline_picture(found: CaseFile) -> TimelinePicture:
    """The picture of a case file that has its location parts (``location.view``)."""
    assert found.timeline is not None
    assert found.device_status is not None
    days: Sequence[TimelineDay] = found.timeline
    column = max(NARROWEST, min(WIDEST, PLOT_WIDTH // max(1, len(days))))
    largest = max((d.reports for d in days), default=0)
    problems = _problems_by_day(found.device_status)
    columns: list[DayColumn] = []
    for index, day in enumerate(days):
        outside = max(0, day.reports - day.inside_region)
        total = _height(day.reports, largest)
        inside_height = total * (day.inside_region / day.reports) if day.reports else 0.0
        named = problems.get(day.day, [])
        if not named and day.device_status_problems:
            named = ["problem"]
        columns.append(
            DayColumn(
                day=day.day,
                x=LEFT + index * column,
                working=day.working_day,
                reports=day.reports,
                inside=day.inside_region,
                outside=outside,
                inside_height=inside_height,
                outside_height=total - inside_height,
                problems=tuple(PROBLEMS[p] for p in named),
                month_start=index == 0 or day.day.day == 1,
                width=column,
                silent=day.day > found.notice.since,
            )
        )
    first = days[0].day if days else found.notice.since
    notice = found.notice
    wanted = [
        ("silence", notice.since),
        ("notice", moscow_date(notice.created_at)),
        ("deadline", found.case.notice_deadline),
        ("case", moscow_date(found.case.opened_at)),
        ("today", days[-1].day if days else notice.since),
    ]
    markers: list[Marker] = []
    spans: list[tuple[int, float, float]] = []  # (row, left, right) of the labels placed
    for key, on in wanted:
        offset = (on - first).days
        if not 0 <= offset < len(columns):
            continue
        x = LEFT + offset * column + column / 2
        anchor_end = offset >= len(columns) - 3
        left, right = (x - LABEL_WIDTH, x) if anchor_end else (x, x + LABEL_WIDTH)
        # the first label row where this label does not run into another one
        row = next(
            r
            for r in range(len(wanted))
            if not any(r == row and a < right and left < b for row, a, b in spans)
        )
        spans.append((row, left, right))
        markers.append(Marker(key, MARKERS[key], on, x, row, anchor_end))
    return TimelinePicture(
        columns=tuple(columns),
        markers=tuple(markers),
        width=LEFT + len(columns) * column + RIGHT,
        height=TOP + PLOT + AXIS,
        plot_top=TOP,
        plot_bottom=TOP + PLOT,
        max_reports=largest,
        column_width=column,
    )
