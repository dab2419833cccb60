"""A real HTTP server on 127.0.0.1 serving X API v2 search and user timelines, Zendesk incremental exports and
Salesforce queries, with injected faults.

Faults are queued per test and consumed one per request: `429` (with Retry-After: 1), `500`, `slow` (answers after
the client's read timeout), `truncated` (announces the full Content-Length, sends half the body, closes).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

X_TOKEN = "test-bearer-token"
ZENDESK_USER, ZENDESK_TOKEN = "bot@acme.example", "test-api-token"
SALESFORCE_TOKEN = "test-salesforce-token"
QUERY_PATH = "/services/data/v61.0/query"
SLOW_SECONDS = 1.5


class FakeApis:
    def __init__(
        self,
        tweets: list[dict],
        users: list[dict],
        tickets: list[dict],
        ticket_users: list[dict],
        ticket_events: list[dict] | None = None,
        salesforce: dict[str, list[dict]] | None = None,
        own_tweets: list[dict] | None = None,
    ) -> None:
        self.tweets = sorted(tweets, key=lambda tweet: int(tweet["id"]), reverse=True)
        self.users = {user["id"]: user for user in users}
        self.tickets = list(tickets)  # versions in the order they changed
        self.ticket_users = {user["id"]: user for user in ticket_users}
        self.ticket_events = sorted(ticket_events or [], key=lambda event: event["timestamp"])
        self.salesforce = salesforce or {}  # sObject name -> records
        # The brand's posts as the timeline serves them now: change their public_metrics between pulls.
        self.own_tweets = own_tweets or []
        self.faults: deque[str] = deque()
        self._search_cache: dict = {}
        self.requests: list[tuple[str, dict]] = []
        self.page_size = 50
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeApis:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def search(self, params: dict) -> dict:
        since = int(params.get("since_id", 0))
        key = (since, len(self.tweets), id(self.tweets[0]) if self.tweets else None)
        if self._search_cache.get("key") != key:  # filter once per query, not once per page
            self._search_cache = {"key": key, "matching": [t for t in self.tweets if int(t["id"]) > since]}
        matching = self._search_cache["matching"]
        offset = int(params.get("next_token", 0))
        chunk = matching[offset : offset + int(params.get("max_results", 10))]
        if not chunk:
            return {"meta": {"result_count": 0}}
        meta = {"result_count": len(chunk), "newest_id": chunk[0]["id"], "oldest_id": chunk[-1]["id"]}
        if offset + len(chunk) < len(matching):
            meta["next_token"] = str(offset + len(chunk))
        authors = dict.fromkeys(tweet["author_id"] for tweet in chunk)
        return {"data": chunk, "includes": {"users": [self.users[a] for a in authors if a in self.users]}, "meta": meta}

    def timeline(self, user_id: str, params: dict) -> dict:
        """GET /2/users/:id/tweets: the user's tweets since start_time, newest first, replies and retweets excluded
        when asked, paged with pagination_token."""
        excluded = set(params.get("exclude", "").split(","))
        start = params.get("start_time", "")
        matching = sorted(
            (
                tweet
                for tweet in self.own_tweets
                if tweet["author_id"] == user_id
                and tweet["created_at"] >= start
                and not ("replies" in excluded and tweet.get("in_reply_to_user_id"))
                and not (
                    "retweets" in excluded
                    and any(ref["type"] == "retweeted" for ref in tweet.get("referenced_tweets", []))
                )
            ),
            key=lambda tweet: int(tweet["id"]),
            reverse=True,
        )
        offset = int(params.get("pagination_token", 0))
        chunk = matching[offset : offset + int(params.get("max_results", 10))]
        if not chunk:
            return {"meta": {"result_count": 0}}
        meta = {"result_count": len(chunk), "newest_id": chunk[0]["id"], "oldest_id": chunk[-1]["id"]}
        if offset + len(chunk) < len(matching):
            meta["next_token"] = str(offset + len(chunk))
        return {"data": [dict(tweet) for tweet in chunk], "meta": meta}

    def ticket_page(self, params: dict) -> dict:
        if "cursor" in params:
            start = int(params["cursor"])
        else:
            start = next(
                (i for i, t in enumerate(self.tickets) if _unix(t["updated_at"]) >= int(params["start_time"])),
                len(self.tickets),
            )
        chunk = self.tickets[start : start + self.page_size]
        end = start + len(chunk)
        referenced = dict.fromkeys(u for t in chunk for u in (t["requester_id"], t["assignee_id"]))
        return {
            "tickets": chunk,
            "users": [self.ticket_users[u] for u in referenced if u in self.ticket_users],
            "after_cursor": str(end),
            "after_url": f"{self.url}/api/v2/incremental/tickets/cursor.json?cursor={end}",
            "before_cursor": None,
            "before_url": None,
            "end_of_stream": end >= len(self.tickets),
        }

    def ticket_event_page(self, params: dict) -> dict:
        """Time-based export: events at or after start_time; like Zendesk, the boundary second comes back again."""
        start = int(params["start_time"])
        matching = [event for event in self.ticket_events if event["timestamp"] >= start]
        chunk = matching[: self.page_size]
        end_time = chunk[-1]["timestamp"] if chunk else start
        return {
            "ticket_events": chunk,
            "next_page": f"{self.url}/api/v2/incremental/ticket_events.json?start_time={end_time}",
            "count": len(chunk),
            "end_time": end_time,
            "end_of_stream": len(matching) <= self.page_size,
        }

    def soql_page(self, sobject: str, since: str, offset: int) -> dict:
        records = sorted(
            (r for r in self.salesforce.get(sobject, []) if r["LastModifiedDate"] >= since),
            key=lambda r: (r["LastModifiedDate"], r["Id"]),
        )
        chunk = records[offset : offset + self.page_size]
        done = offset + len(chunk) >= len(records)
        page = {"totalSize": len(records), "done": done, "records": chunk}
        if not done:
            page["nextRecordsUrl"] = f"{QUERY_PATH}/{sobject}~{since}~{offset + len(chunk)}"
        return page

    def _handler(self):
        apis = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _send(self, status: int, payload: dict | list, headers: dict | None = None, cut: bool = False) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if cut else body)
                if cut:
                    self.wfile.flush()
                    self.close_connection = True

            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                parsed = urlparse(self.path)
                params = {key: values[0] for key, values in parse_qs(parsed.query).items()}
                apis.requests.append((parsed.path, params))
                fault = apis.faults.popleft() if apis.faults else None
                if fault == "429":
                    return self._send(429, {"title": "Too Many Requests"}, {"Retry-After": "1"})
                if fault == "500":
                    return self._send(500, {"error": "boom"})
                if fault == "slow":
                    time.sleep(SLOW_SECONDS)
                if parsed.path == "/2/tweets/search/recent":
                    if self.headers.get("Authorization") != f"Bearer {X_TOKEN}":
                        return self._send(401, {"title": "Unauthorized"})
                    return self._send(200, apis.search(params), cut=fault == "truncated")
                timeline = re.fullmatch(r"/2/users/(\w+)/tweets", parsed.path)
                if timeline:
                    if self.headers.get("Authorization") != f"Bearer {X_TOKEN}":
                        return self._send(401, {"title": "Unauthorized"})
                    return self._send(200, apis.timeline(timeline.group(1), params), cut=fault == "truncated")
                if parsed.path == "/api/v2/incremental/tickets/cursor.json":
                    expected = base64.b64encode(f"{ZENDESK_USER}/token:{ZENDESK_TOKEN}".encode()).decode()
                    if self.headers.get("Authorization") != f"Basic {expected}":
                        return self._send(401, {"error": "Couldn't authenticate you"})
                    return self._send(200, apis.ticket_page(params), cut=fault == "truncated")
                if parsed.path == "/api/v2/incremental/ticket_events.json":
                    expected = base64.b64encode(f"{ZENDESK_USER}/token:{ZENDESK_TOKEN}".encode()).decode()
                    if self.headers.get("Authorization") != f"Basic {expected}":
                        return self._send(401, {"error": "Couldn't authenticate you"})
                    return self._send(200, apis.ticket_event_page(params), cut=fault == "truncated")
                if parsed.path.startswith(QUERY_PATH):
                    if self.headers.get("Authorization") != f"Bearer {SALESFORCE_TOKEN}":
                        return self._send(401, [{"errorCode": "INVALID_SESSION_ID"}])
                    if parsed.path == QUERY_PATH:
                        found = re.search(r"FROM (\w+) WHERE LastModifiedDate >= (\S+)", params["q"])
                        sobject, since, offset = found.group(1), found.group(2), 0
                    else:
                        sobject, since, offset = parsed.path.rsplit("/", 1)[1].split("~")
                    page = apis.soql_page(sobject, since, int(offset))
                    return self._send(200, page, cut=fault == "truncated")
                return self._send(404, {"error": "not found"})

        return Handler


def _unix(iso: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())
