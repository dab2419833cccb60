"""Land an increment into a landing folder: new and changed records, as new landing files the ingest picks up.

    land_increment(landing, fraction=0.01, seed=1, tag="inc1") -> {"entities": {table: {"existing", "new",
        "changed"}}, "files": [...], "skipped": {table: reason}, "window": [start, end], ...}

Works on the landing FILES only (through the ingest's own file patterns, ingest/registry.py), with DuckDB: each
entity's files are read into a scratch database, the increment is built in SQL and written with COPY.

For each entity that has records, about `fraction` of its record count is landed:
- new records: copies of records from the data's last month (SOURCE_DAYS) with fresh unique keys, referencing
  existing parents (a new tweet conversation by an existing author, a new ticket by an existing requester, a new
  opportunity on an existing account), moved into the window [end - window_days, end] where `end` is the newest event
  time in the landing. A copied group (a conversation, a ticket with its versions and events, an email's events)
  keeps its inner timing; what would fall after `end` is dropped, as it has not happened yet.
- changed records (about `changed_share` of them), for entities whose staging keeps the latest version: a new
  version of an existing record with changed fields and, where the entity has one, a later update time inside the
  window (Zendesk tickets move to their next status, with a ticket event on the existing ticket; CRM accounts,
  contacts, opportunities and the billing lifecycle; community ideas; X users' follower counts).

New records are dated within the last `window_days` (default 3) of the data; a larger window lands late records,
which the incremental marts must take in like any other (dbt_project/DECISIONLOG.md, "Incremental models").

Files: `<entity folder>/increment-<tag>.<ext>`, which sorts after the monthly files (`2026-06.jsonl`) and the API
extracts (`api-<time>.jsonl`), so a full rebuild's staging tie-break (newest source file wins) agrees with an
incremental run's (newest load wins). The CRM exports are full snapshots at a fixed path (`crm/accounts.csv`;
sources.yml checks each batch's volume against the last one): with `crm="snapshot"` (default) the increment rewrites
each snapshot with the changes and the new records (a new file content at the same path; unchanged rows are exact
duplicates the ingest skips); with `crm="api"` it writes only the new and changed records as Salesforce REST query
pages (`crm/accounts/increment-<tag>.jsonl`), as `extract.salesforce` does. Every file is written under a temporary
name and renamed, so a landing folder made of hard links to another is never changed in place.

Entities without a recipe here (twcs, Olist, Maven, file drops, Zendesk groups) are listed under `skipped`.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from ingest.registry import ENTITIES

DEFAULT_WINDOW_DAYS = 3.0
DEFAULT_CHANGED_SHARE = 0.25
SOURCE_DAYS = 35  # new records are copies of records from the data's last month
PAGE_SIZE = 100
TAG_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
CRM_OBJECTS = {"crm_accounts": "Account", "crm_contacts": "Contact", "crm_opportunities": "Opportunity"}
AGENT_REPLIES = (
    "Thanks for the details, we are looking into it now.",
    "I've escalated this to our specialists and will update you shortly.",
    "Could you confirm whether this still happens after a restart?",
    "We've applied a fix on our side, please let us know if it works for you.",
)
TICKET_NEXT_STATUS = {"new": "open", "open": "pending", "pending": "solved", "hold": "open", "solved": "closed"}
IDEA_NEXT_STATUS = {"open": "under review", "under review": "planned", "planned": "in progress"}
OPPORTUNITY_STAGES = (  # (stage, probability, closed, won), in order
    ("Prospecting", "10", "false", "false"),
    ("Qualification", "20", "false", "false"),
    ("Proposal", "50", "false", "false"),
    ("Negotiation", "75", "false", "false"),
    ("Closed Won", "100", "true", "true"),
)


class IncrementError(ValueError):
    pass


@dataclass
class _Run:
    con: duckdb.DuckDBPyConnection
    landing: Path
    fraction: float
    seed: int
    tag: str
    changed_share: float
    crm: str
    end: datetime | None = None
    window_start: datetime | None = None
    entities: dict[str, dict[str, int]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def files_of(self, table: str, glob_suffix: str | None = None) -> list[Path]:
        found: set[Path] = set()
        for entity in ENTITIES:
            if entity.table == table and (glob_suffix is None or entity.globs[0].endswith(glob_suffix)):
                found.update(entity.files(self.landing))
        return sorted(found)

    def split(self, existing: int, changeable: bool) -> tuple[int, int]:
        """(new, changed) records for an entity of `existing` records: at least one of each when it has records."""
        if existing == 0 or self.fraction <= 0:
            return 0, 0
        total = self.fraction * existing
        if not changeable:
            return max(1, round(total)), 0
        return max(1, round(total * (1 - self.changed_share))), max(1, round(total * self.changed_share))

    def record(self, table: str, existing: int, new: int, changed: int) -> None:
        self.entities[table] = {"existing": existing, "new": new, "changed": changed}

    def new_path(self, table: str, folder: str, extension: str) -> Path:
        """`folder/increment-<tag>.<ext>`; it must be one of the entity's files and sort after all the others."""
        path = self.landing / folder / f"increment-{self.tag}.{extension}"
        relative = path.relative_to(self.landing).as_posix()
        others = [p.relative_to(self.landing).as_posix() for p in self.files_of(table) if p != path]
        if path.exists():
            raise IncrementError(f"{relative} exists: use a new tag")
        if others and max(others) >= relative:
            raise IncrementError(f"{relative} would not sort after {max(others)}: use a tag that sorts later")
        return path

    def write(self, select_sql: str, path: Path, options: str, table: str | None = None) -> None:
        """COPY a query to `path` through a temporary name (a new inode: hard-linked landings stay intact)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(path.name + ".tmp")
        self.con.execute(f"COPY ({select_sql}) TO {_literal(str(scratch))} ({options})")
        os.replace(scratch, path)
        self.files.append(path.relative_to(self.landing).as_posix())
        if table is not None and path not in self.files_of(table):
            raise IncrementError(f"the ingest would not read {path} as {table}")

    def scalar(self, sql: str, params: list | None = None):
        return self.con.execute(sql, params or []).fetchone()[0]

    @property
    def window_seconds(self) -> float:
        return (self.end - self.window_start).total_seconds()

    @property
    def source_start(self) -> datetime:
        return self.end - timedelta(days=SOURCE_DAYS)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _files_sql(paths: list[Path]) -> str:
    return "[" + ", ".join(_literal(str(path)) for path in paths) + "]"


def _json_pages(paths: list[Path], columns: dict[str, str]) -> str:
    spec = "{" + ", ".join(f"{_literal(name)}: {_literal(type_)}" for name, type_ in columns.items()) + "}"
    return (
        f"read_json({_files_sql(paths)}, columns={spec}, format='newline_delimited', filename=true, "
        "maximum_object_size=67108864)"
    )


def _csv_rows(paths: list[Path]) -> str:
    return f"read_csv({_files_sql(paths)}, all_varchar=true, header=true, union_by_name=true, filename=true)"


def _define_macros(con: duckdb.DuckDBPyConnection, seed: int, tag: str) -> None:
    salt = _literal(f"{seed}:{tag}")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    # A uniform number in [0, 1) from any value: deterministic for (seed, tag), independent of threads and order.
    con.execute(f"CREATE OR REPLACE MACRO u(purpose, k) AS (hash(purpose, k, {salt}) % 1000003) / 1000003.0")
    con.execute(f"CREATE OR REPLACE MACRO rank_of(purpose, k) AS hash(purpose, k, {salt})")
    con.execute("CREATE OR REPLACE MACRO ts(s) AS (try_cast(s AS TIMESTAMPTZ) AT TIME ZONE 'UTC')")
    # An ISO time in the same style as `template` (milliseconds and Z, Z, or neither).
    con.execute(
        "CREATE OR REPLACE MACRO iso_like(template, t) AS CASE "
        "WHEN template LIKE '%.___Z' THEN strftime(t, '%Y-%m-%dT%H:%M:%S.%gZ') "
        "WHEN template LIKE '%Z' THEN strftime(t, '%Y-%m-%dT%H:%M:%SZ') "
        "ELSE strftime(t, '%Y-%m-%dT%H:%M:%S') END"
    )
    con.execute(
        "CREATE OR REPLACE MACRO shifted(s, seconds) AS CASE WHEN nullif(s, '') IS NULL THEN s "
        "ELSE iso_like(s, ts(s) + to_microseconds(CAST(seconds * 1000000 AS BIGINT))) END"
    )
    con.execute(f"CREATE OR REPLACE MACRO new_uuid(k) AS CAST(md5({salt} || ':' || k) AS UUID)::VARCHAR")


# ---------------------------------------------------------------------------------------------------------------
# Reading: every entity's records into the scratch database, and the data's newest event time


def _read_sources(run: _Run) -> list[str]:
    """Create one scratch table per source the landing holds; returns the tables of entities read."""
    con, read = run.con, []
    tweets, dms = run.files_of("x_tweets"), run.files_of("x_dm_events")
    if tweets:
        con.execute(
            "CREATE TABLE tweet_pages AS SELECT data, json_extract(includes, '$.users[*]') AS users, filename "
            f"FROM {_json_pages(tweets, {'data': 'JSON[]', 'includes': 'JSON'})}"
        )
        con.execute(
            "CREATE TABLE tweets AS SELECT rec, rec->>'id' AS id, rec->>'conversation_id' AS conv, "
            "rec->>'author_id' AS author_id, ts(rec->>'created_at') AS t, filename "
            "FROM (SELECT unnest(data) AS rec, filename FROM tweet_pages)"
        )
        read.append("x_tweets")
    if dms:
        con.execute(
            "CREATE TABLE dm_pages AS SELECT data, json_extract(includes, '$.users[*]') AS users, filename "
            f"FROM {_json_pages(dms, {'data': 'JSON[]', 'includes': 'JSON'})}"
        )
        con.execute(
            "CREATE TABLE dms AS SELECT rec, rec->>'id' AS id, rec->>'dm_conversation_id' AS conv, "
            "rec->>'sender_id' AS author_id, ts(rec->>'created_at') AS t, filename "
            "FROM (SELECT unnest(data) AS rec, filename FROM dm_pages)"
        )
        read.append("x_dm_events")
    if tweets or dms:
        pages = " UNION ALL ".join(
            f"SELECT unnest(users) AS rec, filename FROM {name}"
            for name, present in (("tweet_pages", tweets), ("dm_pages", dms))
            if present
        )
        # The latest copy of each user (the newest file), which new pages include as the X API expands them.
        con.execute(
            f"CREATE TABLE x_users AS SELECT rec->>'id' AS id, arg_max(rec, filename) AS rec "
            f"FROM ({pages}) WHERE rec IS NOT NULL GROUP BY ALL"
        )
        read.append("x_users")
    if files := run.files_of("zendesk_tickets"):
        pages = _json_pages(files, {"tickets": "JSON[]", "users": "JSON[]"})
        con.execute(f"CREATE TABLE ticket_pages AS SELECT * FROM {pages}")
        con.execute(
            "CREATE TABLE tickets AS SELECT rec, CAST(rec->>'id' AS BIGINT) AS id, ts(rec->>'updated_at') AS t, "
            "filename "
            "FROM (SELECT unnest(tickets) AS rec, filename FROM ticket_pages)"
        )
        con.execute(
            "CREATE TABLE zendesk_users AS SELECT CAST(rec->>'id' AS BIGINT) AS id, "
            "arg_max(rec, (ts(rec->>'updated_at'), filename)) AS rec "
            "FROM (SELECT unnest(users) AS rec, filename FROM ticket_pages) WHERE rec IS NOT NULL GROUP BY ALL"
        )
        read += ["zendesk_tickets", "zendesk_users"]
    if files := run.files_of("zendesk_ticket_events"):
        con.execute(
            "CREATE TABLE ticket_events AS SELECT rec, CAST(rec->>'id' AS BIGINT) AS id, "
            "CAST(rec->>'ticket_id' AS BIGINT) AS ticket_id, "
            "make_timestamp(CAST(rec->>'timestamp' AS BIGINT) * 1000000) AS t, filename "
            f"FROM (SELECT unnest(ticket_events) AS rec, filename FROM "
            f"{_json_pages(files, {'ticket_events': 'JSON[]'})})"
        )
        read.append("zendesk_ticket_events")
    if files := run.files_of("community_ideas"):
        con.execute(
            "CREATE TABLE ideas AS SELECT rec, rec->>'id' AS id, ts(rec->>'created') AS t, filename "
            f"FROM (SELECT unnest(posts) AS rec, filename FROM {_json_pages(files, {'posts': 'JSON[]'})})"
        )
        read.append("community_ideas")
    if files := run.files_of("segment_events"):
        con.execute(
            "CREATE TABLE segment AS SELECT json AS rec, json->>'messageId' AS id, ts(json->>'timestamp') AS t, "
            f"filename FROM read_json_objects({_files_sql(files)}, format='newline_delimited', filename=true)"
        )
        read.append("segment_events")
    if files := run.files_of("email_events"):
        con.execute(
            "CREATE TABLE email AS SELECT json AS rec, json->>'sg_event_id' AS id, "
            "json->>'sg_message_id' AS conv, make_timestamp(CAST(json->>'timestamp' AS BIGINT) * 1000000) AS t, "
            f"filename FROM read_json_objects({_files_sql(files)}, format='newline_delimited', filename=true)"
        )
        read.append("email_events")
    for table, name, time_column in (
        ("reviews", "reviews", "created_at"),
        ("call_center_calls", "calls", "started_at"),
    ):
        if files := run.files_of(table):
            con.execute(f"CREATE TABLE {name} AS SELECT *, ts({time_column}) AS t FROM {_csv_rows(files)}")
            read.append(table)
    for table in (*CRM_OBJECTS, "crm_customer_lifecycle"):
        csv_files, api_files = run.files_of(table, ".csv"), run.files_of(table, ".jsonl")
        parts = []
        if csv_files:
            parts.append(f"SELECT * FROM {_csv_rows(csv_files)}")
        if api_files:
            entity = next(e for e in ENTITIES if e.table == table and e.globs[0].endswith(".jsonl"))
            fields = ", ".join(f"rec->>{_literal(name)} AS {_quote(name)}" for name in entity.column_names)
            parts.append(
                f"SELECT {fields}, filename FROM (SELECT unnest(records) AS rec, filename "
                f"FROM {_json_pages(api_files, {'records': 'JSON[]'})})"
            )
        if parts:
            con.execute(f"CREATE TABLE {table} AS " + " UNION ALL BY NAME ".join(parts))
            read.append(table)
    return read


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _data_end(run: _Run, tables: list[str]) -> datetime:
    """The newest event time of the records that have one (not the CRM's modification times)."""
    timed = {"x_tweets": "tweets", "x_dm_events": "dms", "zendesk_tickets": "tickets"}
    timed |= {"zendesk_ticket_events": "ticket_events", "community_ideas": "ideas", "segment_events": "segment"}
    timed |= {"email_events": "email", "reviews": "reviews", "call_center_calls": "calls"}
    parts = [f"SELECT max(t) AS t FROM {timed[table]}" for table in tables if table in timed]
    if not parts:
        raise IncrementError("no landing file with timed records (tweets, tickets, events...) in this folder")
    end = run.scalar(f"SELECT max(t) FROM ({' UNION ALL '.join(parts)})")
    if end is None:
        raise IncrementError("the landing files hold no record with a readable event time")
    return end


# ---------------------------------------------------------------------------------------------------------------
# New records: copies of recent groups of records, moved into the window


def _place_copies(run: _Run, source: str, group: str, needed: int, purpose: str) -> None:
    """Table `placed_<purpose>` (g, copy, delta seconds): copies of the recent groups of `source` (a table with `t`
    and the group column), each moved to a random start in the window, taken in random order until their records up
    to `end` reach `needed`. Groups that start in the last SOURCE_DAYS; the whole history when there are none."""
    con, end = run.con, _literal(str(run.end))
    for since in (_literal(str(run.source_start)), "'-infinity'"):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _groups AS WITH s AS (SELECT CAST({group} AS VARCHAR) AS g, t FROM "
            f"{source} WHERE t IS NOT NULL), starts AS (SELECT g, min(t) AS g_start FROM s GROUP BY g "
            f"HAVING min(t) >= TIMESTAMP {since}) SELECT g, epoch(g_start) AS start_epoch, "
            "list(epoch(s.t) - epoch(g_start)) AS offsets FROM s JOIN starts USING (g) GROUP BY ALL"
        )
        records = run.scalar("SELECT coalesce(sum(len(offsets)), 0) FROM _groups")
        if records:
            break
    copies = math.ceil(needed / max(records, 1)) + 1
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE placed_{purpose} AS "
        "WITH placed AS ("
        f"  SELECT g, copy, floor(epoch(TIMESTAMP {_literal(str(run.window_start))}) "
        f"   + u('{purpose}', g || ':' || copy) * {run.window_seconds} - start_epoch) AS delta, offsets, start_epoch "
        f"  FROM _groups CROSS JOIN range({copies}) AS copies(copy)"
        "), counted AS ("
        "  SELECT g, copy, delta, "
        f"   len(list_filter(offsets, lambda o: start_epoch + delta + o <= epoch(TIMESTAMP {end}))) AS kept "
        "  FROM placed"
        "), ordered AS ("
        f"  SELECT *, sum(kept) OVER (ORDER BY rank_of('{purpose}', g || ':' || copy), g, copy "
        "   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before FROM counted WHERE kept > 0"
        f") SELECT g, copy, delta, to_microseconds(CAST(delta * 1e6 AS BIGINT)) AS moved FROM ordered "
        f"WHERE coalesce(before, 0) < {needed}"
    )


