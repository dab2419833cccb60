with

source as (

    select * from {{ source('crm', 'crm_customer_lifecycle') }}

),

renamed as (

    select
        account_id,
        cast({{ blank_as_null('customer_since') }} as date) as customer_since,
        cast({{ blank_as_null('churned_at') }} as date) as churned_at,
        plan,
        cast({{ blank_as_null('mrr') }} as decimal(18, 2)) as mrr,
        {{ blank_as_null('churned_at') }} is not null as is_churned,
        _source_file as _source_file_for_dedup,
        _loaded_at as _loaded_at_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'account_id') }}

)

select * from deduplicated
