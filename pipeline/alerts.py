"""Alerts: a failed task, a failed quality gate (with a link to its GX Data Docs), and a DAG run that missed its
deadline, sent to a webhook (JSON POST) and/or by email. Plus the retry policy of the ingest tasks.

DAG authors use:

    default_args = {"on_failure_callback": alerts.task_failure_alert}
    @dag(..., deadline=alerts.run_deadline(timedelta(hours=2)))
    task(tasks.ingest_landing, task_id="ingest", **alerts.INGEST_RETRIES)

Channels, each read from the environment first, else from the Airflow connection `outcomes_alerts`:
- webhook: OUTCOMES_ALERT_WEBHOOK_URL (+ OUTCOMES_ALERT_WEBHOOK_TOKEN, sent as a bearer token); else an http
  connection: host (with or without the scheme), optional port and schema, extra `path`, password = bearer token.
- email: OUTCOMES_ALERT_EMAIL_TO (comma-separated); else the connection's extra `to` (a connection of type email or
  smtp carries only that; an http connection may carry it too). Mail goes through the SMTP server of the weekly
  report (OUTCOMES_SMTP_HOST, _PORT, _FROM, _USER, _PASSWORD, _STARTTLS, else the connection `outcomes_smtp`); its
  OUTCOMES_SMTP_TO (or extra `to`) is not used for alerts.
Neither configured: the alert is only logged (a warning). A channel that fails is logged; a callback never raises.

A quality-gate alert links the Data Docs as a file:// URL and, when OUTCOMES_REPORTS_BASE_URL is set (where the
reports folder OUTCOMES_REPORTS_DIR is served), as that URL plus the page's path inside the reports folder.

Deadline alerts are Airflow 3 DeadlineAlerts (experimental since 3.1; SLAs are gone) with a SyncCallback: the
scheduler notices the missed deadline and the executor (LocalExecutor, CeleryExecutor) runs `deadline_missed_alert`
in a supervised subprocess, so `pipeline` must be importable on the workers (PYTHONPATH), as for the tasks. No
triggerer is needed. OUTCOMES_ALERT_DEADLINES=off makes run_deadline() return None (no deadline): needed for
`dag.test()` / `airflow dags test` in Airflow 3.3.2, see run_deadline.
"""

from __future__ import annotations

import html
import logging
import os
import sys
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import requests

from pipeline import http_post

log = logging.getLogger(__name__)

CONNECTION_ID = "outcomes_alerts"
WEBHOOK_URL_ENV, WEBHOOK_TOKEN_ENV, EMAIL_TO_ENV = (
    "OUTCOMES_ALERT_WEBHOOK_URL",
    "OUTCOMES_ALERT_WEBHOOK_TOKEN",
    "OUTCOMES_ALERT_EMAIL_TO",
)
REPORTS_BASE_URL_ENV = "OUTCOMES_REPORTS_BASE_URL"
DEADLINES_ENV = "OUTCOMES_ALERT_DEADLINES"  # "off": run_deadline() gives no deadline (see there)
TASK_FAILURE, QUALITY_GATE_FAILURE, DEADLINE_MISSED = "task_failure", "quality_gate_failure", "deadline_missed"
WEBHOOK_CONN_TYPES = {"http", "https"}
ATTEMPTS = 3
RETRY_WAIT_SECONDS = 0.5  # exponential: 0.5 s then 1 s, so a dead endpoint costs ~2 s plus the timeouts
TIMEOUT = (3.0, 5.0)  # connect, read
EXCEPTION_CHARS = 4000
SUMMARY_CHARS = 300
ERROR_CHARS = 500
QUALITY_GATE_MODULE = "pipeline.quality_gate"

# Ingest reads files and APIs that fail transiently: 3 retries, waiting 1-2 min, then 2-4 min, then 4-8 min (the
# delay doubles each try, and Airflow adds a per-try jitter of up to 100%), never more than 10 min. Airflow 3 takes
# retry_exponential_backoff as a float multiplier (0 = off, 2.0 = doubling; 1.0 would be a constant delay); the
# Airflow 2 form `True` is still accepted only because DAG deserialization maps a bool to 2.0.
INGEST_RETRIES: dict[str, Any] = dict(
    retries=3,
    retry_delay=timedelta(minutes=1),
    retry_exponential_backoff=2.0,
    max_retry_delay=timedelta(minutes=10),
)