def _in_window(run: _Run, expression: str) -> str:
    return f"({expression} <= TIMESTAMP {_literal(str(run.end))})"


def _moved_time(run: _Run, purpose: str, key_sql: str, earliest_sql: str | None = None, past_end: bool = False) -> str:
    """A random time (whole seconds) in the window for a changed or new record; with `earliest_sql` (the record's
    last modification), after it. `past_end`: when that is already near the window's end (a CRM export taken after
    the last event), up to `window_days` after it instead."""
    start, stop = f"epoch(TIMESTAMP {_literal(str(run.window_start))})", f"epoch(TIMESTAMP {_literal(str(run.end))})"
    if earliest_sql is not None:
        start = f"greatest({start}, epoch({earliest_sql}) + 60)"
    if earliest_sql is not None and past_end:
        stop = f"greatest({stop}, epoch({earliest_sql}) + {run.window_seconds})"
    moment = f"floor({start} + u('{purpose}', {key_sql}) * ({stop} - {start}))"
    return f"make_timestamp(CAST({moment} AS BIGINT) * 1000000)"


# ---------------------------------------------------------------------------------------------------------------
# X: new conversations (tweets) and DM exchanges by existing users; changed users' follower counts


def _x(run: _Run, tables: list[str]) -> None:
    con = run.con
    sources = []
    for table, source in (("x_tweets", "tweets"), ("x_dm_events", "dms")):
        if table not in tables:
            continue
        existing = run.scalar(f"SELECT count(*) FROM {source}")
        needed, _ = run.split(existing, changeable=False)
        if source == "tweets":
            # Whole conversations from their first tweet; ids, conversations and reply references are renumbered.
            con.execute("CREATE TEMP VIEW _roots AS SELECT * FROM tweets WHERE conv IN (SELECT id FROM tweets)")
            _place_copies(run, "_roots", "conv", needed, "tweets")
        else:  # the messages of DM threads with existing users, continued
            _place_copies(run, "dms", "conv", needed, "dms")
        top = run.scalar(f"SELECT max(CAST(id AS HUGEINT)) FROM {source}")
        con.execute(
            f"CREATE TEMP TABLE new_{source} AS SELECT s.*, p.copy, p.delta, s.t + p.moved AS new_t "
            f"FROM {source} AS s JOIN placed_{source} AS p ON s.conv = p.g WHERE {_in_window(run, 's.t + p.moved')}"
        )
        con.execute(
            f"CREATE TEMP TABLE ids_{source} AS SELECT id, copy, CAST({top} + row_number() OVER "
            f"(ORDER BY new_t, id, copy) AS VARCHAR) AS new_id FROM new_{source}"
        )
        patch = "'id', i.new_id, 'created_at', shifted(n.rec->>'created_at', n.delta)"
        joins = ""
        if source == "tweets":
            patch += (
                ", 'conversation_id', coalesce(c.new_id, n.conv), 'referenced_tweets', "
                "CASE WHEN json_extract(n.rec, '$.referenced_tweets') IS NOT NULL THEN to_json(list_transform("
                'from_json(json_extract(n.rec, \'$.referenced_tweets\'), \'[{"type": "VARCHAR", "id": "VARCHAR"}]\'), '
                "lambda r: {'type': r.type, 'id': CASE WHEN r.id = r0.id THEN r0.new_id ELSE r.id END})) END"
            )
            joins = (
                "LEFT JOIN ids_tweets AS c ON c.id = n.conv AND c.copy = n.copy "
                "LEFT JOIN ids_tweets AS r0 ON r0.copy = n.copy "
                "AND r0.id = json_extract_string(n.rec, '$.referenced_tweets[0].id')"
            )
        con.execute(
            f"CREATE TEMP TABLE out_{source} AS SELECT json_merge_patch(n.rec, json_object({patch})) AS rec, "
            f"n.new_t AS t, n.author_id, n.rec->>'in_reply_to_user_id' AS other_id, i.new_id "
            f"FROM new_{source} AS n JOIN ids_{source} AS i ON i.id = n.id AND i.copy = n.copy {joins}"
        )
        run.record(table, existing, run.scalar(f"SELECT count(*) FROM out_{source}"), 0)
        sources.append((table, source))
    if "x_users" not in tables:
        return
    # Changed users: authors of the new records first (the API sends their current profile with the page), with
    # more followers. No new users: the new records are by existing ones.
    existing = run.scalar("SELECT count(*) FROM x_users")
    changed, _ = run.split(existing, changeable=False)
    authors = " UNION ".join(f"SELECT author_id FROM out_{source}" for _, source in sources) or "SELECT NULL"
    con.execute(
        "CREATE TEMP TABLE changed_x_users AS SELECT id, json_merge_patch(rec, json_object('public_metrics', "
        "json_merge_patch(rec->'public_metrics', json_object('followers_count', "
        "CAST(coalesce(CAST(json_extract_string(rec, '$.public_metrics.followers_count') AS BIGINT), 0) * "
        "(1.05 + 0.5 * u('followers', id)) + 10 AS BIGINT))))) AS rec FROM x_users "
        f"ORDER BY (id IN ({authors})) DESC, rank_of('x_users', id) LIMIT {changed}"
    )
    run.record("x_users", existing, 0, run.scalar("SELECT count(*) FROM changed_x_users"))
    for position, (table, source) in enumerate(sources):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE paged AS SELECT *, (row_number() OVER (ORDER BY t, new_id) - 1) "
            f"// {PAGE_SIZE} AS page FROM out_{source}"
        )
        if not run.scalar("SELECT count(*) FROM paged"):
            continue
        # A page includes its authors and the users they reply to (the API's expansions), with the changed
        # profiles; a changed user who wrote nothing new rides on the first source's last page.
        placed = (
            "SELECT c.id, coalesce(min(w.page), (SELECT max(page) FROM paged)) AS page FROM changed_x_users AS c "
            "LEFT JOIN wanted AS w USING (id) GROUP BY c.id"
            if position == 0
            else "SELECT NULL AS id, NULL AS page WHERE false"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE page_users AS "
            "WITH wanted AS (SELECT DISTINCT page, unnest([author_id, other_id]) AS id FROM paged), "
            f"placed AS ({placed}), ids AS (SELECT page, id FROM wanted UNION SELECT page, id FROM placed) "
            "SELECT page, list(coalesce(c.rec, u.rec) ORDER BY ids.id) AS users FROM ids "
            "LEFT JOIN x_users AS u USING (id) LEFT JOIN changed_x_users AS c USING (id) "
            "WHERE coalesce(c.rec, u.rec) IS NOT NULL GROUP BY page"
        )
        run.write(
            "SELECT list(rec ORDER BY t, new_id) AS data, {'users': coalesce(any_value(u.users), [])} AS includes, "
            "{'result_count': count(*)} AS meta FROM paged LEFT JOIN page_users AS u USING (page) "
            "GROUP BY page ORDER BY page",
            run.new_path(table, "x/tweets" if source == "tweets" else "x/dm_events", "jsonl"),
            "FORMAT json",
            table,
        )


