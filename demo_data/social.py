"""X (Twitter) users, brand posts, customer mentions with brand replies, and DM conversations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo_data.crm import Crm
from demo_data.period import DAY, Period, iso, lognormal_minutes, month_keys, snowflake_ids
from demo_data.texts import TOPIC_WEIGHTS, TOPICS, compose, draw_sentiments
from demo_data.writers import page_token

BRAND_IDS = np.array([1001, 1002, 1003, 1004])
BRAND_HANDLES = np.array(["acme", "acmehelp", "acme_billing", "acmedevs"])
BRAND_TEAMS = np.array(["Marketing", "Support", "Billing", "R&D"])
# Median minutes to a first brand reply, per brand handle: Billing is planted as clearly slowest.
BRAND_MEDIAN_RESPONSE_MINUTES = np.array([20.0, 12.0, 480.0, 25.0])
BRAND_ANSWER_RATE = np.array([0.93, 0.96, 0.78, 0.92])
# Which brand handle a customer addresses, per topic (rows follow TOPICS, columns BRAND_HANDLES).
HANDLE_BY_TOPIC = np.array(
    [
        [0.0, 0.2, 0.8, 0.0],
        [0.0, 0.6, 0.0, 0.4],
        [0.0, 0.6, 0.0, 0.4],
        [0.5, 0.0, 0.0, 0.5],
        [0.0, 1.0, 0.0, 0.0],
        [0.2, 0.0, 0.8, 0.0],
        [0.7, 0.3, 0.0, 0.0],
    ]
)
BRAND_REPLIES = np.array(
    [
        "Sorry to hear that! We're looking into it now, can you DM us your account email?",
        "Thanks for reaching out, a fix is on the way.",
        "We've passed this to the team and will update you here.",
        "Thanks for the kind words, we appreciate it!",
    ]
)
FOLLOW_UPS = np.array(["any update on this?", "still not working", "thanks, that helped", "ok, sent you a DM"])
AUTHOR_KINDS = ["customer_contact", "prospect_contact", "influencer", "unknown"]


@dataclass
class XUsers:
    ids: np.ndarray
    records: dict[int, dict]
    contact_of_user: np.ndarray
    by_kind: dict[str, np.ndarray]


@dataclass
class Conversations:
    """One entry per conversation opened by a customer: the facts the manifest's truths are computed from."""

    author_contact: np.ndarray
    opened_at: np.ndarray
    topic: np.ndarray
    sentiment: np.ndarray
    team: np.ndarray
    first_response_seconds: np.ndarray


@dataclass
class Tweets:
    records: list[dict]
    months: np.ndarray
    mentions: Conversations
    touch_contact: np.ndarray
    touch_at: np.ndarray
    spike: dict


