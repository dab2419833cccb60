"""Customer-journey touchpoints: Segment web/app events, SendGrid email events, call-center calls."""

from __future__ import annotations

import uuid

import numpy as np
import pandas as pd

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


def uuids(rng: np.random.Generator, n: int) -> list[str]:
    return [str(uuid.UUID(bytes=row.tobytes(), version=4)) for row in rng.integers(0, 256, (n, 16), dtype=np.uint8)]


def generate_segment(rng: np.random.Generator, period: Period, crm: Crm, scale: float) -> tuple[list[dict], np.ndarray]:
    n = max(100, int(250_000 * scale))
    at = np.sort(period.uniform(rng, n))
    known = rng.random(n) < 0.45
    contact = rng.integers(0, len(crm.contact_email), n)
    kind = rng.choice(3, size=n, p=[0.6, 0.35, 0.05])
    campaign = rng.choice(len(CAMPAIGNS), size=n, p=CAMPAIGN_WEIGHTS)
    page = PAGES[rng.integers(0, len(PAGES), n)]
    track = TRACK_EVENTS[rng.choice(4, size=n, p=[0.2, 0.1, 0.2, 0.5])]
    amount = np.round(np.exp(rng.normal(4, 0.8, n)), 2)
    message_ids = uuids(rng, n)
    anonymous_ids = uuids(rng, max(1, n // 4))
    anonymous = rng.integers(0, len(anonymous_ids), n)
    timestamp, received = iso(at, "millis"), iso(at + rng.integers(0, 5, n), "millis")
    contact_ids, emails = crm.contacts["Id"].tolist(), crm.contact_email.tolist()
    known, contact, kind, campaign = known.tolist(), contact.tolist(), kind.tolist(), campaign.tolist()
    records = []
    for i in range(n):
        user_id = contact_ids[contact[i]] if known[i] else None
        context: dict = {"library": {"name": "analytics.js", "version": "4.1.0"}}
        if known[i]:
            context["traits"] = {"email": emails[contact[i]]}
        source, medium, name = CAMPAIGNS[campaign[i]]
        if source:
            context["campaign"] = {"source": source, "medium": medium, "name": name}
        path = f"/{page[i].lower()}"
        context["page"] = {"url": f"https://acme.example.com{path}", "path": path, "referrer": ""}
        record = {
            "messageId": message_ids[i],
            "type": ("page", "track", "identify")[kind[i]],
            "userId": user_id,
            "anonymousId": anonymous_ids[anonymous[i]],
            "timestamp": str(timestamp[i]),
            "receivedAt": str(received[i]),
            "sentAt": str(timestamp[i]),
            "context": context,
        }
        if kind[i] == 0:
            record["name"] = str(page[i])
            record["properties"] = {"path": path, "title": f"Acme - {page[i]}"}
        elif kind[i] == 1:
            record["event"] = str(track[i])
            record["properties"] = (
                {"revenue": float(amount[i]), "currency": "USD"} if track[i] == "Order Completed" else {}
            )
        else:
            record["traits"] = {"email": emails[contact[i]]} if known[i] else {}
        records.append(record)
    return records, month_keys(at)


def generate_email_events(
    rng: np.random.Generator, period: Period, crm: Crm, scale: float
) -> tuple[list[dict], np.ndarray]:
    n_sends = max(100, int(60_000 * scale))
    sent = period.uniform(rng, n_sends, margin=2 * DAY)
    recipient = crm.contact_email[rng.integers(0, len(crm.contact_email), n_sends)]
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
    event = np.concatenate([np.full(mask.sum(), name) for name, mask, _ in steps])
    order = np.lexsort((send, at))
    message_ids = uuids(rng, n_sends)
    event_ids = uuids(rng, len(order))
    records = []
    for position, index in enumerate(order.tolist()):
        name = str(event[index])
        record = {
            "email": str(recipient[send[index]]),
            "timestamp": int(at[index]),
            "event": name,
            "sg_event_id": event_ids[position],
            "sg_message_id": message_ids[send[index]],
            "category": ["newsletter"],
        }
        if name == "click":
            record["url"] = "https://acme.example.com/pricing?utm_source=newsletter"
        if name in ("open", "click"):
            record["useragent"] = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)"
        records.append(record)
    return records, month_keys(at[order])


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
