"""A run's data interval, and which landing files and records fall inside it.

Scheduled and backfill runs load only the records whose event time lies in [start, end). Files named for their
period (`2026-01.jsonl`, `2026-01-15.csv`, as the demo generator and many exports partition) are read only when
that period overlaps the interval; other files are read and their records filtered by event time. Entities without
an event time (CRM snapshots, Zendesk groups) load whole files, once per file content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

PERIOD_STEM = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


@dataclass(frozen=True)
class DataInterval:
    start: datetime  # naive UTC, inclusive
    end: datetime  # naive UTC, exclusive

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"data interval end {self.end} is not after its start {self.start}")

    @classmethod
    def of(cls, start: datetime, end: datetime) -> DataInterval:
        """From Airflow's (timezone-aware) interval bounds."""
        return cls(_naive_utc(start), _naive_utc(end))

    @property
    def key(self) -> str:
        return f"{self.start.isoformat()}/{self.end.isoformat()}"

    def contains_sql(self, moment_sql: str) -> str:
        start, end = self.start.isoformat(sep=" "), self.end.isoformat(sep=" ")
        return f"({moment_sql} >= TIMESTAMP '{start}' AND {moment_sql} < TIMESTAMP '{end}')"

    def overlaps_file(self, path: Path) -> bool:
        """False only for a file named for a period that lies wholly outside the interval."""
        period = file_period(path)
        if period is None:
            return True
        first, after_last = period
        return first < self.end and after_last > self.start


def file_period(path: Path) -> tuple[datetime, datetime] | None:
    """[first day, day after the last) of a file named `YYYY-MM` or `YYYY-MM-DD`, else None."""
    match = PERIOD_STEM.match(path.name.split(".", 1)[0])
    if match is None:
        return None
    year, month, day = int(match[1]), int(match[2]), match[3]
    try:
        if day is not None:
            first = date(year, month, int(day))
            return _midnight(first), _midnight(first + timedelta(days=1))
        first = date(year, month, 1)
    except ValueError:
        return None
    following = date(year + (month == 12), month % 12 + 1, 1)
    return _midnight(first), _midnight(following)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _naive_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)