# ---------------------------------------------------------------------------------------------------------------
# Zendesk: new tickets (with their versions and events) by existing requesters; existing tickets moved on


def _zendesk(run: _Run, tables: list[str]) -> None:
    if "zendesk_tickets" not in tables:
        return
    con, end = run.con, _literal(str(run.end))
    existing = run.scalar("SELECT count(*) FROM tickets")
    needed, changed = run.split(existing, changeable=True)
    # New tickets: every version (a record each) moves with its ticket; a ticket's first version is its creation.
    _place_copies(run, "tickets", "id", needed, "tickets")
    top = run.scalar("SELECT max(id) FROM tickets")
    con.execute(
        f"CREATE TEMP TABLE ticket_ids AS SELECT CAST(g AS BIGINT) AS id, copy, delta, moved, {top} + row_number() "
        "OVER (ORDER BY CAST(g AS BIGINT), copy) AS new_id FROM placed_tickets"
    )
    con.execute(
        "CREATE TEMP TABLE out_tickets AS SELECT json_merge_patch(t.rec, json_object('id', i.new_id, 'url', "
        "replace(t.rec->>'url', '/' || t.id || '.json', '/' || i.new_id || '.json'), "
        "'created_at', shifted(t.rec->>'created_at', i.delta), 'updated_at', shifted(t.rec->>'updated_at', i.delta)"
        f")) AS rec, i.new_id AS id, t.t + i.moved AS t FROM tickets AS t JOIN ticket_ids AS i USING (id) "
        f"WHERE {_in_window(run, 't.t + i.moved')}"
    )
    new = run.scalar("SELECT count(*) FROM out_tickets")
    # Changed: the latest version of a ticket not yet closed moves to its next status, later in the window.
    transitions = ", ".join(f"{_literal(a)}: {_literal(b)}" for a, b in TICKET_NEXT_STATUS.items())
    statuses = ", ".join(_literal(status) for status in TICKET_NEXT_STATUS)
    con.execute(
        "CREATE TEMP TABLE changed_tickets AS WITH latest AS (SELECT id, arg_max(rec, (t, filename)) AS rec, "
        f"max(t) AS t FROM tickets GROUP BY id), picked AS (SELECT * FROM latest WHERE rec->>'status' IN ({statuses}) "
        f"AND t < TIMESTAMP {end} - INTERVAL 1 HOUR ORDER BY rank_of('changed_tickets', id) LIMIT {changed}) "
        f"SELECT id, rec, MAP {{{transitions}}}[rec->>'status'] AS next_status, "
        f"{_moved_time(run, 'ticket_change', 'id', 'picked.t')} AS new_t FROM picked"
    )
    con.execute(
        "INSERT INTO out_tickets SELECT json_merge_patch(rec, json_object('status', next_status, 'updated_at', "
        "iso_like(rec->>'updated_at', new_t))), id, new_t FROM changed_tickets"
    )
    run.record("zendesk_tickets", existing, new, run.scalar("SELECT count(*) FROM changed_tickets"))
    if "zendesk_users" in tables:  # the side-loaded users of the new pages are existing ones, unchanged
        run.record("zendesk_users", run.scalar("SELECT count(*) FROM zendesk_users"), 0, 0)
    con.execute(
        f"CREATE TEMP TABLE ticket_paged AS SELECT *, (row_number() OVER (ORDER BY t, id) - 1) // {PAGE_SIZE} AS page "
        "FROM out_tickets"
    )
    con.execute(
        "CREATE TEMP TABLE ticket_page_users AS SELECT page, list(DISTINCT u.rec) AS users FROM ("
        "SELECT page, unnest([CAST(rec->>'requester_id' AS BIGINT), CAST(rec->>'submitter_id' AS BIGINT), "
        "CAST(rec->>'assignee_id' AS BIGINT)]) AS id FROM ticket_paged) JOIN zendesk_users AS u USING (id) "
        "GROUP BY page"
    )
    if run.scalar("SELECT count(*) FROM ticket_paged"):
        run.write(
            "SELECT list(rec ORDER BY t, id) AS tickets, coalesce(any_value(u.users), []) AS users, "
            "page = (SELECT max(page) FROM ticket_paged) AS end_of_stream "
            "FROM ticket_paged LEFT JOIN ticket_page_users AS u USING (page) GROUP BY page ORDER BY page",
            run.new_path("zendesk_tickets", "zendesk/tickets", "jsonl"),
            "FORMAT json",
            "zendesk_tickets",
        )
    if "zendesk_ticket_events" in tables:
        _ticket_events(run)


