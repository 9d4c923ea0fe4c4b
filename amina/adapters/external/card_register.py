"""The card register's export files (API.md "Card register import file"): CSV with a header
row, or JSON Lines; UTF-8. Reading only: checking the fields is the domain's job.

Line numbers are the file's own (the CSV header is line 1), so an operator can open the file
at the line a rejection names.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from amina.domain.cards import unknown_fields
from amina.services.ports import RegisterLine, UnknownColumns


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".txt"):
        return "csv"
    with path.open("rb") as file:
        head = file.read(1).lstrip(b"\xef\xbb\xbf")
    return "jsonl" if head == b"{" else "csv"


class CardRegisterFile:
    """A register export file on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.format = _format_of(path)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        with self.path.open("rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()

    def count(self) -> int:
        return sum(1 for _ in self.lines())

    def lines(self) -> Iterator[RegisterLine]:
        if self.format == "jsonl":
            return self._json_lines()
        return self._csv_lines()

    def _csv_lines(self) -> Iterator[RegisterLine]:
        with self.path.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.reader(file)
            header = next(reader, None)
            if header is None:
                return
            columns = [name.strip() for name in header]
            unknown = unknown_fields(columns)
            if unknown:
                raise UnknownColumns(unknown)
            for row in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(columns):
                    yield RegisterLine(line, None, f"{len(row)} values for {len(columns)} columns")
                    continue
                yield RegisterLine(line, dict(zip(columns, row, strict=True)))

    def _json_lines(self) -> Iterator[RegisterLine]:
        with self.path.open(encoding="utf-8-sig") as file:
            for line, text in enumerate(file, start=1):
                if not text.strip():
                    continue
                try:
                    record = json.loads(text)
                except json.JSONDecodeError as error:
                    yield RegisterLine(line, None, f"not valid JSON ({error.msg})")
                    continue
                if not isinstance(record, dict):
                    yield RegisterLine(line, None, "not a JSON object")
                    continue
                yield RegisterLine(line, record)


class CardRegisterRecords:
    """An in-memory register (demo data, unit tests): records numbered from line 1."""

    def __init__(self, records: Sequence[Mapping[str, object]], name: str = "records") -> None:
        self._records = list(records)
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def fingerprint(self) -> str:
        text = json.dumps(self._records, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def count(self) -> int:
        return len(self._records)

    def lines(self) -> Iterator[RegisterLine]:
        for line, record in enumerate(self._records, start=1):
            yield RegisterLine(line, record)
