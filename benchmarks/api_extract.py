"""API extract rate against the local test server (tests/fake_apis.py) on 127.0.0.1, no faults.

Serves the first N tweets and ticket versions of a landing folder, pulls them with `extract.x_api.pull_mentions`
and `extract.zendesk.pull_tickets` (100 per page, as the real APIs allow), and reports records and pages per second.
Both the server and the client run on this machine, so this measures the extractor's own overhead (HTTP, JSON,
durable page writes, state saves after each page), not a remote API's latency or rate limits.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from extract import x_api, zendesk
from extract.http import ApiClient
from tests.fake_apis import X_TOKEN, ZENDESK_TOKEN, ZENDESK_USER, FakeApis


def pages(folder: Path, key: str, limit: int) -> list[dict]:
    found: list[dict] = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.open():
            found.extend(json.loads(line)[key])
            if len(found) >= limit:
                return found[:limit]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--landing", type=Path, default=Path("landing"))
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    tweets = pages(args.landing / "x" / "tweets", "data", args.records)
    tickets = pages(args.landing / "zendesk" / "tickets", "tickets", args.records)
    results: dict[str, list[float]] = {"x_mentions": [], "zendesk_tickets": []}
    with FakeApis(tweets, [], tickets, []) as server:
        server.page_size = 100
        for _ in range(args.runs):
            work = Path(tempfile.mkdtemp(prefix="api-bench-"))
            x_session = requests.Session()
            x_session.headers["Authorization"] = f"Bearer {X_TOKEN}"
            started = time.perf_counter()
            x_api.pull_mentions(ApiClient(server.url, x_session), work / "landing", work / "state.json")
            results["x_mentions"].append(time.perf_counter() - started)
            z_session = requests.Session()
            z_session.auth = (f"{ZENDESK_USER}/token", ZENDESK_TOKEN)
            started = time.perf_counter()
            zendesk.pull_tickets(ApiClient(server.url, z_session), work / "landing", work / "state.json")
            results["zendesk_tickets"].append(time.perf_counter() - started)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"### API extract against the local server ({args.runs} runs; commit {commit})")
    print()
    print(f"- command: `python -m benchmarks.api_extract --records {args.records} --runs {args.runs}`")
    print()
    print("| stream | records | pages | wall s, median (min-max) | records/s | pages/s |")
    print("|---|---|---|---|---|---|")
    for stream, count in (("x_mentions", len(tweets)), ("zendesk_tickets", len(tickets))):
        wall = statistics.median(results[stream])
        page_count = -(-count // 100)
        spread = f"{wall:.2f} ({min(results[stream]):.2f}-{max(results[stream]):.2f})"
        print(f"| {stream} | {count:,} | {page_count:,} | {spread} | {count / wall:,.0f} | {page_count / wall:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