def _ticket_events(run: _Run) -> None:
    """The new tickets' events, renumbered and moved with their ticket; then one audit per changed ticket: its status
    change, with the assignee's reply when the ticket goes to open or pending."""
    con = run.con
    existing = run.scalar("SELECT count(*) FROM ticket_events")
    top = run.scalar("SELECT max(id) FROM ticket_events")
    top_child = run.scalar(
        "SELECT coalesce(max(CAST(c->>'id' AS BIGINT)), 0) FROM (SELECT unnest(json_extract(rec, "
        "'$.child_events[*]')) AS c FROM ticket_events)"
    )
    con.execute(
        "CREATE TEMP TABLE out_events AS WITH moved AS (SELECT e.rec, e.id, i.new_id AS ticket_id, i.delta, "
        "e.t + i.moved AS t FROM ticket_events AS e JOIN ticket_ids AS i ON e.ticket_id = i.id "
        f"WHERE {_in_window(run, 'e.t + i.moved')}), "
        "numbered AS (SELECT *, row_number() OVER (ORDER BY t, ticket_id, id) AS n FROM moved) "
        f"SELECT json_merge_patch(rec, json_object('id', {top} + n, 'ticket_id', ticket_id, "
        "'timestamp', CAST(epoch(t) AS BIGINT), 'created_at', shifted(rec->>'created_at', delta), "
        "'child_events', to_json(list_transform(json_extract(rec, '$.child_events[*]'), "
        f"lambda c, k: json_merge_patch(c, json_object('id', {top_child} + n * 10 + k)))))) AS rec, t, ticket_id "
        "FROM numbered"
    )
    first = run.scalar("SELECT count(*) FROM out_events")
    replies = "[" + ", ".join(_literal(text) for text in AGENT_REPLIES) + "]"
    con.execute(
        "INSERT INTO out_events WITH numbered AS ("
        f"  SELECT *, {first} + row_number() OVER (ORDER BY new_t, id) AS n, "
        "   CAST(rec->>'assignee_id' AS BIGINT) AS agent FROM changed_tickets"
        "), audits AS ("
        f"  SELECT n, id, new_t, agent, json_object('id', {top_child} + n * 10 + 1, 'event_type', 'Comment', "
        f"   'body', {replies}[1 + CAST(floor(u('reply', id) * {len(AGENT_REPLIES)}) AS INTEGER)], "
        "   'public', true, 'author_id', agent) AS reply, "
        f"   json_object('id', {top_child} + n * 10 + 2, 'event_type', 'Change', 'field_name', 'status', "
        "   'value', next_status, 'previous_value', rec->>'status') AS change, "
        "   next_status IN ('open', 'pending') AND agent IS NOT NULL AS replies FROM numbered"
        f") SELECT json_object('id', {top} + n, 'ticket_id', id, 'timestamp', CAST(epoch(new_t) AS BIGINT), "
        "  'created_at', strftime(new_t, '%Y-%m-%dT%H:%M:%SZ'), 'updater_id', coalesce(agent, -1), "
        "  'event_type', 'Audit', 'via', json_object('channel', 'web'), "
        "  'child_events', to_json(CASE WHEN replies THEN [reply, change] ELSE [change] END)), new_t, id FROM audits"
    )
    run.record("zendesk_ticket_events", existing, run.scalar("SELECT count(*) FROM out_events"), 0)
    if run.scalar("SELECT count(*) FROM out_events"):
        run.write(
            "SELECT list(rec ORDER BY t, CAST(rec->>'id' AS BIGINT)) AS ticket_events, count(*) AS count, "
            "page = max(page) OVER () AS end_of_stream FROM (SELECT *, (row_number() OVER "
            f"(ORDER BY t, CAST(rec->>'id' AS BIGINT)) - 1) // {PAGE_SIZE} AS page FROM out_events) "
            "GROUP BY page ORDER BY page",
            run.new_path("zendesk_ticket_events", "zendesk/ticket_events", "jsonl"),
            "FORMAT json",
            "zendesk_ticket_events",
        )


