"""The demo generator: deterministic, in the landing contract's shapes, linked to the CRM, with its truths planted."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from demo_data import generate


def digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def pages(folder: Path) -> list[dict]:
    return [json.loads(line) for path in sorted(folder.glob("*.jsonl")) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def landing(demo_landing) -> Path:
    return demo_landing


@pytest.fixture(scope="module")
def manifest(landing) -> dict:
    return json.loads((landing / "manifest.json").read_text())


def test_same_seed_same_bytes_other_seed_other_data(tmp_path, landing):
    generate(tmp_path / "again", scale=0.01, seed=7)
    generate(tmp_path / "other", scale=0.01, seed=8)
    assert digest(tmp_path / "again") == digest(landing)
    assert digest(tmp_path / "other")["x/tweets/2025-01.jsonl"] != digest(landing)["x/tweets/2025-01.jsonl"]


def test_every_source_family_lands_monthly_over_eighteen_months(landing, manifest):
    for folder in ("x/tweets", "x/dm_events", "zendesk/tickets", "zendesk/ticket_events", "segment/events"):
        assert len(list((landing / folder).glob("*.jsonl"))) == 18, folder
    assert len(list((landing / "reviews").glob("*.csv"))) == 18
    for name in ("accounts", "contacts", "opportunities", "customer_lifecycle"):
        assert (landing / "crm" / f"{name}.csv").stat().st_size > 0
    assert manifest["start"] == "2025-01-01" and manifest["end"] == "2026-06-30"
    assert manifest["counts"]["interactions"] > 5_000


def test_x_pages_follow_the_api_v2_shape(landing):
    tweet_pages = pages(landing / "x" / "tweets")
    for page in tweet_pages:
        assert set(page) == {"data", "includes", "meta"}
        authors = {user["id"] for user in page["includes"]["users"]}
        assert {tweet["author_id"] for tweet in page["data"]} <= authors
        assert all("followers_count" in user["public_metrics"] for user in page["includes"]["users"])
    last_pages = [page for page in tweet_pages if "next_token" not in page["meta"]]
    assert len(last_pages) == 18
    replies = [tweet for page in tweet_pages for tweet in page["data"] if "referenced_tweets" in tweet]
    assert replies and all(reply["referenced_tweets"][0]["type"] == "replied_to" for reply in replies)
    assert all(
        "referenced_tweets" not in tweet or tweet["referenced_tweets"] for page in tweet_pages for tweet in page["data"]
    )


def test_tickets_reappear_per_status_change_with_comments_in_events(landing):
    tickets = [ticket for page in pages(landing / "zendesk" / "tickets") for ticket in page["tickets"]]
    versions = pd.DataFrame(tickets).groupby("id")["status"].agg(list)
    assert (versions.str.len() > 1).mean() > 0.8
    assert versions.map(lambda statuses: statuses[0] == "new").all()
    events = [event for page in pages(landing / "zendesk" / "ticket_events") for event in page["ticket_events"]]
    children = [child for event in events for child in event["child_events"]]
    assert {"Comment", "Change"} == {child["event_type"] for child in children}
    assert any(child["event_type"] == "Comment" and not child["public"] for child in children)
    assert len({child["id"] for child in children}) == len(children)


def test_people_link_to_crm_by_email_and_handle(landing):
    contacts = pd.read_csv(landing / "crm" / "contacts.csv", dtype=str, keep_default_na=False)
    handles = set(contacts["Twitter_Handle__c"].str.lower()) - {""}
    emails = set(contacts["Email"].str.lower())
    users = {
        user["id"]: user for page in pages(landing / "x" / "tweets") for user in page["includes"]["users"]
    }.values()
    linked_authors = [user for user in users if user["username"].lower() in handles]
    brands = {"1001", "1002", "1003", "1004"}
    influencers = [u for u in users if u["public_metrics"]["followers_count"] >= 10_000 and u["id"] not in brands]
    assert linked_authors and influencers
    assert not {user["username"].lower() for user in influencers} & handles
    requesters = {user["email"].lower() for page in pages(landing / "zendesk" / "tickets") for user in page["users"]}
    assert requesters & emails and requesters - emails
    segment = [json.loads(line) for path in (landing / "segment" / "events").glob("*.jsonl") for line in path.open()]
    assert {event["userId"] for event in segment} - {None} <= set(contacts["Id"])


def test_planted_truths_are_in_the_manifest_and_in_the_data(landing, manifest):
    truths = manifest["truths"]
    spike = truths["hot_button_spike"]
    assert spike["topic"] == "login_outage" and spike["iso_week"].count("-W") == 1
    assert spike["mentions_in_week"] >= 5 * max(spike["median_weekly_mentions"], 1)
    sla = truths["worst_sla_team"]
    medians = sla["median_first_response_minutes_by_team"]
    assert sla["team"] == "Billing" and medians["Billing"] > 2 * sorted(medians.values())[-2]
    churn = truths["churn_unresolved_negative"]
    assert churn["churn_rate_with_unresolved_negative"] > churn["churn_rate_without"]
    revenue = truths["social_influenced_revenue"]
    assert 0 < revenue["influenced_won_amount"] <= revenue["total_won_amount"]
    opportunities = pd.read_csv(landing / "crm" / "opportunities.csv")
    assert opportunities.loc[opportunities["IsWon"], "Amount"].sum() == pytest.approx(revenue["total_won_amount"])
    lifecycle = pd.read_csv(landing / "crm" / "customer_lifecycle.csv")
    assert lifecycle["churned_at"].notna().sum() > 0


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError, match="scale"):
        generate(tmp_path, scale=0)
    with pytest.raises(ValueError, match="months"):
        generate(tmp_path, months=0)
