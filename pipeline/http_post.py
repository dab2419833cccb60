"""POST a JSON body, retrying what is transient: connection errors, timeouts, cut-off bodies, 408, 425, 429, 5xx.

Shared by the alert webhook (pipeline/alerts.py) and the ticketing hand-off (pipeline/outputs/handoff.py); each decides
what a failure means for it. Never raises for a network problem: the outcome says what happened.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
TRANSIENT_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


class _Transient(Exception):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class PostOutcome:
    attempts: int
    status: int | None = None  # the last HTTP status, if any answer came back
    error: str | None = None  # why it did not succeed; None for a 2xx
    transient: bool = False  # gave up on a failure worth retrying later

    @property
    def ok(self) -> bool:
        return self.error is None


def post_json(
    client,
    url: str,
    body: dict,
    headers: dict[str, str],
    *,
    timeout: tuple[float, float],
    attempts: int,
    wait_seconds: float,
    max_wait: float,
    error_chars: int = 200,
) -> PostOutcome:
    made = 0

    def once() -> requests.Response:
        nonlocal made
        made += 1
        try:
            response = client.post(url, json=body, headers=headers, timeout=timeout, allow_redirects=False)
        except TRANSIENT_ERRORS as exc:
            raise _Transient(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code in RETRY_STATUSES:
            raise _Transient(f"HTTP {response.status_code}: {response.text[:error_chars]}", response.status_code)
        return response

    retrying = Retrying(
        retry=retry_if_exception_type(_Transient),
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=wait_seconds, max=max_wait),
        reraise=True,
    )
    try:
        response = retrying(once)
    except _Transient as exc:
        return PostOutcome(made, exc.status, str(exc)[:error_chars], transient=True)
    except requests.RequestException as exc:
        return PostOutcome(made, None, f"{type(exc).__name__}: {exc}"[:error_chars])
    if 200 <= response.status_code < 300:
        return PostOutcome(made, response.status_code)
    return PostOutcome(made, response.status_code, f"HTTP {response.status_code}: {response.text[:error_chars]}")
