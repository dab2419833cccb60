with

source as (

    select * from {{ source('olist_marketing', 'olist_closed_deals') }}

),

renamed as (

    select
        mql_id,
        seller_id,
        sdr_id,
        sr_id,
        {{ utc_from_local('won_date', var('olist_time_zone')) }} as won_at,
        {{ blank_as_null('business_segment') }} as business_segment,
        {{ blank_as_null('lead_type') }} as lead_type,
        {{ blank_as_null('lead_behaviour_profile') }} as lead_behaviour_profile,
        {{ blank_as_null('business_type') }} as business_type,
        cast({{ blank_as_null('has_company') }} as boolean) as has_company,
        cast({{ blank_as_null('has_gtin') }} as boolean) as has_gtin,
        {{ blank_as_null('average_stock') }} as average_stock,
        {{ integer_from_text('declared_product_catalog_size') }} as declared_product_catalog_size,
        cast({{ blank_as_null('declared_monthly_revenue') }} as decimal(18, 2)) as declared_monthly_revenue,
        _loaded_at as _loaded_at_for_dedup,
        _source_file as _source_file_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'mql_id') }}

)

select * from deduplicated
