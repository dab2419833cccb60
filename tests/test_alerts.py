"""Alerts (pipeline/alerts.py) fired by Airflow itself against local servers on 127.0.0.1: a webhook receiver
(http.server in a thread) and an SMTP server (aiosmtpd).

- task failure and quality-gate failure: tiny DAGs in tests/alert_dags/failures run by dag.test() in-process;
- deadline: a real api-server, dag-processor and scheduler (LocalExecutor, SQLite, own AIRFLOW_HOME) run a DAG
  whose task outlasts its deadline; the executor runs the DeadlineAlert's SyncCallback;
- an undeliverable alert is logged and never raised.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import html
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import psutil
import pytest

from pipeline import alerts
from tests.local_servers import free_port

ALERT_DAGS = Path(__file__).resolve().parent / "alert_dags"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TOKEN = "s3cret-token"
ALERT_ENV = (
    alerts.WEBHOOK_URL_ENV,
    alerts.WEBHOOK_TOKEN_ENV,
    alerts.EMAIL_TO_ENV,
    alerts.REPORTS_BASE_URL_ENV,
    "AIRFLOW_CONN_OUTCOMES_ALERTS",
    "AIRFLOW_CONN_OUTCOMES_SMTP",
    *(f"OUTCOMES_SMTP_{name}" for name in ("HOST", "PORT", "FROM", "TO", "USER", "PASSWORD", "STARTTLS")),
)
DEADLINE_WAIT_SECONDS = 90


class WebhookReceiver(ThreadingHTTPServer):
    """Records each POST (path, headers, JSON body) and answers with `status`."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), WebhookHandler)
        self.requests: list[dict] = []
        self.status = 200
        self.received = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/outcomes"

    def bodies(self, kind: str | None = None) -> list[dict]:
        return [request["json"] for request in self.requests if kind is None or request["json"]["kind"] == kind]


