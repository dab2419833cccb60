"""Time helpers: the generated period, ISO formatting and month keys, all vectorised over epoch seconds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np

MINUTE = 60
HOUR = 3600
DAY = 86400
# X ("Twitter") snowflake ids count milliseconds from this epoch in their high bits.
SNOWFLAKE_EPOCH_MS = 1288834974657


@dataclass(frozen=True)
class Period:
    start: int
    end: int

    @classmethod
    def of(cls, start: date, months: int) -> Period:
        first = datetime(start.year, start.month, 1, tzinfo=UTC)
        year, month = divmod(start.month - 1 + months, 12)
        last = datetime(start.year + year, month + 1, 1, tzinfo=UTC)
        return cls(int(first.timestamp()), int(last.timestamp()) - 1)

    @property
    def seconds(self) -> int:
        return self.end - self.start

    def uniform(self, rng: np.random.Generator, size: int, margin: int = 0) -> np.ndarray:
        return rng.integers(self.start, self.end - margin, size=size, dtype=np.int64)


def iso(seconds: np.ndarray, style: str = "seconds") -> np.ndarray:
    """ISO 8601 UTC strings: 'seconds' -> 2025-01-03T10:11:12Z, 'millis' -> 2025-01-03T10:11:12.000Z."""
    text = np.datetime_as_string(np.asarray(seconds, dtype="datetime64[s]"), unit="s")
    return np.char.add(text, ".000Z" if style == "millis" else "Z")


def dates(seconds: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(seconds, dtype="datetime64[s]"), unit="D")


def month_keys(seconds: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(seconds, dtype="datetime64[s]"), unit="M")


def snowflake_ids(seconds: np.ndarray, sequence: np.ndarray) -> np.ndarray:
    """Time-ordered 64-bit ids shaped like X's: milliseconds since the X epoch, then a 22-bit sequence."""
    millis = np.asarray(seconds, dtype=np.int64) * 1000 - SNOWFLAKE_EPOCH_MS
    return (millis << 22) | (np.asarray(sequence, dtype=np.int64) & ((1 << 22) - 1))


def lognormal_minutes(rng: np.random.Generator, median_minutes: np.ndarray, sigma: float = 0.9) -> np.ndarray:
    """Response delays in seconds, log-normal around the given median (minutes)."""
    minutes = np.exp(np.log(median_minutes) + sigma * rng.standard_normal(len(median_minutes)))
    return np.maximum(1, (minutes * MINUTE).astype(np.int64))
