"""X (Twitter) users, brand posts, customer mentions with brand replies, and DM conversations."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import orjson
import pyarrow as pa

from demo_data import jsontext as jt
from demo_data.crm import Crm
from demo_data.period import DAY, Period, lognormal_minutes, snowflake_ids
from demo_data.texts import TOPIC_WEIGHTS, TOPICS, compose_codes, draw_sentiments, phrase_table
from demo_data.writers import PageChunk, page_token

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
RESOLVED = "Thanks for the update, this is now resolved on our side."
POSTS = np.array(["New release notes are out", "Join our webinar this Thursday", "Status: all systems normal"])
AUTHOR_KINDS = ["customer_contact", "prospect_contact", "influencer", "unknown"]


@dataclass
class XUsers:
    ids: np.ndarray
    json: pa.Array  # each user's JSON object (X API v2 user), by position in ids
    contact_of_user: np.ndarray
    by_kind: dict[str, np.ndarray]

    def positions(self, user_ids: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.ids, user_ids)


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
    count: int
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
    created = 1_300_000_000 + rng.integers(0, 350_000_000, len(ids))
    display_names = [name.replace("_", " ").title() for name in names.tolist()]
    json = jt.concat(
        '{"id":"',
        jt.integers(ids),
        '","username":',
        jt.strings(names),
        ',"name":',
        jt.strings(display_names),
        ',"created_at":"',
        jt.iso(created, "millis"),
        '","verified":',
        jt.booleans((np.arange(len(ids)) < 4) | (followers > 500_000)),
        ',"public_metrics":{"followers_count":',
        jt.integers(followers),
        ',"following_count":',
        jt.integers(followers % 997),
        ',"tweet_count":',
        jt.integers(followers % 7919 + 10),
        ',"listed_count":',
        jt.integers(followers // 5000),
        "}}",
    )
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
    return XUsers(ids, json, contact_of_user, by_kind)


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
    """Accumulates tweet columns (text as codes into tweet_texts()); ids are assigned once all tweets are known."""

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


@cache
def tweet_texts() -> tuple[pa.Array, dict[str, int]]:
    """Every tweet text as JSON, and where each kind of text starts among them (text codes index this table)."""
    phrases = phrase_table().tolist()
    kinds = {
        "root": [f"@{handle} {phrase}" for handle in BRAND_HANDLES.tolist() for phrase in phrases],
        "early": [f"@{handle} hello??" for handle in BRAND_HANDLES.tolist()],
        "reply": BRAND_REPLIES.tolist(),
        "follow_up": FOLLOW_UPS.tolist(),
        "resolved": [RESOLVED],
        "post": POSTS.tolist(),
    }
    starts, texts = {}, []
    for kind, values in kinds.items():
        starts[kind] = len(texts)
        texts.extend(values)
    return jt.vocabulary(texts), starts


def generate_tweets(rng: np.random.Generator, period: Period, users: XUsers, scale: float) -> tuple[Tweets, TweetRows]:
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
    _, text_start = tweet_texts()
    # Text codes: "@<handle> <sentence>" for the customer's opening tweet.
    root_text = text_start["root"] + handle * len(phrase_table()) + compose_codes(rng, topics, sentiments)

    builder = TweetBuilder()
    roots = builder.add(opened, users.ids[authors], np.arange(n_roots), np.full(n_roots, -1), root_text)

    early = np.flatnonzero(rng.random(n_roots) < 0.1)
    builder.add(
        opened[early] + rng.integers(60, 600, len(early)),
        users.ids[authors[early]],
        early,
        roots[early],
        text_start["early"] + handle[early],
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
        text_start["reply"] + rng.integers(0, 4, len(answered)),
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
        text_start["follow_up"] + rng.integers(0, 4, keep.sum()),
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
        np.full(keep_again.sum(), text_start["resolved"]),
    )
    n_posts = max(5, int(5_000 * scale))
    post_at = period.uniform(rng, n_posts)
    builder.add(
        post_at,
        BRAND_IDS[rng.choice(4, n_posts, p=[0.7, 0.1, 0.1, 0.1])],
        np.full(n_posts, -1),
        np.full(n_posts, -1),
        text_start["post"] + rng.integers(0, 3, n_posts),
    )
    columns = builder.arrays()
    order = np.lexsort((np.arange(len(columns["at"])), columns["at"]))
    tweet_ids = np.empty(len(order), dtype=np.int64)
    tweet_ids[order] = snowflake_ids(columns["at"][order], np.arange(len(order)))
    rows = TweetRows(columns, order, tweet_ids, roots, handle, users)
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
    return Tweets(len(order), mentions, touch_contact, touch_at, spike), rows


@cache
def mention_fragments() -> pa.Array:
    """The fields a customer's opening tweet carries after "lang", per brand handle addressed."""
    return jt.fragments(
        "," + orjson.dumps({"in_reply_to_user_id": str(brand), "entities": {"mentions": [mention]}}).decode()[1:-1]
        for brand, mention in (
            (brand_id, {"start": 0, "end": len(handle) + 1, "username": handle, "id": str(brand_id)})
            for brand_id, handle in zip(BRAND_IDS.tolist(), BRAND_HANDLES.tolist(), strict=True)
        )
    )