@dataclass(frozen=True)
class Webhook:
    url: str
    token: str | None
    source: str

    @property
    def display_url(self) -> str:
        """The URL without any user:password part, for the log."""
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]))


@dataclass(frozen=True)
class Channels:
    webhook: Webhook | None = None
    email_to: tuple[str, ...] = ()

    @property
    def configured(self) -> bool:
        return self.webhook is not None or bool(self.email_to)


@dataclass
class Alert:
    """One alert; `payload()` is the webhook's JSON body, `text` its one-line summary."""

    kind: str
    dag_id: str | None
    task_id: str | None = None
    run_id: str | None = None
    try_number: int | None = None
    logical_date: str | None = None
    log_url: str | None = None
    exception: str | None = None
    data_docs: str | None = None  # the Data Docs index.html of a failed quality gate (a path)
    data_docs_url: str | None = None  # the same as a file:// URL
    data_docs_web_url: str | None = None  # and under OUTCOMES_REPORTS_BASE_URL, when set
    stage: str | None = None
    deadline_time: str | None = None
    text: str = ""
    details: dict = field(default_factory=dict)

    def payload(self) -> dict:
        return asdict(self)

    @property
    def data_docs_link(self) -> str | None:
        return self.data_docs_web_url or self.data_docs_url


class DeliveryError(RuntimeError):
    """An alert channel gave up; the message says why (and after how many attempts)."""


def _addresses(value: str | None) -> tuple[str, ...]:
    return tuple(address.strip() for address in (value or "").split(",") if address.strip())


def _airflow_connection(conn_id: str):
    from pipeline.outputs.weekly_report import airflow_connection

    return airflow_connection(conn_id)


def webhook_from_connection(connection) -> Webhook | None:
    """An http connection as a webhook: host (may carry the scheme), optional port and schema, extra `path`."""
    if connection is None or (connection.conn_type or "").lower() not in WEBHOOK_CONN_TYPES:
        return None
    host = (connection.host or "").rstrip("/")
    if not host:
        return None
    base = host if "://" in host else f"{connection.schema or connection.conn_type or 'http'}://{host}"
    if connection.port:
        base = f"{base}:{connection.port}"
    path = (connection.extra_dejson or {}).get("path") or ""
    url = base + ("/" + path.lstrip("/") if path else "")
    return Webhook(url, connection.password or None, f"Airflow connection {CONNECTION_ID!r}")


def alert_channels() -> Channels:
    """Each channel from the environment first, else from the Airflow connection `outcomes_alerts`."""
    url, recipients = os.environ.get(WEBHOOK_URL_ENV), _addresses(os.environ.get(EMAIL_TO_ENV))
    connection = None if url and recipients else _airflow_connection(CONNECTION_ID)
    webhook = (
        Webhook(url, os.environ.get(WEBHOOK_TOKEN_ENV) or None, f"environment {WEBHOOK_URL_ENV}")
        if url
        else webhook_from_connection(connection)
    )
    if not recipients and connection is not None:
        recipients = _addresses((connection.extra_dejson or {}).get("to"))
    return Channels(webhook, recipients)


# --- building alerts -------------------------------------------------------------------------------------------


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime | date) else str(value)


def _first_line(text: str | None, limit: int = SUMMARY_CHARS) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _exception_text(error) -> str | None:
    if error is None:
        return None
    text = str(error) if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return text[:EXCEPTION_CHARS]


def ui_base_url() -> str:
    """The api-server's UI URL ([api] base_url), as Airflow builds ti.log_url from it."""
    try:
        from airflow.sdk.configuration import conf

        base = conf.get("api", "base_url", fallback=None)
    except Exception:  # noqa: BLE001 - no Airflow configuration: the api-server's default address
        base = None
    return (base or "http://localhost:8080/").rstrip("/")


def run_url(dag_id: str, run_id: str) -> str:
    return f"{ui_base_url()}/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"


def task_url(dag_id: str, run_id: str, task_id: str, try_number: int | None = None) -> str:
    url = f"{run_url(dag_id, run_id)}/tasks/{quote(task_id, safe='')}"
    return f"{url}?try_number={try_number}" if try_number else url


