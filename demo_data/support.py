"""Zendesk tickets (one version per status change), their audit events with comments, users and groups."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from demo_data import jsontext as jt
from demo_data.crm import Crm
from demo_data.period import DAY, MINUTE, Period, lognormal_minutes
from demo_data.texts import TOPIC_WEIGHTS, TOPICS, compose_codes, draw_sentiments, phrase_table
from demo_data.writers import PageChunk, page_token

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


# A ticket's timeline, in the order its steps are replayed: who writes, what, and the status it moves to.
STEPS = ["opened", "note", "first_reply", "follow_up", "second_reply", "solved", "closed"]
STATUSES = [None, "new", "pending", "open", "solved", "closed"]
STEP_STATUS = np.array([1, 0, 2, 3, 2, 4, 5])  # index into STATUSES; 0: the step leaves the status alone
STEP_AUTHOR = np.array([0, 1, 1, 0, 1, 1, 2])  # 0 requester, 1 agent, 2 nobody (-1)
STEP_PUBLIC = np.array([True, False, True, True, True, True, True])
STEP_HAS_COMMENT = np.array([True, True, True, True, True, False, False])
# Comment bodies are codes into comment_texts(): the ticket's description, an agent reply, or a fixed sentence.
FIXED_COMMENTS = {
    "note": "Internal note: checking logs before replying.",
    "follow_up": "Thanks, but it still happens for me.",
    "second_reply": "Understood, we have pushed a second fix.",
}


@dataclass
class Tickets:
    versions: int
    events: int
    groups: dict
    requester_contact: np.ndarray
    opened_at: np.ndarray
    topic: np.ndarray
    sentiment: np.ndarray
    team: np.ndarray
    first_response_seconds: np.ndarray
    solved_at: np.ndarray


@dataclass
class ZendeskUsers:
    """End users (CRM contacts, then unknown people) and agents, as JSON by position; ids map to positions."""

    json: pa.Array
    contacts: int
    unknown: int

    def positions(self, user_ids: np.ndarray) -> np.ndarray:
        user_ids = np.asarray(user_ids, dtype=np.int64)
        positions = np.full(len(user_ids), -1, dtype=np.int64)
        agent = (user_ids >= 100) & (user_ids < 100 + len(TEAMS) * AGENTS_PER_TEAM)
        positions[agent] = self.contacts + self.unknown + user_ids[agent] - 100
        contact = (user_ids >= 500_000) & (user_ids < 500_000 + self.contacts)
        positions[contact] = user_ids[contact] - 500_000
        # Assigned last: an unknown user's id shadows a contact's equal id (at scales above 10), as it did in a dict.
        unknown = (user_ids >= 900_000) & (user_ids < 900_000 + self.unknown)
        positions[unknown] = self.contacts + user_ids[unknown] - 900_000
        if (positions < 0).any():
            raise KeyError(f"unknown Zendesk user ids {user_ids[positions < 0][:5]}")
        return positions


def zendesk_users(rng, period: Period, crm: Crm, n_unknown: int) -> tuple[ZendeskUsers, np.ndarray, np.ndarray]:
    """End users (CRM contacts by email, and unknown people) and agents; returns them and the end users' id ranges."""
    contact_user_ids = 500_000 + np.arange(len(crm.contact_email))
    unknown_user_ids = 900_000 + np.arange(n_unknown)
    unknown_emails = np.char.add(np.char.add("someone", np.arange(n_unknown).astype(str)), "@mail.example.org")
    created = jt.iso(period.start - rng.integers(0, 700, len(contact_user_ids) + n_unknown) * DAY)
    emails = pa.concat_arrays([pa.array(crm.contact_email, pa.string()), pa.array(unknown_emails, pa.string())])
    # Some requesters type their email in upper case: staging must normalise it to match the CRM.
    shouted = rng.random(len(emails)) < 0.05
    emails = pc.if_else(pa.array(shouted), pc.utf8_upper(emails), emails)
    names = [email.split("@")[0].replace(".", " ").title() for email in emails.to_pylist()]
    end_users = jt.concat(
        '{"id":',
        jt.integers(np.concatenate([contact_user_ids, unknown_user_ids])),
        ',"name":',
        jt.strings(names),
        ',"email":',
        jt.strings(emails),
        ',"role":"end-user","created_at":"',
        created,
        '","updated_at":"',
        created,
        '"}',
    )
    agents = jt.vocabulary(
        {
            "id": agent_id,
            "name": f"{team} Agent {number + 1}",
            "email": f"agent{agent_id}@acme.example.com",
            "role": "agent",
            "created_at": "2023-01-02T09:00:00Z",
            "updated_at": "2023-01-02T09:00:00Z",
        }
        for team_index, team in enumerate(TEAMS.tolist())
        for number in range(AGENTS_PER_TEAM)
        for agent_id in [100 + team_index * AGENTS_PER_TEAM + number]
    )
    users = ZendeskUsers(pa.concat_arrays([end_users, agents]), len(contact_user_ids), n_unknown)
    return users, contact_user_ids, unknown_user_ids


