"""Maven Analytics "CRM + Sales Opportunities" export: accounts, products, sales teams and the sales pipeline.

Quirks kept intact in `raw`: the pipeline names a product `GTXPro` that the product list calls `GTX Pro`, a sector is
spelled `technolgy`, and opportunities still prospecting have a blank account and no dates (staging keeps them, with
a NULL account).
"""

from __future__ import annotations

from ingest.entity import CsvRows, Entity, varchar

ENTITIES = (
    Entity(
        "maven_accounts",
        ("maven_crm/accounts.csv",),
        varchar("account", "sector", "year_established", "revenue", "employees", "office_location", "subsidiary_of"),
        CsvRows(),
        required=("account",),
    ),
    Entity(
        "maven_products",
        ("maven_crm/products.csv",),
        varchar("product", "series", "sales_price"),
        CsvRows(),
        required=("product",),
    ),
    Entity(
        "maven_sales_teams",
        ("maven_crm/sales_teams.csv",),
        varchar("sales_agent", "manager", "regional_office"),
        CsvRows(),
        required=("sales_agent",),
    ),
    Entity(
        "maven_sales_pipeline",
        ("maven_crm/sales_pipeline.csv",),
        varchar(
            "opportunity_id",
            "sales_agent",
            "product",
            "account",
            "deal_stage",
            "engage_date",
            "close_date",
            "close_value",
        ),
        CsvRows(),
        required=("opportunity_id", "deal_stage"),
        event_time="engage_date",
    ),
)