def quality_gate_failure(error: BaseException | None):
    """The QualityGateFailed in the exception's chain, if any.

    Looked up in sys.modules rather than imported: importing the quality gate loads Great Expectations (seconds),
    and an exception of that class can only exist once its module is loaded."""
    module = sys.modules.get(QUALITY_GATE_MODULE)
    gate_class = getattr(module, "QualityGateFailed", None)
    seen = set()
    while gate_class is not None and error is not None and id(error) not in seen:
        if isinstance(error, gate_class):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def data_docs_links(data_docs: str | None) -> tuple[str | None, str | None]:
    """(file:// URL, URL under OUTCOMES_REPORTS_BASE_URL or None) of a Data Docs page."""
    if not data_docs:
        return None, None
    path = Path(data_docs).absolute()
    file_url = path.as_uri()
    base = os.environ.get(REPORTS_BASE_URL_ENV, "").strip()
    if not base:
        return file_url, None
    from pipeline.settings import load_paths

    try:
        relative = path.relative_to(load_paths().reports_dir.absolute())
    except ValueError:
        log.warning("%s is outside the reports folder, so it has no %s URL", path, REPORTS_BASE_URL_ENV)
        return file_url, None
    return file_url, f"{base.rstrip('/')}/{quote(relative.as_posix())}"


def _summary(alert: Alert) -> str:
    where = f"{alert.dag_id}.{alert.task_id}" if alert.task_id else str(alert.dag_id)
    run = f"run {alert.run_id}" + (f", try {alert.try_number}" if alert.try_number else "")
    if alert.kind == QUALITY_GATE_FAILURE:
        stage = f" on the {alert.stage}" if alert.stage else ""
        return (
            f"Quality gate failed{stage}: {where} ({run}): {_first_line(alert.exception)}"
            f" | GX report: {alert.data_docs_link or 'none written'} | Log: {alert.log_url}"
        )
    if alert.kind == DEADLINE_MISSED:
        return (
            f"Deadline missed: DAG {alert.dag_id} ({run}) had not finished by {alert.deadline_time}"
            f" (state: {alert.details.get('state')}) | Run: {alert.log_url}"
        )
    return f"Task failed: {where} ({run}): {_first_line(alert.exception)} | Log: {alert.log_url}"


def alert_from_task_context(context) -> Alert:
    """The alert for a failed task instance, from the context Airflow passes to on_failure_callback."""
    ti = context.get("ti") or context.get("task_instance")
    dag = context.get("dag")
    dag_id = getattr(ti, "dag_id", None) or getattr(dag, "dag_id", None)
    task_id = getattr(ti, "task_id", None) or getattr(context.get("task"), "task_id", None)
    run_id = context.get("run_id") or getattr(ti, "run_id", None)
    try_number = getattr(ti, "try_number", None)
    logical_date = context.get("logical_date") or getattr(context.get("dag_run"), "logical_date", None)
    try:
        log_url = getattr(ti, "log_url", None)
    except Exception:  # noqa: BLE001 - a property reading the configuration: fall back to building it
        log_url = None
    if not log_url and dag_id and run_id and task_id:
        log_url = task_url(dag_id, run_id, task_id, try_number)
    error = context.get("exception")
    alert = Alert(
        kind=TASK_FAILURE,
        dag_id=dag_id,
        task_id=task_id,
        run_id=run_id,
        try_number=try_number,
        logical_date=_iso(logical_date),
        log_url=log_url,
        exception=_exception_text(error),
    )
    gate = quality_gate_failure(error if isinstance(error, BaseException) else None)
    if gate is not None:
        alert.kind, alert.stage, alert.data_docs = QUALITY_GATE_FAILURE, gate.stage, gate.data_docs
        alert.data_docs_url, alert.data_docs_web_url = data_docs_links(gate.data_docs)
    alert.text = _summary(alert)
    return alert


