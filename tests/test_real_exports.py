"""The whole DAG on a folder of real exports alone (no demo data): Olist, the Olist marketing funnel, Maven CRM and
twcs excerpts, each with its quirks, checked against independent readings of the files with pandas."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import ingest
from ingest.registry import ENTITIES
from pipeline import dbt_build, run_all
from pipeline.publish import privacy
from tests.conftest import paths_in
from tests.scan_personal import find_personal_data
from tests.test_pipeline_e2e import task_states

EXPORTS = Path(__file__).parent / "fixtures" / "realdata"
SHARED_SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "realdata"
REAL_ENTITIES = [entity for entity in ENTITIES if entity.table.startswith(("olist", "maven", "twcs"))]


def read(path: Path) -> pd.DataFrame:
    """Independent reading: every field as text, blanks kept as empty strings, BOM dropped."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def read_twcs(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, lineterminator="\n", index_col=0)


def expected_records(landing: Path) -> dict[str, int]:
    counts = {}
    for entity in REAL_ENTITIES:
        reader = read_twcs if entity.table == "twcs_tweets" else read
        counts[entity.table] = sum(len(reader(path)) for path in entity.files(landing))
    return counts


@pytest.fixture(scope="module")
def exports_run(airflow_db, tmp_path_factory):
    """`make run DATA=<folder>`, as the DAG sees it: the landing folder is the exports folder."""
    root = tmp_path_factory.mktemp("exports")
    landing = root / "exports"
    shutil.copytree(EXPORTS, landing)
    monkeypatch = pytest.MonkeyPatch()
    paths = paths_in(root, landing, monkeypatch)
    monkeypatch.setenv("OUTCOMES_FRESHNESS", "off")  # as `make run DATA=...` sets: the archives are years old
    dag_run = run_all.run_pipeline()["social_outcomes"]
    yield dag_run, task_states(dag_run), paths
    monkeypatch.undo()


def query(path: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).df()


def test_the_dag_runs_on_real_exports_alone(exports_run):
    dag_run, states, paths = exports_run
    assert str(dag_run.state) == "success", states
    summary = json.loads(paths.run_summary_path.read_text())
    published = summary["stages"]["publish"]["tables"]["fct_care_conversations"]
    sources = query(paths.serving_path, "select distinct source_system from fct_care_conversations")
    assert published > 0 and sources["source_system"].tolist() == ["twcs"]


def test_every_record_of_every_export_is_accounted_for(exports_run):
    _, _, paths = exports_run
    audit = query(
        paths.warehouse_path,
        "select entity, sum(rows_read) as read, sum(rows_loaded) as loaded, sum(rows_quarantined) as quarantined,"
        " sum(rows_duplicate) as duplicate from raw._ingest_audit group by entity",
    ).set_index("entity")
    assert (audit["read"] == audit["loaded"] + audit["quarantined"] + audit["duplicate"]).all()
    expected = pd.Series(expected_records(paths.landing_dir))
    assert audit["read"].reindex(expected.index).tolist() == expected.tolist()
    assert audit["quarantined"].sum() == 0


def test_olist_quirks_are_repaired_in_staging(exports_run):
    _, _, paths = exports_run
    customers = read(paths.landing_dir / "olist" / "olist_customers_dataset.csv")
    assert (customers["customer_zip_code_prefix"].str.len() < 5).any(), "the excerpt keeps the lost zeros"
    staged = query(paths.warehouse_path, "select customer_id, zip_code_prefix from staging.stg_olist__customers")
    expected = customers.set_index("customer_id")["customer_zip_code_prefix"].map(lambda zip_: zip_.zfill(5))
    assert staged.set_index("customer_id")["zip_code_prefix"].sort_index().equals(expected.sort_index())

    products = read(paths.landing_dir / "olist" / "olist_products_dataset.csv")
    assert products["product_name_lenght"].str.endswith(".0").any()
    staged = query(paths.warehouse_path, "select product_id, name_length from staging.stg_olist__products")
    lengths = staged.set_index("product_id")["name_length"]
    for product_id, text in products.set_index("product_id")["product_name_lenght"].items():
        assert (pd.isna(lengths[product_id]) and text == "") or lengths[product_id] == int(float(text))


