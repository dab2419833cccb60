"""Writers for the landing folder: paged JSON lines per month, and CSV files."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import orjson
import pandas as pd

PAGE_SIZE = 100


def page_token(*parts: object) -> str:
    return hashlib.blake2b("/".join(map(str, parts)).encode(), digest_size=9).hexdigest()


def write_monthly_pages(
    folder: Path,
    records: Sequence[dict],
    months: np.ndarray,
    make_page: Callable[[list[dict], str, int, bool], dict],
    page_size: int = PAGE_SIZE,
) -> int:
    """Write records (already in time order) as one JSON page per line, one file per month; returns pages written."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = 0
    boundaries = np.flatnonzero(months[1:] != months[:-1]) + 1
    for begin, finish in zip(np.r_[0, boundaries], np.r_[boundaries, len(months)], strict=True):
        month = str(months[begin])
        chunks = range(begin, finish, page_size)
        with open(folder / f"{month}.jsonl", "wb") as handle:
            for number, offset in enumerate(chunks):
                page = make_page(
                    list(records[offset : min(offset + page_size, finish)]), month, number, number == len(chunks) - 1
                )
                handle.write(orjson.dumps(page) + b"\n")
                pages += 1
    return pages


def write_monthly_csv(folder: Path, frame: pd.DataFrame, months: np.ndarray) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for month, part in frame.groupby(months, sort=True):
        part.to_csv(folder / f"{month}.csv", index=False)


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)


def write_json_lines(folder: Path, records: Sequence[dict], months: np.ndarray) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    boundaries = np.flatnonzero(months[1:] != months[:-1]) + 1
    for begin, finish in zip(np.r_[0, boundaries], np.r_[boundaries, len(months)], strict=True):
        with open(folder / f"{months[begin]}.jsonl", "wb") as handle:
            handle.write(b"".join(orjson.dumps(record) + b"\n" for record in records[begin:finish]))