def alert_from_deadline_context(context: dict | None, **kwargs) -> Alert:
    """The alert for a missed deadline, from the simple context the scheduler stores with the callback:
    {"dag_run": <the REST API's DAGRunResponse as JSON>, "deadline": {"id", "deadline_time"}}."""
    context = context or {}
    dag_run = context.get("dag_run") or {}
    deadline = context.get("deadline") or {}
    dag_id, run_id = dag_run.get("dag_id"), dag_run.get("dag_run_id") or dag_run.get("run_id")
    alert = Alert(
        kind=DEADLINE_MISSED,
        dag_id=dag_id,
        run_id=run_id,
        logical_date=_iso(dag_run.get("logical_date")),
        log_url=run_url(dag_id, run_id) if dag_id and run_id else None,
        deadline_time=_iso(deadline.get("deadline_time")),
        details={
            "state": dag_run.get("state"),
            "queued_at": _iso(dag_run.get("queued_at")),
            "start_date": _iso(dag_run.get("start_date")),
            **{key: _iso(value) if isinstance(value, datetime | date) else value for key, value in kwargs.items()},
        },
    )
    alert.text = _summary(alert)
    return alert


# --- delivering alerts -----------------------------------------------------------------------------------------


def post_webhook(webhook: Webhook, alert: Alert, session: requests.Session | None = None) -> str:
    """POST the alert as JSON, retrying transient failures (pipeline/http_post.py); raises when it cannot be
    delivered."""
    headers = {"Authorization": f"Bearer {webhook.token}"} if webhook.token else {}
    outcome = http_post.post_json(
        session or requests,
        webhook.url,
        alert.payload(),
        headers,
        timeout=TIMEOUT,
        attempts=ATTEMPTS,
        wait_seconds=RETRY_WAIT_SECONDS,
        max_wait=4.0,
    )
    if outcome.transient:
        raise DeliveryError(f"gave up after {outcome.attempts} attempts: {outcome.error}")
    if not outcome.ok:
        raise DeliveryError(outcome.error)
    return f"HTTP {outcome.status}"


def _smtp_settings(recipients: tuple[str, ...]):
    """The weekly report's SMTP server (OUTCOMES_SMTP_* or the `outcomes_smtp` connection), to `recipients`."""
    from pipeline.outputs import weekly_report

    if os.environ.get("OUTCOMES_SMTP_HOST"):
        return weekly_report.settings_from_env({**os.environ, "OUTCOMES_SMTP_TO": ", ".join(recipients)})
    connection = weekly_report.airflow_connection(weekly_report.SMTP_CONN_ID)
    if connection is None:
        return None
    with_recipients = SimpleNamespace(
        host=connection.host,
        port=connection.port,
        login=connection.login,
        password=connection.password,
        extra_dejson={**(connection.extra_dejson or {}), "to": ", ".join(recipients)},
    )
    return weekly_report.settings_from_connection(with_recipients)


def _email_bodies(alert: Alert) -> tuple[str, str]:
    labels = {
        "dag_id": "DAG",
        "task_id": "Task",
        "run_id": "Run",
        "try_number": "Try",
        "logical_date": "Logical date",
        "deadline_time": "Deadline",
        "stage": "Quality gate stage",
        "log_url": "Log" if alert.task_id else "Run",
        "data_docs_url": "GX Data Docs",
        "data_docs_web_url": "GX Data Docs (web)",
    }
    rows = [(label, getattr(alert, name)) for name, label in labels.items() if getattr(alert, name) is not None]
    text = "\n".join([alert.text, "", *(f"{label}: {value}" for label, value in rows)])
    if alert.exception:
        text += f"\n\n{alert.exception}\n"

    def cell(value) -> str:
        value = str(value)
        if value.startswith(("http://", "https://", "file://")):
            return f'<a href="{html.escape(value)}">{html.escape(value)}</a>'
        return html.escape(value)

    table = "".join(f"<tr><th align='left'>{html.escape(label)}</th><td>{cell(v)}</td></tr>" for label, v in rows)
    exception = f"<pre>{html.escape(alert.exception)}</pre>" if alert.exception else ""
    body = f"<html><body><p>{html.escape(alert.text)}</p><table>{table}</table>{exception}</body></html>"
    return text, body


def send_email(recipients: tuple[str, ...], alert: Alert) -> str:
    """Mail the alert through the weekly report's SMTP settings; raises when it cannot be sent."""
    from pipeline.outputs.weekly_report import send_report

    settings = _smtp_settings(recipients)
    if settings is None:
        raise DeliveryError("alert email configured but no SMTP server (OUTCOMES_SMTP_HOST or `outcomes_smtp`)")
    text, body = _email_bodies(alert)
    send_report(settings, f"[outcomes] {_first_line(alert.text, 200)}", text, body)
    return f"sent to {len(settings.recipients)} recipient(s)"


