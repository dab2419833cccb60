"""Generic CSV, JSONL and Parquet drops declared in configuration: contract, quarantine, audit, canonical mapping."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import duckdb
import pytest

import ingest
from ingest.file_drops import FileDropConfigError, load_config
from pipeline import dbt_build
from tests.conftest import paths_in

# Quarantine is tested here on tiny files; the share of a file that may be refused has its own tests.
pytestmark = pytest.mark.usefixtures("any_refused_share")

CONFIG = """
file_drops:
  - name: nps_survey
    format: csv
    glob: "drops/nps/*.csv"
    columns: [response_id, email, score, comment, submitted_at]
    types: {score: BIGINT}
    required: [response_id, score, submitted_at]
    event_time: submitted_at
    canonical:
      entity: interactions
      columns:
        interaction_id: response_id
        channel: {value: survey}
        direction: {value: inbound}
        actor_id: email
        occurred_at: submitted_at
        body: comment
  - name: hubspot_contacts
    format: jsonl
    glob: "drops/hubspot/contacts-*.jsonl"
    columns: [id, email, company_id, firstname, lastname, createdate]
    required: [id]
    event_time: createdate
    canonical:
      entity: contacts
      columns:
        contact_id: id
        email: email
        account_key: {column: company_id, prefix: "hubspot_companies:"}
        full_name: firstname
        created_at: createdate
  - name: shop_orders
    format: parquet
    glob: "drops/shop/*.parquet"
    columns: [order_id, customer_email, total, placed_at, items]
    types: {items: JSON}
    required: [order_id, placed_at]
    event_time: placed_at
    canonical:
      entity: touchpoints
      columns:
        touchpoint_id: order_id
        contact_email: customer_email
        channel: {value: web}
        touchpoint_type: {value: order}
        occurred_at: placed_at
        amount: total
        currency: {value: EUR}
  - name: switched_off
    enabled: false
    format: csv
    glob: "never/*.csv"
    columns: [a]