def generate_tickets(rng: np.random.Generator, period: Period, crm: Crm, scale: float) -> tuple[Tickets, TicketRows]:
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

    text = compose_codes(rng, topic, sentiment)
    ticket_type = rng.integers(0, len(TICKET_TYPES), n)
    reply_text = rng.integers(0, len(AGENT_REPLIES), n)
    timeline = {
        "opened": opened,
        "note": np.where(has_note, private_note, -1),
        "first_reply": np.where(answered, first_reply, -1),
        "follow_up": np.where(has_follow_up, follow_up, -1),
        "second_reply": np.where(has_second, second_reply, -1),
        "solved": np.where(is_solved, solved, -1),
        "closed": np.where(is_closed, closed, -1),
    }
    base = TicketBase(opened, text, ticket_type, priority, channel, requester, agent, team, topic, reply_text)
    rows = TicketRows.replay(base, np.column_stack([timeline[step] for step in STEPS]), users)
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
    tickets = Tickets(
        versions=len(rows.version_event),
        events=len(rows.event_ticket),
        groups=groups,
        requester_contact=requester_contact,
        opened_at=opened,
        topic=topic,
        sentiment=sentiment,
        team=TEAMS[team],
        first_response_seconds=np.where(answered, first_reply - opened, -1),
        solved_at=np.where(is_solved, solved, -1),
    )
    return tickets, rows


@dataclass
class TicketBase:
    """Per ticket: the fields of its first version (codes where the value is categorical)."""

    opened: np.ndarray
    text: np.ndarray  # phrase_table code of the description
    ticket_type: np.ndarray
    priority: np.ndarray
    channel: np.ndarray
    requester: np.ndarray
    agent: np.ndarray
    team: np.ndarray
    topic: np.ndarray
    reply_text: np.ndarray  # which AGENT_REPLIES the first reply uses


@cache
def texts() -> dict[str, pa.Array]:
    phrases = phrase_table().tolist()
    return {
        "subject": jt.vocabulary(phrase[:60] for phrase in phrases),
        "comment": jt.vocabulary(phrases + AGENT_REPLIES + list(FIXED_COMMENTS.values())),
        "type": jt.vocabulary(TICKET_TYPES.tolist()),
        "priority": jt.vocabulary(PRIORITIES.tolist()),
        "channel": jt.vocabulary(CHANNELS.tolist()),
        "tag": jt.vocabulary(TOPICS),
        "status": jt.vocabulary(STATUSES),
    }


