"""Salesforce REST query API (accounts, contacts, opportunities) into `landing/crm/<object>/`, incrementally.

Each object is queried with SOQL ordered by `LastModifiedDate`, from the last modification time already seen
(inclusive: records at the boundary come back and are counted as duplicates by ingest). Pages follow
`nextRecordsUrl` until `done`; the position is saved after every page, so a failed run resumes from there.
"""

from __future__ import annotations

import os
from pathlib import Path

import requests

from extract.http import ApiClient, RetryPolicy, secret
from extract.pages import append_page, run_file
from extract.state import StreamState
from extract.x_api import PullReport
from ingest.crm import ACCOUNT_FIELDS, CONTACT_FIELDS, OPPORTUNITY_FIELDS

API_VERSION = "v61.0"
OBJECTS = {
    "Account": ("accounts", ACCOUNT_FIELDS),
    "Contact": ("contacts", CONTACT_FIELDS),
    "Opportunity": ("opportunities", OPPORTUNITY_FIELDS),
}
EPOCH = "1970-01-01T00:00:00Z"


def client_from_env(policy: RetryPolicy | None = None) -> ApiClient:
    session = requests.Session()
    token = secret("OUTCOMES_SALESFORCE_TOKEN", "outcomes_salesforce")
    session.headers["Authorization"] = f"Bearer {token}"
    return ApiClient(os.environ.get("OUTCOMES_SALESFORCE_URL", "https://example.my.salesforce.com"), session, policy)


def soql(sobject: str, since: str) -> str:
    # SOQL datetime literals take Z or +hh:mm; the API itself returns +0000.
    literal = since[:-5] + "Z" if since.endswith("+0000") else since
    fields = ", ".join(OBJECTS[sobject][1])
    return f"SELECT {fields} FROM {sobject} WHERE LastModifiedDate >= {literal} ORDER BY LastModifiedDate, Id"


def pull_object(client: ApiClient, landing_dir: Path, state_path: Path, sobject: str) -> PullReport:
    folder, _ = OBJECTS[sobject]
    state = StreamState(state_path, f"salesforce_{folder}")
    cursor = state.load()
    landing_file = run_file(landing_dir, "crm", folder)
    url, params = f"/services/data/{API_VERSION}/query", {"q": soql(sobject, cursor.get("since", EPOCH))}
    pages = records = 0
    while True:
        page = client.get_json(url, params)
        if page.get("records"):
            append_page(landing_file, page)
            pages += 1
            records += len(page["records"])
            cursor["since"] = max(cursor.get("since", EPOCH), *(r["LastModifiedDate"] for r in page["records"]))
            state.save(cursor)
        if page.get("done", True) or not page.get("nextRecordsUrl"):
            break
        url, params = page["nextRecordsUrl"], None
    written = landing_file.relative_to(landing_dir).as_posix() if landing_file.exists() else None
    return PullReport(f"salesforce_{folder}", pages, records, written, cursor, client.requests_made, client.retries)
