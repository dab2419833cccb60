"""HubSpot and Salesforce connector schemas (Fivetran) built into the canonical entities and the marts: every count
and sum is computed again from the raw fixture CSVs (tests/fixtures/fivetran/{hubspot,salesforce})."""

from __future__ import annotations

import duckdb
import pytest

from tests.fivetran_fixtures import build_on_fixtures, csv_query

CONNECTORS = ["hubspot", "salesforce"]

# Live rows of the fixtures, written independently of the models: a deleted flag set means gone, a contact merged
# into another (listed in its hs_merged_object_ids) is that other one.
HUBSPOT_LIVE = {
    "contacts": """
        select count(*) from contact
        where not coalesce(cast(_fivetran_deleted as boolean), false)
            and cast(id as varchar) not in (
                select trim(unnest(string_split(cast(property_hs_merged_object_ids as varchar), ';'))) from contact
                where not coalesce(cast(_fivetran_deleted as boolean), false)
                    and property_hs_merged_object_ids is not null
            )
    """,
    "accounts": "select count(*) from company where not coalesce(cast(is_deleted as boolean), false)",
    "opportunities": "select count(*) from deal where not coalesce(cast(is_deleted as boolean), false)",
    # Calls, logged emails and meetings (notes and tasks are left out), and every marketing email event.
    "touchpoints": """
        select
            (select count(*) from engagement_call where not coalesce(cast(_fivetran_deleted as boolean), false))
            + (select count(*) from engagement_email where not coalesce(cast(_fivetran_deleted as boolean), false))
            + (select count(*) from engagement_meeting)
            + (select count(*) from email_event)
    """,
}

# Salesforce: in the recycle bin (is_deleted) is deleted; under history mode only the active version counts.
SALESFORCE_LIVE_ROW = (
    "not coalesce(cast(is_deleted as boolean), false) and coalesce(cast(_fivetran_active as boolean), true)"
)

SALESFORCE_LIVE = {
    "contacts": """
        select
            (select count(*) from contact where not coalesce(cast(is_deleted as boolean), false))
            + (select count(*) from lead where not coalesce(cast(is_deleted as boolean), false)
                and not coalesce(cast(is_converted as boolean), false))
    """,
    "accounts": f"select count(*) from account where {SALESFORCE_LIVE_ROW}",
    "opportunities": f"select count(*) from opportunity where {SALESFORCE_LIVE_ROW}",
    "touchpoints": "select count(*) from task where not coalesce(cast(is_deleted as boolean), false)",
}

LIVE = {"hubspot": HUBSPOT_LIVE, "salesforce": SALESFORCE_LIVE}

OPPORTUNITY_SUMS = {
    "hubspot": """
        select
            sum(cast(deal.property_amount as decimal(18, 2))),
            sum(case when cast(stage.closed_won as boolean) then cast(deal.property_amount as decimal(18, 2)) end)
        from deal
        left join deal_pipeline_stage as stage
            on cast(deal.deal_pipeline_stage_id as varchar) = cast(stage.stage_id as varchar)
            and not coalesce(cast(stage._fivetran_deleted as boolean), false)
        where not coalesce(cast(deal.is_deleted as boolean), false)
    """,
    "salesforce": f"""
        select
            sum(cast(amount as decimal(18, 2))),
            sum(case when cast(is_won as boolean) then cast(amount as decimal(18, 2)) end)
        from opportunity
        where {SALESFORCE_LIVE_ROW}
    """,
}


# Journey touchpoints reach fct_touchpoints through fct_interactions (web, email and voice only) when they name a
# person or an account.
def linked_engagements(table: str, soft_deletes: bool = True) -> str:
    """Live engagements of one type linked to a contact or a company: each is a journey touchpoint."""
    live = "not coalesce(cast(engagements._fivetran_deleted as boolean), false)" if soft_deletes else "true"
    return f"""(select count(*) from {table} as engagements
            where {live} and exists (
                select 1 from engagement_contact where engagement_contact.engagement_id = engagements.engagement_id
                union all
                select 1 from engagement_company where engagement_company.engagement_id = engagements.engagement_id
            ))"""


# Marketing email events with a recipient, and the calls, logged emails and meetings linked to someone.
HUBSPOT_JOURNEY = f"""
    select
        (select count(*) from email_event where recipient is not null)
        + {linked_engagements("engagement_call")}
        + {linked_engagements("engagement_email")}
        + {linked_engagements("engagement_meeting", soft_deletes=False)}  -- its fixture has no _fivetran_deleted
"""
# Every live task (calls, emails, to-dos) of a contact, a lead or an account.
SALESFORCE_JOURNEY = """
    select count(*) from task
    where not coalesce(cast(is_deleted as boolean), false)
        and (who_id is not null or account_id is not null or what_id like '001%')
"""


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    paths = build_on_fixtures(tmp_path_factory.mktemp("fivetran_crm"), CONNECTORS)
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as connection:
        yield connection


