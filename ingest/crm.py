"""Salesforce data export (accounts, contacts, opportunities) and the billing customer lifecycle."""

from __future__ import annotations

from ingest.entity import Entity, varchar
from ingest.readers import csv_rows

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


def _csv_entity(table: str, path: str, fields: tuple[str, ...]) -> Entity:
    return Entity(table, (path,), varchar(*fields), csv_rows(fields))


ENTITIES = (
    _csv_entity("crm_accounts", "crm/accounts.csv", ACCOUNT_FIELDS),
    _csv_entity("crm_contacts", "crm/contacts.csv", CONTACT_FIELDS),
    _csv_entity("crm_opportunities", "crm/opportunities.csv", OPPORTUNITY_FIELDS),
    _csv_entity("crm_customer_lifecycle", "crm/customer_lifecycle.csv", LIFECYCLE_FIELDS),
)
