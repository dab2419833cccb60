"""The executive dashboard in a real browser: headless Debian Chromium opens it from a local HTTP server on 127.0.0.1;
no console errors, no failed requests, every chart rendered, KPI values equal the serving marts, filters work.
A screenshot is written to test-artifacts/dashboard.png."""

from __future__ import annotations

import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from pipeline import publish
from pipeline.outputs.dashboard import build, charts, kpis

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the stdlib's name)
        pass


@pytest.fixture
def dashboard(warehouse_copy):
    publish.publish(warehouse_copy)
    report = build.build(warehouse_copy)
    folder = Path(report.page).parent
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield warehouse_copy, report, f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()


def test_every_scorecard_kpi_has_a_definition_in_the_decisionlog(warehouse_copy):
    seeds = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "kpi_targets.csv"
    seeded = {line.split(",")[0] for line in seeds.read_text().splitlines()[1:] if line}
    assert seeded and seeded <= set(kpis.definitions())


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is installed by `make test` (Debian package)")
def test_dashboard_renders_in_chromium_with_the_marts_values(dashboard):
    from playwright.sync_api import sync_playwright

    paths, report, url = dashboard
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda request: problems.append(f"failed request: {request.url}"))
        page.on(
            "response", lambda response: response.status >= 400 and problems.append(f"{response.status} {response.url}")
        )
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(url)
        page.wait_for_selector("body[data-rendered]")

        rendered = page.eval_on_selector_all(
            ".chart",
            "nodes => nodes.map(n => [n.id, n.querySelectorAll('.main-svg').length,"
            " n.querySelectorAll('.trace, .table').length])",
        )
        shown = page.eval_on_selector_all(
            ".card", "nodes => nodes.map(n => [n.dataset.kpi, n.querySelector('.value').textContent.trim(), n.title])"
        )

        page.select_option("#segment", "Enterprise")
        page.select_option("#period", "3")
        page.wait_for_selector('body[data-rendered="3|Enterprise"]')
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        browser.close()

    assert problems == []
    assert all(address.startswith(url.rsplit("/", 1)[0]) for address in requested), requested
    assert [chart_id for chart_id, _, _ in rendered] == [chart.chart_id for chart in charts.CHARTS]
    assert all(svgs > 0 and traces > 0 for _, svgs, traces in rendered), rendered

    with duckdb.connect(str(paths.serving_path), read_only=True) as connection:
        latest = {card["kpi"]: card for card in kpis.cards(connection)}
    assert [kpi for kpi, _, _ in shown] == list(latest)
    for kpi, text, definition in shown:
        assert text == kpis.format_value(latest[kpi]["kpi_value"], latest[kpi]["unit"])
        assert definition and definition == latest[kpi]["definition"]
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 50_000


def test_filters_change_what_a_segment_chart_shows(warehouse_copy):
    publish.publish(warehouse_copy)
    with duckdb.connect(str(warehouse_copy.serving_path), read_only=True) as connection:
        latest = connection.execute("select max(month_start) from mart_channel_mix").fetchone()[0]
        everyone = charts.channel_volume(connection, None, None)
        enterprise = charts.channel_volume(connection, None, "Enterprise")
        total = connection.execute("select sum(interactions) from mart_channel_mix").fetchone()[0]
        enterprise_total = connection.execute(
            "select sum(interactions) from mart_channel_mix where segment = 'Enterprise'"
        ).fetchone()[0]
        recent = charts.channel_volume(connection, build.first_month(latest, "3"), None)
    assert sum(sum(trace.y) for trace in everyone.data) == total
    assert sum(sum(trace.y) for trace in enterprise.data) == enterprise_total < total
    assert len({month for trace in recent.data for month in trace.x}) == 3


def test_money_carries_its_currency_on_the_cards_the_report_and_the_summary(warehouse_copy, monkeypatch):
    from pipeline.outputs import money, run_summary, weekly_report

    publish.publish(warehouse_copy)
    monkeypatch.setenv("OUTCOMES_CURRENCY", "eur")
    with duckdb.connect(str(warehouse_copy.serving_path), read_only=True) as connection:
        cards = kpis.cards(connection)
    in_money = [card for card in cards if card["unit"] == "currency"]
    assert in_money, "the demo scorecard has currency KPIs (cost per resolution, savings)"
    for card in in_money:
        assert card["unit_label"] == "EUR" and card["value_text"].startswith(("EUR ", "-EUR "))
        assert card["value_text"] == money.format_money(card["kpi_value"], "EUR")
    report = weekly_report.collect(warehouse_copy.serving_path)
    assert {kpi["value_text"] for kpi in report["outcomes"] if kpi["unit_label"] == "EUR"} == {
        card["value_text"] for card in in_money
    }
    summary = run_summary.format_scorecard(run_summary.scorecard(warehouse_copy.serving_path))
    assert all(any(f"{card['kpi_label']} (EUR)" in line for line in summary) for card in in_money)
    assert money.format_money(1_234_567, "USD") == "USD 1.2M" and money.format_money(2.5, "USD") == "USD 2.50"
    assert money.format_money(-3400, "EUR") == "-EUR 3.4k" and money.format_money(None, "USD") == "-"
    monkeypatch.setenv("OUTCOMES_CURRENCY", "dollars")
    with pytest.raises(ValueError, match="three-letter ISO 4217 code"):
        money.reporting_currency()
