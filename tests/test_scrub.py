"""Erasure reaches every copy outside the warehouse: three published releases of the demo marts (default and
restricted, unchanged marts' Parquet hard-linked between them), the quality history, the hand-off log and files,
reports and logs. One person is scrubbed from all of them; afterwards no column, byte or line holds them, other
people's rows are all there, and `current` still opens. Also tests of the scanner (tests/scan_personal.py) itself.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from pipeline import publish, quality_history
from pipeline.outputs import handoff
from pipeline.publish.person import Person
from pipeline.publish.pseudonyms import load_key
from pipeline.publish.scrub import ERASED, scrub_copies
from tests.conftest import paths_in
from tests.scan_personal import find_personal_data, find_traces

# Planted in the built marts: values only the chosen person has, so that any trace of them is theirs.
NAME = "Quillon Vexwater"
HANDLE = "quokkafan_zx"
# Longer than mart_term_trends' examples (160 characters), so its example is cut short; with an apostrophe, which
# HTML writes as an entity.
TEXT = (
    "My Zanzibar quokka invoice QX-77031 never arrived and I don't know who to call anymore; this is the third "
    "time I have written about the Zanzibar quokka invoice and nobody has answered me at all"
)
OTHER_TEXT = f"@acmehelp same trouble as @{HANDLE} with the pricing page, order QX-48213"
# A BI tool with the current release open (another process: within one process DuckDB hands every connection to a
# path the instance already open, so the process would keep seeing the old file until all its connections close).
READER = """
import sys, duckdb
connection = duckdb.connect(sys.argv[1], read_only=True)
count = "select count(*) from dim_contacts"
print(connection.execute(count).fetchone()[0], flush=True)
sys.stdin.readline()
print(connection.execute(count).fetchone()[0], flush=True)
"""


def varchar_columns(connection: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = connection.execute(
        "select column_name from duckdb_columns() where database_name = current_database() and table_name = ?"
        " and data_type = 'VARCHAR'",
        [table],
    ).fetchall()
    return [f'"{name}"' for (name,) in rows]


def choose_and_plant(warehouse: Path) -> dict:
    """A CRM contact with an X handle, inbound messages and a feedback item; their name, handle and one message
    become unique, their message appears (masked and cut short) as a term trend example, and another customer's
    message names their handle."""
    with duckdb.connect(str(warehouse)) as connection:
        contact_key, contact_id, email, feedback_key, team = connection.execute(
            "select c.contact_key, c.contact_id, c.email, f.feedback_key, f.owning_team"
            " from marts.dim_contacts c"
            " join marts.fct_interactions i on i.contact_key = c.contact_key and i.direction = 'inbound'"
            " join marts.mart_feedback_routing f on f.feedback_key = i.interaction_key"
            " where c.social_handle is not null and c.email is not null and i.source_system = 'x'"
            " and f.owning_team is not null and f.owning_team <> 'Unassigned'"
            " order by c.contact_key, f.feedback_key limit 1"
        ).fetchone()
        others = connection.execute(
            "select count(*) from marts.dim_contacts where contains(lower(email), ?) and contact_key <> ?",
            [email.lower(), contact_key],
        ).fetchone()[0]
        assert others == 0, "the chosen email is part of another contact's"
        connection.execute(
            "update marts.dim_contacts set full_name = ?, social_handle = ? where contact_key = ?",
            [NAME, HANDLE, contact_key],
        )
        for table, key in (("fct_interactions", "interaction_key"), ("mart_feedback_routing", "feedback_key")):
            connection.execute(f"update marts.{table} set body = ? where {key} = ?", [TEXT, feedback_key])
        other_key = connection.execute(
            "select interaction_key from marts.fct_interactions where direction = 'inbound' and source_system = 'x'"
            " and contact_key is distinct from ? and body is not null order by interaction_key limit 1",
            [contact_key],
        ).fetchone()[0]
        connection.execute(
            "update marts.fct_interactions set body = ? where interaction_key = ?", [OTHER_TEXT, other_key]
        )
        # As mart_term_trends shows it: @handles as @user, cut to 160 characters with '…'.
        example = ("@user " + TEXT)[:159] + "…"
        connection.execute(
            "update marts.mart_term_trends set example_message_1 = ?"
            " where rowid = (select min(rowid) from marts.mart_term_trends)",
            [example],
        )
        person_keys = {contact_key} | {
            key
            for (key,) in connection.execute(
                "select actor_key from marts.fct_interactions where contact_key = ? and direction = 'inbound'"
                " union select requester_id from marts.fct_conversations where contact_key = ?",
                [contact_key, contact_key],
            ).fetchall()
            if key
        }
        messages = {
            key
            for (key,) in connection.execute(
                "select interaction_key from marts.fct_interactions where contact_key = ?"
                " union select touchpoint_key from marts.fct_touchpoints where contact_key = ?",
                [contact_key, contact_key],
            ).fetchall()
        }
        conversations = {
            key
            for (key,) in connection.execute(
                "select conversation_key from marts.fct_interactions where contact_key = ?"
                " union select conversation_id from marts.fct_conversations where contact_key = ?",
                [contact_key, contact_key],
            ).fetchall()
            if key
        }
        texts = {
            body
            for (body,) in connection.execute(
                "select body from marts.fct_interactions where contact_key = ? and direction = 'inbound'",
                [contact_key],
            ).fetchall()
            if body
        }
    person = Person(
        request=email,
        identifiers=frozenset({email.lower(), HANDLE, contact_id, NAME}),
        person_keys=frozenset(person_keys),
        interaction_keys=frozenset(messages),
        conversation_keys=frozenset(conversations),
        texts=frozenset(texts),
    )
    return {"person": person, "email": email, "contact_key": contact_key, "feedback_key": feedback_key, "team": team}


def write_side_files(paths, chosen: dict) -> None:
    """What the pipeline writes beside the marts, each quoting the person: a quality failure, the hand-off log and
    files, the run summary, a gate result, a weekly report, the Airflow run log and a dbt log."""
    email, feedback_key = chosen["email"], chosen["feedback_key"]
    quality_history.record(
        paths.quality_history_path,
        [
            quality_history.Validation(
                "run-1",
                "mart.dim_contacts",
                "mart",
                "dim_contacts",
                None,
                datetime(2026, 1, 5),
                False,
                3,
                1,
                [f"email: 1 unexpected value, e.g. ['{email}']", "row count within bounds"],
                100,
            )
        ],
    )
    with handoff.open_log(handoff.log_path(paths)) as connection:
        for key in (feedback_key, "zendesk:someone-else"):
            connection.execute(
                f"insert into {handoff.LOG_TABLE} values (?, ?, 'http://tickets', 'failed', 500, 1, now(), null, ?)",
                [key, chosen["team"], f"HTTP 500 for {key}"],
            )
    restricted = paths.serving_path.parent / "restricted" / paths.serving_path.name
    with duckdb.connect(str(restricted), read_only=True) as connection:
        result = connection.execute(
            "select f.*, c.email as contact_email, c.social_handle as contact_handle from mart_feedback_routing f"
            " left join fct_interactions i on i.interaction_key = f.feedback_key"
            " left join dim_contacts c on c.contact_key = i.contact_key"
            " where f.owning_team = ? order by f.feedback_key = ? desc, f.feedback_key limit 5",
            [chosen["team"], feedback_key],
        )
        columns = [column[0] for column in result.description]
        items = [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
    assert items[0]["feedback_key"] == feedback_key and len(items) > 1
    folder = handoff.handoff_dir(paths)
    folder.mkdir(parents=True)
    handoff.write_team_files(folder, chosen["team"], columns, items, "2026-01-05T00:00:00", "release")
    reports = paths.reports_dir
    (reports / "run_summary.json").write_text(json.dumps({"run": "ok", "forgotten": None, "note": f"from {email}"}))
    (reports / "quality").mkdir()
    (reports / "quality" / "gate_marts.json").write_text(
        json.dumps({"results": [{"partial_unexpected_list": [email, "someone@else.example"]}]}, indent=2)
    )
    (reports / "weekly").mkdir()
    escaped = TEXT.replace("'", "&#x27;")
    (reports / "weekly" / "2026-01-05.html").write_text(f"<p>Top complaint:</p><blockquote>{escaped}</blockquote>")
    (reports / "airflow_dags_test.log").write_text(f"INFO handing off {feedback_key} for @{HANDLE}\nINFO done\n")
    logs = paths.dbt_target_dir / "logs"
    logs.mkdir(parents=True)
    (logs / "dbt.log").write_text(f"12:00:01 Got 1 result, configured to fail if != 0: {NAME} <{email}>\n")


def table_counts(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as connection:
        names = [name for (name,) in connection.execute("select table_name from duckdb_tables()").fetchall()]
        return {name: connection.execute(f'select count(*) from "{name}"').fetchone()[0] for name in names}


def persons_rows(path: Path, values: set[str]) -> dict[str, int]:
    """Rows of each table where a text column is exactly one of the person's values (clear or pseudonym)."""
    listed = "[" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + "]"
    found = {}
    with duckdb.connect(str(path), read_only=True) as connection:
        for (table,) in connection.execute("select table_name from duckdb_tables()").fetchall():
            columns = varchar_columns(connection, table)
            if columns:
                test = " or ".join(f"list_contains({listed}, lower({column}))" for column in columns)
                found[table] = connection.execute(f'select count(*) from "{table}" where {test}').fetchone()[0]
    return found