# ---------------------------------------------------------------------------------------------------------------
# Community ideas: new ideas and changed ones (votes, a comment, the next roadmap status)


def _community(run: _Run, tables: list[str]) -> None:
    if "community_ideas" not in tables:
        return
    con = run.con
    existing = run.scalar("SELECT count(*) FROM ideas")
    needed, changed = run.split(existing, changeable=True)
    _place_copies(run, "ideas", "id", needed, "ideas")
    con.execute(
        "CREATE TEMP TABLE out_ideas AS SELECT json_merge_patch(i.rec, json_object("
        "'id', substr(md5(new_uuid(i.id || ':' || p.copy)), 1, 24), 'created', shifted(i.rec->>'created', p.delta), "
        "'score', 1 + CAST(floor(u('score', i.id || ':' || p.copy) * 5) AS BIGINT), 'commentCount', 0)) AS rec, "
        f"i.t + p.moved AS t FROM ideas AS i JOIN placed_ideas AS p ON i.id = p.g "
        f"WHERE {_in_window(run, 'i.t + p.moved')}"
    )
    new = run.scalar("SELECT count(*) FROM out_ideas")
    transitions = ", ".join(f"{_literal(a)}: {_literal(b)}" for a, b in IDEA_NEXT_STATUS.items())
    con.execute(
        "CREATE TEMP TABLE changed_ideas AS SELECT id, json_merge_patch(rec, json_object('status', "
        f"coalesce(MAP {{{transitions}}}[rec->>'status'], rec->>'status'), "
        "'score', CAST(rec->>'score' AS BIGINT) + 1 + CAST(floor(u('votes', id) * 10) AS BIGINT), "
        "'commentCount', CAST(rec->>'commentCount' AS BIGINT) + 1)) AS rec, t "
        "FROM (SELECT id, arg_max(rec, filename) AS rec, min(t) AS t FROM ideas GROUP BY id) "
        f"ORDER BY rank_of('changed_ideas', id) LIMIT {changed}"
    )
    con.execute("INSERT INTO out_ideas SELECT rec, t FROM changed_ideas")
    run.record("community_ideas", existing, new, run.scalar("SELECT count(*) FROM changed_ideas"))
    run.write(
        "SELECT list(rec ORDER BY t, rec->>'id') AS posts, false AS hasMore FROM (SELECT *, "
        f"(row_number() OVER (ORDER BY t, rec->>'id') - 1) // {PAGE_SIZE} AS page FROM out_ideas) "
        "GROUP BY page ORDER BY page",
        run.new_path("community_ideas", "community/ideas", "jsonl"),
        "FORMAT json",
        "community_ideas",
    )


