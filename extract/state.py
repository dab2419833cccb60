"""Incremental state of each extractor stream, kept in one JSON file and replaced atomically on every save."""

from __future__ import annotations

import json
import os
from pathlib import Path


class StreamState:
    def __init__(self, path: Path, stream: str) -> None:
        self.path = Path(path)
        self.stream = stream

    def _all(self) -> dict:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def load(self) -> dict:
        return dict(self._all().get(self.stream, {}))

    def save(self, value: dict) -> None:
        everything = self._all()
        everything[self.stream] = value
        self.path.parent.mkdir(parents=True, exist_ok=True)
        incoming = self.path.with_name(f".{self.path.name}.incoming")
        with open(incoming, "w") as handle:
            json.dump(everything, handle, indent=2, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(incoming, self.path)