class WebhookHandler(BaseHTTPRequestHandler):
    server: WebhookReceiver

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(body)})
        self.send_response(self.server.status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
        self.server.received.set()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def webhook():
    server = WebhookReceiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_alert_config(monkeypatch):
    for name in ALERT_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def smtp_env(monkeypatch, no_alert_config, smtp_server):
    """The weekly report's SMTP settings, without its recipients: alerts bring their own."""
    controller, handler = smtp_server
    monkeypatch.setenv("OUTCOMES_SMTP_HOST", controller.hostname)
    monkeypatch.setenv("OUTCOMES_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("OUTCOMES_SMTP_FROM", "airflow@acme.test")
    return handler


def dags_in_own_bundle(folder: Path, monkeypatch) -> dict:
    """The DAGs of `folder`, configured as the only DAG bundle so that dag.test() syncs (parses) just them."""
    from airflow.dag_processing.dagbag import DagBag

    bundle = {
        "name": f"alert-test-{folder.name}",
        "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
        "kwargs": {"path": str(folder)},
    }
    monkeypatch.setenv("AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST", json.dumps([bundle]))
    dagbag = DagBag(dag_folder=str(folder))
    assert not dagbag.import_errors, dagbag.import_errors
    return dagbag.dags


@pytest.fixture
def failure_dags(airflow_db, monkeypatch):
    return dags_in_own_bundle(ALERT_DAGS / "failures", monkeypatch)


def task_states(dag_run) -> dict[str, str]:
    from airflow.utils.session import create_session

    with create_session() as session:
        return {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances(session=session)}


def read_mail(envelope) -> email.message.EmailMessage:
    return email.message_from_bytes(envelope.content, policy=email.policy.default)


def test_task_failure_alert_by_webhook_and_email_from_the_airflow_connection(
    failure_dags, webhook, smtp_env, monkeypatch
):
    connection = {
        "conn_type": "http",
        "host": "127.0.0.1",
        "port": webhook.server_address[1],
        "password": TOKEN,
        "extra": {"path": "/hooks/outcomes", "to": "oncall@acme.test, data@acme.test"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_OUTCOMES_ALERTS", json.dumps(connection))

    dag_run = failure_dags["alert_task_failure"].test()

    assert str(dag_run.state) == "failed"
    assert task_states(dag_run) == {"explode": "failed"}
    assert len(webhook.requests) == 1
    request = webhook.requests[0]
    assert request["path"] == "/hooks/outcomes"
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    body = request["json"]
    assert body["kind"] == "task_failure"
    assert (body["dag_id"], body["task_id"], body["run_id"], body["try_number"]) == (
        "alert_task_failure",
        "explode",
        dag_run.run_id,
        1,
    )
    run_path = f"/dags/alert_task_failure/runs/{urllib.parse.quote(dag_run.run_id)}"
    assert body["log_url"].endswith(f"{run_path}/tasks/explode?try_number=1")
    assert "RuntimeError: the export API answered 503 three times" in body["exception"]
    assert body["data_docs"] is None
    for part in ("alert_task_failure.explode", dag_run.run_id, "try 1", "503 three times", body["log_url"]):
        assert part in body["text"]

    assert len(smtp_env.envelopes) == 1
    envelope = smtp_env.envelopes[0]
    assert sorted(envelope.rcpt_tos) == ["data@acme.test", "oncall@acme.test"]
    message = read_mail(envelope)
    assert "alert_task_failure.explode" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert body["log_url"] in text and dag_run.run_id in text
    assert f'href="{html.escape(body["log_url"])}"' in message.get_body(preferencelist=("html",)).get_content()


def test_quality_gate_failure_alert_links_the_data_docs(failure_dags, webhook, smtp_env, monkeypatch, tmp_path):
    reports = tmp_path / "reports"
    data_docs = reports / "quality" / "data_docs" / "index.html"
    data_docs.parent.mkdir(parents=True)
    data_docs.write_text("<html>GX</html>")
    monkeypatch.setenv("ALERT_TEST_DATA_DOCS", str(data_docs))
    monkeypatch.setenv("OUTCOMES_REPORTS_DIR", str(reports))
    monkeypatch.setenv(alerts.REPORTS_BASE_URL_ENV, "https://reports.acme.test/outcomes/")
    monkeypatch.setenv(alerts.WEBHOOK_URL_ENV, webhook.url)
    monkeypatch.setenv(alerts.WEBHOOK_TOKEN_ENV, TOKEN)
    monkeypatch.setenv(
        "AIRFLOW_CONN_OUTCOMES_ALERTS", json.dumps({"conn_type": "email", "extra": {"to": "dq@acme.test"}})
    )

    dag_run = failure_dags["alert_quality_gate"].test()

    assert task_states(dag_run) == {"quality_gate": "failed"}
    (body,) = webhook.bodies()
    web_url = "https://reports.acme.test/outcomes/quality/data_docs/index.html"
    assert body["kind"] == "quality_gate_failure"
    assert (body["dag_id"], body["task_id"], body["run_id"], body["stage"]) == (
        "alert_quality_gate",
        "quality_gate",
        dag_run.run_id,
        "marts",
    )
    assert body["data_docs"] == str(data_docs)
    assert body["data_docs_url"] == data_docs.as_uri()
    assert body["data_docs_web_url"] == web_url
    assert "QualityGateFailed: Quality gate failed on the marts" in body["exception"]
    assert "fct_interactions: duplicates" in body["exception"]
    assert web_url in body["text"] and "Quality gate failed on the marts" in body["text"]

    (envelope,) = smtp_env.envelopes
    assert envelope.rcpt_tos == ["dq@acme.test"]
    text = read_mail(envelope).get_body(preferencelist=("plain",)).get_content()
    assert web_url in text and data_docs.as_uri() in text


def failure_context(**overrides) -> dict:
    ti = SimpleNamespace(
        dag_id="social_outcomes",
        task_id="ingest",
        run_id="manual__2026-03-09",
        try_number=4,
        log_url="http://127.0.0.1:8080/dags/social_outcomes/runs/manual__2026-03-09/tasks/ingest?try_number=4",
    )
    return {"ti": ti, "run_id": ti.run_id, "exception": OSError("disk full"), **overrides}


def test_undeliverable_webhook_is_logged_and_never_raises(webhook, no_alert_config, monkeypatch, caplog):
    webhook.status = 500
    monkeypatch.setenv(alerts.WEBHOOK_URL_ENV, webhook.url)
    monkeypatch.setattr(alerts, "RETRY_WAIT_SECONDS", 0.01)

    with caplog.at_level(logging.WARNING, logger="pipeline.alerts"):
        assert alerts.task_failure_alert(failure_context()) is None

    assert len(webhook.requests) == alerts.ATTEMPTS  # 5xx is retried, then given up
    (record,) = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert "could not be delivered by webhook" in record.getMessage()
    assert "gave up after 3 attempts: HTTP 500" in record.getMessage()
    assert "social_outcomes.ingest" in record.getMessage()  # the alert itself is in the log


def test_refused_connection_and_missing_smtp_are_logged(no_alert_config, monkeypatch, caplog):
    monkeypatch.setenv(alerts.WEBHOOK_URL_ENV, f"http://127.0.0.1:{free_port()}/nobody-listens")
    monkeypatch.setenv(alerts.EMAIL_TO_ENV, "oncall@acme.test")  # and no SMTP server configured
    monkeypatch.setattr(alerts, "RETRY_WAIT_SECONDS", 0.01)

    with caplog.at_level(logging.WARNING, logger="pipeline.alerts"):
        outcomes = alerts.send_alert(alerts.alert_from_task_context(failure_context()))
        alerts.task_failure_alert(failure_context())

    assert outcomes["webhook"].startswith("failed: gave up after 3 attempts: ConnectionError")
    assert outcomes["email"].startswith("failed: alert email configured but no SMTP server")
    messages = [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR]
    assert sum("by webhook" in message for message in messages) == 2
    assert sum("by email" in message for message in messages) == 2


def test_nothing_configured_only_logs_a_warning(no_alert_config, caplog):
    with caplog.at_level(logging.WARNING, logger="pipeline.alerts"):
        assert alerts.send_alert(alerts.alert_from_task_context(failure_context())) == {}
    (record,) = caplog.records
    assert record.levelno == logging.WARNING and "No alert channel configured" in record.getMessage()
    assert "social_outcomes.ingest" in record.getMessage()


def test_webhook_url_from_an_http_connection():
    def connection(**fields):
        values = {"conn_type": "http", "host": None, "port": None, "schema": None, "password": None}
        return SimpleNamespace(**{**values, **fields, "extra_dejson": fields.pop("extra", {})})

    hook = alerts.webhook_from_connection(connection(host="hooks.acme.test", extra={"path": "alerts/airflow"}))
    assert (hook.url, hook.token) == ("http://hooks.acme.test/alerts/airflow", None)
    hook = alerts.webhook_from_connection(connection(host="https://u:p@hooks.acme.test", port=8443, password="t"))
    assert (hook.url, hook.token, hook.display_url) == (
        "https://u:p@hooks.acme.test:8443",
        "t",
        "https://hooks.acme.test:8443",
    )
    assert alerts.webhook_from_connection(connection(conn_type="email", host="smtp.acme.test")) is None


def test_ingest_retries_are_exponential_after_serialization(airflow_db):
    from airflow.sdk import DAG, task
    from airflow.serialization.serialized_objects import DagSerialization

    with DAG("retry_policy_check", schedule=None) as dag:
        task(lambda: None, task_id="ingest", **alerts.INGEST_RETRIES)()
    scheduled = DagSerialization.deserialize_dag(DagSerialization.serialize_dag(dag)).get_task("ingest")
    assert scheduled.retries == 3
    assert scheduled.retry_exponential_backoff == 2.0  # a float multiplier in Airflow 3; 1.0 would mean constant
    assert scheduled.retry_delay == timedelta(minutes=1)
    assert scheduled.max_retry_delay == timedelta(minutes=10)


def test_outcomes_smtp_connection_serves_alert_email(smtp_server, no_alert_config, monkeypatch):
    controller, handler = smtp_server
    smtp = {"conn_type": "smtp", "host": "127.0.0.1", "port": controller.port, "extra": {"from": "af@acme.test"}}
    monkeypatch.setenv("AIRFLOW_CONN_OUTCOMES_SMTP", json.dumps(smtp))  # no `to`: alerts bring their recipients
    monkeypatch.setenv(alerts.EMAIL_TO_ENV, "oncall@acme.test")

    assert alerts.send_alert(alerts.alert_from_task_context(failure_context())) == {"email": "sent to 1 recipient(s)"}
    (envelope,) = handler.envelopes
    assert envelope.mail_from == "af@acme.test" and envelope.rcpt_tos == ["oncall@acme.test"]
    assert "social_outcomes.ingest" in read_mail(envelope)["Subject"]


def deadline_context(state: str) -> dict:
    """What the scheduler stores for a missed deadline (Deadline.handle_miss): the run as the REST API shows it."""
    run = {"dag_id": "social_outcomes", "dag_run_id": "scheduled__2026-03-09T00:00:00+00:00", "state": state}
    return {"dag_run": {**run, "logical_date": "2026-03-09T00:00:00Z"}, "deadline": {"deadline_time": "2026-03-09"}}


def test_deadline_of_a_run_that_already_failed_is_not_alerted_by_default(webhook, no_alert_config, monkeypatch):
    monkeypatch.setenv(alerts.WEBHOOK_URL_ENV, webhook.url)
    alerts.deadline_missed_alert(context=deadline_context("failed"), interval="2:00:00", alert_failed_runs=False)
    assert webhook.requests == []
    alerts.deadline_missed_alert(context=deadline_context("failed"), interval="2:00:00", alert_failed_runs=True)
    alerts.deadline_missed_alert(context=deadline_context("running"), interval="2:00:00")
    assert [body["details"]["state"] for body in webhook.bodies("deadline_missed")] == ["failed", "running"]


def test_deadlines_off_lets_dag_test_finish_a_successful_run(airflow_db, monkeypatch):
    """Airflow 3.3.2: dag.test() of a DAG with `deadline=` crashes once the run succeeds (apache/airflow#73428);
    OUTCOMES_ALERT_DEADLINES=off leaves the deadline out, for `airflow dags test` and tests."""
    monkeypatch.setenv(alerts.DEADLINES_ENV, "off")
    monkeypatch.setenv("ALERT_TEST_TASK_SECONDS", "0")
    dag = dags_in_own_bundle(ALERT_DAGS / "deadline", monkeypatch)["alert_deadline"]
    assert not dag.deadline
    assert str(dag.test().state) == "success"


# --- the deadline alert, fired by a real scheduler ----------------------------------------------------------------


def airflow_env(home: Path, api_port: int, webhook: WebhookReceiver) -> dict[str, str]:
    # conftest turns deadlines off for dag.test(); this scheduler must see the DAG's deadline.
    env = {key: value for key, value in os.environ.items() if key not in (*ALERT_ENV, alerts.DEADLINES_ENV)}
    connection = {
        "conn_type": "http",
        "host": "127.0.0.1",
        "port": webhook.server_address[1],
        "password": TOKEN,
        "extra": {"path": "/hooks/outcomes"},
    }
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "PYTHONPATH": str(PROJECT_ROOT),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ALERT_DAGS / "deadline"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "2",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(api_port),
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{api_port}",
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API_AUTH__JWT_SECRET": "alert-test-jwt-secret-0123456789abcdef",
            "AIRFLOW__API__SECRET_KEY": "alert-test-secret-key",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW_CONN_OUTCOMES_ALERTS": json.dumps(connection),
            # The task must reach the Execution API or it fails, ending the run before its deadline: let its
            # client keep retrying (up to about 40 s) while the api-server, started at the same time, comes up.
            "AIRFLOW__WORKERS__EXECUTION_API_RETRIES": "10",
            "AIRFLOW__WORKERS__EXECUTION_API_RETRY_WAIT_MAX": "5",
            "ALERT_TEST_DEADLINE_SECONDS": "3",
            "ALERT_TEST_TASK_SECONDS": "120",
        }
    )
    return env


def start(command: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    with open(log_path, "wb") as log_file:
        return subprocess.Popen(
            command, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True, cwd=PROJECT_ROOT
        )


def stop_all(processes: list[subprocess.Popen]) -> list[int]:
    """Terminate every process started and all their descendants (the task runners Airflow starts in sessions of
    their own too), then kill what is left; returns the pids still alive afterwards (none expected)."""

    def tree() -> list[psutil.Process]:
        found = []
        for process in processes:
            try:
                root = psutil.Process(process.pid)
                found += [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
        return found

    members = tree()
    for member in members:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.terminate()
    _, alive = psutil.wait_procs(members, timeout=2)  # a scheduler with a running task takes longer: no matter
    for member in alive + [m for m in tree() if m not in members]:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.kill()
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    _, alive = psutil.wait_procs(members, timeout=5)
    return [member.pid for member in alive if _running(member)]


def _running(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def test_deadline_alert_fires_from_a_real_scheduler(webhook, tmp_path):
    home, api_port = tmp_path / "airflow_home", free_port()
    home.mkdir()
    env = airflow_env(home, api_port, webhook)
    airflow = str(BIN / "airflow")
    subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True, cwd=PROJECT_ROOT)

    processes: list[subprocess.Popen] = []
    logs = {name: tmp_path / f"{name}.log" for name in ("api-server", "dag-processor", "scheduler")}
    try:
        for name in ("api-server", "dag-processor", "scheduler"):
            processes.append(start([airflow, name], env, logs[name]))

        webhook.received.wait(timeout=DEADLINE_WAIT_SECONDS)
        time.sleep(0.5)  # a second, duplicate alert would show up by now
    finally:
        survivors = stop_all(processes)

    diagnostics = "\n".join(f"--- {name}\n{tail(path)}" for name, path in logs.items())
    assert webhook.requests, f"no deadline alert within {DEADLINE_WAIT_SECONDS} s\n{diagnostics}"
    assert not survivors, f"processes left running: {survivors}"
    (request,) = webhook.requests
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    body = request["json"]
    assert body["kind"] == "deadline_missed"
    assert body["dag_id"] == "alert_deadline"
    assert body["run_id"].startswith("scheduled__")
    assert body["log_url"].startswith(f"http://127.0.0.1:{api_port}/dags/alert_deadline/runs/scheduled__")
    assert body["deadline_time"] and body["details"]["interval"] == "0:00:03"
    assert body["details"]["state"] in ("queued", "running")
    assert "Deadline missed: DAG alert_deadline" in body["text"] and body["run_id"] in body["text"]
