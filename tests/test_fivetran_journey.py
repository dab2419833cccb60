"""Journey touchpoints from the Klaviyo and GA4 connectors: the project built on their fixtures alone, checked against
the raw CSVs (DECISIONLOG "Klaviyo", "GA4")."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from tests.fivetran_fixtures import build_on_fixtures, csv_query

# Klaviyo metric name -> touchpoint_type, for the metrics the fixtures hold (a new one fails test_every_metric_named).
KLAVIYO_TYPES = {"Received Email": "email_delivered", "Placed Order": "order", "Opened Email": "email_open"}
KLAVIYO_CHANNELS = {"email_delivered": "email", "email_open": "email", "order": "web"}
# The default of var `ga4_touchpoint_events`.
GA4_EVENTS = (
    "page_view",
    "session_start",
    "first_visit",
    "sign_up",
    "login",
    "generate_lead",
    "form_submit",
    "view_item",
    "add_to_cart",
    "begin_checkout",
    "add_payment_info",
    "purchase",
    "refund",
)
GA4_LISTED = "name in (" + ", ".join(f"'{name}'" for name in GA4_EVENTS) + ")"

KLAVIYO_EVENTS = "select * from event where not coalesce(_fivetran_deleted, false)"
# An event exported intraday and again daily is one event: GA4 identifies it by these five fields.
GA4_EVENT_KEY = "user_pseudo_id, timestamp, name, bundle_sequence_id, batch_event_index"
GA4_KEPT = f"""
    select * from event where {GA4_LISTED}
    qualify row_number() over (partition by {GA4_EVENT_KEY} order by is_intraday asc, _fivetran_synced desc) = 1"""


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    paths = build_on_fixtures(tmp_path_factory.mktemp("fivetran_journey"), ["klaviyo", "ga4"])
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as connection:
        yield connection


def rows(connection, sql: str) -> list[tuple]:
    return connection.execute(sql).fetchall()


def klaviyo_csv_types() -> dict[str, int]:
    counts = csv_query(f"select type, count(*) from ({KLAVIYO_EVENTS}) group by type", "klaviyo")
    return {name: count for name, count in counts}


def test_every_metric_named():
    assert set(klaviyo_csv_types()) <= set(KLAVIYO_TYPES)


def test_touchpoints_per_source_and_type_equal_the_csvs(warehouse):
    built = rows(
        warehouse,
        """select source_system, touchpoint_type, count(*) from intermediate.int_canonical__touchpoints
        where source_system in ('klaviyo', 'ga4') group by all""",
    )
    expected = {("klaviyo", KLAVIYO_TYPES[name]): count for name, count in klaviyo_csv_types().items()}
    expected |= {
        ("ga4", name): count for name, count in csv_query(f"select name, count(*) from ({GA4_KEPT}) group by 1", "ga4")
    }
    assert {(source, kind): count for source, kind, count in built} == expected
    # The fixtures: 4 Klaviyo events (3 Received Email, 1 Placed Order); 6 GA4 events of which scroll and checkout
    # are not touchpoint events.
    assert sum(count for (source, _), count in expected.items() if source == "klaviyo") == 4
    assert sum(count for (source, _), count in expected.items() if source == "ga4") == 4


def test_channels(warehouse):
    built = rows(
        warehouse,
        """select source_system, channel, count(*) from intermediate.int_canonical__touchpoints
        where source_system in ('klaviyo', 'ga4') group by all""",
    )
    expected: dict[tuple[str, str], int] = {}
    for name, count in klaviyo_csv_types().items():
        key = ("klaviyo", KLAVIYO_CHANNELS[KLAVIYO_TYPES[name]])
        expected[key] = expected.get(key, 0) + count
    expected[("ga4", "web")] = csv_query(f"select count(*) from ({GA4_KEPT})", "ga4")[0][0]
    assert {(source, channel): count for source, channel, count in built} == expected


def test_revenue_equals_the_csvs(warehouse):
    built = dict(
        rows(
            warehouse,
            """select source_system || ':' || coalesce(currency, '-'), sum(amount)
            from intermediate.int_canonical__touchpoints where source_system in ('klaviyo', 'ga4') group by 1""",
        )
    )
    ga4_revenue = csv_query(
        f"select sum(ecommerce_purchase_revenue_in_usd) from ({GA4_KEPT}) where ecommerce_purchase_revenue_in_usd <> 0",
        "ga4",
    )[0][0]
    klaviyo_orders = csv_query(
        f"select sum(property_value) from ({KLAVIYO_EVENTS}) where type = 'Placed Order'", "klaviyo"
    )
    assert built["ga4:USD"] == pytest.approx(Decimal(str(ga4_revenue))) and ga4_revenue == pytest.approx(29.99)
    # The fixture's only Placed Order has no value: no Klaviyo amount at all (property_value of the email events,
    # 15 and 20, is not revenue).
    assert klaviyo_orders == [(None,)] and built == {"ga4:USD": built["ga4:USD"], "ga4:-": None, "klaviyo:-": None}


def test_event_times_equal_the_csvs(warehouse):
    built = dict(
        (source, (first, last))
        for source, first, last in rows(
            warehouse,
            """select source_system, min(occurred_at), max(occurred_at) from intermediate.int_canonical__touchpoints
            where source_system in ('klaviyo', 'ga4') group by 1""",
        )
    )
    assert built["klaviyo"] == tuple(
        csv_query(f'select min("timestamp"), max("timestamp") from ({KLAVIYO_EVENTS})', "klaviyo")[0]
    )
    assert built["ga4"] == tuple(csv_query(f'select min("timestamp"), max("timestamp") from ({GA4_KEPT})', "ga4")[0])


def test_keys_unique(warehouse):
    for table, key in [
        ("intermediate.int_canonical__touchpoints", "touchpoint_key"),
        ("marts.fct_interactions", "interaction_key"),
        ("marts.fct_touchpoints", "touchpoint_key"),
    ]:
        total, distinct = rows(
            warehouse,
            f"select count(*), count(distinct {key}) from {table}"
            f" where split_part({key}, ':', 1) in ('klaviyo', 'ga4')",
        )[0]
        assert total == distinct, table
    ga4_ids = rows(
        warehouse, "select touchpoint_id from intermediate.int_canonical__touchpoints where source_system = 'ga4'"
    )
    assert all(len(touchpoint_id) == 32 for (touchpoint_id,) in ga4_ids)


def test_marts_have_them(warehouse):
    # Email and web touchpoints are interactions (Klaviyo's order is an outcome, in fct_touchpoints only).
    built = dict(
        rows(
            warehouse,
            """select source_system || ':' || direction, count(*) from marts.fct_interactions
            where source_system in ('klaviyo', 'ga4') group by 1""",
        )
    )
    delivered = klaviyo_csv_types().get("Received Email", 0)
    non_orders = sum(count for name, count in klaviyo_csv_types().items() if KLAVIYO_TYPES[name] != "order")
    assert built == {
        "klaviyo:outbound": delivered,
        **({"klaviyo:inbound": non_orders - delivered} if non_orders > delivered else {}),
        "ga4:inbound": csv_query(f"select count(*) from ({GA4_KEPT})", "ga4")[0][0],
    }
    # fct_touchpoints keeps touchpoints of a person: a Klaviyo profile with an email, a GA4 user_id that is one. The
    # fixtures' events name profiles that are not in `person`, and their GA4 user ids are not emails: none.
    with_person = (
        csv_query(
            "select count(*) from event join person on event.person_id = person.id where person.email is not null",
            "klaviyo",
        )[0][0]
        + csv_query(f"select count(*) from ({GA4_KEPT}) where user_id like '%_@_%._%'", "ga4")[0][0]
    )
    in_mart = rows(
        warehouse,
        "select count(*) from marts.fct_touchpoints where split_part(touchpoint_key, ':', 1) in ('klaviyo', 'ga4')",
    )[0][0]
    assert in_mart == with_person == 0
