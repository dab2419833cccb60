"""Connector data alone, the way README "Already syncing with Fivetran?" sets it up: every connector's fixtures in
one DuckDB file as Fivetran lands them, config/sources.yml pointing at it (`database_path`), and the whole run through
Airflow: source gate (connector freshness), dbt, mart gate, publish, dashboard, weekly report. The per-connector
numbers are checked against the CSVs in tests/test_fivetran_care.py, _crm.py, _journey.py and _social.py; here: every
connector reaches the published marts, through the same gate and publish, and its file is only read."""

from __future__ import annotations

import hashlib

import pytest
import yaml

from pipeline.orchestration.connectors import CONNECTORS
from tests.conftest import PROJECT_ROOT
from tests.fivetran_fixtures import FIXTURES, csv_query, land_duckdb
from tests.source_matrix import assert_every_output_written, run_family

LANDED = sorted(name for name in CONNECTORS if (FIXTURES / name).is_dir())
SOCIAL = ["twitter_organic", "facebook_pages", "instagram_business", "linkedin_pages", "youtube_analytics"]


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def connector_run(airflow_db, tmp_path_factory):
    root = tmp_path_factory.mktemp("fivetran")
    database = land_duckdb(root / "fivetran.duckdb", LANDED)
    before = digest(database)
    settings = yaml.safe_load((PROJECT_ROOT / "config" / "sources.yml").read_text())
    settings["connectors"] = {name: {"enabled": True, "database_path": str(database)} for name in LANDED}
    config = root / "sources.yml"
    config.write_text(yaml.safe_dump(settings, sort_keys=False))
    (root / "landing").mkdir()
    run = run_family(root, root / "landing", config)
    return run, database, before


def test_every_connector_is_landed_for_the_test():
    assert sorted(CONNECTORS) == LANDED


def test_the_run_succeeds_on_connector_data_alone(connector_run):
    run, database, before = connector_run
    assert_every_output_written(run)
    assert digest(database) == before  # attached read-only: the connector's file is never written
    assert f"Connector schemas read ({len(LANDED)}, read-only):" in run.printed
    assert f"  zendesk              schema zendesk of {database}" in run.printed


def published_systems(run, mart: str, column: str = "source_system") -> set[str]:
    return {row[0] for row in run.query(f"select distinct {column} from {mart}")}


def test_each_connector_reaches_the_published_marts(connector_run):
    run, _, _ = connector_run
    assert {"zendesk", "intercom"} <= published_systems(run, "fct_interactions")
    assert {"zendesk", "intercom"} <= published_systems(run, "fct_care_conversations")
    # Klaviyo's and GA4's fixture events name no known person, so they stop at fct_interactions (journey events).
    assert {"klaviyo", "ga4"} <= published_systems(run, "fct_interactions")
    touchpoint_sources = published_systems(run, "fct_touchpoints", "split_part(touchpoint_key, ':', 1)")
    assert {"hubspot", "salesforce"} <= touchpoint_sources
    assert set(SOCIAL) <= published_systems(run, "fct_social_posts")
    accounts = {row[0].split(":")[0] for row in run.query("select account_key from dim_accounts")}
    assert {"zendesk", "hubspot", "salesforce", "intercom"} <= accounts
    assert run.query("select count(*) from mart_social_post_performance")[0][0] > 0
    assert run.query("select count(*) from agg_social_platform_monthly")[0][0] > 0


def test_published_marts_equal_what_dbt_built(connector_run):
    run, _, _ = connector_run
    for mart in ("fct_interactions", "fct_care_conversations", "fct_touchpoints", "fct_social_posts"):
        built = run.query(f"select count(*) from marts.{mart}", serving=False)[0][0]
        assert run.query(f"select count(*) from {mart}")[0][0] == built > 0, mart


def test_zendesk_tickets_become_care_conversations(connector_run):
    run, _, _ = connector_run
    (tickets,) = csv_query("select count(distinct id) from ticket where lower(status) <> 'deleted'", "zendesk")[0]
    published = run.query("select count(*) from fct_care_conversations where source_system = 'zendesk'")[0][0]
    assert published == tickets
