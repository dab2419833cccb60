"""What pseudonymising the serving copy costs: a full publish of one built warehouse written pseudonymised (keyed
HMAC of every identifier, redaction of every text) against the same publish written in clear (the restricted
copy's policy), interleaved in one process so both see the same machine load.

    python -m benchmarks.publish_privacy --warehouse RUN/warehouse/outcomes.duckdb --runs 3 [--json OUT]

RUN/warehouse is a folder kept by `python -m benchmarks.incremental_cost --keep` (its dbt_target/manifest.json holds
the column meta). Each run writes a fresh release (full=True, nothing reused) under a temporary serving folder.
Prints the medians (wall seconds) and their ratio.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from pipeline.publish import privacy, pseudonyms
from pipeline.publish.releases import publish_copy
from pipeline.settings import load_paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="publish_privacy_"))
    paths = dataclasses.replace(
        load_paths(), warehouse_path=args.warehouse.resolve(), serving_path=work / "serving" / "outcomes.duckdb"
    )
    policies = {
        "pseudonymised": privacy.ServingPolicy(
            pseudonyms.PseudonymKey(b"benchmark key, not a secret", "benchmark"),
            privacy.declared_kinds(paths.dbt_target_dir / "manifest.json"),
            privacy.brand_handles(paths.dbt_project_dir / "seeds" / "brand_accounts.csv", paths.warehouse_path),
        ),
        "clear": privacy.ServingPolicy(None),
    }
    seconds: dict[str, list[float]] = {name: [] for name in policies}
    try:
        for _ in range(args.runs):
            for name, policy in policies.items():
                started = time.perf_counter()
                publish_copy(paths, policy, full=True)
                seconds[name].append(round(time.perf_counter() - started, 3))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    result = {
        "warehouse": str(args.warehouse),
        "runs": seconds,
        "median_s": medians,
        "pseudonymised_over_clear": round(medians["pseudonymised"] / medians["clear"], 3),
    }
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
