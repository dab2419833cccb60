"""HTTP for the extractors: timeouts, retries with exponential backoff, HTTP 429 Retry-After, credentials.

Retried: connection errors, timeouts, a body cut short or not JSON, HTTP 429 and 5xx. Not retried: other 4xx (bad
credentials or a bad request will not fix themselves), raised as ApiError with the status and the body's start.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

RETRY_STATUSES = {429, 500, 502, 503, 504}


class ApiError(RuntimeError):
    """A response that retrying will not fix, or retries exhausted."""


class MissingCredentials(RuntimeError):
    pass


class RetryableError(RuntimeError):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def secret(env_var: str, airflow_conn_id: str, field: str = "password") -> str:
    """A credential from an environment variable, else from an Airflow connection's field; never from code."""
    value = os.environ.get(env_var)
    if value:
        return value
    try:
        from airflow.sdk import BaseHook

        found = getattr(BaseHook.get_connection(airflow_conn_id), field)
    except Exception as exc:  # noqa: BLE001 - any lookup failure means the same thing to the user
        raise MissingCredentials(f"set {env_var} or the Airflow connection {airflow_conn_id!r} ({field})") from exc
    if not found:
        raise MissingCredentials(f"the Airflow connection {airflow_conn_id!r} has no {field}; or set {env_var}")
    return found


@dataclass
class RetryPolicy:
    attempts: int = 6
    backoff_seconds: float = 0.5
    max_wait_seconds: float = 60.0
    connect_timeout: float = 5.0
    read_timeout: float = 30.0


class ApiClient:
    def __init__(self, base_url: str, session: requests.Session, policy: RetryPolicy | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session
        self.policy = policy or RetryPolicy()
        self.requests_made = 0
        self.retries = 0

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RetryableError) and error.retry_after is not None:
            return min(error.retry_after, self.policy.max_wait_seconds)
        exponential = wait_exponential(multiplier=self.policy.backoff_seconds, max=self.policy.max_wait_seconds)
        return exponential(state)

    def _count_retry(self, state: RetryCallState) -> None:
        self.retries += 1

    def get_json(self, url: str, params: dict | None = None) -> dict:
        """GET `url` (absolute, or a path under the base URL) and return its JSON object, retrying what may pass."""
        full_url = url if url.startswith("http") else f"{self.base_url}/{url.lstrip('/')}"
        retrying = Retrying(
            retry=retry_if_exception_type(RetryableError),
            wait=self._wait,
            stop=stop_after_attempt(self.policy.attempts),
            before_sleep=self._count_retry,
            reraise=True,
        )
        try:
            return retrying(self._get_once, full_url, params)
        except RetryableError as exc:
            raise ApiError(f"GET {full_url} failed after {self.policy.attempts} attempts: {exc}") from exc

    def _get_once(self, url: str, params: dict | None) -> dict:
        self.requests_made += 1
        timeout = (self.policy.connect_timeout, self.policy.read_timeout)
        try:
            response = self.session.get(url, params=params, timeout=timeout)
            body = response.content
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            raise RetryableError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code in RETRY_STATUSES:
            retry_after = response.headers.get("Retry-After")
            seconds = float(retry_after) if retry_after and retry_after.isdigit() else None
            raise RetryableError(f"HTTP {response.status_code}", retry_after=seconds)
        if response.status_code >= 400:
            raise ApiError(f"GET {url}: HTTP {response.status_code}: {body[:200]!r}")
        try:
            payload = response.json()
        except ValueError as exc:
            raise RetryableError(f"body is not complete JSON ({len(body)} bytes)") from exc
        if not isinstance(payload, dict):
            raise ApiError(f"GET {url}: expected a JSON object, got {type(payload).__name__}")
        return payload
