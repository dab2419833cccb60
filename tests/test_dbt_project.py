"""dbt build on a temporary warehouse: every raw table staged, data tests and unit tests run, bad data fails."""

from __future__ import annotations

import json

import duckdb
import pytest

from pipeline import dbt_build


@pytest.fixture(scope="module")
def run_results(built_warehouse) -> list[dict]:
    return json.loads((built_warehouse.dbt_target_dir / "run_results.json").read_text())["results"]


def test_build_runs_seeds_models_data_tests_and_unit_tests(run_results):
    kinds = {result["unique_id"].split(".")[0] for result in run_results}
    assert {"seed", "model", "test", "unit_test"} <= kinds
    assert {result["status"] for result in run_results} <= {"success", "pass"}
    unit_tests = [result["unique_id"] for result in run_results if result["unique_id"].startswith("unit_test.")]
    assert len(unit_tests) >= 3


def test_every_raw_table_has_a_staging_model(built_warehouse):
    with duckdb.connect(str(built_warehouse.warehouse_path), read_only=True) as connection:
        raw = {
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables"
                " where table_schema = 'raw' and not starts_with(table_name, '_')"
            ).fetchall()
        }
        # Connector staging (stg_fivetran_*) reads the connectors' own schemas, not raw.
        staged = {
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables"
                " where table_schema = 'staging' and not starts_with(table_name, 'stg_fivetran_')"
            ).fetchall()
        }
    # raw table prefix -> staging family; exceptions are the tables whose name is not <prefix><entity>
    prefixes = {
        "x_": "x",
        "zendesk_": "zendesk",
        "crm_": "crm",
        "community_": "community",
        "olist_": "olist",
        "maven_": "maven_crm",
        "file_drop_": "file_drops",
    }
    exceptions = {
        "reviews": "stg_reviews__reviews",
        "segment_events": "stg_segment__events",
        "email_events": "stg_email__events",
        "call_center_calls": "stg_call_center__calls",
        "twcs_tweets": "stg_twcs__tweets",
        "olist_marketing_qualified_leads": "stg_olist_marketing__qualified_leads",
        "olist_closed_deals": "stg_olist_marketing__closed_deals",
        "x_own_tweets": "stg_x__own_tweet_pulls",  # one row per tweet per pull
    }
    expected = set()
    for table in raw:
        if table in exceptions:
            expected.add(exceptions[table])
            continue
        prefix = next(prefix for prefix in prefixes if table.startswith(prefix))
        expected.add(f"stg_{prefixes[prefix]}__{table.removeprefix(prefix)}")
    assert len(raw) == 38
    assert expected == staged


def test_staging_keeps_the_latest_version_of_each_ticket(built_warehouse):
    with duckdb.connect(str(built_warehouse.warehouse_path), read_only=True) as connection:
        raw_versions, raw_tickets = connection.execute(
            "select count(*), count(distinct id) from raw.zendesk_tickets"
        ).fetchone()
        staged = connection.execute("select count(*) from staging.stg_zendesk__tickets").fetchone()[0]
        stale = connection.execute(
            """
            select count(*) from staging.stg_zendesk__tickets as staged
            join (select id, max(cast(updated_at as timestamptz)) as latest from raw.zendesk_tickets group by id) as raw
                on staged.ticket_id = raw.id
            where staged.updated_at != cast(raw.latest at time zone 'UTC' as timestamp)
            """
        ).fetchone()[0]
    assert raw_versions > raw_tickets == staged
    assert stale == 0


def test_a_channel_without_sla_target_fails_the_build(warehouse_copy):
    with duckdb.connect(str(warehouse_copy.warehouse_path)) as connection:
        connection.execute(
            """
            insert into raw.zendesk_tickets
            select * replace (id + 1000000 as id, json_object('channel', 'fax') as via)
            from raw.zendesk_tickets limit 1
            """
        )
    with pytest.raises(dbt_build.DbtBuildFailed, match="first_response_target_minutes"):
        dbt_build.build(warehouse_copy, select="+fct_care_conversations")


def test_a_ticket_deleted_at_the_source_is_soft_deleted_and_leaves_the_mart(warehouse_copy):
    with duckdb.connect(str(warehouse_copy.warehouse_path)) as connection:
        ticket_id = connection.execute("select min(id) from raw.zendesk_tickets").fetchone()[0]
        connection.execute(
            """
            insert into raw.zendesk_tickets
            select * replace ('deleted' as status, '2026-06-30T23:00:00Z' as updated_at, md5('deleted') as _record_hash)
            from raw.zendesk_tickets where id = ? limit 1
            """,
            [ticket_id],
        )
    dbt_build.build(warehouse_copy)
    with duckdb.connect(str(warehouse_copy.warehouse_path), read_only=True) as connection:
        staged = connection.execute(
            "select status, is_deleted from staging.stg_zendesk__tickets where ticket_id = ?", [ticket_id]
        ).fetchone()
        in_mart = connection.execute(
            "select count(*) from marts.fct_care_conversations where conversation_id = ?", [f"zendesk:{ticket_id}"]
        ).fetchone()[0]
    assert staged == ("deleted", True)
    assert in_mart == 0


def test_a_crm_change_opens_a_new_account_version_and_closes_the_old_one(warehouse_copy):
    with duckdb.connect(str(warehouse_copy.warehouse_path)) as connection:
        account_id, industry = connection.execute(
            "select Id, Industry from raw.crm_accounts order by Id limit 1"
        ).fetchone()
        connection.execute(
            """
            insert into raw.crm_accounts
            select * replace ('Aerospace' as Industry, '2027-01-01T00:00:00.000Z' as LastModifiedDate,
                md5('aerospace') as _record_hash)
            from raw.crm_accounts where Id = ? limit 1
            """,
            [account_id],
        )
    dbt_build.build(warehouse_copy, select="+dim_accounts")
    with duckdb.connect(str(warehouse_copy.warehouse_path), read_only=True) as connection:
        versions = connection.execute(
            "select industry, is_current, valid_to is null from marts.dim_accounts where account_key = ?"
            " order by valid_from",
            [f"crm:{account_id}"],
        ).fetchall()
        unchanged = connection.execute(
            "select count(*) from marts.dim_accounts where account_key != ? group by account_key having count(*) > 1",
            [f"crm:{account_id}"],
        ).fetchall()
    assert versions == [(industry, False, False), ("Aerospace", True, True)]
    assert unchanged == []