def test_bom_and_crlf_translation_file_loads_clean(exports_run):
    _, _, paths = exports_run
    raw = (paths.landing_dir / "olist" / "official_catalog" / "product_category_name_translation.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    translations = query(paths.warehouse_path, "select * from staging.stg_olist__category_translations")
    assert len(translations) == 71
    assert not translations["category_name_english"].str.contains("\r").any()
    assert translations["category_name"].notna().all()


def test_olist_local_times_become_utc(exports_run):
    _, _, paths = exports_run
    orders = read(paths.landing_dir / "olist" / "olist_orders_dataset.csv")
    local = pd.to_datetime(orders["order_purchase_timestamp"]).dt.tz_localize("America/Sao_Paulo")
    expected = pd.Series(local.dt.tz_convert("UTC").dt.tz_localize(None).values, index=orders["order_id"])
    staged = query(paths.warehouse_path, "select order_id, purchased_at from staging.stg_olist__orders")
    actual = staged.set_index("order_id")["purchased_at"]
    assert (actual.sort_index() == expected.sort_index()).all()


def test_multi_line_portuguese_reviews_keep_their_text(exports_run):
    _, _, paths = exports_run
    reviews = read(paths.landing_dir / "olist" / "olist_order_reviews_dataset.csv")
    multi_line = reviews[reviews["review_comment_message"].str.contains("\n")]
    assert len(multi_line) >= 20
    staged = query(
        paths.warehouse_path, "select review_id, order_id, review_message from staging.stg_olist__order_reviews"
    )
    merged = multi_line.merge(staged, on=["review_id", "order_id"])
    assert (merged["review_comment_message"] == merged["review_message"]).all() and len(merged) == len(multi_line)


def test_maven_quirks_map_onto_canonical_opportunities(exports_run):
    _, _, paths = exports_run
    pipeline = read(paths.landing_dir / "maven_crm" / "sales_pipeline.csv")
    prices = read(paths.landing_dir / "maven_crm" / "products.csv").set_index("product")["sales_price"].astype(float)
    canonical = query(
        paths.warehouse_path,
        "select opportunity_id, account_key, product_name, amount, is_won"
        " from intermediate.int_canonical__opportunities where source_system = 'maven_crm'",
    ).set_index("opportunity_id")
    assert len(canonical) == len(pipeline)
    assert canonical["account_key"].isna().sum() == (pipeline["account"] == "").sum() > 0
    gtx_pro = pipeline.loc[pipeline["product"] == "GTXPro", "opportunity_id"]
    assert len(gtx_pro) > 0 and (canonical.loc[gtx_pro, "product_name"] == "GTX Pro").all()
    open_deals = pipeline[pipeline["deal_stage"].isin(["Prospecting", "Engaging"])]
    list_price = open_deals["product"].str.replace("GTXPro", "GTX Pro").map(prices)
    assert (canonical.loc[open_deals["opportunity_id"], "amount"].astype(float).values == list_price.values).all()
    won = pipeline[pipeline["deal_stage"] == "Won"]
    assert canonical.loc[won["opportunity_id"], "is_won"].all()
    sectors = query(paths.warehouse_path, "select distinct sector from staging.stg_maven_crm__accounts")["sector"]
    assert "technology" in set(sectors) and "technolgy" not in set(sectors)


def test_olist_maps_onto_canonical_contacts_touchpoints_and_interactions(exports_run):
    _, _, paths = exports_run
    olist = paths.landing_dir / "olist"
    customers, orders = read(olist / "olist_customers_dataset.csv"), read(olist / "olist_orders_dataset.csv")
    payments = read(olist / "olist_order_payments_dataset.csv")
    contacts = query(paths.warehouse_path, "select * from intermediate.int_canonical__contacts")
    assert len(contacts) == customers["customer_unique_id"].nunique()

    paid = payments.assign(value=payments["payment_value"].astype(float)).groupby("order_id")["value"].sum()
    touchpoints = query(
        paths.warehouse_path,
        "select touchpoint_id, amount from intermediate.int_canonical__touchpoints where touchpoint_type = 'order'",
    )
    amounts = touchpoints.set_index(touchpoints["touchpoint_id"].str.removeprefix("order:"))["amount"].astype(float)
    assert len(amounts) == len(orders)
    assert (amounts.loc[paid.index].round(2) == paid.round(2)).all()

    reviews = read(olist / "olist_order_reviews_dataset.csv")
    interactions = query(
        paths.warehouse_path,
        "select source_system, count(*) as n from intermediate.int_canonical__interactions group by all",
    ).set_index("source_system")["n"]
    assert interactions["olist"] == len(reviews)

    deals = read(paths.landing_dir / "olist_marketing_funnel" / "olist_closed_deals_dataset.csv")
    accounts = query(
        paths.warehouse_path,
        "select account_id from intermediate.int_canonical__accounts where source_system = 'olist'",
    )
    assert set(deals["seller_id"]) <= set(accounts["account_id"])


def test_a_second_run_on_the_same_exports_adds_nothing(exports_run):
    _, _, paths = exports_run
    before = query(paths.warehouse_path, "select count(*) as n from raw.olist_orders")["n"][0]
    report = ingest.load_landing(paths.landing_dir, paths.warehouse_path)
    for entity in REAL_ENTITIES:
        counts = report.entities[entity.table]
        assert counts.rows_loaded == 0 and counts.files_skipped == counts.files_found
    assert query(paths.warehouse_path, "select count(*) as n from raw.olist_orders")["n"][0] == before


@pytest.mark.skipif(not SHARED_SAMPLES.is_dir(), reason="../shared/realdata is not beside the project")
def test_the_full_public_samples_load_and_build(tmp_path, monkeypatch):
    paths = paths_in(tmp_path, SHARED_SAMPLES, monkeypatch)
    report = ingest.load_landing(SHARED_SAMPLES, paths.warehouse_path)
    expected = expected_records(SHARED_SAMPLES)
    for table, records in expected.items():
        counts = report.entities[table]
        assert counts.rows_read == records, table
        assert counts.rows_quarantined == 0, table
        assert counts.rows_read == counts.rows_loaded + counts.rows_duplicate, table
    dbt_build.build(paths)
    pipeline = read(SHARED_SAMPLES / "maven_crm" / "sales_pipeline.csv")
    canonical = query(
        paths.warehouse_path,
        "select count(*) as n, count(*) filter (where account_key is null) as blank"
        " from intermediate.int_canonical__opportunities where source_system = 'maven_crm'",
    )
    assert canonical["n"][0] == len(pipeline) == 8800
    assert canonical["blank"][0] == (pipeline["account"] == "").sum() == 1425


OUTCOME_MARTS = [
    "fct_interactions",
    "mart_topic_trends",
    "mart_term_trends",
    "mart_social_care",
    "mart_channel_mix",
    "mart_source_mix",
    "mart_text_coverage",
    "mart_revenue_influence",
    "mart_retention",
    "mart_cost_to_serve",
    "mart_feedback_routing",
    "mart_feedback_backlog",
    "mart_revenue_at_risk",
    "mart_exec_scorecard",
]


def test_outcome_marts_build_and_publish_from_real_exports_alone(exports_run):
    _, _, paths = exports_run
    tables = json.loads(paths.run_summary_path.read_text())["stages"]["publish"]["tables"]
    assert set(OUTCOME_MARTS) <= set(tables)
    # What the content allows: care (twcs), reviews (Olist), opportunities (Maven, Olist funnel), no CRM lifecycle.
    for mart in [
        "fct_interactions",
        "mart_social_care",
        "mart_channel_mix",
        "mart_source_mix",
        "mart_text_coverage",
        "mart_exec_scorecard",
    ]:
        assert tables[mart] > 0, mart
    sentiment = query(
        paths.serving_path,
        "select sentiment_method, count(*) as n from fct_interactions where source_system = 'olist' group by all",
    ).set_index("sentiment_method")["n"]
    # Portuguese reviews the lexicon cannot read fall back to their star rating; none is left without a score.
    assert sentiment.get("star_rating", 0) > 0 and "no_signal" not in sentiment.index
    twcs_brand = query(
        paths.serving_path,
        "select count(*) as n from fct_interactions where source_system = 'twcs' and direction = 'outbound'"
        " and source_class != 'own_brand'",
    )["n"][0]
    assert twcs_brand == 0


def test_the_serving_file_of_real_exports_holds_no_personal_data_in_clear(exports_run):
    """Real tweets to brands carry customers' handles, phone numbers and links; the default serving copy keeps only
    the brands' own handles (the care accounts the export answers from)."""
    _, _, paths = exports_run
    brands = privacy.brand_handles(paths.dbt_project_dir / "seeds" / "brand_accounts.csv", paths.warehouse_path)
    assert set(brands) - set(privacy.brand_handles(paths.dbt_project_dir / "seeds" / "brand_accounts.csv"))
    assert find_personal_data(paths.warehouse_path, brands) != []  # the warehouse holds them: the scan finds them
    assert find_personal_data(paths.serving_path, brands) == []
    for parquet in sorted((paths.serving_path.parent / "parquet").glob("*.parquet")):
        assert find_personal_data(parquet, brands) == [], parquet.name
