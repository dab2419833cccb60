"""The dashboard and the weekly report show no personal data: every customer text they could show is planted with a
known contact's name, email and handle, a phone number and a personal link, and the rendered HTML, text and JSON hold
none of them (nor any contact's name, email, handle or id), only the masks and the brand's own handles."""

from __future__ import annotations

import dataclasses
import html
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline import publish
from pipeline.outputs import privacy_mask, weekly_report
from pipeline.outputs.dashboard import build

TEMPLATES = [
    Path(build.__file__).parent / build.TEMPLATE,
    weekly_report.TEMPLATES_DIR / weekly_report.HTML_TEMPLATE,
    weekly_report.TEMPLATES_DIR / weekly_report.TEXT_TEMPLATE,
]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
HANDLE = re.compile(r"(?<![\w.])@(\w+)")
PHONE = "+44 20 7946 0958"
PERSONAL_PATH = "/orders/991"


def planted_sentences(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """One sentence per contact with a handle: their name, email, handle, a phone number and a personal link."""
    contacts = connection.execute(
        "select full_name, email, social_handle from marts.dim_contacts"
        " where full_name is not null and email is not null and social_handle is not null"
        " order by contact_key limit 12"
    ).fetchall()
    assert contacts
    return [
        f"Hi, {name} here: {name.split()[0]} writes from {email}, call {PHONE}, see"
        f" https://shop.example.com{PERSONAL_PATH}?u={handle} @{handle} @acmehelp"
        for name, email, handle in contacts
    ]


def plant(warehouse_path: Path) -> None:
    """Every text the outputs could show, in the warehouse's marts, ends with a planted sentence."""
    with duckdb.connect(str(warehouse_path)) as connection:
        sentences = planted_sentences(connection)
        pick = "$sentences[cast(hash({key}) % len($sentences) as bigint) + 1]"
        updates = [
            ("fct_interactions", "body", "interaction_key"),
            ("mart_feedback_routing", "body", "feedback_key"),
            ("fct_social_posts", "post_text", "social_post_key"),
            *(("mart_term_trends", f"example_message_{index}", "term") for index in (1, 2, 3)),
        ]
        for table, column, key in updates:
            connection.execute(
                f"update marts.{table} set {column} = {column} || ' ' || {pick.format(key=key)}"
                f" where {column} is not null",
                {"sentences": sentences},
            )


@pytest.fixture(scope="module")
def planted(tmp_path_factory, built_warehouse):
    """A published copy of the demo warehouse whose customer texts carry personal data; no SMTP configured."""
    root = tmp_path_factory.mktemp("outputs_privacy")
    paths = dataclasses.replace(
        built_warehouse,
        warehouse_path=root / "warehouse" / "outcomes.duckdb",
        serving_path=root / "serving" / "outcomes.duckdb",
        reports_dir=root / "reports",
    )
    paths.dbt_target_dir.mkdir(parents=True)
    shutil.copy(built_warehouse.warehouse_path, paths.warehouse_path)
    shutil.copy(built_warehouse.dbt_target_dir / "manifest.json", paths.dbt_target_dir / "manifest.json")
    plant(paths.warehouse_path)
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in ("HOST", "PORT", "FROM", "TO", "USER", "PASSWORD", "STARTTLS"):
            monkeypatch.delenv(f"OUTCOMES_SMTP_{name}", raising=False)
        monkeypatch.delenv("AIRFLOW_CONN_OUTCOMES_SMTP", raising=False)
        publish.publish(paths)
        yield paths


@pytest.fixture(scope="module")
def contacts(planted) -> dict[str, set[str]]:
    """What identifies the known contacts, from the warehouse (the serving copy no longer has it)."""
    with duckdb.connect(str(planted.warehouse_path), read_only=True) as connection:
        rows = connection.execute(
            "select full_name, email, social_handle, contact_id from marts.dim_contacts"
        ).fetchall()
        accounts = connection.execute("select account_name from marts.dim_accounts").fetchall()
    return {
        # Companies, not people: the revenue-at-risk chart names them (demo names like "Jones & Co 22").
        "account_names": {name for (name,) in accounts if name},
        "brand_handles": set(privacy_mask.brand_handles(planted.warehouse_path)),
        "names": {name for name, *_ in rows if name},
        "name_words": {word for name, *_ in rows if name for word in name.split() if len(word) >= 2},
        "emails": {email for _, email, _, _ in rows if email},
        "handles": {handle.lower() for _, _, handle, _ in rows if handle},
        "ids": {contact_id for *_, contact_id in rows if contact_id},
    }


@pytest.fixture(scope="module")
def dashboard(planted) -> str:
    return Path(build.build(planted).page).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report(planted) -> dict[str, str]:
    result = weekly_report.build_and_send(planted)
    return {
        "html": Path(result["html"]).read_text(encoding="utf-8"),
        "text": Path(result["text"]).read_text(encoding="utf-8"),
        "json": json.dumps(result, default=str),
    }


def handles_in(text: str) -> set[str]:
    return {handle.lower() for handle in HANDLE.findall(text)}


def without_account_names(document: str, account_names: set[str]) -> str:
    for name in sorted(account_names, key=len, reverse=True):
        document = document.replace(name, "").replace(html.escape(name, quote=False), "")
    return document


def assert_no_personal_data(document: str, contacts: dict[str, set[str]]) -> None:
    document = without_account_names(document, contacts["account_names"])
    assert not EMAIL.findall(document)
    allowed = contacts["brand_handles"] | {
        handle for template in TEMPLATES for handle in handles_in(template.read_text())
    }
    assert handles_in(document) <= allowed
    assert PHONE not in document and PERSONAL_PATH not in document
    assert not [name for name in contacts["names"] if name in document]
    assert not [word for word in contacts["name_words"] if re.search(rf"\b{re.escape(word)}\b", document)]
    assert not [contact_id for contact_id in contacts["ids"] if contact_id in document]
    assert not [email for email in contacts["emails"] if email in document]
    lowered = document.lower()
    assert not [handle for handle in contacts["handles"] if re.search(rf"\b{re.escape(handle)}\b", lowered)]


def test_the_planted_texts_reach_the_serving_file_with_the_names_in_clear(planted, contacts):
    """Without the outputs' mask the names would show: the serving copy redacts addresses, not names."""
    with duckdb.connect(str(planted.serving_path), read_only=True) as connection:
        bodies = [body for (body,) in connection.execute("select body from mart_feedback_routing").fetchall()]
    assert all(any(name in body for name in contacts["names"]) for body in bodies)


def test_the_dashboard_shows_no_personal_data(dashboard, contacts):
    assert "[name]" in dashboard and "@acmehelp" in dashboard  # the planted texts are shown, masked
    assert_no_personal_data(dashboard, contacts)


@pytest.mark.parametrize("part", ["html", "text", "json"])
def test_the_weekly_report_shows_no_personal_data(report, contacts, part):
    assert "[name]" in report[part] and "@acmehelp" in report[part]
    assert_no_personal_data(report[part], contacts)


def test_the_mask_keeps_brand_handles_and_masks_names_and_addresses():
    mask = privacy_mask.TextMask(frozenset({"chloe", "kim", "o'brien"}), frozenset({"acmehelp"}))

    masked = mask(
        "Chloe Kim: chloe.kim@co1.example.com, @chloekim, +1 (555) 123-4567, 020 7946 0958 or"
        " https://x.example/c/9?u=1 thanks @AcmeHelp; Sean O'Brien, chloe and KIM on 2026-03-09"
    )

    assert masked == (
        "[name] [name]: [email], @[user], [phone], [phone] or https://x.example/[path] thanks @AcmeHelp;"
        " Sean [name], chloe and [name] on 2026-03-09"
    )
    assert mask(None) is None
    assert privacy_mask.TextMask(None, frozenset())("Chloe") == privacy_mask.WITHHELD


def test_without_a_source_of_names_the_example_texts_are_withheld(planted, tmp_path):
    serving = tmp_path / "serving" / "outcomes.duckdb"
    serving.parent.mkdir()
    shutil.copy(planted.serving_path, serving)

    mask = privacy_mask.load(serving, tmp_path / "no-warehouse.duckdb")

    assert mask.names is None and mask("Hi, Chloe here") == privacy_mask.WITHHELD
    assert mask.brand_text("Thanks @chloekim, mail us at help@acme.example") == "Thanks @[user], mail us at [email]"
    assert privacy_mask.load(serving).names  # the release names the warehouse it came from