def send_alert(alert: Alert, channels: Channels | None = None) -> dict[str, str]:
    """Deliver the alert on every configured channel; {channel: outcome}. Never raises: failures are logged."""
    try:
        channels = channels or alert_channels()
    except Exception:  # noqa: BLE001 - a broken connection definition must not hide the alert itself
        log.exception("Could not read the alert channels; the alert was: %s", alert.text)
        return {}
    if not channels.configured:
        log.warning(
            "No alert channel configured (%s, %s or the connection %r); the alert was: %s",
            WEBHOOK_URL_ENV,
            EMAIL_TO_ENV,
            CONNECTION_ID,
            alert.text,
        )
        return {}
    outcomes: dict[str, str] = {}
    deliveries = []
    if channels.webhook is not None:
        target = f"{channels.webhook.display_url} ({channels.webhook.source})"
        deliveries.append(("webhook", target, lambda: post_webhook(channels.webhook, alert)))
    if channels.email_to:
        deliveries.append(("email", ", ".join(channels.email_to), lambda: send_email(channels.email_to, alert)))
    for channel, target, deliver in deliveries:
        try:
            outcomes[channel] = deliver()
            log.info("%s alert sent by %s to %s", alert.kind, channel, target)
        except Exception as exc:  # noqa: BLE001 - an undeliverable alert is logged, never raised
            reason = str(exc) if isinstance(exc, DeliveryError) else f"{type(exc).__name__}: {exc}"
            outcomes[channel] = f"failed: {reason[:ERROR_CHARS]}"
            log.error(
                "%s alert could not be delivered by %s to %s (%s); the alert was: %s",
                alert.kind,
                channel,
                target,
                outcomes[channel],
                alert.text,
            )
    return outcomes


# --- what the DAGs use -----------------------------------------------------------------------------------------


def task_failure_alert(context) -> None:
    """on_failure_callback: alert that a task failed (a quality_gate_failure, linking the GX Data Docs, when it
    raised QualityGateFailed). Never raises."""
    try:
        send_alert(alert_from_task_context(context))
    except Exception:  # noqa: BLE001 - a callback must not fail the failure handling
        log.exception("Could not build or send the task failure alert")


def deadline_missed_alert(context: dict | None = None, *, alert_failed_runs: bool = False, **kwargs) -> None:
    """The DeadlineAlert callback (an executor SyncCallback): alert that a DAG run missed its deadline.

    Airflow 3.3 prunes a run's deadlines only when the run succeeds, so a run that failed early still "misses" its
    deadline later (apache/airflow#60927); its failure was alerted already, so that miss is only logged unless
    `alert_failed_runs`."""
    try:
        alert = alert_from_deadline_context(context, **kwargs)
        if alert.details.get("state") == "failed" and not alert_failed_runs:
            log.info("Not alerting: the run had already failed (and alerted) before its deadline: %s", alert.text)
            return
        send_alert(alert)
    except Exception:  # noqa: BLE001 - an undeliverable alert is logged, never raised
        log.exception("Could not build or send the deadline alert")


def run_deadline(interval: timedelta, *, reference=None, name: str | None = None, alert_failed_runs: bool = False):
    """A DeadlineAlert for a DAG's `deadline=`: alert when a run has not finished `interval` after it was queued
    (or after `reference`, a DeadlineReference). The callback runs on the executor; no triggerer is needed.

    None (no deadline) when OUTCOMES_ALERT_DEADLINES=off: `dag.test()` and `airflow dags test` of a DAG with a
    deadline crash once its run succeeds in Airflow 3.3.2 (apache/airflow#73428), so set it for those."""
    from airflow.sdk import DeadlineAlert, DeadlineReference, SyncCallback

    if os.environ.get(DEADLINES_ENV, "").strip().lower() in {"off", "false", "0", "no"}:
        return None
    kwargs = {"interval": str(interval), "alert_failed_runs": alert_failed_runs}
    return DeadlineAlert(
        reference=reference if reference is not None else DeadlineReference.DAGRUN_QUEUED_AT,
        interval=interval,
        callback=SyncCallback(deadline_missed_alert, kwargs=kwargs),
        name=name,
    )
