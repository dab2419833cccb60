"""CLI: python -m ingest --landing DIR --warehouse FILE [--batch-id ID] [--sources-config YAML].

Prints the run report as JSON.

Exit status 1 if any file failed (the report, with its failures, is still printed; the error goes to stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ingest.report import IngestError
from ingest.run import load_landing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Load a landing folder into raw.")
    parser.add_argument("--landing", type=Path, required=True, help="landing folder")
    parser.add_argument("--warehouse", type=Path, required=True, help="DuckDB warehouse file")
    parser.add_argument("--batch-id", default=None, help="batch id (default: UTC timestamp + random suffix)")
    parser.add_argument("--sources-config", type=Path, default=None, help="sources YAML with `file_drops` to load")
    args = parser.parse_args(argv)
    try:
        report = load_landing(args.landing, args.warehouse, args.batch_id, args.sources_config)
    except IngestError as exc:
        print(json.dumps(exc.report.to_dict(), indent=2))
        print(str(exc), file=sys.stderr)
        return 1
    print(json.dumps(report.to_dict(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
