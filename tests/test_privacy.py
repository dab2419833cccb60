"""The serving copy BI reads is pseudonymised: keyed pseudonyms for person identifiers, no names, redacted texts; the
restricted copy keeps clear values behind owner-only files; publishing refuses real data without a key."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat

import duckdb
import pytest

from pipeline import publish
from pipeline.publish import privacy, pseudonyms, restricted
from pipeline.publish.privacy import ServingPolicy, brand_handles
from pipeline.settings import PROJECT_ROOT

EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z.]{2,}"
KEY = pseudonyms.PseudonymKey(b"a test key of enough bytes", "test")
BRANDS = brand_handles(PROJECT_ROOT / "dbt_project" / "seeds" / "brand_accounts.csv")


def scalar(sql: str, *parameters):
    with duckdb.connect() as connection:
        return connection.execute(sql, list(parameters)).fetchone()[0]


def test_the_sql_pseudonym_is_the_hmac_python_computes():
    for secret in (b"short key of 16b", b"k" * 100):  # a key longer than a SHA-256 block is hashed first (RFC 2104)
        key = pseudonyms.PseudonymKey(secret, "test")
        for value in ("email:ann.lee@example.com", "x:20000139", "Zoë 😀", None):
            assert scalar(f"select {key.sql('?')}", value) == key.pseudonym(value)
    expected = hmac.new(b"short key of 16b", b"x:1", hashlib.sha256).hexdigest()[:32]
    assert pseudonyms.PseudonymKey(b"short key of 16b", "t").pseudonym("x:1") == "p_" + expected.translate(
        str.maketrans("0123456789", "ghijklmnop")
    )


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("@acme thanks for nothing @bob_99", "@acme thanks for nothing @[user]"),
        ("mail Ann.Lee+x@mail.co.uk", "mail [email]"),
        ("call +44 20 7946 0958 or (555) 123-4567", "call [phone] or [phone]"),
        ("or 555.123.4567, 07700 900123, 5551234567", "or [phone], [phone], [phone]"),
        ("order 2024-01-05 at 10:30 for 1,000 dollars", "order 2024-01-05 at 10:30 for 1,000 dollars"),
        (
            "see https://x.com/janedoe/status/1 and www.linkedin.com/in/jd",
            "see https://x.com/[path] and www.linkedin.com/[path]",
        ),
        ("@ACMEHELP refund please", "@ACMEHELP refund please"),
        (None, None),
    ],
)
def test_texts_are_redacted_and_brand_handles_kept(text, redacted):
    policy = ServingPolicy(KEY, {}, BRANDS)
    assert scalar(f"select {policy.redact_sql('?')}", text) == redacted


def test_an_undeclared_text_column_named_like_an_email_is_pseudonymised():
    policy = ServingPolicy(KEY, {"dim_people": {"full_name": "name"}})
    columns = {"person_email": "VARCHAR", "full_name": "VARCHAR", "city": "VARCHAR", "saving_vs_phone": "DOUBLE"}
    assert policy.kinds("dim_people", columns) == {
        "person_email": "identifier",
        "full_name": "name",
    }


def personal_values(serving_file) -> dict[str, int]:
    """Cells holding an email address or an @handle other than the brand's, per table.column."""
    brands = "|".join(BRANDS)
    found = {}
    with duckdb.connect(str(serving_file), read_only=True) as connection:
        columns = connection.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
            " where data_type = 'VARCHAR' or data_type = 'VARCHAR[]'"
        ).fetchall()
        for schema, table, column in columns:
            value = f'cast("{column}" as varchar)'
            count = connection.execute(
                f'select count(*) from "{schema}"."{table}" where regexp_matches({value}, \'{EMAIL}\')'
                f" or regexp_matches(regexp_replace({value}, '(?i)@({brands})\\b|@\\[user\\]', '', 'g'), '@\\w')"
            ).fetchone()[0]
            if count:
                found[f"{table}.{column}"] = count
    return found


def test_the_default_serving_file_holds_no_email_or_private_handle(warehouse_copy):
    assert personal_values(warehouse_copy.warehouse_path) != {}  # the warehouse does: the scan can find them
    publish.publish(warehouse_copy)
    assert personal_values(warehouse_copy.serving_path) == {}
    with duckdb.connect(str(warehouse_copy.serving_path), read_only=True) as serving:
        assert serving.execute("select count(*) from dim_contacts where full_name is not null").fetchone()[0] == 0
        keys = serving.execute("select distinct contact_key from dim_contacts").fetchall()
        assert keys and all(key.startswith("p_") and len(key) == 34 for (key,) in keys)
        # Pseudonyms join across marts as the clear keys did.
        orphans = serving.execute(
            "select count(*) from fct_interactions where contact_key is not null"
            " and contact_key not in (select contact_key from dim_contacts)"
        ).fetchone()[0]
        assert orphans == 0
        comment = serving.execute(
            "select comment from duckdb_columns() where table_name = 'dim_contacts' and column_name = 'email'"
        ).fetchone()[0]
        assert "pseudonym" in comment