@dataclass
class TweetRows:
    """Every tweet's columns (in creation order) and the time order: builds pages of X API v2 tweets on demand."""

    columns: dict[str, np.ndarray]
    order: np.ndarray
    tweet_ids: np.ndarray
    roots: np.ndarray
    handle: np.ndarray
    users: XUsers

    @property
    def sorted_at(self) -> np.ndarray:
        return self.columns["at"][self.order]

    def tweets(self, index: np.ndarray) -> pa.Array:
        """The JSON of tweets `index` (creation positions)."""
        columns, ids = self.columns, self.tweet_ids
        author, root, parent = columns["author"][index], columns["root"][index], columns["reply_to"][index]
        conversation = np.where(root >= 0, ids[self.roots[np.maximum(root, 0)]], ids[index])
        is_reply = parent >= 0
        is_mention = ~is_reply & (root >= 0)
        replied = parent[is_reply]
        reply_fields = jt.concat(
            ',"in_reply_to_user_id":"',
            jt.integers(columns["author"][replied]),
            '","referenced_tweets":[{"type":"replied_to","id":"',
            jt.integers(ids[replied]),
            '"}]',
        )
        mention_fields = jt.take(mention_fragments(), self.handle[root[is_mention]])
        return jt.concat(
            '{"id":"',
            jt.integers(ids[index]),
            '","text":',
            jt.take(tweet_texts()[0], columns["text"][index]),
            ',"author_id":"',
            jt.integers(author),
            '","created_at":"',
            jt.iso(columns["at"][index], "millis"),
            '","conversation_id":"',
            jt.integers(conversation),
            '","lang":"en"',
            jt.choose(len(index), [(is_reply, reply_fields), (is_mention, mention_fields)]),
            ',"public_metrics":{"retweet_count":',
            jt.integers(index % 3),
            ',"reply_count":0,"like_count":',
            jt.integers(index % 11),
            ',"quote_count":0}}',
        )

    def pages(self, chunk: PageChunk) -> pa.Array:
        index = self.order[chunk.begin : chunk.finish]
        authors = self.users.positions(self.columns["author"][index])
        first, last = chunk.offsets[:-1], chunk.offsets[1:] - 1
        ids = self.tweet_ids[index]
        meta = jt.concat(
            '{"result_count":',
            jt.integers(chunk.sizes),
            ',"newest_id":"',
            jt.integers(ids[last]),
            '","oldest_id":"',
            jt.integers(ids[first]),
            '"',
            next_tokens(chunk, "tweets"),
            "}",
        )
        rows = np.arange(len(index))
        return user_pages(chunk, self.tweets(index), meta, self.users, authors, chunk.page_of_row, rows)


def next_tokens(chunk: PageChunk, kind: str) -> pa.Array:
    """',"next_token":"…"' on every page but the month's last."""
    return jt.fragments(
        "" if is_last else f',"next_token":"{page_token(kind, chunk.month, number)}"'
        for number, is_last in zip(chunk.numbers.tolist(), chunk.is_last.tolist(), strict=True)
    )