def generate_users(rng: np.random.Generator, crm: Crm, scale: float) -> XUsers:
    contacts_with_handle = np.flatnonzero(crm.contact_handle != "")
    n_influencers = max(3, int(1500 * scale))
    n_unknown = max(20, int(48000 * scale))
    usernames = crm.contact_handle[contacts_with_handle].astype(object)
    recased = rng.random(len(usernames)) < 0.1
    usernames[recased] = np.char.capitalize(usernames[recased].astype(str))
    influencer_names = np.char.add("creator_", np.arange(n_influencers).astype(str))
    unknown_names = np.char.add("user", rng.integers(10**6, 10**8, n_unknown).astype(str))
    unknown_names = np.char.add(unknown_names, np.char.add("_", np.arange(n_unknown).astype(str)))
    names = np.concatenate([BRAND_HANDLES, usernames.astype(str), influencer_names, unknown_names])
    followers = np.concatenate(
        [
            [250_000, 80_000, 20_000, 15_000],
            np.exp(rng.normal(5, 1.2, len(contacts_with_handle))).astype(np.int64) % 9_000,
            np.exp(rng.uniform(np.log(10_000), np.log(2_000_000), n_influencers)).astype(np.int64),
            np.exp(rng.normal(4.5, 1.3, n_unknown)).astype(np.int64) % 9_000,
        ]
    )
    n_people = len(names) - len(BRAND_IDS)
    ids = np.concatenate([BRAND_IDS, 20_000_000 + np.arange(n_people)])
    contact_of_user = np.concatenate([np.full(4, -1), contacts_with_handle, np.full(n_influencers + n_unknown, -1)])
    created = iso(1_300_000_000 + rng.integers(0, 350_000_000, len(ids)), "millis")
    records = {
        int(user_id): {
            "id": str(user_id),
            "username": str(name),
            "name": str(name).replace("_", " ").title(),
            "created_at": str(created_at),
            "verified": bool(index < 4 or follower_count > 500_000),
            "public_metrics": {
                "followers_count": int(follower_count),
                "following_count": int(follower_count % 997),
                "tweet_count": int(follower_count % 7919) + 10,
                "listed_count": int(follower_count // 5000),
            },
        }
        for index, (user_id, name, follower_count, created_at) in enumerate(
            zip(ids, names, followers, created, strict=True)
        )
    }
    is_customer_contact = np.zeros(len(ids), dtype=bool)
    is_prospect_contact = np.zeros(len(ids), dtype=bool)
    linked = contact_of_user >= 0
    is_customer_contact[linked] = crm.is_customer[crm.contact_account[contact_of_user[linked]]]
    account_types = crm.accounts["Type"].to_numpy()
    is_prospect_contact[linked] = account_types[crm.contact_account[contact_of_user[linked]]] == "Prospect"
    first_influencer = 4 + len(contacts_with_handle)
    by_kind = {
        "customer_contact": np.flatnonzero(is_customer_contact),
        "prospect_contact": np.flatnonzero(is_prospect_contact),
        "influencer": np.arange(first_influencer, first_influencer + n_influencers),
        "unknown": np.arange(first_influencer + n_influencers, len(ids)),
    }
    return XUsers(ids, records, contact_of_user, by_kind)


def draw_authors(rng: np.random.Generator, users: XUsers, size: int) -> np.ndarray:
    kinds = rng.choice(4, size=size, p=[0.25, 0.10, 0.03, 0.62])
    authors = np.empty(size, dtype=np.int64)
    for kind_index, kind in enumerate(AUTHOR_KINDS):
        pool = users.by_kind[kind] if len(users.by_kind[kind]) else users.by_kind["unknown"]
        chosen = kinds == kind_index
        authors[chosen] = pool[rng.integers(0, len(pool), chosen.sum())]
    return authors


def spike_week(period: Period) -> tuple[int, str]:
    """The Monday (epoch seconds) and ISO week label of the planted hot-button week, 80% into the period."""
    moment = np.datetime64(period.start + int(0.8 * period.seconds), "s").astype("datetime64[D]")
    monday = moment - ((moment.astype(np.int64) - 4) % 7)
    year, week, _ = monday.astype(object).isocalendar()
    return int(monday.astype("datetime64[s]").astype(np.int64)), f"{year}-W{week:02d}"


class TweetBuilder:
    """Accumulates tweet columns; ids are assigned once all tweets are known, in time order."""

    def __init__(self) -> None:
        self.columns: dict[str, list[np.ndarray]] = {key: [] for key in ("at", "author", "root", "reply_to", "text")}

    def add(self, at, author, root, reply_to, text) -> np.ndarray:
        start = sum(len(part) for part in self.columns["at"])
        for key, value in zip(self.columns, (at, author, root, reply_to, text), strict=True):
            self.columns[key].append(np.asarray(value))
        return start + np.arange(len(at))

    def arrays(self) -> dict[str, np.ndarray]:
        return {key: np.concatenate(parts) for key, parts in self.columns.items()}


def brand_replies_to(rng, period, opened, answered_index, handle) -> tuple:
    delay = lognormal_minutes(rng, BRAND_MEDIAN_RESPONSE_MINUTES[handle[answered_index]])
    at = opened[answered_index] + delay
    keep = at <= period.end
    return answered_index[keep], at[keep], delay[keep]


def generate_tweets(rng: np.random.Generator, period: Period, users: XUsers, scale: float) -> Tweets:
    n_mentions = max(50, int(240_000 * scale))
    topics = rng.choice(len(TOPICS), size=n_mentions, p=TOPIC_WEIGHTS)
    opened = period.uniform(rng, n_mentions, margin=DAY)
    spike_monday, spike_label = spike_week(period)
    spike_topic = TOPICS.index("login_outage")
    baseline_weekly = n_mentions * TOPIC_WEIGHTS[spike_topic] / (period.seconds / (7 * DAY))
    n_spike = max(30, int(10 * baseline_weekly))
    topics = np.concatenate([topics, np.full(n_spike, spike_topic)])
    opened = np.concatenate([opened, spike_monday + rng.integers(0, 7 * DAY, n_spike)])
    n_roots = len(topics)
    sentiments = draw_sentiments(rng, topics)
    sentiments[n_mentions:] = 0
    authors = draw_authors(rng, users, n_roots)
    handle = (rng.random((n_roots, 1)) > np.cumsum(HANDLE_BY_TOPIC[topics], axis=1)).sum(axis=1).clip(0, 3)
    root_text = np.char.add(np.char.add("@", BRAND_HANDLES[handle]), " ")
    root_text = np.char.add(root_text, compose(rng, topics, sentiments).astype(str))

    builder = TweetBuilder()
    roots = builder.add(opened, users.ids[authors], np.arange(n_roots), np.full(n_roots, -1), root_text)

    early = np.flatnonzero(rng.random(n_roots) < 0.1)
    builder.add(
        opened[early] + rng.integers(60, 600, len(early)),
        users.ids[authors[early]],
        early,
        roots[early],
        np.char.add(np.char.add("@", BRAND_HANDLES[handle[early]]), " hello??"),
    )
    answered = np.flatnonzero(rng.random(n_roots) < BRAND_ANSWER_RATE[handle])
    answered, reply_at, delay = brand_replies_to(rng, period, opened, answered, handle)
    first_response = np.full(n_roots, -1, dtype=np.int64)
    first_response[answered] = delay
    replies = builder.add(
        reply_at,
        BRAND_IDS[handle[answered]],
        answered,
        roots[answered],
        BRAND_REPLIES[rng.integers(0, 4, len(answered))],
    )
    follow = rng.random(len(answered)) < 0.2
    follow_at = reply_at[follow] + lognormal_minutes(rng, np.full(follow.sum(), 90.0))
    keep = follow_at <= period.end
    follow_roots = answered[follow][keep]
    follow_ids = builder.add(
        follow_at[keep],
        users.ids[authors[follow_roots]],
        follow_roots,
        replies[follow][keep],
        FOLLOW_UPS[rng.integers(0, 4, keep.sum())],
    )
    again = rng.random(len(follow_roots)) < 0.85
    again_at = follow_at[keep][again] + lognormal_minutes(
        rng, BRAND_MEDIAN_RESPONSE_MINUTES[handle[follow_roots[again]]]
    )
    keep_again = again_at <= period.end
    builder.add(
        again_at[keep_again],
        BRAND_IDS[handle[follow_roots[again][keep_again]]],
        follow_roots[again][keep_again],
        follow_ids[again][keep_again],
        np.full(keep_again.sum(), "Thanks for the update, this is now resolved on our side."),
    )
    n_posts = max(5, int(5_000 * scale))
    post_at = period.uniform(rng, n_posts)
    builder.add(
        post_at,
        BRAND_IDS[rng.choice(4, n_posts, p=[0.7, 0.1, 0.1, 0.1])],
        np.full(n_posts, -1),
        np.full(n_posts, -1),
        np.array(["New release notes are out", "Join our webinar this Thursday", "Status: all systems normal"])[
            rng.integers(0, 3, n_posts)
        ],
    )
    columns = builder.arrays()
    order = np.lexsort((np.arange(len(columns["at"])), columns["at"]))
    tweet_ids = np.empty(len(order), dtype=np.int64)
    tweet_ids[order] = snowflake_ids(columns["at"][order], np.arange(len(order)))
    records = build_tweet_records(columns, order, tweet_ids, roots, handle)
    mentions = Conversations(
        users.contact_of_user[authors], opened, topics, sentiments, BRAND_TEAMS[handle], first_response
    )
    is_customer_tweet = ~np.isin(columns["author"], BRAND_IDS)
    touch_contact = users.contact_of_user[np.searchsorted(users.ids, columns["author"][is_customer_tweet])]
    touch_at = columns["at"][is_customer_tweet]
    spike = {
        "topic": "login_outage",
        "iso_week": spike_label,
        "week_start": str(np.datetime64(spike_monday, "s").astype("datetime64[D]")),
        "keywords": ["login", "sign in", "password reset"],
        "planted_extra_mentions": n_spike,
    }
    return Tweets(records, month_keys(columns["at"][order]), mentions, touch_contact, touch_at, spike)


def build_tweet_records(columns, order, tweet_ids, roots, handle) -> list[dict]:
    at_text = iso(columns["at"], "millis")
    author_of_tweet = columns["author"]
    records = []
    for index in order.tolist():
        root = int(columns["root"][index])
        tweet = {
            "id": str(tweet_ids[index]),
            "text": str(columns["text"][index]),
            "author_id": str(author_of_tweet[index]),
            "created_at": str(at_text[index]),
            "conversation_id": str(tweet_ids[roots[root]] if root >= 0 else tweet_ids[index]),
            "lang": "en",
        }
        parent = int(columns["reply_to"][index])
        if parent >= 0:
            tweet["in_reply_to_user_id"] = str(author_of_tweet[parent])
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": str(tweet_ids[parent])}]
        elif root >= 0:
            brand = int(handle[root])
            tweet["in_reply_to_user_id"] = str(BRAND_IDS[brand])
            username = str(BRAND_HANDLES[brand])
            tweet["entities"] = {
                "mentions": [{"start": 0, "end": len(username) + 1, "username": username, "id": str(BRAND_IDS[brand])}]
            }
        tweet["public_metrics"] = {
            "retweet_count": index % 3,
            "reply_count": 0,
            "like_count": index % 11,
            "quote_count": 0,
        }
        records.append(tweet)
    return records


def generate_dms(
    rng: np.random.Generator, period: Period, users: XUsers, scale: float
) -> tuple[Conversations, list[dict], np.ndarray]:
    people = np.concatenate(
        [users.by_kind["customer_contact"], users.by_kind["prospect_contact"], users.by_kind["unknown"]]
    )
    n_conversations = min(len(people), max(20, int(20_000 * scale)))
    senders = rng.choice(people, size=n_conversations, replace=False)
    handle = rng.choice(4, size=n_conversations, p=[0.15, 0.6, 0.25, 0.0])
    opened = period.uniform(rng, n_conversations, margin=DAY)
    topics = rng.choice(len(TOPICS), size=n_conversations, p=TOPIC_WEIGHTS)
    sentiments = draw_sentiments(rng, topics)
    delay = lognormal_minutes(rng, BRAND_MEDIAN_RESPONSE_MINUTES[handle])
    answered = (rng.random(n_conversations) < 0.9) & (opened + delay <= period.end)
    follow_at = opened + delay + lognormal_minutes(rng, np.full(n_conversations, 60.0))
    follows = answered & (rng.random(n_conversations) < 0.15) & (follow_at <= period.end)
    texts = compose(rng, topics, sentiments).astype(str)
    events = [(opened, senders, texts, np.ones(n_conversations, bool))]
    events.append((opened + delay, -1 - handle, BRAND_REPLIES[rng.integers(0, 3, n_conversations)], answered))
    events.append((follow_at, senders, FOLLOW_UPS[rng.integers(0, 4, n_conversations)], follows))
    at = np.concatenate([moment[mask] for moment, _, _, mask in events])
    who = np.concatenate([sender[mask] for _, sender, _, mask in events])
    text = np.concatenate([words[mask] for _, _, words, mask in events])
    conversation = np.concatenate([np.flatnonzero(mask) for *_, mask in events])
    order = np.lexsort((np.arange(len(at)), at))
    event_ids = snowflake_ids(at[order], np.arange(len(order)) + (1 << 21))
    at_text = iso(at[order], "millis")
    records = []
    for position, index in enumerate(order.tolist()):
        user = int(users.ids[senders[conversation[index]]])
        brand = int(BRAND_IDS[handle[conversation[index]]])
        sender = brand if who[index] < 0 else user
        records.append(
            {
                "id": str(event_ids[position]),
                "event_type": "MessageCreate",
                "text": str(text[index]),
                "sender_id": str(sender),
                "dm_conversation_id": f"{brand}-{user}",
                "created_at": str(at_text[position]),
                "participant_ids": [str(brand), str(user)],
            }
        )
    first_response = np.where(answered, delay, -1)
    conversations = Conversations(
        users.contact_of_user[senders], opened, topics, sentiments, BRAND_TEAMS[handle], first_response
    )
    return conversations, records, month_keys(at[order])


def tweet_page(users: XUsers, kind: str):
    """Page builder for X API v2 responses; `kind` is 'tweets' or 'dm_events'."""
    author_field = "author_id" if kind == "tweets" else "sender_id"

    def make_page(chunk: list[dict], month: str, number: int, is_last: bool) -> dict:
        authors = dict.fromkeys(int(item[author_field]) for item in chunk)
        if kind == "dm_events":
            for item in chunk:
                authors.update(dict.fromkeys(int(user) for user in item["participant_ids"]))
        meta = {"result_count": len(chunk)}
        if kind == "tweets":
            meta.update(newest_id=chunk[-1]["id"], oldest_id=chunk[0]["id"])
        if not is_last:
            meta["next_token"] = page_token(kind, month, number)
        return {"data": chunk, "includes": {"users": [users.records[user] for user in authors]}, "meta": meta}

    return make_page
