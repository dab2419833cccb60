"""Writers for the landing folder: paged JSON lines per month, JSON lines per month, and CSV files.

Records are never all held in memory: the JSON writers walk the rows (already in time order) month by month, in
chunks of at most CHUNK_ROWS rows, and ask a builder for the text of just that chunk.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from demo_data.jsontext import write_lines

PAGE_SIZE = 100
CHUNK_ROWS = 100_000


def page_token(*parts: object) -> str:
    return hashlib.blake2b("/".join(map(str, parts)).encode(), digest_size=9).hexdigest()


@dataclass(frozen=True)
class PageChunk:
    """Rows [begin, finish) of the time-ordered rows: whole pages `numbers` of `month`, which has `pages` pages."""

    begin: int
    finish: int
    month: str
    numbers: np.ndarray
    pages: int
    page_size: int

    @property
    def offsets(self) -> np.ndarray:
        """Where each page starts, relative to `begin`, then the chunk's length."""
        return np.r_[np.arange(0, self.finish - self.begin, self.page_size), self.finish - self.begin]

    @property
    def sizes(self) -> np.ndarray:
        return np.diff(self.offsets)

    @property
    def page_of_row(self) -> np.ndarray:
        return np.arange(self.finish - self.begin) // self.page_size

    @property
    def is_last(self) -> np.ndarray:
        return self.numbers == self.pages - 1


def month_runs(sorted_seconds: np.ndarray) -> Iterator[tuple[int, int, str]]:
    """(begin, finish, 'YYYY-MM') of each month's run of rows in time-ordered epoch seconds."""
    months = np.asarray(sorted_seconds, dtype="datetime64[s]").astype("datetime64[M]")
    if not len(months):
        return
    boundaries = np.flatnonzero(months[1:] != months[:-1]) + 1
    for begin, finish in zip(np.r_[0, boundaries], np.r_[boundaries, len(months)], strict=True):
        yield int(begin), int(finish), str(months[begin])


def write_monthly_pages(
    folder: Path,
    sorted_seconds: np.ndarray,
    build_pages: Callable[[PageChunk], pa.Array],
    page_size: int = PAGE_SIZE,
) -> int:
    """One JSON page per line, one file per month; `build_pages` returns the page lines of a chunk of whole pages.

    `sorted_seconds` are the rows' times, in row order; returns the number of pages written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    chunk_pages = max(1, CHUNK_ROWS // page_size)
    for begin, finish, month in month_runs(sorted_seconds):
        pages = -(-(finish - begin) // page_size)
        with open(folder / f"{month}.jsonl", "wb") as handle:
            for first in range(0, pages, chunk_pages):
                numbers = np.arange(first, min(first + chunk_pages, pages))
                chunk = PageChunk(
                    begin + first * page_size,
                    min(begin + (int(numbers[-1]) + 1) * page_size, finish),
                    month,
                    numbers,
                    pages,
                    page_size,
                )
                write_lines(handle, build_pages(chunk))
        written += pages
    return written


def write_json_lines(folder: Path, sorted_seconds: np.ndarray, build_rows: Callable[[int, int], pa.Array]) -> None:
    """One JSON record per line, one file per month; `build_rows(begin, finish)` returns those rows' JSON text."""
    folder.mkdir(parents=True, exist_ok=True)
    for begin, finish, month in month_runs(sorted_seconds):
        with open(folder / f"{month}.jsonl", "wb") as handle:
            for start in range(begin, finish, CHUNK_ROWS):
                write_lines(handle, build_rows(start, min(start + CHUNK_ROWS, finish)))


def write_monthly_csv(folder: Path, frame: pd.DataFrame, months: np.ndarray) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for month, part in frame.groupby(months, sort=True):
        part.to_csv(folder / f"{month}.csv", index=False)


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
