"""Where the feedback hand-off POSTs: OUTCOMES_TICKETING_URL (+ OUTCOMES_TICKETING_TOKEN), else the Airflow
connection `outcomes_ticketing`, else nowhere (files only)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

CONNECTION_ID = "outcomes_ticketing"
URL_ENV, TOKEN_ENV = "OUTCOMES_TICKETING_URL", "OUTCOMES_TICKETING_TOKEN"
DEFAULT_PATH = "/tickets"


@dataclass(frozen=True)
class Endpoint:
    url: str
    token: str | None
    source: str

    @property
    def display_url(self) -> str:
        """The URL without any user:password part, for the log and the report."""
        parts = urlsplit(self.url)
        netloc = parts.netloc.rsplit("@", 1)[-1]
        return urlunsplit(parts._replace(netloc=netloc))


def with_default_path(url: str, path: str = DEFAULT_PATH) -> str:
    parts = urlsplit(url)
    if parts.path in ("", "/"):
        return urlunsplit(parts._replace(path="/" + path.lstrip("/")))
    return url


def endpoint_from_connection(connection) -> Endpoint | None:
    """An Airflow http connection as an endpoint; the host may carry the scheme (`http://127.0.0.1`) or not."""
    host = (connection.host or "").rstrip("/")
    if not host:
        return None
    base = host if "://" in host else f"{connection.schema or 'http'}://{host}"
    if connection.port:
        base = f"{base}:{connection.port}"
    path = (connection.extra_dejson or {}).get("path") or DEFAULT_PATH
    return Endpoint(base + "/" + path.lstrip("/"), connection.password or None, f"Airflow connection {CONNECTION_ID!r}")


def configured_endpoint() -> Endpoint | None:
    """The environment first, then the Airflow connection (as extract/http.py reads credentials)."""
    url = os.environ.get(URL_ENV)
    if url:
        return Endpoint(with_default_path(url), os.environ.get(TOKEN_ENV) or None, f"environment {URL_ENV}")
    try:
        from airflow.sdk import BaseHook

        connection = BaseHook.get_connection(CONNECTION_ID)
    except Exception:  # noqa: BLE001 - a missing connection, or no Airflow at all, both mean "not configured"
        return None
    return endpoint_from_connection(connection)
