"""Append API response pages to a landing file, one JSON page per line, durably (the landing contract's shape)."""

from __future__ import annotations

import os
from pathlib import Path

import orjson


def append_page(path: Path, page: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as handle:
        handle.write(orjson.dumps(page) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
