"""Generate every source family into a landing folder, with a manifest of counts and planted truths."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import orjson
from tqdm import tqdm

from demo_data import feedback, journey, outcomes, own_posts, social, support, truths
from demo_data.crm import generate_crm
from demo_data.period import Period
from demo_data.writers import write_csv, write_json_lines, write_monthly_csv, write_monthly_pages

GENERATOR_VERSION = "1"
DEFAULT_START = date(2025, 1, 1)
DEFAULT_MONTHS = 18


def generate(
    out: Path,
    scale: float = 1.0,
    seed: int = 42,
    start: date = DEFAULT_START,
    months: int = DEFAULT_MONTHS,
    progress: bool = False,
) -> dict:
    """Write the landing folder `out` and return its manifest. Same arguments, same bytes."""
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    period = Period.of(start, months)
    counts: dict[str, int] = {}
    steps = tqdm(total=8, desc="demo data", unit="step", disable=not progress)

    def done(label: str) -> None:
        steps.set_postfix_str(f"{label} done")
        steps.update()

    crm = generate_crm(rng, period, n_accounts=max(20, int(8_000 * scale)))
    write_csv(out / "crm" / "accounts.csv", crm.accounts)
    write_csv(out / "crm" / "contacts.csv", crm.contacts)
    counts.update(crm_accounts=len(crm.accounts), crm_contacts=len(crm.contacts))
    done("crm")

    # Each JSON family is written as soon as it is drawn, month by month from column arrays: its rows are then
    # dropped, and only the facts the outcomes and truths need (conversations, touches, tickets) are kept.
    users = social.generate_users(rng, crm, scale)
    tweets, tweet_rows = social.generate_tweets(rng, period, users, scale)
    write_monthly_pages(out / "x" / "tweets", tweet_rows.sorted_at, tweet_rows.pages)
    counts.update(x_users=len(users.ids), x_tweets=tweets.count)
    counts.update(own_posts.generate_own_posts(out, seed, period, scale, own_posts.x_brand_posts(tweet_rows)))
    del tweet_rows
    done("x tweets")

    dms, dm_rows = social.generate_dms(rng, period, users, scale)
    write_monthly_pages(out / "x" / "dm_events", dm_rows.sorted_at, dm_rows.pages)
    counts["x_dm_events"] = len(dm_rows)
    del dm_rows, users
    done("x dms")

    tickets, ticket_rows = support.generate_tickets(rng, period, crm, scale)
    write_monthly_pages(out / "zendesk" / "tickets", ticket_rows.sorted_version_at(), ticket_rows.ticket_pages)
    write_monthly_pages(out / "zendesk" / "ticket_events", ticket_rows.sorted_event_at(), ticket_rows.event_pages)
    (out / "zendesk" / "groups.json").write_bytes(orjson.dumps(tickets.groups, option=orjson.OPT_INDENT_2))
    counts.update(
        zendesk_tickets=len(tickets.opened_at),
        zendesk_ticket_versions=tickets.versions,
        zendesk_ticket_events=tickets.events,
    )
    del ticket_rows
    done("zendesk")

    reviews, review_months = feedback.generate_reviews(rng, period, crm, scale)
    write_monthly_csv(out / "reviews", reviews, review_months)
    ideas = feedback.generate_ideas(rng, period, crm, scale)
    write_monthly_pages(out / "community" / "ideas", ideas.at, ideas.pages)
    counts.update(reviews=len(reviews), community_ideas=len(ideas))
    del reviews, review_months, ideas
    done("feedback")

    events = journey.generate_segment(rng, period, crm, scale)
    write_json_lines(out / "segment" / "events", events.at, events.rows)
    counts["segment_events"] = len(events)
    del events
    emails = journey.generate_email_events(rng, period, crm, scale)
    write_json_lines(out / "email" / "events", emails.at, emails.rows)
    counts["email_events"] = len(emails)
    del emails
    calls, call_months = journey.generate_calls(rng, period, crm, scale)
    write_monthly_csv(out / "calls", calls, call_months)
    counts["call_center_calls"] = len(calls)
    del calls, call_months
    done("journey")

    social_touches = outcomes.Interactions.combine(
        [
            (tweets.touch_contact, tweets.touch_at, np.zeros(len(tweets.touch_at), bool)),
            (dms.author_contact, dms.opened_at, np.zeros(len(dms.opened_at), bool)),
        ]
    )
    unresolved = outcomes.Interactions.combine(
        [
            (part.author_contact, part.opened_at, (part.sentiment == 0) & (part.first_response_seconds < 0))
            for part in (tweets.mentions, dms)
        ]
        + [(tickets.requester_contact, tickets.opened_at, (tickets.sentiment == 0) & (tickets.solved_at < 0))]
    )
    opportunities, revenue_truth = outcomes.generate_opportunities(rng, period, crm, social_touches)
    lifecycle, churn_truth = outcomes.generate_lifecycle(rng, period, crm, unresolved)
    write_csv(out / "crm" / "opportunities.csv", opportunities)
    write_csv(out / "crm" / "customer_lifecycle.csv", lifecycle)
    counts.update(crm_opportunities=len(opportunities), crm_customer_lifecycle=len(lifecycle))
    done("outcomes")

    ticket_conversations = social.Conversations(
        tickets.requester_contact,
        tickets.opened_at,
        tickets.topic,
        tickets.sentiment,
        tickets.team,
        tickets.first_response_seconds,
    )
    counts["interactions"] = (
        counts["x_tweets"]
        + counts["x_dm_events"]
        + counts["zendesk_ticket_events"]
        + counts["reviews"]
        + counts["community_ideas"]
    )
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "scale": scale,
        "start": str(np.datetime64(period.start, "s").astype("datetime64[D]")),
        "end": str(np.datetime64(period.end, "s").astype("datetime64[D]")),
        "months": months,
        "counts": counts,
        "truths": {
            "hot_button_spike": truths.hot_button_spike(tweets.spike, tweets.mentions),
            "worst_sla_team": truths.worst_sla_team(
                {"x_mention": tweets.mentions, "x_dm": dms, "zendesk": ticket_conversations}
            ),
            "churn_unresolved_negative": churn_truth,
            "social_influenced_revenue": revenue_truth,
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    done("manifest")
    steps.close()
    return manifest
