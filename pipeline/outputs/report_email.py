"""Email for the weekly report: SMTP settings from OUTCOMES_SMTP_* or the Airflow connection `outcomes_smtp`, and
a multipart/alternative message (plain text and HTML) sent over SMTP, optionally with STARTTLS and login."""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

SMTP_CONN_ID = "outcomes_smtp"
SMTP_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str | None = None
    password: str | None = None
    starttls: bool = False


def _addresses(value: str | None) -> tuple[str, ...]:
    return tuple(address.strip() for address in (value or "").split(",") if address.strip())


def _flag(value) -> bool:
    return value if isinstance(value, bool) else str(value or "").strip().lower() in {"1", "true", "yes", "on"}


def _checked(settings: SmtpSettings, where: str) -> SmtpSettings:
    if not settings.sender or not settings.recipients:
        raise ValueError(f"SMTP is configured by {where} but without a sender and recipients (`from` and `to`)")
    return settings


def settings_from_env(env) -> SmtpSettings:
    return _checked(
        SmtpSettings(
            host=env["OUTCOMES_SMTP_HOST"],
            port=int(env.get("OUTCOMES_SMTP_PORT") or smtplib.SMTP_PORT),
            sender=env.get("OUTCOMES_SMTP_FROM", ""),
            recipients=_addresses(env.get("OUTCOMES_SMTP_TO")),
            user=env.get("OUTCOMES_SMTP_USER") or None,
            password=env.get("OUTCOMES_SMTP_PASSWORD") or None,
            starttls=_flag(env.get("OUTCOMES_SMTP_STARTTLS")),
        ),
        "OUTCOMES_SMTP_HOST",
    )


def airflow_connection(conn_id: str):
    """The Airflow connection, or None when Airflow has none by that id (or cannot be asked)."""
    try:
        from airflow.sdk import BaseHook

        return BaseHook.get_connection(conn_id)
    except Exception:  # noqa: BLE001 - not defined, no metadata database, no Airflow: all mean "not configured"
        return None


def settings_from_connection(connection) -> SmtpSettings | None:
    if not connection.host:
        return None
    extra = connection.extra_dejson
    return _checked(
        SmtpSettings(
            host=connection.host,
            port=int(connection.port or smtplib.SMTP_PORT),
            sender=extra.get("from", ""),
            recipients=_addresses(extra.get("to")),
            user=connection.login or None,
            password=connection.password or None,
            starttls=_flag(extra.get("starttls")),
        ),
        f"the Airflow connection {SMTP_CONN_ID!r}",
    )


def smtp_settings() -> SmtpSettings | None:
    """OUTCOMES_SMTP_* when OUTCOMES_SMTP_HOST is set, else the Airflow connection `outcomes_smtp`, else None."""
    if os.environ.get("OUTCOMES_SMTP_HOST"):
        return settings_from_env(os.environ)
    connection = airflow_connection(SMTP_CONN_ID)
    return settings_from_connection(connection) if connection is not None else None


def build_message(settings: SmtpSettings, subject_line: str, text: str, html: str) -> EmailMessage:
    """multipart/alternative: the plain text first, the HTML last (mail clients show the last part they can)."""
    message = EmailMessage()
    message["Subject"] = subject_line
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send_report(settings: SmtpSettings, subject_line: str, text: str, html: str) -> EmailMessage:
    message = build_message(settings, subject_line, text, html)
    with smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        smtp.send_message(message)
    return message
