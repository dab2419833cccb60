"""Customer-journey touchpoints: Segment web/app events, SendGrid email events, call-center calls."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from demo_data import jsontext as jt
from demo_data.crm import Crm
from demo_data.period import DAY, MINUTE, Period, iso, month_keys
from demo_data.support import TEAMS

PAGES = np.array(["Home", "Pricing", "Docs", "Blog", "Status"])
TRACK_EVENTS = np.array(["Signed Up", "Demo Requested", "Order Completed", "Feature Used"])
# source, medium, campaign name: social campaigns are the social touchpoints on the web.
CAMPAIGNS = [
    (None, None, None),
    ("twitter", "social", "spring_launch"),
    ("linkedin", "social", "webinar_series"),
    ("google", "cpc", "brand_search"),
    ("newsletter", "email", "monthly_digest"),
]
CAMPAIGN_WEIGHTS = [0.5, 0.15, 0.05, 0.2, 0.1]
EMAIL_EVENTS = ["processed", "delivered", "open", "click", "bounce", "unsubscribe"]


def uuid_bytes(rng: np.random.Generator, n: int) -> np.ndarray:
    """16 random bytes per id; jsontext.uuid4_texts formats them as version-4 UUIDs."""
    return rng.integers(0, 256, (n, 16), dtype=np.uint8)


@cache
def segment_texts() -> dict[str, pa.Array]:
    campaign = [
        "" if source is None else f',"campaign":{json_text({"source": source, "medium": medium, "name": name})}'
        for source, medium, name in CAMPAIGNS
    ]
    paths = [f"/{page.lower()}" for page in PAGES.tolist()]
    return {
        "type": jt.fragments(["page", "track", "identify"]),
        "campaign": jt.fragments(campaign),
        "page": jt.fragments(
            f',"page":{json_text({"url": f"https://acme.example.com{path}", "path": path, "referrer": ""})}'
            for path in paths
        ),
        "page_fields": jt.fragments(
            f',"name":{json_text(page)},"properties":{json_text({"path": path, "title": f"Acme - {page}"})}'
            for page, path in zip(PAGES.tolist(), paths, strict=True)
        ),
        "track_fields": jt.fragments(
            f',"event":{json_text(track)},"properties":{{}}' for track in TRACK_EVENTS.tolist()
        ),
    }


def json_text(value) -> str:
    return orjson.dumps(value).decode()


def generate_segment(rng: np.random.Generator, period: Period, crm: Crm, scale: float) -> SegmentRows:
    n = max(100, int(250_000 * scale))
    at = np.sort(period.uniform(rng, n))
    known = rng.random(n) < 0.45
    contact = rng.integers(0, len(crm.contact_email), n)
    kind = rng.choice(3, size=n, p=[0.6, 0.35, 0.05])
    campaign = rng.choice(len(CAMPAIGNS), size=n, p=CAMPAIGN_WEIGHTS)
    page = rng.integers(0, len(PAGES), n)
    track = rng.choice(4, size=n, p=[0.2, 0.1, 0.2, 0.5])
    amount = np.round(np.exp(rng.normal(4, 0.8, n)), 2)
    message_ids = uuid_bytes(rng, n)
    anonymous_ids = uuid_bytes(rng, max(1, n // 4))
    anonymous = rng.integers(0, len(anonymous_ids), n)
    received = at + rng.integers(0, 5, n)
    contact_ids = jt.strings(crm.contacts["Id"].to_numpy())
    emails = jt.strings(crm.contact_email)
    return SegmentRows(
        at, received, known, contact, kind, campaign, page, track, amount, message_ids, anonymous_ids, anonymous,
        contact_ids, emails,
    )  # fmt: skip


@dataclass
class SegmentRows:
    """Segment events in time order: builds their JSON lines on demand."""

    at: np.ndarray
    received: np.ndarray
    known: np.ndarray
    contact: np.ndarray
    kind: np.ndarray  # 0 page, 1 track, 2 identify
    campaign: np.ndarray
    page: np.ndarray
    track: np.ndarray
    amount: np.ndarray
    message_ids: np.ndarray
    anonymous_ids: np.ndarray
    anonymous: np.ndarray
    contact_ids: pa.Array  # JSON strings, by contact
    emails: pa.Array  # JSON strings, by contact

    def __len__(self) -> int:
        return len(self.at)

    def rows(self, begin: int, finish: int) -> pa.Array:
        part = slice(begin, finish)
        n, text = finish - begin, segment_texts()
        known, contact, kind, track = self.known[part], self.contact[part], self.kind[part], self.track[part]
        email = jt.take(self.emails, contact)
        traits = jt.concat('{"email":', email, "}")
        timestamp = jt.iso(self.at[part], "millis")
        order_completed = (kind == 1) & (track == TRACK_EVENTS.tolist().index("Order Completed"))
        revenue = jt.fragments(
            f',"event":"Order Completed","properties":{{"revenue":{json_text(amount)},"currency":"USD"}}'
            for amount in self.amount[part][order_completed].tolist()
        )
        identify = kind == 2
        kind_fields = jt.choose(
            n,
            [
                (kind == 0, jt.take(text["page_fields"], self.page[part][kind == 0])),
                (order_completed, revenue),
                ((kind == 1) & ~order_completed, jt.take(text["track_fields"], track[(kind == 1) & ~order_completed])),
                (identify & known, jt.concat(',"traits":', traits.filter(pa.array(identify & known)))),
            ],
            default=',"traits":{}',
        )
        return jt.concat(
            '{"messageId":"',
            jt.uuid4_texts(self.message_ids[part]),
            '","type":"',
            jt.take(text["type"], kind),
            '","userId":',
            pc.if_else(pa.array(known), jt.take(self.contact_ids, contact), "null"),
            ',"anonymousId":"',
            jt.uuid4_texts(self.anonymous_ids[self.anonymous[part]]),
            '","timestamp":"',
            timestamp,
            '","receivedAt":"',
            jt.iso(self.received[part], "millis"),
            '","sentAt":"',
            timestamp,
            '","context":{"library":{"name":"analytics.js","version":"4.1.0"}',
            pc.if_else(pa.array(known), jt.concat(',"traits":', traits), ""),
            jt.take(text["campaign"], self.campaign[part]),
            jt.take(text["page"], self.page[part]),
            "}",
            kind_fields,
            "}",
        )


def generate_email_events(rng: np.random.Generator, period: Period, crm: Crm, scale: float) -> EmailRows:
    n_sends = max(100, int(60_000 * scale))
    sent = period.uniform(rng, n_sends, margin=2 * DAY)
    recipient = rng.integers(0, len(crm.contact_email), n_sends)
    bounced = rng.random(n_sends) < 0.02
    opened = ~bounced & (rng.random(n_sends) < 0.4)
    clicked = opened & (rng.random(n_sends) < 0.2)
    unsubscribed = opened & (rng.random(n_sends) < 0.01)
    steps = [
        ("processed", np.ones(n_sends, bool), sent),
        ("delivered", ~bounced, sent + 5),
        ("bounce", bounced, sent + 5),
        ("open", opened, sent + rng.integers(60, DAY, n_sends)),
        ("click", clicked, sent + DAY + rng.integers(1, 3600, n_sends)),
        ("unsubscribe", unsubscribed, sent + DAY + 3600 + rng.integers(1, 60, n_sends)),
    ]
    at = np.concatenate([moment[mask] for _, mask, moment in steps])
    send = np.concatenate([np.flatnonzero(mask) for _, mask, _ in steps])
    event = np.concatenate([np.full(mask.sum(), EMAIL_EVENTS.index(name)) for name, mask, _ in steps])
    order = np.lexsort((send, at))
    message_ids = uuid_bytes(rng, n_sends)
    event_ids = uuid_bytes(rng, len(order))
    return EmailRows(
        at[order], send[order], event[order], recipient, message_ids, event_ids, jt.strings(crm.contact_email)
    )


@dataclass
class EmailRows:
    """SendGrid events in time order: builds their JSON lines on demand."""

    at: np.ndarray
    send: np.ndarray
    event: np.ndarray  # index in EMAIL_EVENTS
    recipient: np.ndarray  # contact, by send
    message_ids: np.ndarray  # by send
    event_ids: np.ndarray  # by position in time order
    emails: pa.Array  # JSON strings, by contact

    def __len__(self) -> int:
        return len(self.at)

    def rows(self, begin: int, finish: int) -> pa.Array:
        part = slice(begin, finish)
        send, event = self.send[part], self.event[part]
        extra = jt.fragments(
            (',"url":"https://acme.example.com/pricing?utm_source=newsletter"' if name == "click" else "")
            + (',"useragent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)"' if name in ("open", "click") else "")
            for name in EMAIL_EVENTS
        )
        return jt.concat(
            '{"email":',
            jt.take(self.emails, self.recipient[send]),
            ',"timestamp":',
            jt.integers(self.at[part]),
            ',"event":"',
            jt.take(jt.fragments(EMAIL_EVENTS), event),
            '","sg_event_id":"',
            jt.uuid4_texts(self.event_ids[part]),
            '","sg_message_id":"',
            jt.uuid4_texts(self.message_ids[send]),
            '","category":["newsletter"]',
            jt.take(extra, event),
            "}",
        )


def generate_calls(rng: np.random.Generator, period: Period, crm: Crm, scale: float) -> tuple[pd.DataFrame, np.ndarray]:
    n = max(30, int(25_000 * scale))
    started = np.sort(period.uniform(rng, n, margin=DAY))
    direction = np.where(rng.random(n) < 0.8, "inbound", "outbound")
    queue = rng.choice(len(TEAMS), size=n, p=[0.6, 0.25, 0.1, 0.05])
    wait = np.exp(rng.normal(4, 1, n)).astype(np.int64)
    abandoned = rng.random(n) < np.clip(wait / 900, 0.02, 0.5)
    talk = np.where(abandoned, 0, np.exp(rng.normal(5.5, 0.7, n)).astype(np.int64))
    known = rng.random(n) < 0.6
    email = np.where(known, crm.contact_email[rng.integers(0, len(crm.contact_email), n)], "")
    answered = np.where(abandoned, "", iso(started + wait))
    frame = pd.DataFrame(
        {
            "call_id": np.char.add("call_", np.arange(1, n + 1).astype(str)),
            "direction": direction,
            "from_number": np.char.add("+1555", np.char.zfill(rng.integers(0, 10**7, n).astype(str), 7)),
            "to_number": "+18005550100",
            "contact_email": email,
            "queue": TEAMS[queue],
            "agent_id": np.where(
                abandoned, "", np.char.add("agent", (100 + queue * 10 + rng.integers(0, 10, n)).astype(str))
            ),
            "started_at": iso(started),
            "answered_at": answered,
            "ended_at": iso(started + wait + talk + MINUTE // 2),
            "wait_seconds": wait,
            "talk_seconds": talk,
            "disposition": np.where(abandoned, "abandoned", np.where(rng.random(n) < 0.85, "resolved", "callback")),
        }
    )
    return frame, month_keys(started)
