"""Zendesk incremental exports into `landing/zendesk/`: tickets (cursor based) and ticket events (time based).

Both loop until `end_of_stream` and save the position after every page written: `after_cursor` for tickets,
`end_time` for ticket events. A failed run resumes from the last saved position; a new run asks only for what changed
since. A ticket changed at the source comes back as a new version, which ingest keeps and staging resolves.
"""

from __future__ import annotations

import os
from pathlib import Path

import requests

from extract.http import ApiClient, ApiError, RetryPolicy, secret
from extract.pages import append_page, run_file
from extract.state import StreamState
from extract.x_api import PullReport

TICKETS_PATH = "/api/v2/incremental/tickets/cursor.json"
EVENTS_PATH = "/api/v2/incremental/ticket_events.json"


def client_from_env(policy: RetryPolicy | None = None) -> ApiClient:
    session = requests.Session()
    email = secret("OUTCOMES_ZENDESK_EMAIL", "outcomes_zendesk", field="login")
    token = secret("OUTCOMES_ZENDESK_API_TOKEN", "outcomes_zendesk")
    session.auth = (f"{email}/token", token)
    return ApiClient(os.environ.get("OUTCOMES_ZENDESK_URL", "https://example.zendesk.com"), session, policy)


def pull_tickets(client: ApiClient, landing_dir: Path, state_path: Path, start_time: int = 0) -> PullReport:
    state = StreamState(state_path, "zendesk_tickets")
    cursor = state.load()
    landing_file = run_file(landing_dir, "zendesk", "tickets")
    pages = records = 0
    while True:
        if cursor.get("after_cursor"):
            params = {"cursor": cursor["after_cursor"], "include": "users"}
        else:
            params = {"start_time": cursor.get("start_time", start_time), "include": "users"}
        page = client.get_json(TICKETS_PATH, params)
        if page.get("tickets"):
            append_page(landing_file, page)
            pages += 1
            records += len(page["tickets"])
        if page.get("after_cursor"):
            cursor["after_cursor"] = page["after_cursor"]
            state.save(cursor)
        if page.get("end_of_stream", True):
            break
    written = landing_file.relative_to(landing_dir).as_posix() if landing_file.exists() else None
    return PullReport("zendesk_tickets", pages, records, written, cursor, client.requests_made, client.retries)


def pull_ticket_events(client: ApiClient, landing_dir: Path, state_path: Path, start_time: int = 0) -> PullReport:
    state = StreamState(state_path, "zendesk_ticket_events")
    cursor = state.load()
    landing_file = run_file(landing_dir, "zendesk", "ticket_events")
    pages = records = 0
    while True:
        params = {"start_time": cursor.get("start_time", start_time), "include": "comment_events"}
        page = client.get_json(EVENTS_PATH, params)
        if not page.get("end_of_stream", True) and page.get("end_time", 0) <= params["start_time"]:
            # A full page of events within one second: asking again from the same second would loop for ever.
            raise ApiError(f"ticket events export does not advance past start_time={params['start_time']}")
        if page.get("ticket_events"):
            append_page(landing_file, page)
            pages += 1
            records += len(page["ticket_events"])
        if page.get("end_time") is not None:
            cursor["start_time"] = page["end_time"]
            state.save(cursor)
        if page.get("end_of_stream", True):
            break
    written = landing_file.relative_to(landing_dir).as_posix() if landing_file.exists() else None
    return PullReport("zendesk_ticket_events", pages, records, written, cursor, client.requests_made, client.retries)