def user_pages(
    chunk: PageChunk, rows: pa.Array, meta: pa.Array, users: XUsers, people: np.ndarray, page_of: np.ndarray, rank
) -> pa.Array:
    """{"data":[rows],"includes":{"users":[…]},"meta":meta} per page. Each page includes its `people` (positions in
    users; `page_of` gives their page) once, in order of first appearance by `rank`."""
    included, offsets = jt.distinct_per_group(page_of, people, rank, len(chunk.numbers))
    return jt.concat(
        '{"data":[',
        jt.join_groups(rows, chunk.offsets),
        '],"includes":{"users":[',
        jt.join_groups(jt.take(users.json, included), offsets),
        ']},"meta":',
        meta,
        "}",
    )


def generate_dms(rng: np.random.Generator, period: Period, users: XUsers, scale: float) -> tuple[Conversations, DmRows]:
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
    # Text codes into dm_texts(): the customer's sentence, then a brand reply, then a follow-up.
    n_phrases = len(phrase_table())
    texts = compose_codes(rng, topics, sentiments)
    events = [(opened, senders, texts, np.ones(n_conversations, bool))]
    events.append((opened + delay, -1 - handle, n_phrases + rng.integers(0, 3, n_conversations), answered))
    events.append((follow_at, senders, n_phrases + len(BRAND_REPLIES) + rng.integers(0, 4, n_conversations), follows))
    at = np.concatenate([moment[mask] for moment, _, _, mask in events])
    who = np.concatenate([sender[mask] for _, sender, _, mask in events])
    text = np.concatenate([words[mask] for _, _, words, mask in events])
    conversation = np.concatenate([np.flatnonzero(mask) for *_, mask in events])
    order = np.lexsort((np.arange(len(at)), at))
    event_ids = snowflake_ids(at[order], np.arange(len(order)) + (1 << 21))
    first_response = np.where(answered, delay, -1)
    conversations = Conversations(
        users.contact_of_user[senders], opened, topics, sentiments, BRAND_TEAMS[handle], first_response
    )
    rows = DmRows(
        at[order],
        event_ids,
        text[order],
        is_brand=who[order] < 0,
        user=senders[conversation[order]],
        brand=handle[conversation[order]],
        users=users,
    )
    return conversations, rows


@cache
def dm_texts() -> pa.Array:
    return jt.vocabulary(phrase_table().tolist() + BRAND_REPLIES.tolist() + FOLLOW_UPS.tolist())


@dataclass
class DmRows:
    """DM events in time order: builds pages of X API v2 dm_events on demand."""

    sorted_at: np.ndarray
    event_ids: np.ndarray
    text: np.ndarray
    is_brand: np.ndarray
    user: np.ndarray  # position in users of the customer
    brand: np.ndarray  # brand handle index
    users: XUsers

    def __len__(self) -> int:
        return len(self.sorted_at)

    def pages(self, chunk: PageChunk) -> pa.Array:
        rows = slice(chunk.begin, chunk.finish)
        user, brand = self.user[rows], self.brand[rows]  # brands are the first users
        user_id, brand_id = jt.integers(self.users.ids[user]), jt.integers(BRAND_IDS[brand])
        data = jt.concat(
            '{"id":"',
            jt.integers(self.event_ids[rows]),
            '","event_type":"MessageCreate","text":',
            jt.take(dm_texts(), self.text[rows]),
            ',"sender_id":"',
            jt.integers(np.where(self.is_brand[rows], BRAND_IDS[brand], self.users.ids[user])),
            '","dm_conversation_id":"',
            brand_id,
            "-",
            user_id,
            '","created_at":"',
            jt.iso(self.sorted_at[rows], "millis"),
            '","participant_ids":["',
            brand_id,
            '","',
            user_id,
            '"]}',
        )
        # Included users: each page's senders in order, then its participants (brand, customer) row by row.
        n, size = len(user), chunk.page_size
        page_of = chunk.page_of_row
        people = np.concatenate([np.where(self.is_brand[rows], brand, user), np.column_stack([brand, user]).ravel()])
        participant = np.arange(2 * n)
        rank = np.concatenate(
            [
                page_of * 3 * size + np.arange(n) % size,
                page_of[participant // 2] * 3 * size + size + participant % (2 * size),
            ]
        )
        meta = jt.concat('{"result_count":', jt.integers(chunk.sizes), next_tokens(chunk, "dm_events"), "}")
        return user_pages(
            chunk, data, meta, self.users, people, np.concatenate([page_of, page_of[participant // 2]]), rank
        )
