"""CLI: python -m demo_data --scale 1 --seed 42 --out landing"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from pathlib import Path

from demo_data.generate import DEFAULT_MONTHS, DEFAULT_START, generate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m demo_data", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="landing folder to write")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = about one million interactions")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START, help="first month (YYYY-MM-01)")
    parser.add_argument("--months", type=int, default=DEFAULT_MONTHS)
    args = parser.parse_args(argv)
    began = time.perf_counter()
    manifest = generate(args.out, args.scale, args.seed, args.start, args.months, progress=True)
    print(f"wrote {args.out} in {time.perf_counter() - began:.1f}s")
    print(json.dumps(manifest["counts"], indent=2))


if __name__ == "__main__":
    main()