def one(connection, sql: str, *parameters):
    return connection.execute(sql, list(parameters)).fetchone()


def fixture_value(sql: str, connector: str):
    return csv_query(sql, connector)[0]


@pytest.mark.parametrize("connector", CONNECTORS)
@pytest.mark.parametrize("entity", ["contacts", "accounts", "opportunities", "touchpoints"])
def test_canonical_rows_are_the_live_source_rows(warehouse, connector, entity):
    (expected,) = fixture_value(LIVE[connector][entity], connector)
    (built,) = one(
        warehouse, f"select count(*) from intermediate.int_canonical__{entity} where source_system = ?", connector
    )
    assert built == expected


def test_fixture_counts_are_the_ones_documented():
    # The numbers the DECISIONLOG quotes; a changed fixture shows up here first.
    assert {entity: fixture_value(sql, "hubspot")[0] for entity, sql in HUBSPOT_LIVE.items()} == {
        "contacts": 19,
        "accounts": 24,
        "opportunities": 44,
        "touchpoints": 202,
    }
    assert {entity: fixture_value(sql, "salesforce")[0] for entity, sql in SALESFORCE_LIVE.items()} == {
        "contacts": 4,
        "accounts": 1,
        "opportunities": 0,
        "touchpoints": 10,
    }


@pytest.mark.parametrize("connector", CONNECTORS)
def test_opportunity_amounts_and_won_amounts_match_the_source(warehouse, connector):
    expected_total, expected_won = fixture_value(OPPORTUNITY_SUMS[connector], connector)
    built_total, built_won = one(
        warehouse,
        """
        select sum(amount), sum(case when is_won then amount end)
        from intermediate.int_canonical__opportunities where source_system = ?
        """,
        connector,
    )
    assert built_total == expected_total
    assert built_won == expected_won


def test_keys_are_unique(warehouse):
    for table, key in [
        ("int_canonical__opportunities", "opportunity_key"),
        ("int_canonical__touchpoints", "touchpoint_key"),
        ("int_canonical__contacts", "contact_key"),
        ("int_canonical__accounts", "account_key"),
    ]:
        rows, keys = one(
            warehouse,
            f"select count(*), count(distinct {key}) from intermediate.{table}"
            " where source_system in ('hubspot', 'salesforce')",
        )
        assert rows == keys, table


@pytest.mark.parametrize("connector", CONNECTORS)
def test_dimensions_carry_every_account_and_contact(warehouse, connector):
    for dimension, entity in [("dim_accounts", "accounts"), ("dim_contacts", "contacts")]:
        (expected,) = fixture_value(LIVE[connector][entity], connector)
        (built,) = one(
            warehouse, f"select count(*) from marts.{dimension} where source_system = ? and is_current", connector
        )
        assert built == expected, dimension


def test_touchpoints_reach_the_journey_fact(warehouse):
    (hubspot,) = fixture_value(HUBSPOT_JOURNEY, "hubspot")
    (salesforce,) = fixture_value(SALESFORCE_JOURNEY, "salesforce")
    built = dict(
        warehouse.execute(
            """
            select split_part(touchpoint_key, ':', 1), count(*) from marts.fct_touchpoints
            where split_part(touchpoint_key, ':', 1) in ('hubspot', 'salesforce')
            group by 1
            """
        ).fetchall()
    )
    assert built.get("hubspot", 0) == hubspot
    assert built.get("salesforce", 0) == salesforce


def test_hubspot_marketing_email_events_keep_their_type_and_recipient(warehouse):
    expected = sorted(
        csv_query(
            "select 'email_' || lower(type), lower(recipient), count(*) from email_event group by all",
            "hubspot",
        )
    )
    built = sorted(
        warehouse.execute(
            """
            select touchpoint_type, contact_email, count(*) from intermediate.int_canonical__touchpoints
            where source_system = 'hubspot' and touchpoint_id like 'email_event:%'
            group by all
            """
        ).fetchall()
    )
    assert built == expected


def test_salesforce_tasks_point_at_their_contact_or_lead_and_account(warehouse):
    expected = sorted(
        csv_query(
            """
            select
                cast(id as varchar),
                case when who_id like '00Q%' then 'salesforce:lead:' || who_id else 'salesforce:' || who_id end,
                'salesforce:' || account_id
            from task where not coalesce(cast(is_deleted as boolean), false)
            """,
            "salesforce",
        )
    )
    built = sorted(
        warehouse.execute(
            """
            select touchpoint_id, contact_key, account_key from intermediate.int_canonical__touchpoints
            where source_system = 'salesforce'
            """
        ).fetchall()
    )
    assert built == expected