"""

NPS = """\
response_id,email,score,comment,submitted_at,channel_hint
n-1,ana@example.com,9,Fast answer on X,2025-03-01T10:00:00Z,x
n-2,bo@example.com,ten,Typo in the score,2025-03-02T10:00:00Z,web
n-3,cy@example.com,3,"Waited two days,
then nobody called",2025-03-03T10:00:00Z,phone
n-1,ana@example.com,9,Fast answer on X,2025-03-01T10:00:00Z,x
n-4,di@example.com,7,Dated in 1900,1900-01-01T00:00:00Z,web
"""


def contacts_page(*records: dict) -> bytes:
    return b"".join(json.dumps(record).encode() + b"\n" for record in records)


def write_landing(root: Path) -> tuple[Path, Path]:
    landing = root / "landing"
    (landing / "drops" / "nps").mkdir(parents=True)
    (landing / "drops" / "hubspot").mkdir(parents=True)
    (landing / "drops" / "shop").mkdir(parents=True)
    (landing / "drops" / "nps" / "2025-03.csv").write_text(NPS)
    (landing / "drops" / "hubspot" / "contacts-1.jsonl").write_bytes(
        contacts_page(
            {
                "id": "101",
                "email": "Ana@Example.com",
                "company_id": "9",
                "firstname": "Ana",
                "createdate": "2025-01-01",
            },
            {"email": "nobody@example.com", "createdate": "2025-01-02"},
        )
        + b'{"id": "103", "email": "cut@exa'
    )
    with duckdb.connect() as con:
        con.execute(
            "COPY (SELECT * FROM (VALUES ('o-1', 'ana@example.com', 12.5, TIMESTAMP '2025-03-04 09:00:00', "
            "[{'sku': 'A', 'qty': 2}]), ('o-2', NULL, 40.0, TIMESTAMP '2025-03-05 09:00:00', [])) "
            "AS t(order_id, customer_email, total, placed_at, items)) "
            f"TO '{landing / 'drops' / 'shop' / 'orders.parquet'}' (FORMAT parquet)"
        )
    config = root / "sources.yml"
    config.write_text(CONFIG)
    return landing, config


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("drops")
    landing, config = write_landing(root)
    saved = {key: value for key, value in os.environ.items() if key.startswith("OUTCOMES_")}
    paths = paths_in(root, landing)
    try:
        report = ingest.load_landing(landing, paths.warehouse_path, sources_config=config)
        rerun = ingest.load_landing(landing, paths.warehouse_path, sources_config=config)
        dbt_build.build(paths)
    finally:
        for key in [key for key in os.environ if key.startswith("OUTCOMES_")]:
            del os.environ[key]
        os.environ.update(saved)
    return report, rerun, paths


def query(paths, sql: str) -> list[tuple]:
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_each_drop_loads_with_audit_that_adds_up(loaded):
    report, _, paths = loaded
    nps, contacts, orders = (
        report.entities[f"drop_{name}"] for name in ("nps_survey", "hubspot_contacts", "shop_orders")
    )
    assert (nps.rows_read, nps.rows_loaded, nps.rows_quarantined, nps.rows_duplicate) == (5, 2, 2, 1)
    assert nps.new_columns == ["channel_hint"]
    assert (contacts.rows_read, contacts.rows_loaded, contacts.rows_quarantined) == (3, 1, 2)
    assert (orders.rows_read, orders.rows_loaded, orders.rows_quarantined) == (2, 2, 0)
    assert "drop_switched_off" not in report.entities
    audits = query(paths, "SELECT rows_read, rows_loaded, rows_quarantined, rows_duplicate FROM raw._ingest_audit")
    assert audits and all(read == ok + bad + dup for read, ok, bad, dup in audits)


def test_bad_rows_are_quarantined_with_their_reason(loaded):
    _, _, paths = loaded
    reasons = sorted(reason for (reason,) in query(paths, "SELECT reason FROM raw._quarantine"))
    assert any(reason.startswith("score is not an integer: ten") for reason in reasons)
    assert any("submitted_at out of range" in reason for reason in reasons)
    assert any("missing required field id" in reason for reason in reasons)
    assert any(reason.startswith("invalid JSON at line 3") for reason in reasons)


def test_extra_columns_and_nested_parquet_values_are_kept(loaded):
    _, _, paths = loaded
    extra = query(paths, "SELECT _extra_fields ->> 'channel_hint' FROM raw.drop_nps_survey WHERE response_id = 'n-1'")
    assert extra == [("x",)]
    items = query(paths, "SELECT items FROM raw.drop_shop_orders WHERE order_id = 'o-1'")[0][0]
    assert json.loads(items) == [{"sku": "A", "qty": 2}]
    text = query(paths, "SELECT comment FROM raw.drop_nps_survey WHERE response_id = 'n-3'")[0][0]
    assert text == "Waited two days,\nthen nobody called"


def test_a_rerun_adds_nothing(loaded):
    _, rerun, paths = loaded
    for name in ("nps_survey", "hubspot_contacts", "shop_orders"):
        counts = rerun.entities[f"drop_{name}"]
        assert counts.files_skipped == counts.files_found == 1 and counts.rows_loaded == 0
    assert query(paths, "SELECT count(*) FROM raw.drop_nps_survey") == [(2,)]


def test_mapped_drops_reach_the_canonical_entities(loaded):
    _, _, paths = loaded
    interactions = query(
        paths,
        "SELECT interaction_key, channel, direction, actor_id, occurred_at::VARCHAR, body "
        "FROM intermediate.int_canonical__interactions WHERE source_system = 'nps_survey' ORDER BY 1",
    )
    assert interactions == [
        ("nps_survey:n-1", "survey", "inbound", "ana@example.com", "2025-03-01 10:00:00", "Fast answer on X"),
        (
            "nps_survey:n-3",
            "survey",
            "inbound",
            "cy@example.com",
            "2025-03-03 10:00:00",
            "Waited two days,\nthen nobody called",
        ),
    ]
    contacts = query(
        paths,
        "SELECT contact_key, account_key, email FROM intermediate.int_canonical__contacts "
        "WHERE source_system = 'hubspot_contacts'",
    )
    assert contacts == [("hubspot_contacts:101", "hubspot_companies:9", "Ana@Example.com")]
    orders = query(
        paths,
        "SELECT touchpoint_key, amount, currency, contact_email FROM intermediate.int_canonical__touchpoints "
        "WHERE source_system = 'shop_orders' ORDER BY 1",
    )
    assert [(key, float(amount), currency, email) for key, amount, currency, email in orders] == [
        ("shop_orders:o-1", 12.5, "EUR", "ana@example.com"),
        ("shop_orders:o-2", 40.0, "EUR", None),
    ]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{name: x, format: xlsx, glob: a, columns: [a]}", "format must be one of"),
        ("{name: Bad-Name, format: csv, glob: a, columns: [a]}", "name must be lower-case"),
        ("{name: x, format: csv, columns: [a]}", "glob is required"),
        ("{name: x, format: csv, glob: a, columns: [a], required: [b]}", "'b' is not a declared column"),
        ("{name: x, format: csv, glob: a, columns: [a], types: {a: FLOAT}}", "types.a must name"),
        ("{name: x, format: csv, glob: a, columns: [a], canonical: {entity: leads}}", "canonical.entity must be"),
        (
            "{name: x, format: csv, glob: a, columns: [a], canonical: {entity: accounts, columns: {name: a}}}",
            "accounts has no column 'name'",
        ),
        (
            "{name: x, format: csv, glob: a, columns: [a], canonical: {entity: accounts, columns: {account_name: a}}}",
            "must map account_id",
        ),
    ],
)
def test_invalid_configuration_is_a_clear_error(tmp_path, entry, message):
    config = tmp_path / "sources.yml"
    config.write_text(textwrap.dedent(f"file_drops:\n  - {entry}\n"))
    with pytest.raises(FileDropConfigError, match=message):
        load_config(config)


def test_the_shipped_example_drop_is_valid_and_off():
    shipped = Path(__file__).resolve().parent.parent / "config" / "sources.yml"
    assert load_config(shipped) == []


def test_a_csv_drop_can_keep_bare_carriage_returns_in_text(tmp_path):
    """Exports written like twcs.csv (a bare CR inside an unquoted value) load whole with `bare_cr_in_text`."""
    landing = tmp_path / "landing"
    (landing / "drops").mkdir(parents=True)
    (landing / "drops" / "posts.csv").write_bytes(
        b"post_id,text,posted_at\r\n1,first line\rsecond line,2017-10-31 22:10:47 -0800\r\n2,plain,2017-11-01\r\n"
    )
    config = tmp_path / "sources.yml"
    config.write_text(
        textwrap.dedent(
            """
            file_drops:
              - name: posts
                format: csv
                bare_cr_in_text: true
                glob: "drops/*.csv"
                columns: [post_id, text, posted_at]
                required: [post_id]
                event_time: posted_at
            """
        )
    )
    warehouse = tmp_path / "warehouse.duckdb"
    report = ingest.load_landing(landing, warehouse, sources_config=config)
    assert (report.rows_loaded, report.rows_quarantined) == (2, 0)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        texts = con.execute("SELECT text FROM raw.drop_posts ORDER BY post_id").fetchall()
    assert texts == [("first line\rsecond line",), ("plain",)]
