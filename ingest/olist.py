"""Olist Brazilian e-commerce export (Kaggle): customers, orders, order items, payments, reviews (Portuguese text),
products, sellers, category name translation and a geolocation sample.

Quirks kept intact in `raw` (staging repairs them): integer columns written as floats (`57.0`) and zip prefixes
that lost their leading zeros in a pandas round trip; Olist's own catalog files (`official_catalog/`) quote their
ids, and the translation file starts with a UTF-8 BOM and ends lines with CRLF; the misspelled
`product_name_lenght` / `product_description_lenght` columns are the export's own names.
"""

from __future__ import annotations

from ingest.entity import CsvRows, Entity, varchar


def _entity(table: str, file_name: str, fields: tuple[str, ...], required: tuple[str, ...], **contract) -> Entity:
    # `**` also finds the same export in a sub-folder (Olist's official catalog next to a sample).
    return Entity(
        table, (f"olist/{file_name}", f"olist/**/{file_name}"), varchar(*fields), CsvRows(), required, **contract
    )


ENTITIES = (
    _entity(
        "olist_customers",
        "olist_customers_dataset.csv",
        ("customer_id", "customer_unique_id", "customer_zip_code_prefix", "customer_city", "customer_state"),
        ("customer_id", "customer_unique_id"),
    ),
    _entity(
        "olist_orders",
        "olist_orders_dataset.csv",
        (
            "order_id",
            "customer_id",
            "order_status",
            "order_purchase_timestamp",
            "order_approved_at",
            "order_delivered_carrier_date",
            "order_delivered_customer_date",
            "order_estimated_delivery_date",
        ),
        ("order_id", "customer_id", "order_purchase_timestamp"),
        event_time="order_purchase_timestamp",
    ),
    _entity(
        "olist_order_items",
        "olist_order_items_dataset.csv",
        ("order_id", "order_item_id", "product_id", "seller_id", "shipping_limit_date", "price", "freight_value"),
        ("order_id", "order_item_id", "product_id", "seller_id"),
    ),
    _entity(
        "olist_order_payments",
        "olist_order_payments_dataset.csv",
        ("order_id", "payment_sequential", "payment_type", "payment_installments", "payment_value"),
        ("order_id", "payment_sequential"),
    ),
    _entity(
        "olist_order_reviews",
        "olist_order_reviews_dataset.csv",
        (
            "review_id",
            "order_id",
            "review_score",
            "review_comment_title",
            "review_comment_message",
            "review_creation_date",
            "review_answer_timestamp",
        ),
        ("review_id", "order_id", "review_score", "review_creation_date"),
        event_time="review_creation_date",
    ),
    _entity(
        "olist_products",
        "olist_products_dataset.csv",
        (
            "product_id",
            "product_category_name",
            "product_name_lenght",
            "product_description_lenght",
            "product_photos_qty",
            "product_weight_g",
            "product_length_cm",
            "product_height_cm",
            "product_width_cm",
        ),
        ("product_id",),
    ),
    _entity(
        "olist_sellers",
        "olist_sellers_dataset.csv",
        ("seller_id", "seller_zip_code_prefix", "seller_city", "seller_state"),
        ("seller_id",),
    ),
    _entity(
        "olist_category_translations",
        "product_category_name_translation.csv",
        ("product_category_name", "product_category_name_english"),
        ("product_category_name",),
    ),
    _entity(
        "olist_geolocation",
        "olist_geolocation_dataset.csv",
        (
            "geolocation_zip_code_prefix",
            "geolocation_lat",
            "geolocation_lng",
            "geolocation_city",
            "geolocation_state",
        ),
        ("geolocation_zip_code_prefix",),
    ),
)
