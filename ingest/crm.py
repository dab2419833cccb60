"""Salesforce data export (accounts, contacts, opportunities) and the billing customer lifecycle."""

from __future__ import annotations

from ingest.entity import CsvRows, Entity, JsonRecords, varchar

ACCOUNT_FIELDS = (
    "Id",
    "Name",
    "Industry",
    "AnnualRevenue",
    "NumberOfEmployees",
    "BillingCountry",
    "Type",
    "CreatedDate",
    "LastModifiedDate",
)
CONTACT_FIELDS = (
    "Id",
    "AccountId",
    "FirstName",
    "LastName",
    "Email",
    "Twitter_Handle__c",
    "Title",
    "LeadSource",
    "CreatedDate",
    "LastModifiedDate",
)
OPPORTUNITY_FIELDS = (
    "Id",
    "AccountId",
    "ContactId",
    "Name",
    "StageName",
    "Amount",
    "Probability",
    "CreatedDate",
    "CloseDate",
    "IsClosed",
    "IsWon",
    "LeadSource",
    "LastModifiedDate",
)
LIFECYCLE_FIELDS = ("account_id", "customer_since", "churned_at", "plan", "mrr")


def _csv_entity(table: str, path: str, fields: tuple[str, ...], required: tuple[str, ...]) -> Entity:
    return Entity(table, (path,), varchar(*fields), CsvRows(), required=required)


def _api_entity(table: str, folder: str, fields: tuple[str, ...], required: tuple[str, ...]) -> Entity:
    """The same table fed by Salesforce REST query pages (`records[]`), as `extract.salesforce` writes them."""
    return Entity(
        table,
        (f"crm/{folder}/*.jsonl",),
        varchar(*fields),
        JsonRecords(("records",)),
        required=required,
        ignored_fields=("attributes",),
    )


ENTITIES = (
    _csv_entity("crm_accounts", "crm/accounts.csv", ACCOUNT_FIELDS, ("Id",)),
    _csv_entity("crm_contacts", "crm/contacts.csv", CONTACT_FIELDS, ("Id",)),
    _csv_entity("crm_opportunities", "crm/opportunities.csv", OPPORTUNITY_FIELDS, ("Id", "AccountId")),
    _csv_entity("crm_customer_lifecycle", "crm/customer_lifecycle.csv", LIFECYCLE_FIELDS, ("account_id",)),
    _api_entity("crm_accounts", "accounts", ACCOUNT_FIELDS, ("Id",)),
    _api_entity("crm_contacts", "contacts", CONTACT_FIELDS, ("Id",)),
    _api_entity("crm_opportunities", "opportunities", OPPORTUNITY_FIELDS, ("Id", "AccountId")),
)
