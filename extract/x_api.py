"""X API v2: mentions of the brand handles (recent search) into `landing/x/tweets/`, incrementally by `since_id`;
and the brand's own tweets with their public metrics (user tweets timeline) into `landing/x/own_tweets/`.

A run pages through `GET /2/tweets/search/recent` with `next_token` and appends each page to one landing file.
After every page the state holds the file and the next token, so a run that fails resumes where it stopped; when the
last page is written, `since_id` becomes the newest id seen and the next run asks only for newer tweets. A page written
twice (a crash between writing it and saving the state) is harmless: ingest skips identical records.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from extract.http import ApiClient, RetryPolicy, secret
from extract.pages import append_page
from extract.state import StreamState

STREAM = "x_mentions"
OWN_STREAM = "x_own_tweets"
SEARCH_PATH = "/2/tweets/search/recent"
TIMELINE_PATH = "/2/users/{user_id}/tweets"
# The demo's brand handles (docs/landing_contract.md); a deployment lists its own in config/sources.yml.
DEFAULT_OWN_USER_IDS = ("1001", "1002", "1003", "1004")
DEFAULT_LOOKBACK_DAYS = 7
OWN_FIELDS = {
    "tweet.fields": "author_id,conversation_id,created_at,lang,referenced_tweets,public_metrics",
    "exclude": "replies,retweets",
}
DEFAULT_QUERY = "@acme OR @acmehelp OR @acme_billing OR @acmedevs"
FIELDS = {
    "tweet.fields": "author_id,conversation_id,created_at,in_reply_to_user_id,lang,referenced_tweets,entities,"
    "public_metrics",
    "expansions": "author_id",
    "user.fields": "created_at,verified,public_metrics",
}


@dataclass
class PullReport:
    stream: str
    pages: int
    records: int
    landing_file: str | None
    cursor: dict
    requests_made: int
    retries: int

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def client_from_env(policy: RetryPolicy | None = None) -> ApiClient:
    session = requests.Session()
    token = secret("OUTCOMES_X_BEARER_TOKEN", "outcomes_x_api")
    session.headers.update({"Authorization": f"Bearer {token}", "User-Agent": "social-outcomes-pipeline"})
    return ApiClient(os.environ.get("OUTCOMES_X_API_URL", "https://api.x.com"), session, policy)


def pull_mentions(
    client: ApiClient, landing_dir: Path, state_path: Path, query: str = DEFAULT_QUERY, page_size: int = 100
) -> PullReport:
    state = StreamState(state_path, STREAM)
    cursor = state.load()
    pending = cursor.get("pending")
    if pending:
        landing_file, next_token, newest_id = landing_dir / pending["file"], pending["next_token"], pending["newest_id"]
    else:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        landing_file, next_token, newest_id = landing_dir / "x" / "tweets" / f"api-{stamp}.jsonl", None, None
    params = {"query": query, "max_results": page_size, **FIELDS}
    if cursor.get("since_id"):
        params["since_id"] = cursor["since_id"]
    pages = records = 0
    while True:
        page = client.get_json(SEARCH_PATH, {**params, **({"next_token": next_token} if next_token else {})})
        meta = page.get("meta", {})
        if page.get("data"):
            append_page(landing_file, page)
            pages += 1
            records += len(page["data"])
        newest_id = newest_id or meta.get("newest_id")
        next_token = meta.get("next_token")
        if not next_token:
            break
        relative = landing_file.relative_to(landing_dir).as_posix()
        cursor["pending"] = {"file": relative, "next_token": next_token, "newest_id": newest_id}
        state.save(cursor)
    cursor.pop("pending", None)
    if newest_id:
        cursor["since_id"] = newest_id
    state.save(cursor)
    written = landing_file.relative_to(landing_dir).as_posix() if landing_file.exists() else None
    return PullReport(STREAM, pages, records, written, cursor, client.requests_made, client.retries)


def pull_own_tweets(
    client: ApiClient,
    landing_dir: Path,
    state_path: Path,
    user_ids: tuple[str, ...] | list[str] = DEFAULT_OWN_USER_IDS,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
    page_size: int = 100,
    now: datetime | None = None,
) -> PullReport:
    """One pull of each brand handle's recent posts into one landing file, resumable page by page."""
    state = StreamState(state_path, OWN_STREAM)
    cursor = state.load()
    pending = cursor.get("pending")
    if pending:
        landing_file, pulled_at = landing_dir / pending["file"], pending["pulled_at"]
        remaining, token = list(pending["users"]), pending.get("pagination_token")
    else:
        started = (now or datetime.now(UTC)).astimezone(UTC)
        pulled_at = started.strftime("%Y-%m-%dT%H:%M:%S.") + f"{started.microsecond // 1000:03d}Z"
        landing_file = landing_dir / "x" / "own_tweets" / f"api-{started.strftime('%Y%m%dT%H%M%S%fZ')}.jsonl"
        remaining, token = [str(user_id) for user_id in user_ids], None
    start_time = (datetime.fromisoformat(pulled_at.replace("Z", "+00:00")) - timedelta(days=lookback_days)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    pages = records = 0
    relative = landing_file.relative_to(landing_dir).as_posix()
    while remaining:
        params = {"max_results": page_size, "start_time": start_time, **OWN_FIELDS}
        if token:
            params["pagination_token"] = token
        page = client.get_json(TIMELINE_PATH.format(user_id=remaining[0]), params)
        if page.get("data"):
            for tweet in page["data"]:
                tweet["pulled_at"] = pulled_at
            append_page(landing_file, page)
            pages += 1
            records += len(page["data"])
        token = page.get("meta", {}).get("next_token")
        if not token:
            remaining.pop(0)
        cursor["pending"] = {"file": relative, "pulled_at": pulled_at, "users": remaining, "pagination_token": token}
        state.save(cursor)
    cursor.pop("pending", None)
    cursor["last_pulled_at"] = pulled_at
    state.save(cursor)
    written = relative if landing_file.exists() else None
    return PullReport(OWN_STREAM, pages, records, written, cursor, client.requests_made, client.retries)
