"""Print the as-of time of a demo landing folder: the day after its last generated day (manifest `end`).

Demo data covers fixed dates, so `make run` measures freshness as of this time rather than today's date.
Usage: python -m demo_data.as_of landing
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from pathlib import Path


def demo_as_of(landing: Path) -> str:
    end = date.fromisoformat(json.loads((landing / "manifest.json").read_text())["end"])
    return f"{end + timedelta(days=1)}T00:00:00"


if __name__ == "__main__":
    print(demo_as_of(Path(sys.argv[1] if len(sys.argv) > 1 else "landing")))
