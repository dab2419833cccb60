"""Zendesk incremental exports (tickets with side-loaded users, ticket events) and the groups list."""

from __future__ import annotations

from ingest.entity import Entity, JsonRecords, typed, varchar

TICKET_COLUMNS = [
    *typed("BIGINT", "id", "requester_id", "submitter_id", "assignee_id", "group_id", "organization_id"),
    *varchar("url", "created_at", "updated_at", "type", "subject", "description", "priority", "status"),
    *typed("JSON", "tags", "via", "custom_fields"),
]
USER_COLUMNS = [("id", "BIGINT"), *varchar("name", "email", "role", "created_at", "updated_at")]
TICKET_EVENT_COLUMNS = [
    *typed("BIGINT", "id", "ticket_id", "updater_id", "timestamp"),
    *varchar("created_at", "event_type"),
    *typed("JSON", "via", "child_events"),
]
GROUP_COLUMNS = [("id", "BIGINT"), *varchar("name", "created_at", "updated_at")]

TICKET_PAGES = "zendesk/tickets/*.jsonl"

ENTITIES = (
    Entity(
        "zendesk_tickets",
        (TICKET_PAGES,),
        TICKET_COLUMNS,
        JsonRecords(("tickets",)),
        required=("id", "created_at", "updated_at", "status"),
        event_time="updated_at",
    ),
    Entity("zendesk_users", (TICKET_PAGES,), USER_COLUMNS, JsonRecords(("users",)), required=("id",)),
    Entity(
        "zendesk_ticket_events",
        ("zendesk/ticket_events/*.jsonl",),
        TICKET_EVENT_COLUMNS,
        JsonRecords(("ticket_events",)),
        required=("id", "ticket_id"),
        event_time="timestamp",
        event_time_is_unix_seconds=True,
    ),
    # groups.json is a single API response that may be pretty-printed, so it is not read line by line.
    Entity(
        "zendesk_groups",
        ("zendesk/groups.json",),
        GROUP_COLUMNS,
        JsonRecords(("groups",), json_format="auto"),
        required=("id", "name"),
    ),
)