# ---------------------------------------------------------------------------------------------------------------
# Segment and SendGrid events (JSON lines), reviews and calls (CSV): new records only (events do not change)


def _write_json_lines(run: _Run, table: str, source: str, folder: str) -> None:
    """One JSON object per line with the records' own keys (a key a record lacks is written as null)."""
    keys = [
        key
        for (key,) in run.con.execute(
            f"SELECT key FROM (SELECT unnest(json_keys(rec)) AS key, row_number() OVER () AS n FROM {source}) "
            "GROUP BY key ORDER BY min(n)"
        ).fetchall()
    ]
    if not keys:
        return
    columns = ", ".join(f"rec->{_literal('$.' + _quote(key))} AS {_quote(key)}" for key in keys)
    run.write(f"SELECT {columns} FROM {source} ORDER BY t", run.new_path(table, folder, "jsonl"), "FORMAT json", table)


def _segment(run: _Run, tables: list[str]) -> None:
    if "segment_events" not in tables:
        return
    existing = run.scalar("SELECT count(*) FROM segment")
    needed, _ = run.split(existing, changeable=False)
    _place_copies(run, "segment", "id", needed, "segment")
    patch = ", ".join(
        f"{_literal(name)}, CASE WHEN s.rec->>{_literal(name)} IS NOT NULL "
        f"THEN shifted(s.rec->>{_literal(name)}, p.delta) END"
        for name in ("timestamp", "receivedAt", "sentAt", "originalTimestamp")
    )
    run.con.execute(
        "CREATE TEMP TABLE out_segment AS SELECT json_merge_patch(s.rec, json_object('messageId', "
        f"new_uuid(s.id || ':' || p.copy), {patch})) AS rec, s.t + p.moved AS t "
        f"FROM segment AS s JOIN placed_segment AS p ON s.id = p.g WHERE {_in_window(run, 's.t + p.moved')}"
    )
    run.record("segment_events", existing, run.scalar("SELECT count(*) FROM out_segment"), 0)
    _write_json_lines(run, "segment_events", "out_segment", "segment/events")


def _email(run: _Run, tables: list[str]) -> None:
    if "email_events" not in tables:
        return
    existing = run.scalar("SELECT count(*) FROM email")
    needed, _ = run.split(existing, changeable=False)
    # A message's events (processed, delivered, open, click) move together, under a new message id.
    _place_copies(run, "email", "conv", needed, "email")
    run.con.execute(
        "CREATE TEMP TABLE out_email AS SELECT json_merge_patch(e.rec, json_object('sg_event_id', "
        "new_uuid(e.id || ':' || p.copy), 'sg_message_id', new_uuid('message:' || e.conv || ':' || p.copy), "
        "'timestamp', CAST(epoch(e.t + p.moved) AS BIGINT))) AS rec, e.t + p.moved AS t "
        f"FROM email AS e JOIN placed_email AS p ON e.conv = p.g WHERE {_in_window(run, 'e.t + p.moved')}"
    )
    run.record("email_events", existing, run.scalar("SELECT count(*) FROM out_email"), 0)
    _write_json_lines(run, "email_events", "out_email", "email/events")


