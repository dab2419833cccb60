"""Zendesk tickets (one version per status change), their audit events with comments, users and groups."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo_data.crm import Crm
from demo_data.period import DAY, MINUTE, Period, iso, lognormal_minutes, month_keys
from demo_data.texts import TOPIC_WEIGHTS, TOPICS, compose, draw_sentiments
from demo_data.writers import page_token

TEAMS = np.array(["Support", "Billing", "R&D", "Product Management"])
GROUP_IDS = np.array([360001, 360002, 360003, 360004])
# Which team owns a ticket, per topic (rows follow TOPICS, columns TEAMS).
TEAM_BY_TOPIC = np.array(
    [
        [0.2, 0.8, 0.0, 0.0],
        [0.6, 0.0, 0.4, 0.0],
        [0.5, 0.0, 0.5, 0.0],
        [0.1, 0.0, 0.2, 0.7],
        [1.0, 0.0, 0.0, 0.0],
        [0.2, 0.8, 0.0, 0.0],
        [1.0, 0.0, 0.0, 0.0],
    ]
)
# Billing answers slowest: the planted worst-SLA team. Medians in minutes.
TEAM_FIRST_REPLY_MINUTES = np.array([90.0, 900.0, 240.0, 300.0])
TEAM_RESOLUTION_MINUTES = np.array([1_200.0, 4_800.0, 2_400.0, 2_800.0])
PRIORITIES = np.array(["low", "normal", "high", "urgent"])
PRIORITY_SPEED = np.array([1.4, 1.0, 0.6, 0.3])
CHANNELS = np.array(["email", "web", "chat", "voice"])
# Live channels are answered and closed faster than email and web forms.
CHANNEL_FIRST_REPLY_SPEED = np.array([1.0, 1.0, 0.08, 0.25])
CHANNEL_RESOLUTION_SPEED = np.array([1.0, 1.0, 0.3, 0.5])
TICKET_TYPES = np.array(["question", "incident", "problem", "task"])
AGENTS_PER_TEAM = 10
AGENT_REPLIES = [
    "Thanks for contacting us. I have looked into your account and applied a fix.",
    "Sorry for the trouble! Could you send a screenshot of the error?",
    "I've escalated this to our specialists and will update you shortly.",
]
ZENDESK_HOST = "https://acme.zendesk.example"


@dataclass
class Tickets:
    records: list[dict]
    months: np.ndarray
    users: dict[int, dict]
    events: list[dict]
    event_months: np.ndarray
    groups: dict
    requester_contact: np.ndarray
    opened_at: np.ndarray
    topic: np.ndarray
    sentiment: np.ndarray
    team: np.ndarray
    first_response_seconds: np.ndarray
    solved_at: np.ndarray


def zendesk_users(rng, period: Period, crm: Crm, n_unknown: int) -> tuple[dict[int, dict], np.ndarray, np.ndarray]:
    """End users (CRM contacts by email, and unknown people) and agents; returns records and the id ranges."""
    contact_user_ids = 500_000 + np.arange(len(crm.contact_email))
    unknown_user_ids = 900_000 + np.arange(n_unknown)
    unknown_emails = np.char.add(np.char.add("someone", np.arange(n_unknown).astype(str)), "@mail.example.org")
    created = iso(period.start - rng.integers(0, 700, len(contact_user_ids) + n_unknown) * DAY)
    users: dict[int, dict] = {}
    emails = np.concatenate([crm.contact_email, unknown_emails])
    # Some requesters type their email in upper case: staging must normalise it to match the CRM.
    shouted = rng.random(len(emails)) < 0.05
    emails = np.where(shouted, np.char.upper(emails.astype(str)), emails)
    for user_id, email, created_at in zip(
        np.concatenate([contact_user_ids, unknown_user_ids]), emails, created, strict=True
    ):
        users[int(user_id)] = {
            "id": int(user_id),
            "name": str(email).split("@")[0].replace(".", " ").title(),
            "email": str(email),
            "role": "end-user",
            "created_at": str(created_at),
            "updated_at": str(created_at),
        }
    for team_index, team in enumerate(TEAMS):
        for number in range(AGENTS_PER_TEAM):
            agent_id = 100 + team_index * AGENTS_PER_TEAM + number
            users[agent_id] = {
                "id": agent_id,
                "name": f"{team} Agent {number + 1}",
                "email": f"agent{agent_id}@acme.example.com",
                "role": "agent",
                "created_at": "2023-01-02T09:00:00Z",
                "updated_at": "2023-01-02T09:00:00Z",
            }
    return users, contact_user_ids, unknown_user_ids


def generate_tickets(rng: np.random.Generator, period: Period, crm: Crm, scale: float) -> Tickets:
    n = max(60, int(70_000 * scale))
    n_unknown = max(20, int(25_000 * scale))
    users, contact_user_ids, unknown_user_ids = zendesk_users(rng, period, crm, n_unknown)

    kind = rng.choice(3, size=n, p=[0.5, 0.1, 0.4])
    customers, prospects = crm.customer_contacts, crm.prospect_contacts
    requester_contact = np.full(n, -1, dtype=np.int64)
    requester_contact[kind == 0] = customers[rng.integers(0, len(customers), (kind == 0).sum())]
    requester_contact[kind == 1] = prospects[rng.integers(0, len(prospects), (kind == 1).sum())]
    requester = np.where(
        requester_contact >= 0, contact_user_ids[requester_contact], unknown_user_ids[rng.integers(0, n_unknown, n)]
    )
    topic = rng.choice(len(TOPICS), size=n, p=TOPIC_WEIGHTS)
    sentiment = draw_sentiments(rng, topic)
    team = (rng.random((n, 1)) > np.cumsum(TEAM_BY_TOPIC[topic], axis=1)).sum(axis=1).clip(0, 3)
    priority = rng.choice(4, size=n, p=[0.2, 0.5, 0.2, 0.1])
    agent = 100 + team * AGENTS_PER_TEAM + rng.integers(0, AGENTS_PER_TEAM, n)
    opened = period.uniform(rng, n, margin=DAY)
    channel = rng.choice(4, size=n, p=[0.5, 0.3, 0.15, 0.05])
    speed = PRIORITY_SPEED[priority] * CHANNEL_FIRST_REPLY_SPEED[channel]
    resolution_speed = PRIORITY_SPEED[priority] * CHANNEL_RESOLUTION_SPEED[channel]

    first_reply = opened + lognormal_minutes(rng, TEAM_FIRST_REPLY_MINUTES[team] * speed)
    answered = (rng.random(n) < 0.95) & (first_reply <= period.end)
    private_note = opened + ((first_reply - opened) * 0.4).astype(np.int64) + MINUTE
    has_note = answered & (rng.random(n) < 0.25)
    follow_up = first_reply + lognormal_minutes(rng, np.full(n, 120.0))
    has_follow_up = answered & (rng.random(n) < 0.4) & (follow_up <= period.end)
    second_reply = follow_up + lognormal_minutes(rng, TEAM_FIRST_REPLY_MINUTES[team] * speed)
    has_second = has_follow_up & (second_reply <= period.end)
    last_reply = np.where(has_second, second_reply, first_reply)
    solved = last_reply + lognormal_minutes(rng, TEAM_RESOLUTION_MINUTES[team] * resolution_speed, sigma=0.7)
    # Negative tickets are left unsolved more often: the churn truth depends on them.
    solve_rate = np.where(sentiment == 0, 0.82, 0.95)
    is_solved = answered & (rng.random(n) < solve_rate) & (solved <= period.end)
    closed = solved + 4 * DAY
    is_closed = is_solved & (closed <= period.end)

    texts = compose(rng, topic, sentiment).astype(str)
    base = ticket_bases(rng, n, opened, topic, texts, priority, channel, requester, agent, team)
    timeline = {
        "opened": opened,
        "note": np.where(has_note, private_note, -1),
        "first_reply": np.where(answered, first_reply, -1),
        "follow_up": np.where(has_follow_up, follow_up, -1),
        "second_reply": np.where(has_second, second_reply, -1),
        "solved": np.where(is_solved, solved, -1),
        "closed": np.where(is_closed, closed, -1),
    }
    records, record_at, events, event_at = ticket_histories(rng, base, timeline, requester, agent)
    record_order = np.argsort(record_at, kind="stable")
    event_order = np.argsort(event_at, kind="stable")
    ordered_events = [events[index] for index in event_order.tolist()]
    for number, event in enumerate(ordered_events):
        event["id"] = 9_000_000_000 + number
    groups = {
        "groups": [
            {
                "id": int(group_id),
                "name": str(name),
                "created_at": "2023-01-02T09:00:00Z",
                "updated_at": "2023-01-02T09:00:00Z",
            }
            for group_id, name in zip(GROUP_IDS, TEAMS, strict=True)
        ]
    }
    return Tickets(
        records=[records[index] for index in record_order.tolist()],
        months=month_keys(record_at[record_order]),
        users=users,
        events=ordered_events,
        event_months=month_keys(event_at[event_order]),
        groups=groups,
        requester_contact=requester_contact,
        opened_at=opened,
        topic=topic,
        sentiment=sentiment,
        team=TEAMS[team],
        first_response_seconds=np.where(answered, first_reply - opened, -1),
        solved_at=np.where(is_solved, solved, -1),
    )


def ticket_bases(rng, n, opened, topic, texts, priority, channel, requester, agent, team) -> list[dict]:
    ids = 10_000 + np.arange(n)
    created = iso(opened)
    types = TICKET_TYPES[rng.integers(0, len(TICKET_TYPES), n)]
    channels = CHANNELS[channel]
    topics = np.array(TOPICS)[topic]
    return [
        {
            "id": int(ids[i]),
            "url": f"{ZENDESK_HOST}/api/v2/tickets/{ids[i]}.json",
            "created_at": str(created[i]),
            "updated_at": str(created[i]),
            "type": str(types[i]),
            "subject": texts[i][:60],
            "description": texts[i],
            "priority": str(PRIORITIES[priority[i]]),
            "status": "new",
            "requester_id": int(requester[i]),
            "submitter_id": int(requester[i]),
            "assignee_id": int(agent[i]),
            "group_id": int(GROUP_IDS[team[i]]),
            "organization_id": None,
            "tags": [str(topics[i])],
            "via": {"channel": str(channels[i])},
            "custom_fields": [],
        }
        for i in range(n)
    ]


def ticket_histories(rng, base, timeline, requester, agent) -> tuple[list[dict], np.ndarray, list[dict], np.ndarray]:
    """Replays each ticket's timeline into ticket versions (one per status change) and audit events."""
    records: list[dict] = []
    record_at: list[int] = []
    events: list[dict] = []
    event_at: list[int] = []
    columns = {key: value.tolist() for key, value in timeline.items()}
    texts = {key: iso(np.maximum(value, 0)).tolist() for key, value in timeline.items()}
    child_ids = iter(range(7_000_000_000, 8_000_000_000))
    reply_texts = rng.integers(0, len(AGENT_REPLIES), len(base)).tolist()
    requester_ids, agent_ids = requester.tolist(), agent.tolist()
    for i, ticket in enumerate(base):
        status = None
        steps = [
            ("opened", requester_ids[i], ticket["description"], True, "new"),
            ("note", agent_ids[i], "Internal note: checking logs before replying.", False, None),
            ("first_reply", agent_ids[i], AGENT_REPLIES[reply_texts[i]], True, "pending"),
            ("follow_up", requester_ids[i], "Thanks, but it still happens for me.", True, "open"),
            ("second_reply", agent_ids[i], "Understood, we have pushed a second fix.", True, "pending"),
            ("solved", agent_ids[i], None, True, "solved"),
            ("closed", -1, None, True, "closed"),
        ]
        for step, author, body, public, new_status in steps:
            at = columns[step][i]
            if at < 0:
                continue
            children = []
            if body is not None:
                children.append({"id": 0, "event_type": "Comment", "body": body, "public": public, "author_id": author})
            if new_status is not None and new_status != status:
                children.append(
                    {
                        "id": 0,
                        "event_type": "Change",
                        "field_name": "status",
                        "value": new_status,
                        "previous_value": status,
                    }
                )
                status = new_status
                records.append({**ticket, "status": new_status, "updated_at": texts[step][i]})
                record_at.append(at)
            for child in children:
                child["id"] = next(child_ids)
            events.append(
                {
                    "id": 0,
                    "ticket_id": ticket["id"],
                    "timestamp": at,
                    "created_at": texts[step][i],
                    "updater_id": author,
                    "event_type": "Audit",
                    "via": {"channel": "web" if author != requester_ids[i] else ticket["via"]["channel"]},
                    "child_events": children,
                }
            )
            event_at.append(at)
    return records, np.array(record_at, dtype=np.int64), events, np.array(event_at, dtype=np.int64)


def ticket_page(users: dict[int, dict]):
    def make_page(chunk: list[dict], month: str, number: int, is_last: bool) -> dict:
        referenced = dict.fromkeys(
            user for ticket in chunk for user in (ticket["requester_id"], ticket["submitter_id"], ticket["assignee_id"])
        )
        cursor = None if is_last else page_token("tickets", month, number)
        return {
            "tickets": chunk,
            "users": [users[user] for user in referenced],
            "after_cursor": cursor,
            "after_url": None if is_last else f"{ZENDESK_HOST}/api/v2/incremental/tickets/cursor.json?cursor={cursor}",
            "before_cursor": None,
            "before_url": None,
            "end_of_stream": is_last,
        }

    return make_page


def ticket_event_page(chunk: list[dict], month: str, number: int, is_last: bool) -> dict:
    end_time = chunk[-1]["timestamp"]
    return {
        "ticket_events": chunk,
        "next_page": None if is_last else f"{ZENDESK_HOST}/api/v2/incremental/ticket_events.json?start_time={end_time}",
        "count": len(chunk),
        "end_time": end_time,
        "end_of_stream": is_last,
    }
