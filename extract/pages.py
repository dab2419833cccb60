"""Append API response pages to a landing file, one JSON page per line, durably (the landing contract's shape)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import orjson


def append_page(path: Path, page: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as handle:
        handle.write(orjson.dumps(page) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())


# Every API extract file starts with this; the quality gate tells an API delta from a full snapshot export by it.
API_FILE_PREFIX = "api-"


def run_file(landing_dir: Path, *folders: str) -> Path:
    """A new landing file for this extract run, e.g. landing/zendesk/tickets/api-20261123T040000123456Z.jsonl."""
    return landing_dir.joinpath(*folders) / f"{API_FILE_PREFIX}{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}.jsonl"