def _next_keys_sql(run: _Run, source: str, key: str, number_sql: str) -> str:
    """SQL for fresh keys shaped like the existing ones (`rv_285` -> `rv_301`, `001000000000000080` ->
    `001000000000000081`): the commonest prefix before the digits, numbered after the largest number (`number_sql`
    counts from 1)."""
    row = run.con.execute(
        f"SELECT regexp_extract({key}, '^(.*?)([0-9]+)$', 1) AS prefix, min(length(regexp_extract({key}, "
        f"'([0-9]+)$', 1))) AS width, max(CAST(regexp_extract({key}, '([0-9]+)$', 1) AS HUGEINT)) AS top "
        f"FROM {source} WHERE regexp_matches({key}, '[0-9]+$') GROUP BY prefix ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return f"{_literal(run.tag + '-')} || CAST({number_sql} AS VARCHAR)"
    prefix, width, top = row
    number = f"CAST({top} + {number_sql} AS VARCHAR)"
    return f"{_literal(prefix)} || lpad({number}, CAST(greatest({width}, length({number})) AS INTEGER), '0')"


def _columns(run: _Run, table: str) -> list[str]:
    names = run.con.execute(f"SELECT name FROM pragma_table_info({_literal(table)})").fetchall()
    return [name for (name,) in names if name not in ("filename", "t")]


def _csv_events(run: _Run, tables: list[str]) -> None:
    for table, source, folder, key, times in (
        ("reviews", "reviews", "reviews", "review_id", ("created_at",)),
        ("call_center_calls", "calls", "calls", "call_id", ("started_at", "answered_at", "ended_at")),
    ):
        if table not in tables:
            continue
        existing = run.scalar(f"SELECT count(*) FROM {source}")
        needed, _ = run.split(existing, changeable=False)
        _place_copies(run, source, key, needed, source)
        columns = _columns(run, source)
        number = f"row_number() OVER (ORDER BY s.t + p.moved, s.{_quote(key)}, p.copy)"
        replaced = {key: _next_keys_sql(run, source, _quote(key), number)}
        replaced |= {name: f"shifted(s.{_quote(name)}, p.delta)" for name in times}
        select = ", ".join(f"{replaced.get(name, 's.' + _quote(name))} AS {_quote(name)}" for name in columns)
        run.con.execute(
            f"CREATE TEMP TABLE out_{source} AS SELECT {select}, s.t + p.moved AS t FROM {source} AS s "
            f"JOIN placed_{source} AS p ON s.{_quote(key)} = p.g WHERE {_in_window(run, 's.t + p.moved')}"
        )
        run.record(table, existing, run.scalar(f"SELECT count(*) FROM out_{source}"), 0)
        names = ", ".join(_quote(name) for name in columns)
        run.write(
            f"SELECT {names} FROM out_{source} ORDER BY t",
            run.new_path(table, folder, "csv"),
            "FORMAT csv, HEADER true",
            table,
        )


# ---------------------------------------------------------------------------------------------------------------
# CRM: the next full export (or Salesforce API pages) with changed and new accounts, contacts and opportunities,
# and the billing lifecycle with upgrades, churn and new customers

CRM_FOLDERS = {"crm_accounts": "accounts", "crm_contacts": "contacts", "crm_opportunities": "opportunities"}


def _crm_changes(run: _Run, table: str) -> dict[str, str]:
    """Column -> SQL of its changed value, for a record of the current export."""
    later = _moved_time(run, table, '"Id"', 'ts("LastModifiedDate")', past_end=True)
    changes = {"LastModifiedDate": f'iso_like("LastModifiedDate", {later})'}
    if table == "crm_accounts":  # the company grew
        changes["NumberOfEmployees"] = (
            "CAST(CAST(round(try_cast(nullif(\"NumberOfEmployees\", '') AS DOUBLE) * "
            "(1.05 + 0.5 * u('employees', \"Id\"))) AS BIGINT) AS VARCHAR)"
        )
        changes["AnnualRevenue"] = (
            "CAST(CAST(round(try_cast(nullif(\"AnnualRevenue\", '') AS DOUBLE) * "
            "(1.02 + 0.3 * u('revenue', \"Id\")), -3) AS BIGINT) AS VARCHAR)"
        )
    elif table == "crm_contacts":  # a new job title
        changes["Title"] = (
            'coalesce(list_filter((SELECT list(DISTINCT "Title" ORDER BY "Title") FROM current_crm_contacts), '
            'lambda other: other IS DISTINCT FROM "Title")[1 + CAST(floor(u(\'title\', "Id") * '
            '((SELECT count(DISTINCT "Title") FROM current_crm_contacts) - 1)) AS INTEGER)], "Title")'
        )
    else:  # the next stage; the last step closes the opportunity won, on the day
        stages = OPPORTUNITY_STAGES
        steps = ", ".join(
            f"{_literal(a[0])}: [{', '.join(_literal(v) for v in b)}]" for a, b in zip(stages, stages[1:], strict=False)
        )
        step = f'MAP {{{steps}}}["StageName"]'
        changes |= {
            "StageName": f'coalesce({step}[1], "StageName")',
            "Probability": f'coalesce({step}[2], "Probability")',
            "IsClosed": f'coalesce({step}[3], "IsClosed")',
            "IsWon": f'coalesce({step}[4], "IsWon")',
            "CloseDate": f"CASE WHEN {step}[3] = 'true' THEN strftime({later}, '%Y-%m-%d') ELSE \"CloseDate\" END",
        }
    return changes


def _crm_new(table: str) -> dict[str, str]:
    """Column -> SQL of a new record's value, for a copy of a current record (`_new_id`, `_number`, `_created`)."""
    values = {
        "Id": "_new_id",
        "CreatedDate": 'iso_like("CreatedDate", _created)',
        "LastModifiedDate": 'iso_like("LastModifiedDate", _created)',
    }
    if table == "crm_accounts":
        values |= {"Name": "regexp_replace(\"Name\", ' ?[0-9]+$', '') || ' ' || _number", "Type": "'Prospect'"}
    elif table == "crm_contacts":  # at an existing account, with an address of their own
        values |= {"Email": "regexp_replace(\"Email\", '@', '.n' || _number || '@')", "Twitter_Handle__c": "NULL"}
    else:  # a new opportunity on an existing account
        values |= {
            "StageName": "'Prospecting'",
            "Probability": "'10'",
            "IsClosed": "'false'",
            "IsWon": "'false'",
            "CloseDate": "strftime(CAST(_created AS DATE) + INTERVAL 60 DAY, '%Y-%m-%d')",
        }
    return values


def _crm(run: _Run, tables: list[str]) -> None:
    con = run.con
    present = [table for table in (*CRM_FOLDERS, "crm_customer_lifecycle") if table in tables]
    for table in present:
        key, version = (
            ("account_id", "") if table == "crm_customer_lifecycle" else ("Id", 'ts("LastModifiedDate") DESC, ')
        )
        # The current state: the latest version of every record (by modification time, then the newest file).
        con.execute(
            f"CREATE TEMP TABLE current_{table} AS SELECT * EXCLUDE (filename, _v) FROM (SELECT *, row_number() "
            f"OVER (PARTITION BY {_quote(key)} ORDER BY {version}filename DESC) AS _v FROM {table}) WHERE _v = 1"
        )
    for table in present:
        if table == "crm_customer_lifecycle":
            continue
        existing = run.scalar(f"SELECT count(*) FROM {table}")
        records = run.scalar(f"SELECT count(*) FROM current_{table}")
        new_count, changed_count = run.split(records, changeable=True)
        columns = _columns(run, f"current_{table}")
        changes = _crm_changes(run, table)
        candidates = "\"IsClosed\" = 'false'" if table == "crm_opportunities" else "true"
        select = ", ".join(f"{changes.get(name, _quote(name))} AS {_quote(name)}" for name in columns)
        con.execute(
            f"CREATE TEMP TABLE changed_{table} AS SELECT {select} FROM current_{table} WHERE {candidates} "
            f"ORDER BY rank_of('{table}', \"Id\") LIMIT {changed_count}"
        )
        copies = math.ceil(new_count / max(records, 1)) + 1
        con.execute(
            f"CREATE TEMP TABLE _picked AS SELECT *, row_number() OVER () AS _n FROM (SELECT * FROM current_{table} "
            f"CROSS JOIN range({copies}) AS c(_copy) ORDER BY rank_of('new', \"Id\" || ':' || _copy) "
            f"LIMIT {new_count})"
        )
        new_id = _next_keys_sql(run, f"current_{table}", '"Id"', "_n")
        values = _crm_new(table)
        select = ", ".join(f"{values.get(name, _quote(name))} AS {_quote(name)}" for name in columns)
        con.execute(
            f"CREATE TEMP TABLE new_{table} AS SELECT {select} FROM (SELECT *, {records} + _n AS _number, "
            f"{_moved_time(run, table + ':new', '_new_id')} AS _created "
            f"FROM (SELECT *, {new_id} AS _new_id FROM _picked))"
        )
        con.execute("DROP TABLE _picked")
        new, changed = (run.scalar(f"SELECT count(*) FROM {kind}_{table}") for kind in ("new", "changed"))
        run.record(table, existing, new, changed)
        _write_crm(run, table, columns)
    if "crm_customer_lifecycle" in present:
        _lifecycle(run)


def _write_crm(run: _Run, table: str, columns: list[str]) -> None:
    names = ", ".join(_quote(name) for name in columns)
    folder = CRM_FOLDERS[table]
    snapshot = run.landing / "crm" / f"{folder}.csv"
    if run.crm == "snapshot" and snapshot.exists():
        # The next full export: every current record, the changed ones replaced, the new ones added.
        run.write(
            f'SELECT {names} FROM (SELECT * FROM current_{table} WHERE "Id" NOT IN (SELECT "Id" FROM '
            f"changed_{table}) UNION ALL BY NAME SELECT * FROM changed_{table} UNION ALL BY NAME "
            f'SELECT * FROM new_{table}) ORDER BY "Id"',
            snapshot,
            "FORMAT csv, HEADER true",
            table,
        )
        return
    # Salesforce REST query pages of what changed since the last extract (extract/salesforce.py).
    sobject = CRM_OBJECTS[table]
    fields = ", ".join(f"{_literal(name)}, {_quote(name)}" for name in columns)
    run.write(
        f"SELECT count(*) AS totalSize, true AS done, list(json_object('attributes', json_object('type', "
        f"{_literal(sobject)}, 'url', '/services/data/v61.0/sobjects/{sobject}/' || \"Id\"), {fields}) "
        'ORDER BY "LastModifiedDate", "Id") AS records FROM (SELECT *, (row_number() OVER '
        f'(ORDER BY "LastModifiedDate", "Id") - 1) // {PAGE_SIZE} AS page FROM (SELECT * FROM changed_{table} '
        f"UNION ALL BY NAME SELECT * FROM new_{table})) GROUP BY page ORDER BY page",
        run.new_path(table, f"crm/{folder}", "jsonl"),
        "FORMAT json",
        table,
    )


def _lifecycle(run: _Run) -> None:
    """The billing export, a full snapshot: customers upgrade or churn in the window, accounts become customers."""
    con, table = run.con, "crm_customer_lifecycle"
    snapshot = run.landing / "crm" / "customer_lifecycle.csv"
    if not snapshot.exists():
        run.skipped[table] = "no crm/customer_lifecycle.csv snapshot to rewrite"
        return
    existing = run.scalar(f"SELECT count(*) FROM {table}")
    records = run.scalar(f"SELECT count(*) FROM current_{table}")
    new_count, changed_count = run.split(records, changeable=True)
    churns = "u('churn', account_id) < 0.3"
    con.execute(
        f"CREATE TEMP TABLE changed_{table} AS SELECT * REPLACE ("
        f"CASE WHEN {churns} THEN strftime({_moved_time(run, 'churn', 'account_id')}, '%Y-%m-%d') "
        "ELSE churned_at END AS churned_at, "
        f"CASE WHEN {churns} THEN plan ELSE coalesce(MAP {{'basic': 'pro', 'pro': 'enterprise'}}[plan], plan) "
        "END AS plan, "
        f"CASE WHEN {churns} THEN mrr "
        "ELSE printf('%.2f', try_cast(mrr AS DOUBLE) * (1.2 + 0.5 * u('mrr', account_id))) END AS mrr) "
        f"FROM current_{table} WHERE nullif(churned_at, '') IS NULL "
        f"ORDER BY rank_of('{table}', account_id) LIMIT {changed_count}"
    )
    accounts = [name for name in ("current_crm_accounts", "new_crm_accounts") if _exists(run, name)]
    if accounts:
        candidates = " UNION ".join(f'SELECT "Id" AS account_id FROM {name}' for name in accounts)
        con.execute(
            f"CREATE TEMP TABLE new_{table} AS SELECT account_id, "
            f"strftime({_moved_time(run, 'customer', 'account_id')}, '%Y-%m-%d') AS customer_since, "
            "NULL AS churned_at, 'basic' AS plan, printf('%.2f', 50 + 100 * u('new_mrr', account_id)) AS mrr "
            f"FROM ({candidates}) WHERE account_id NOT IN (SELECT account_id FROM current_{table}) "
            f"ORDER BY rank_of('{table}:new', account_id) LIMIT {new_count}"
        )
    else:
        con.execute(f"CREATE TEMP TABLE new_{table} AS SELECT * FROM current_{table} WHERE false")
    names = ", ".join(_quote(name) for name in _columns(run, f"current_{table}"))
    run.write(
        f"SELECT {names} FROM (SELECT * FROM current_{table} WHERE account_id NOT IN (SELECT account_id FROM "
        f"changed_{table}) UNION ALL BY NAME SELECT * FROM changed_{table} UNION ALL BY NAME "
        f"SELECT * FROM new_{table}) ORDER BY account_id",
        snapshot,
        "FORMAT csv, HEADER true",
        table,
    )
    new, changed = (run.scalar(f"SELECT count(*) FROM {kind}_{table}") for kind in ("new", "changed"))
    run.record(table, existing, new, changed)


def _exists(run: _Run, table: str) -> bool:
    return bool(run.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]))


