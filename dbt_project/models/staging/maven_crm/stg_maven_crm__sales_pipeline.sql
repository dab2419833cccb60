with

source as (

    select * from {{ source('maven_crm', 'maven_sales_pipeline') }}

),

renamed as (

    select
        opportunity_id,
        sales_agent,
        product as product_name,
        lower(replace(product, ' ', '')) as product_key,
        -- Opportunities still prospecting have no account yet: NULL, kept.
        {{ blank_as_null('account') }} as account_name,
        deal_stage,
        cast({{ blank_as_null('engage_date') }} as date) as engage_date,
        cast({{ blank_as_null('close_date') }} as date) as close_date,
        cast({{ blank_as_null('close_value') }} as decimal(18, 2)) as close_value,
        _loaded_at as _loaded_at_for_dedup,
        _source_file as _source_file_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'opportunity_id') }}

)

select * from deduplicated
