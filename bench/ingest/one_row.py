"""The domain part of a report batch by the scalar path and by the array path (issue 14 point 3,
"no numpy for one row").

    .venv/bin/python bench/ingest/one_row.py                      # sizes 1, 2, 5, 10; 7 rounds
    .venv/bin/python bench/ingest/one_row.py --sizes 1 4 8 12 16 --rounds 5

What the use case does for a batch once the request is read and before the database is touched
(amina.services.reports.ingest): classify the reports given column by column (region, flags,
distance to the address; against a previous fix), summarise the stored ones per Moscow day and
pick the new "last report". The scalar path: ``classify_rows`` + ``summarise_rows``; the array
path: ``classify_arrays`` (with the columns made arrays, as the use case made them) +
``rows_of`` + ``summarise_batch``. The reports: a phone's random walk around its registered
address in Moscow, a minute apart, the previous fix five minutes before the first.

Per round and size, the two paths alternate in blocks of ``--calls`` calls each; the figure is
the mean CPU time per batch (``time.process_time``) over the block, in microseconds; min / median
/ max over the rounds, with the 1-minute load average at the start of each round.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from amina.adapters.external.boundaries import region_classifier
from amina.domain.policy import initial_policy
from amina.domain.reports import (
    PreviousFix,
    Thresholds,
    classify_arrays,
    classify_rows,
    latest_counted,
    rows_of,
    summarise_batch,
    summarise_rows,
)

HOME = (55.7512, 37.6184)
RECEIVED_AT = datetime(2025, 11, 5, 7, 0, tzinfo=UTC)
THRESHOLDS = Thresholds.from_parameters(initial_policy().parameters)
CLASSIFIER = region_classifier(float(initial_policy().parameters["border_margin_m"]))
PREVIOUS = PreviousFix(RECEIVED_AT - timedelta(minutes=60), HOME[0], HOME[1])


class Columns:
    """A batch as the use case holds it: one list per field."""

    def __init__(self, size: int, seed: int) -> None:
        rng = random.Random(seed)
        lat, lon = HOME
        self.lat: list[float] = []
        self.lon: list[float] = []
        for _ in range(size):
            lat += rng.uniform(-0.002, 0.002)
            lon += rng.uniform(-0.002, 0.002)
            self.lat.append(lat)
            self.lon.append(lon)
        self.accuracy_m = [rng.uniform(5, 60) for _ in range(size)]
        first = RECEIVED_AT - timedelta(minutes=55)
        self.device_time = [first + timedelta(minutes=i) for i in range(size)]
        self.mocked = [False] * size
        self.positions = list(range(size))


def by_scalar_path(batch: Columns) -> object:
    seconds = [t.timestamp() for t in batch.device_time]
    rows = classify_rows(
        batch.lat,
        batch.lon,
        batch.accuracy_m,
        seconds,
        batch.mocked,
        received_at=RECEIVED_AT,
        thresholds=THRESHOLDS,
        classifier=CLASSIFIER,
        address=HOME,
        previous=PREVIOUS,
    )
    days = summarise_rows(
        batch.device_time,
        rows,
        batch.positions,
        received_at=RECEIVED_AT,
        device_seconds=seconds,
    )
    return days, latest_counted(seconds, batch.positions, RECEIVED_AT)


def by_array_path(batch: Columns) -> object:
    seconds = np.array([t.timestamp() for t in batch.device_time])
    rows = rows_of(
        classify_arrays(
            np.array(batch.lat),
            np.array(batch.lon),
            np.array(batch.accuracy_m),
            seconds,
            np.array(batch.mocked, dtype=bool),
            received_at=RECEIVED_AT,
            thresholds=THRESHOLDS,
            classifier=CLASSIFIER,
            address=HOME,
            previous=PREVIOUS,
        )
    )
    assert rows.arrays is not None
    days = summarise_batch(
        batch.device_time,
        rows.arrays,
        batch.positions,
        received_at=RECEIVED_AT,
        device_seconds=seconds,
    )
    return days, latest_counted(seconds.tolist(), batch.positions, RECEIVED_AT)


def per_batch_us(path: Callable[[Columns], object], batches: list[Columns], calls: int) -> float:
    started = time.process_time()
    for k in range(calls):
        path(batches[k % len(batches)])
    return (time.process_time() - started) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 2, 5, 10])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=2000, help="batches per path per block")
    args = parser.parse_args()
    batches = {size: [Columns(size, seed) for seed in range(50)] for size in args.sizes}
    for size in args.sizes:  # warm both paths, and check they agree on these batches
        for batch in batches[size]:
            assert by_scalar_path(batch) == by_array_path(batch)
    spent: dict[tuple[int, str], list[float]] = {}
    loads: list[float] = []
    for round_ in range(args.rounds):
        loads.append(os.getloadavg()[0])
        for size in args.sizes:
            order = [("scalar", by_scalar_path), ("arrays", by_array_path)]
            if round_ % 2:
                order.reverse()
            for name, path in order:
                spent.setdefault((size, name), []).append(
                    per_batch_us(path, batches[size], args.calls)
                )
    print(f"rounds {args.rounds}; 1-minute load at each round's start: {loads}")
    print("size  scalar µs min/median/max     arrays µs min/median/max     arrays ÷ scalar")
    for size in args.sizes:
        scalar, arrays = spent[(size, "scalar")], spent[(size, "arrays")]
        print(
            f"{size:>4}  {min(scalar):6.1f} / {statistics.median(scalar):6.1f} / "
            f"{max(scalar):6.1f}   {min(arrays):6.1f} / {statistics.median(arrays):6.1f} / "
            f"{max(arrays):6.1f}   {statistics.median(arrays) / statistics.median(scalar):.2f}"
        )


if __name__ == "__main__":
    main()