def test_pseudonyms_are_stable_across_runs_and_change_with_the_key(warehouse_copy, monkeypatch):
    def contact_keys():
        with duckdb.connect(str(warehouse_copy.serving_path), read_only=True) as serving:
            return sorted(key for (key,) in serving.execute("select contact_key from dim_contacts").fetchall())

    first = publish.publish(warehouse_copy)
    before = contact_keys()
    again = publish.publish(warehouse_copy)
    assert contact_keys() == before
    assert "dim_contacts" in again.reused and again.reused_from == first.release
    monkeypatch.setenv(pseudonyms.KEY_ENV, "another key, also long enough")
    rekeyed = publish.publish(warehouse_copy)
    assert rekeyed.reused == []  # nothing pseudonymised under the old key is carried over
    assert set(contact_keys()).isdisjoint(before)


def test_real_data_without_a_key_is_not_published(warehouse_copy, monkeypatch, tmp_path):
    publish.publish(warehouse_copy)
    current = publish.current_release(warehouse_copy)
    monkeypatch.delenv(pseudonyms.KEY_ENV)
    monkeypatch.setenv("OUTCOMES_LANDING_DIR", str(tmp_path / "exports"))  # not a demo landing folder
    from pipeline.settings import load_paths

    with pytest.raises(pseudonyms.MissingPseudonymKey, match="OUTCOMES_PSEUDONYM_KEY"):
        publish.publish(load_paths())
    assert publish.current_release(warehouse_copy) == current
    assert len(publish.releases(warehouse_copy)) == 1
    monkeypatch.setenv(pseudonyms.KEY_ENV, "too short")
    with pytest.raises(pseudonyms.MissingPseudonymKey, match="at least 16"):
        publish.publish(load_paths())


def test_demo_data_generates_its_own_key_and_says_so(warehouse_copy, monkeypatch, capsys):
    monkeypatch.delenv(pseudonyms.KEY_ENV)
    publish.publish(warehouse_copy)  # warehouse_copy's landing folder is the generated demo
    key_file = warehouse_copy.warehouse_path.parent / pseudonyms.DEMO_KEY_FILE
    assert "generated a pseudonym key" in capsys.readouterr().err
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    first = pseudonyms.load_key(warehouse_copy)
    publish.publish(warehouse_copy)
    assert pseudonyms.load_key(warehouse_copy) == first  # kept, not regenerated
    assert capsys.readouterr().err == ""


def test_the_restricted_copy_keeps_clear_values_for_its_owner_only(warehouse_copy, monkeypatch):
    monkeypatch.setenv(restricted.ENV, "on")
    report = publish.publish(warehouse_copy)
    restricted_paths = restricted.paths_of(warehouse_copy)
    assert report.restricted_release == publish.current_release(restricted_paths)
    with duckdb.connect(str(restricted_paths.serving_path), read_only=True) as serving:
        emails = serving.execute("select count(*) from dim_contacts where email like '%@%'").fetchone()[0]
    with duckdb.connect(str(warehouse_copy.warehouse_path), read_only=True) as warehouse:
        assert (
            emails == warehouse.execute("select count(*) from marts.dim_contacts where email like '%@%'").fetchone()[0]
        )
    assert emails > 0
    root = restricted_paths.serving_path.parent
    for folder, _subfolders, files in os.walk(root):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
        for name in files:
            assert stat.S_IMODE(os.stat(os.path.join(folder, name)).st_mode) == 0o600, name
    assert personal_values(warehouse_copy.serving_path) == {}  # the default copy stays pseudonymised
    publish.publish(warehouse_copy)
    publish.rollback(warehouse_copy)
    assert publish.current_release(restricted_paths) == report.restricted_release


def test_a_bad_restricted_switch_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(restricted.ENV, "maybe")
    with pytest.raises(ValueError, match="OUTCOMES_RESTRICTED_SERVING"):
        restricted.enabled()


def test_texts_can_be_kept_as_written_while_identifiers_stay_pseudonyms(monkeypatch):
    monkeypatch.setenv(privacy.TEXTS_ENV, "clear")
    policy = ServingPolicy(KEY, {"t": {"body": "free_text", "email": "identifier"}}, BRANDS, privacy.redact_texts())
    row = "(select 'call me on 555-123-4567' as body, 'a@b.co' as email)"
    with duckdb.connect() as connection:
        body, email = connection.execute(
            policy.select_sql("t", {"body": "VARCHAR", "email": "VARCHAR"}, row)
        ).fetchone()
    assert body == "call me on 555-123-4567" and email == KEY.pseudonym("a@b.co")
    assert policy.digest("t", {"body": "VARCHAR"}) != ServingPolicy(KEY, policy.columns, BRANDS).digest(
        "t", {"body": "VARCHAR"}
    )
    monkeypatch.setenv(privacy.TEXTS_ENV, "sometimes")
    with pytest.raises(ValueError, match=privacy.TEXTS_ENV):
        privacy.redact_texts()


def test_the_key_can_come_from_the_airflow_connection(monkeypatch, tmp_path):
    from pipeline.settings import load_paths

    monkeypatch.delenv(pseudonyms.KEY_ENV)
    monkeypatch.setenv("OUTCOMES_LANDING_DIR", str(tmp_path))  # not demo data: no generated key to fall back on
    monkeypatch.setenv(
        "AIRFLOW_CONN_OUTCOMES_PSEUDONYM_KEY", '{"conn_type": "generic", "password": "a connection secret, 32 bytes"}'
    )
    key = pseudonyms.load_key(load_paths())
    assert key.origin == "Airflow connection outcomes_pseudonym_key" and key.secret == b"a connection secret, 32 bytes"