@dataclass
class TicketRows:
    """Every ticket's replayed timeline: one audit event per step that happened, one ticket version per status change.

    Events are numbered in replay order (ticket by ticket, step by step); output order is by time, ties in replay
    order. Builds pages of ticket versions and of ticket events on demand."""

    base: TicketBase
    users: ZendeskUsers
    event_ticket: np.ndarray
    event_step: np.ndarray
    event_at: np.ndarray
    event_status: np.ndarray  # STATUSES index the event changes the status to, 0 if it does not
    previous_status: np.ndarray
    first_child_id: np.ndarray
    event_order: np.ndarray
    version_event: np.ndarray  # event of each ticket version, in output order

    @classmethod
    def replay(cls, base: TicketBase, timeline: np.ndarray, users: ZendeskUsers) -> TicketRows:
        ticket, step = np.nonzero(timeline >= 0)  # replay order: ticket by ticket, then step by step
        at = timeline[ticket, step]
        # The status before each status-setting step is the one set by the ticket's previous such step.
        setting = np.flatnonzero(STEP_STATUS[step] > 0)
        new = STEP_STATUS[step[setting]]
        before = np.zeros_like(new)
        same_ticket = ticket[setting][1:] == ticket[setting][:-1]
        before[1:] = np.where(same_ticket, new[:-1], 0)
        changed = setting[new != before]
        event_status = np.zeros(len(step), dtype=np.int64)
        previous_status = np.zeros(len(step), dtype=np.int64)
        event_status[changed] = STEP_STATUS[step[changed]]
        previous_status[setting] = before
        children = STEP_HAS_COMMENT[step].astype(np.int64) + (event_status > 0)
        first_child_id = 7_000_000_000 + np.cumsum(children) - children
        event_order = np.argsort(at, kind="stable")
        version_event = changed[np.argsort(at[changed], kind="stable")]
        return cls(
            base, users, ticket, step, at, event_status, previous_status, first_child_id, event_order, version_event
        )

    def sorted_version_at(self) -> np.ndarray:
        return self.event_at[self.version_event]

    def sorted_event_at(self) -> np.ndarray:
        return self.event_at[self.event_order]

    def ticket_pages(self, chunk: PageChunk) -> pa.Array:
        event = self.version_event[chunk.begin : chunk.finish]
        ticket = self.event_ticket[event]
        base, text = self.base, texts()
        ticket_id = jt.integers(10_000 + ticket)
        requester = jt.integers(base.requester[ticket])
        versions = jt.concat(
            '{"id":',
            ticket_id,
            f',"url":"{ZENDESK_HOST}/api/v2/tickets/',
            ticket_id,
            '.json","created_at":"',
            jt.iso(base.opened[ticket]),
            '","updated_at":"',
            jt.iso(self.event_at[event]),
            '","type":',
            jt.take(text["type"], base.ticket_type[ticket]),
            ',"subject":',
            jt.take(text["subject"], base.text[ticket]),
            ',"description":',
            jt.take(text["comment"], base.text[ticket]),
            ',"priority":',
            jt.take(text["priority"], base.priority[ticket]),
            ',"status":',
            jt.take(text["status"], self.event_status[event]),
            ',"requester_id":',
            requester,
            ',"submitter_id":',
            requester,
            ',"assignee_id":',
            jt.integers(base.agent[ticket]),
            ',"group_id":',
            jt.integers(GROUP_IDS[base.team[ticket]]),
            ',"organization_id":null,"tags":[',
            jt.take(text["tag"], base.topic[ticket]),
            '],"via":{"channel":',
            jt.take(text["channel"], base.channel[ticket]),
            '},"custom_fields":[]}',
        )
        # Each page's users: requester, submitter (the requester) and assignee of each ticket, first seen first.
        people = np.column_stack([base.requester[ticket], base.requester[ticket], base.agent[ticket]]).ravel()
        page_of = np.repeat(chunk.page_of_row, 3)
        included, offsets = jt.distinct_per_group(page_of, people, np.arange(len(people)), len(chunk.numbers))
        cursors = [
            None if is_last else page_token("tickets", chunk.month, number)
            for number, is_last in zip(chunk.numbers.tolist(), chunk.is_last.tolist(), strict=True)
        ]
        after = {
            "after_cursor": None,
            "after_url": None,
            "before_cursor": None,
            "before_url": None,
            "end_of_stream": True,
        }
        return jt.concat(
            '{"tickets":[',
            jt.join_groups(versions, chunk.offsets),
            '],"users":[',
            jt.join_groups(jt.take(self.users.json, self.users.positions(included)), offsets),
            "],",
            # The page's remaining fields, without the opening brace of their own JSON object.
            jt.fragments(
                orjson.dumps(
                    after
                    if cursor is None
                    else after
                    | {
                        "after_cursor": cursor,
                        "after_url": f"{ZENDESK_HOST}/api/v2/incremental/tickets/cursor.json?cursor={cursor}",
                        "end_of_stream": False,
                    }
                ).decode()[1:]
                for cursor in cursors
            ),
        )

    def event_pages(self, chunk: PageChunk) -> pa.Array:
        event = self.event_order[chunk.begin : chunk.finish]
        ticket, step, at = self.event_ticket[event], self.event_step[event], self.event_at[event]
        base, text = self.base, texts()
        requester = base.requester[ticket]
        author = np.choose(STEP_AUTHOR[step], [requester, base.agent[ticket], np.full(len(event), -1)])
        n_phrases = len(phrase_table())
        fixed = {name: n_phrases + len(AGENT_REPLIES) + k for k, name in enumerate(FIXED_COMMENTS)}
        body = np.select(
            [step == STEPS.index("opened"), step == STEPS.index("first_reply")],
            [base.text[ticket], n_phrases + base.reply_text[ticket]],
            default=np.array([fixed.get(name, 0) for name in STEPS])[step],
        )
        has_comment, status = STEP_HAS_COMMENT[step], self.event_status[event]
        comment_id = self.first_child_id[event]
        comment = jt.concat(
            '{"id":',
            jt.integers(comment_id),
            ',"event_type":"Comment","body":',
            jt.take(text["comment"], body),
            ',"public":',
            jt.booleans(STEP_PUBLIC[step]),
            ',"author_id":',
            jt.integers(author),
            "}",
        )
        change = jt.concat(
            '{"id":',
            jt.integers(comment_id + has_comment),
            ',"event_type":"Change","field_name":"status","value":',
            jt.take(text["status"], status),
            ',"previous_value":',
            jt.take(text["status"], self.previous_status[event]),
            "}",
        )
        children = jt.concat(
            pc.if_else(pa.array(has_comment), comment, ""),
            pc.if_else(pa.array(has_comment & (status > 0)), ",", ""),
            pc.if_else(pa.array(status > 0), change, ""),
        )
        # An event by the requester comes through the ticket's channel, any other through the web.
        via = np.where(author != requester, CHANNELS.tolist().index("web"), base.channel[ticket])
        timestamp = jt.integers(at)
        events = jt.concat(
            '{"id":',
            jt.integers(9_000_000_000 + np.arange(chunk.begin, chunk.finish)),
            ',"ticket_id":',
            jt.integers(10_000 + ticket),
            ',"timestamp":',
            timestamp,
            ',"created_at":"',
            jt.iso(at),
            '","updater_id":',
            jt.integers(author),
            ',"event_type":"Audit","via":{"channel":',
            jt.take(text["channel"], via),
            '},"child_events":[',
            children,
            "]}",
        )
        end_time = at[chunk.offsets[1:] - 1]
        return jt.concat(
            '{"ticket_events":[',
            jt.join_groups(events, chunk.offsets),
            "],",
            jt.fragments(
                f'"next_page":null,"count":{count},"end_time":{end},"end_of_stream":true'
                if is_last
                else f'"next_page":"{ZENDESK_HOST}/api/v2/incremental/ticket_events.json?start_time={end}",'
                f'"count":{count},"end_time":{end},"end_of_stream":false'
                for count, end, is_last in zip(
                    chunk.sizes.tolist(), end_time.tolist(), chunk.is_last.tolist(), strict=True
                )
            ),
            "}",
        )