# ---------------------------------------------------------------------------------------------------------------


def land_increment(
    landing: Path,
    fraction: float,
    seed: int,
    tag: str,
    *,
    window_days: float = DEFAULT_WINDOW_DAYS,
    changed_share: float = DEFAULT_CHANGED_SHARE,
    crm: str = "snapshot",
) -> dict:
    """Write an increment of about `fraction` of each entity's records into `landing` (see the module docstring).

    Returns {"entities": {raw table: {"existing", "new", "changed"}}, "files": [written, relative to landing],
    "skipped": {raw table: why}, "window": [start, end] (ISO), "fraction", "seed", "tag"}."""
    landing = Path(landing)
    if not TAG_PATTERN.match(tag):
        raise IncrementError(f"tag {tag!r}: use letters, digits, '_' and '-'")
    if not 0 < fraction <= 1:
        raise IncrementError(f"fraction {fraction} is not in (0, 1]")
    if crm not in ("snapshot", "api"):
        raise IncrementError(f"crm={crm!r}: 'snapshot' or 'api'")
    with tempfile.TemporaryDirectory(prefix="increment-") as scratch:
        con = duckdb.connect(str(Path(scratch) / "scratch.duckdb"))
        try:
            con.execute(f"SET temp_directory = {_literal(str(Path(scratch) / 'spill'))}")
            _define_macros(con, seed, tag)
            run = _Run(con, landing, fraction, seed, tag, changed_share, crm)
            tables = _read_sources(run)
            run.end = _data_end(run, tables)
            run.window_start = run.end - timedelta(days=window_days)
            for step in (_x, _zendesk, _community, _segment, _email, _csv_events, _crm):
                step(run, tables)
        finally:
            con.close()
    for entity in ENTITIES:
        if entity.table not in run.entities and entity.table not in run.skipped and entity.files(landing):
            run.skipped[entity.table] = "no increment recipe for this source"
    return {
        "tag": tag,
        "fraction": fraction,
        "seed": seed,
        "window": [run.window_start.isoformat(), run.end.isoformat()],
        "entities": run.entities,
        "files": run.files,
        "skipped": run.skipped,
    }