def release_files(paths) -> list[Path]:
    root = paths.serving_path.parent
    return sorted(root.glob("releases/*/*.duckdb")) + sorted(root.glob("restricted/releases/*/*.duckdb"))


@pytest.fixture(scope="module")
def scrubbed(tmp_path_factory, built_warehouse, demo_landing):
    root = tmp_path_factory.mktemp("scrub")
    with pytest.MonkeyPatch.context() as monkeypatch:
        paths = paths_in(root, demo_landing, monkeypatch)
        monkeypatch.setenv("OUTCOMES_RESTRICTED_SERVING", "on")
        paths.dbt_target_dir.mkdir(parents=True)
        shutil.copy(built_warehouse.warehouse_path, paths.warehouse_path)
        shutil.copy(built_warehouse.dbt_target_dir / "manifest.json", paths.dbt_target_dir / "manifest.json")
        chosen = choose_and_plant(paths.warehouse_path)
        for _ in range(3):  # each publish changes one mart, so most marts' Parquet files are hard links
            publish.publish(paths)
            with duckdb.connect(str(paths.warehouse_path)) as connection:
                connection.execute(
                    "delete from marts.agg_care_daily where activity_date = (select max(activity_date)"
                    " from marts.agg_care_daily)"
                )
        paths.reports_dir.mkdir(exist_ok=True)
        write_side_files(paths, chosen)
        key = load_key(paths)
        values = {value.lower() for value in chosen["person"].values | chosen["person"].conversation_keys}
        values -= {NAME.lower()}
        values |= {key.pseudonym(value) for value in values}
        before = {path: (table_counts(path), persons_rows(path, values)) for path in release_files(paths)}
        inodes = {path: os.stat(path).st_ino for path in paths.serving_path.parent.glob("**/parquet/*.parquet")}
        reader = subprocess.Popen(
            [sys.executable, "-c", READER, str(paths.serving_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        read_before = int(reader.stdout.readline())
        counts = scrub_copies(paths, chosen["person"], key)
        read_after = int(reader.communicate("\n", timeout=60)[0])
        yield {
            "paths": paths,
            "counts": counts,
            "before": before,
            "inodes": inodes,
            "reader": (read_before, read_after),
            "key": key,
            **chosen,
        }


def side_files(paths) -> list[Path]:
    """Everything beside the warehouse file (which erasure of the warehouse itself covers)."""
    return [path for path in paths.warehouse_path.parent.iterdir() if path != paths.warehouse_path]


def test_no_trace_of_the_person_is_left_in_any_copy(scrubbed):
    paths, key, email = scrubbed["paths"], scrubbed["key"], scrubbed["email"]
    needles = [email, HANDLE, NAME, TEXT[:60], scrubbed["contact_key"], scrubbed["feedback_key"]]
    needles += [key.pseudonym(value) for value in (email, HANDLE, scrubbed["contact_key"])]
    roots = [paths.serving_path.parent, paths.reports_dir, *side_files(paths)]
    assert find_traces(roots, needles) == []


def test_other_peoples_rows_are_all_kept(scrubbed):
    for path, (counts, persons) in scrubbed["before"].items():
        assert table_counts(path) == {table: rows - persons.get(table, 0) for table, rows in counts.items()}, path
        assert persons["dim_contacts"] == 1 and persons["fct_interactions"] > 1
        with duckdb.connect() as connection:
            for parquet in (path.parent / "parquet").glob("*.parquet"):
                rows = connection.execute(f"select count(*) from '{parquet}'").fetchone()[0]
                assert rows == counts[parquet.stem] - persons.get(parquet.stem, 0), parquet


def test_another_customers_message_loses_only_the_persons_handle(scrubbed):
    restricted = scrubbed["paths"].serving_path.parent / "restricted" / "outcomes.duckdb"
    with duckdb.connect(str(restricted), read_only=True) as connection:
        bodies = connection.execute("select body from fct_interactions where body like '%QX-48213'").fetchall()
    assert bodies == [(OTHER_TEXT.replace(HANDLE, ERASED),)]


def test_term_trend_examples_of_the_person_are_emptied_and_the_rows_kept(scrubbed):
    for path in release_files(scrubbed["paths"]):
        with duckdb.connect(str(path), read_only=True) as connection:
            first = connection.execute(
                "select example_message_1 from mart_term_trends where rowid = (select min(rowid) from mart_term_trends)"
            ).fetchone()
        assert first == (None,), path


def test_current_still_opens_and_an_open_reader_keeps_its_file(scrubbed):
    read_before, read_after = scrubbed["reader"]
    assert read_after == read_before
    with duckdb.connect(str(scrubbed["paths"].serving_path), read_only=True) as connection:
        assert connection.execute("select count(*) from dim_contacts").fetchone()[0] == read_before - 1
        pseudonym = scrubbed["key"].pseudonym(scrubbed["email"])
        assert connection.execute("select count(*) from dim_contacts where email = ?", [pseudonym]).fetchone()[0] == 0


def test_parquet_files_shared_between_releases_stay_shared(scrubbed):
    before = scrubbed["inodes"]
    shared = {}
    for path, inode in before.items():
        shared.setdefault(inode, []).append(path)
    groups = [paths for paths in shared.values() if len(paths) > 1 and paths[0].stem == "fct_interactions"]
    assert groups, "publish hard-links unchanged marts' Parquet files between releases"
    for group in groups:
        after = {os.stat(path).st_ino for path in group}
        assert len(after) == 1 and after != {before[group[0]]}, group


def test_restricted_files_keep_their_mode_and_tables_their_comments(scrubbed):
    paths = scrubbed["paths"]
    for path in (paths.serving_path.parent / "restricted").glob("releases/*/**/*"):
        if path.is_file():
            assert path.stat().st_mode & 0o777 == 0o600, path
    with duckdb.connect(str(paths.serving_path), read_only=True) as connection:
        comment = connection.execute(
            "select comment from duckdb_columns() where table_name = 'mart_social_care'"
            " and column_name = 'sla_attainment_rate'"
        ).fetchone()[0]
    assert "sla" in comment.lower()


def test_the_handoff_loses_the_persons_items_and_keeps_the_others(scrubbed):
    paths, feedback_key = scrubbed["paths"], scrubbed["feedback_key"]
    document = json.loads(next(handoff.handoff_dir(paths).glob("*.json")).read_text())
    keys = [item["feedback_key"] for item in document["items"]]
    assert feedback_key not in keys and len(keys) >= 1
    with next(handoff.handoff_dir(paths).glob("*.csv")).open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert [row[0] for row in rows] == ["feedback_key", *keys]
    with duckdb.connect(str(handoff.log_path(paths)), read_only=True) as connection:
        logged = [key for (key,) in connection.execute(f"select feedback_key from {handoff.LOG_TABLE}").fetchall()]
    assert logged == ["zendesk:someone-else"]


def test_reports_and_logs_keep_their_other_content(scrubbed):
    paths = scrubbed["paths"]
    summary = json.loads(paths.run_summary_path.read_text())
    assert summary == {"run": "ok", "forgotten": None, "note": f"from {ERASED}"}
    assert (paths.reports_dir / "airflow_dags_test.log").read_text().endswith("INFO done\n")
    with duckdb.connect(str(paths.quality_history_path), read_only=True) as connection:
        failures = connection.execute(f"select failures from {quality_history.TABLE}").fetchone()[0]
    assert failures == [f"email: 1 unexpected value, e.g. ['{ERASED}']", "row count within bounds"]


def test_the_counts_say_what_was_removed_where(scrubbed):
    counts = scrubbed["counts"]
    paths = scrubbed["paths"]
    for path in release_files(paths):
        label = f"serving/{path.relative_to(paths.serving_path.parent)}"
        assert counts[f"{label}#dim_contacts"] == 1
        assert counts[f"{label.removesuffix(path.name)}parquet/dim_contacts.parquet#rows"] == 1
    assert counts["warehouse/handoff_log.duckdb#handoff_log"] == 1
    assert counts["reports/run_summary.json"] == 1


def test_a_second_scrub_finds_nothing(scrubbed):
    paths = scrubbed["paths"]
    assert scrub_copies(paths, scrubbed["person"], scrubbed["key"]) == {}


# The scanner itself.


def test_find_traces_finds_an_email_in_a_parquet_file_and_nothing_once_it_is_gone(tmp_path):
    parquet = tmp_path / "contacts.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * from (values (1, 'Ann.Planted@Example.com'), (2, 'someone@else.example')) t(id, email))"
            f" to '{parquet}' (format parquet)"
        )
        assert find_traces([tmp_path], ["ann.planted@example.com"]) == [
            f"{parquet}: contacts.parquet.email holds 'ann.planted@example.com' in 1 rows"
        ]
        connection.execute(f"copy (select 2 as id, 'someone@else.example' as email) to '{parquet}' (format parquet)")
    assert find_traces([tmp_path], ["ann.planted@example.com"]) == []


def test_find_traces_finds_a_deleted_row_still_in_the_file(tmp_path):
    database = tmp_path / "kept.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create table contacts as select 'user' || i || '@x.example' as email from range(50) t(i)")
        connection.execute("insert into contacts values ('ann.planted@example.com')")
        connection.execute("checkpoint")
        connection.execute("delete from contacts where email like 'ann.%'")
        connection.execute("checkpoint")
        assert connection.execute("select count(*) from contacts where email like 'ann.%'").fetchone()[0] == 0
    assert find_traces([tmp_path], ["ann.planted@example.com"]) == [
        f"{database}: its bytes hold 'ann.planted@example.com'"
    ]


def test_find_traces_reads_text_files_as_html_and_json_write_them(tmp_path):
    (tmp_path / "page.html").write_text("<p>I don&#x27;t know</p>")
    (tmp_path / "data.json").write_text(json.dumps({"text": "Zoë wrote"}))
    (tmp_path / "clean.log").write_text("nothing here\n")
    assert find_traces([tmp_path], ["I don't know", "zoë wrote"]) == [
        f"{tmp_path / 'data.json'}: its text holds 'zoë wrote'",
        f'{tmp_path / "page.html"}: its text holds "i don\'t know"',
    ]


def test_find_personal_data_flags_emails_phones_and_private_handles_only(tmp_path):
    serving = tmp_path / "serving.duckdb"
    with duckdb.connect(str(serving)) as connection:
        connection.execute(
            "create table messages as select * from (values"
            " ('zendesk:7000018219', '@acmehelp thanks, see @user', 'p_' || repeat('ab', 16)),"
            " ('x:2026252753302475979', 'mail me at ann.p@example.com', 'acmehelp'),"
            " ('segment:1e22dcff-0469-4761-8427-e0ab6261068f', 'call +44 20 7946 0958 please', null),"
            " ('x:2', 'or 555-123-4567, ask @AnnPrivate', 'annprivate')"
            ") t(message_key, body, social_handle)"
        )
    findings = find_personal_data(serving)
    assert [finding.split(":")[0] for finding in findings] == [
        "main.messages.body",
        "main.messages.body",
        "main.messages.body",
        "main.messages.social_handle",
    ]
    assert "1 values with an email address" in findings[0]
    assert "2 values with a phone number" in findings[1]
    assert "1 values with a private @handle, e.g. 'or 555-123-4567, ask @AnnPrivate'" in findings[2]
    assert "1 values with a handle in clear, e.g. 'annprivate'" in findings[3]


def test_this_machines_airflow_task_logs_are_scrubbed_too(tmp_path, monkeypatch):
    from pipeline.publish.pseudonyms import PseudonymKey

    task_logs = tmp_path / "airflow" / "logs" / "dag_id=ingest_crm" / "run_id=manual" / "task_id=load"
    task_logs.mkdir(parents=True)
    log = task_logs / "attempt=1.log"
    log.write_text("refused sample: Ann.Lee@example.com in crm_contacts\nloaded 120 rows\n")
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    monkeypatch.delenv("AIRFLOW__LOGGING__BASE_LOG_FOLDER", raising=False)
    paths = paths_in(tmp_path / "run", tmp_path / "landing", monkeypatch)
    person = Person("ann.lee@example.com", identifiers=frozenset({"ann.lee@example.com"}))
    counts = scrub_copies(paths, person, PseudonymKey(b"a key for this test only", "test"))
    assert "ann.lee" not in log.read_text().lower() and "loaded 120 rows" in log.read_text()
    assert any(label.startswith("logs/") for label in counts)
