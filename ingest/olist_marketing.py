"""Olist marketing funnel export (Kaggle): marketing-qualified leads (first contact, landing page, origin channel)
and the deals closed with them (the lead became an Olist seller). `mql_id` links the two, `seller_id` links a deal
to the e-commerce export's sellers and orders."""

from __future__ import annotations

from ingest.entity import CsvRows, Entity, varchar

DEAL_FIELDS = (
    "mql_id",
    "seller_id",
    "sdr_id",
    "sr_id",
    "won_date",
    "business_segment",
    "lead_type",
    "lead_behaviour_profile",
    "has_company",
    "has_gtin",
    "average_stock",
    "business_type",
    "declared_product_catalog_size",
    "declared_monthly_revenue",
)

ENTITIES = (
    Entity(
        "olist_marketing_qualified_leads",
        ("olist_marketing_funnel/olist_marketing_qualified_leads_dataset.csv",),
        varchar("mql_id", "first_contact_date", "landing_page_id", "origin"),
        CsvRows(),
        required=("mql_id", "first_contact_date"),
        event_time="first_contact_date",
    ),
    Entity(
        "olist_closed_deals",
        ("olist_marketing_funnel/olist_closed_deals_dataset.csv",),
        varchar(*DEAL_FIELDS),
        CsvRows(),
        required=("mql_id", "won_date"),
        event_time="won_date",
    ),
)
